"""Admin pages of insight (managers and admins): the factory health dashboard with charts, drill-down
lists, the supplier quality report and a customer's delivery buffer. The figures come from `insight`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy.orm import object_session

from insight import service, texts
from insight.buffer import CustomerNotFound, buffer_for, customer_line_buffers
from insight.export import XLSX
from insight.filters import ORDER_ONLY, UNFILTERED, BadFilter
from insight.period import BadPeriod
from orders.models import Customer
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_insight", __name__, url_prefix="/admin/insight")
bp.before_request(enforce)
register_error_pages(bp)
PERIODS = ((7, "近 7 天"), (30, "近 30 天"), (90, "近 90 天"), (180, "近 180 天"))


# query parameter of the page -> keyword of service.period (the page says `customer`, as before)
PAGE_FILTERS = {"customer": "customer_id", "customer_level": "customer_level", "product_line": "product_line",
                "sales_owner_id": "sales_owner_id", "line": "line"}
INT_FILTERS = ("customer", "sales_owner_id")


def _period(default_days: int = 30):
    """The period and filters of the query string (?days=30&customer=3&customer_level=A&product_line=…
    &sales_owner_id=5&line=1号线); a bad or unknown value answers 400."""
    args = {}
    for param, key in PAGE_FILTERS.items():
        value = request.args.get(param, "").strip()
        if value and param in INT_FILTERS:
            if not value.isdigit():
                abort(400)
            value = int(value)
        args[key] = value or None
    days = request.args.get("days", "").strip()
    if days and not days.isdigit():
        abort(400)
    try:
        return service.period(int(days) if days else default_days, **args)
    except (BadPeriod, BadFilter):
        abort(400)


def _filters(p) -> dict:
    """What the filter form and every link of the page need: choices, the chosen values, the query."""
    chosen = {param: getattr(p, key) for param, key in PAGE_FILTERS.items()}
    query = {"days": p.days, **{k: v for k, v in chosen.items() if v not in (None, "")}}
    return {"days": p.days, "customer_id": p.customer_id, "periods": PERIODS, "chosen": chosen, "query": query,
            "choices": service.filter_choices(), "labels": texts.FILTER_LABELS, "all": texts.FILTER_ALL,
            "params": {key: param for param, key in PAGE_FILTERS.items()}, "filtered": p.filtered}


@bp.get("/")
@page("insight")
def dashboard():
    """The health dashboard: KPI tiles with definitions and links, and the charts."""
    p = _period()
    data = service.dashboard(p)
    notes = {"chat": texts.NOT_FILTERED, "notifications": texts.ORDER_ONLY} if p.filtered else {}
    return render_template("insight/dashboard.html", data=data, f=_filters(p), kpis=texts.KPIS,
                           defs=data["definitions"], notes=notes)


@bp.get("/lists/<name>")
@page("insight")
def drill_list(name: str):
    """One drill-down list behind a figure."""
    p = _period()
    try:
        found = service.drill_list(name, p)
    except service.NotFound:
        abort(404)
    note = texts.NOT_FILTERED if p.filtered and name in UNFILTERED else ""
    note = texts.ORDER_ONLY if p.filtered and name in ORDER_ONLY else note
    return render_template("insight/list.html", lst=found, f=_filters(p), note=note)


@bp.get("/lists/<name>.xlsx")
@page("insight")
def drill_list_xlsx(name: str):
    """One drill-down list as an xlsx, with the same period and filters as the page."""
    p = _period()
    try:
        body = service.drill_list_xlsx(name, p)
    except service.NotFound:
        abort(404)
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}.xlsx",
                                                  "Cache-Control": "no-store"})


@bp.get("/suppliers")
@page("insight")
def suppliers():
    """Suppliers and batches ranked by defect rate."""
    p = _period(default_days=90)
    return render_template("insight/suppliers.html", report=service.supplier_report(p), f=_filters(p))


@bp.get("/batches/<batch>")
@page("insight")
def batch(batch: str):
    """The inspections that used one batch."""
    return render_template("insight/batch.html", batch=batch, rows=service.batch_inspections(batch[:60]))


@bp.get("/customers/<int:customer_id>")
@page("insight")
def customer(customer_id: int):
    """A customer's delivery record and suggested buffer, with the delay distribution chart."""
    try:
        buf = service.customer_buffer(customer_id)
    except service.NotFound:
        abort(404)
    return render_template("insight/customer.html", buf=buf)


@bp.app_template_global()
def customer_buffer(customer: Customer) -> dict | None:
    """The buffer shown on the customer's admin form, read on the form's own session (SQLite takes
    a write lock per session, so a second one would wait for the first)."""
    session = object_session(customer)
    if session is None:
        return None
    try:
        out = buffer_for(session, customer.id).as_dict()
    except CustomerNotFound:
        return None
    out["by_product_line"] = [b.as_dict() for b in customer_line_buffers(session, customer.id)]
    return out
