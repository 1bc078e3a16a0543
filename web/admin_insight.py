"""Admin pages of insight (managers and admins): the factory health dashboard with charts, drill-down
lists, the supplier quality report and a customer's delivery buffer. The figures come from `insight`."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy.orm import object_session
from sqlmodel import select

from core.db import new_session
from core.runtime import current_runtime
from insight import service, texts
from insight.buffer import CustomerNotFound, buffer_for, customer_line_buffers
from insight.period import BadPeriod
from orders.models import Customer
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_insight", __name__, url_prefix="/admin/insight")
bp.before_request(enforce)
register_error_pages(bp)
PERIODS = ((7, "近 7 天"), (30, "近 30 天"), (90, "近 90 天"), (180, "近 180 天"))


def _period():
    """The period of the query string (?days=30&customer=3); a bad value answers 400."""
    try:
        return service.period(request.args.get("days", 30, type=int), request.args.get("customer", type=int))
    except BadPeriod:
        abort(400)


def _filters(p) -> dict:
    with new_session(current_runtime().engine) as s:
        customers = s.exec(select(Customer.id, Customer.name).order_by(Customer.name)).all()
    return {"days": p.days, "customer_id": p.customer_id, "periods": PERIODS, "customers": customers}


@bp.get("/")
@page("insight")
def dashboard():
    """The health dashboard: KPI tiles with definitions and links, and the charts."""
    p = _period()
    data = service.dashboard(p)
    return render_template("insight/dashboard.html", data=data, f=_filters(p), kpis=texts.KPIS,
                           defs=data["definitions"])


@bp.get("/lists/<name>")
@page("insight")
def drill_list(name: str):
    """One drill-down list behind a figure."""
    p = _period()
    try:
        found = service.drill_list(name, p)
    except service.NotFound:
        abort(404)
    return render_template("insight/list.html", lst=found, f=_filters(p))


@bp.get("/suppliers")
@page("insight")
def suppliers():
    """Suppliers and batches ranked by defect rate."""
    p = _period() if "days" in request.args else service.period(90, request.args.get("customer", type=int))
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
