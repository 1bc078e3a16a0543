"""Role boards (sales, planning, warehouse): a page, and the fragment it refetches on live events."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template

from core.db import new_session
from core.runtime import current_runtime
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
