"""Admin pages of insight (managers and admins): the factory health dashboard with charts, drill-down
lists, the supplier quality report, a customer's delivery buffer and the monthly accuracy audit. The
figures come from `insight`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import object_session

from core.runtime import current_runtime
from insight import audit, service, texts
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


@bp.get("/lists/<name>.csv")
@page("insight")
def drill_list_csv(name: str):
    """One drill-down list as CSV, with the same period and filters as the page."""
    try:
        body = service.drill_list_csv(name, _period())
    except service.NotFound:
        abort(404)
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={name}.csv", "Cache-Control": "no-store"})


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


def _month_or_404(month: str) -> str:
    """A month of the URL that names a real month up to now, else 404 (it names no page)."""
    try:
        audit.parse_month(month, current_runtime().settings.tz)
    except audit.BadMonth:
        abort(404)
    return month


@bp.get("/audits")
@page("insight")
def audits():
    """Past accuracy audits by month with their rates (the trend), and the form that draws a month's sample."""
    tz = current_runtime().settings.tz
    return render_template("insight/audits.html", audits=service.audits(), this_month=audit.current_month(tz),
                           rule=texts.AUDIT_RULE.format(n=audit.SAMPLE_SIZE))


@bp.post("/audits")
@page("insight")
def draw_audit():
    """Draw the chosen month's sample, or open the month's existing one."""
    month = request.form.get("month", "").strip()
    try:
        found, drawn = service.draw_audit(month, current_user.display_name)
    except audit.BadMonth:
        abort(400)  # the month picker offers no such month
    except audit.NothingDelivered as exc:
        flash(exc.message, "error")
        return redirect(url_for(".audits"))
    if drawn:
        flash(texts.AUDIT_DRAWN.format(month=month, n=found["sample_size"], delivered=found["delivered"]), "ok")
    else:
        flash(texts.AUDIT_EXISTS.format(month=month), "info")
    return redirect(url_for(".audit_page", month=month))


@bp.get("/audits/<month>")
@page("insight")
def audit_page(month: str):
    """One month's sample: per order a tick 状态记录正确 / 有误 with a note, progress, rate and interval."""
    _month_or_404(month)
    try:
        found = service.audit_month(month)
    except audit.AuditNotFound:
        found = None
    return render_template("insight/audit.html", month=month, a=found, labels=texts.VERDICT_LABELS,
                           rule=texts.AUDIT_RULE.format(n=audit.SAMPLE_SIZE))


@bp.post("/audits/<month>/redraw")
@page("insight")
def redraw_audit(month: str):
    """重新抽样: a new seed, only while no verdict was ever given."""
    _month_or_404(month)
    try:
        found, _ = service.draw_audit(month, current_user.display_name, redraw=True)
        flash(texts.AUDIT_REDRAWN.format(n=found["sample_size"]), "ok")
    except (audit.AuditLocked, audit.NothingDelivered) as exc:
        flash(exc.message, "error")
    return redirect(url_for(".audit_page", month=month))


@bp.post("/audits/<month>/items/<int:item_id>")
@page("insight")
def audit_verdict(month: str, item_id: int):
    """Save one order's verdict and note; back to the same order on the page."""
    _month_or_404(month)
    try:
        out = service.set_audit_verdict(month, item_id, request.form.get("verdict", ""),
                                        request.form.get("note", ""), current_user.display_name,
                                        order_no=request.form.get("order_no") or None)
    except audit.AuditNotFound:
        abort(404)
    except audit.BadVerdict:
        abort(400)
    except audit.SampleChanged as exc:
        flash(exc.message, "error")
        return redirect(url_for(".audit_page", month=month))
    flash(texts.AUDIT_SAVED.format(order_no=out["item"]["order_no"], label=out["item"]["verdict_label"]), "ok")
    return redirect(url_for(".audit_page", month=month) + f"#item-{item_id}")


@bp.get("/audits/<month>.xlsx")
@page("insight")
def audit_xlsx(month: str):
    """One month's audit as an xlsx."""
    _month_or_404(month)
    try:
        body = service.audit_xlsx(month)
    except audit.AuditNotFound:
        abort(404)
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename=audit-{month}.xlsx",
                                                  "Cache-Control": "no-store"})


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
