"""Role boards (sales, planning, warehouse): a page, and the fragment it refetches on live events."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, render_template

from core.db import new_session
from core.runtime import current_runtime
from dataio.export import table_csv, table_xlsx
from nextsteps.planning import lines_for
from web import texts
from web.access import enforce, page
from web.board_data import sales_board, warehouse_board
from web.board_marks import marks_for, planning_marks
from web.board_planning import planning_board
from web.ui import register_error_pages
from workcal.service import calendar_for

bp = Blueprint("admin_boards", __name__, url_prefix="/admin/boards")
bp.before_request(enforce)
register_error_pages(bp)

BOARDS = ("sales", "planning", "warehouse")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The order list of a board as a download: (sheet title, [(header, row → cell)]) for the list the board shows.
EXPORTS = {
    "sales": ("最紧急的订单", "urgent", [
        ("单号", lambda o: o["order_no"]), ("客户", lambda o: o["customer"]), ("业务员", lambda o: o["owner"]),
        ("状态", lambda o: o["status_label"]), ("数量", lambda o: o["quantity"]),
        ("交期", lambda o: o["promised_date"]), ("计划开工", lambda o: o["planned_start"]),
        ("逾期", lambda o: "是" if o["late"] else "否"), ("客户自助下单", lambda o: "是" if o["source"] else "")]),
    "warehouse": ("待发货订单", "orders", [
        ("单号", lambda o: o["order_no"]), ("客户", lambda o: o["customer"]), ("产品编码", lambda o: o["product"]),
        ("产品", lambda o: o["product_name"]), ("数量", lambda o: o["quantity"]),
        ("交期", lambda o: o["promised_date"]), ("状态", lambda o: o["status_label"]),
        ("包材", lambda o: o["material"]), ("包材需要", lambda o: o["need"] if o["material"] else None),
        ("单位", lambda o: o["unit"]), ("包材不足", lambda o: "是" if o["short"] else "")]),
}


def board_data(name: str) -> dict:
    """The data of one board, read in one short session."""
    rt = current_runtime()
    tz = rt.settings.tz
    now = datetime.now(tz)
    with new_session(rt.engine) as s:
        if name == "sales":
            d = sales_board(s, now.date())
            d["marks"] = marks_for(s, d["urgent"], now.date(), calendar_for(s, rt.settings))
            d["today"] = now.date()
            return d
        if name == "planning":
            d = planning_board(s, now.date(), tz, now, lines_for(s, rt.settings))
            d["marks"] = planning_marks(s, now.date(), calendar_for(s, rt.settings))
            return d
        d = warehouse_board(s)
        d["today"] = now.date()
        return d


@bp.get("/<name>")
@page("board_{name}")
def board(name: str):
    """A board page; live.js swaps in a fresh fragment whenever an order changes."""
    if name not in BOARDS:
        abort(404)
    return render_template("boards/page.html", name=name, title=texts.BOARD_TITLES[name],
                           fragment=_fragment_html(name))


@bp.get("/<name>/export.<fmt>")
@page("board_{name}")
def export(name: str, fmt: str):
    """The board's order list (what the board shows, all of it) as xlsx or CSV."""
    if name not in EXPORTS or fmt not in ("xlsx", "csv"):
        abort(404)
    title, key, cols = EXPORTS[name]
    rows = [[cell(o) for _h, cell in cols] for o in board_data(name)[key]]
    headers = [h for h, _c in cols]
    body = table_xlsx(title, headers, rows) if fmt == "xlsx" else table_csv(headers, rows)
    return Response(body, mimetype=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={name}-board.{fmt}", "Cache-Control": "no-store"})


@bp.get("/<name>/fragment")
@page("board_{name}")
def fragment(name: str):
    """The board's body (alert banner included) as an HTML fragment."""
    if name not in BOARDS:
        abort(404)
    return _fragment_html(name), 200, {"Cache-Control": "no-store"}


def _fragment_html(name: str) -> str:
    return render_template(f"boards/{name}.html", d=board_data(name), name=name,
                           updated=datetime.now(current_runtime().settings.tz))
