"""What the API and the pages ask for: the dashboard, one figure, a drill-down list, the supplier
report, a customer's buffer — each opened on a session of the current runtime, JSON-ready."""

from __future__ import annotations

from datetime import date, datetime

from core.db import new_session
from core.runtime import current_runtime
from insight import audit, drill, export, filters, kpis, lineload, summaries, suppliers, texts
from insight.buffer import CustomerNotFound, buffer_for, customer_line_buffers
from insight.period import Period, make_period
from nextsteps.planning import lines_for
from orders.exceptions import OrderError
from workcal.service import calendar_for


class NotFound(OrderError):
    """An unknown customer, figure or list."""

    http_status = 404
    code = "not_found"


def jsonable(value):
    """Datetimes as ISO text, recursively, so API and page scripts read the same thing."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def definitions() -> dict[str, str]:
    """KPI key -> its Chinese definition."""
    return {k: _define(d) for k, (_, d) in texts.KPIS.items()}


def _define(text: str) -> str:
    return text.format(days=kpis.AT_RISK_WORKDAYS, workdays=lineload.WINDOW_WORKDAYS)


def period(days: int | None = None, customer_id: int | None = None, **order_filters) -> Period:
    """The period of a request, in the factory's time zone, with its order filters (customer_level,
    product_line, sales_owner_id, line); BadFilter (400) when one names nothing that exists."""
    rt = current_runtime()
    p = make_period(days, rt.settings.tz, customer_id=customer_id,
                    **{k: v for k, v in order_filters.items() if v not in (None, "")})
    if p.filtered:
        with new_session(rt.engine) as s:
            filters.check(s, p)
    return p


def filter_choices() -> dict[str, list[tuple]]:
    """What the filter form offers for each filter."""
    with new_session(current_runtime().engine) as s:
        return filters.choices(s)


def dashboard(p: Period) -> dict:
    """Every dashboard figure of the period."""
    rt = current_runtime()
    with new_session(rt.engine) as s:
        summaries.ensure(s)
        data = kpis.dashboard(s, p, calendar_for(s, rt.settings), lines_for(s, rt.settings))
        period_info = {**data.pop("period"), "stays_as_of": summaries.as_of(s)}
    return jsonable({"period": period_info, "figures": data, "definitions": definitions()})


def figure(name: str, p: Period) -> dict:
    """One figure of the dashboard by name."""
    rt = current_runtime()
    with new_session(rt.engine) as s:
        summaries.ensure(s)
        if name == "late":
            value = kpis.late_and_at_risk(s, p, calendar_for(s, rt.settings))
        elif name == "line_load":
            value = lineload.line_load(s, p, lines_for(s, rt.settings))
        elif name in kpis.FIGURES:
            value = kpis.FIGURES[name](s, p)
        else:
            raise NotFound("没有这个指标。")
    key = {"delivery": "on_time_rate", "sources": "sources"}.get(name, name)
    title, definition = texts.KPIS.get(key, (name, ""))
    return jsonable({"figure": name, "name": title, "definition": _define(definition),
                     "value": value})


def drill_list(name: str, p: Period) -> dict:
    """One drill-down list by name."""
    rt = current_runtime()
    with new_session(rt.engine) as s:
        found = drill.drill_list(s, name, p, calendar_for(s, rt.settings), lines_for(s, rt.settings))
    if found is None:
        raise NotFound("没有这个明细列表。")
    return found


def drill_list_xlsx(name: str, p: Period) -> bytes:
    """One drill-down list as an xlsx, with a sheet naming its period and filters."""
    found = drill_list(name, p)
    with new_session(current_runtime().engine) as s:
        return export.list_xlsx(found, export.filter_rows(s, p))


def drill_list_csv(name: str, p: Period) -> bytes:
    """The same list as CSV (UTF-8 with BOM), its columns and rows only."""
    from dataio.export import table_csv

    found = drill_list(name, p)
    return table_csv(list(found["columns"]), [row["cells"] for row in found["rows"]])


def supplier_report(p: Period) -> dict:
    """Suppliers and batches ranked by defect rate."""
    with new_session(current_runtime().engine) as s:
        return suppliers.supplier_report(s, p)


def batch_inspections(batch: str) -> list[dict]:
    """Inspections that used one batch."""
    with new_session(current_runtime().engine) as s:
        return suppliers.batch_inspections(s, batch)


def customer_buffer(customer_id: int, window_days: int = 90, product_line: str | None = None) -> dict:
    """The buffer of one customer (in one product line, if named) as a dict, with the customer's buffer per
    product line; NotFound for an unknown customer."""
    with new_session(current_runtime().engine) as s:
        try:
            out = buffer_for(s, customer_id, window_days=window_days, product_line=product_line).as_dict()
        except CustomerNotFound:
            raise NotFound(texts.CUSTOMER_NOT_FOUND) from None
        if product_line is None:
            out["by_product_line"] = [b.as_dict() for b in customer_line_buffers(s, customer_id)]
        return out


def product_line_buffer(product_line: str, window_days: int = 90) -> dict:
    """The buffer of one product line across every customer."""
    with new_session(current_runtime().engine) as s:
        return buffer_for(s, None, window_days=window_days, product_line=product_line).as_dict()


FIGURE_NAMES = (*kpis.FIGURES, "late", "line_load")


def audits() -> list[dict]:
    """Every accuracy audit, newest month first, with progress and rate."""
    with new_session(current_runtime().engine) as s:
        return audit.audit_list(s)


def audit_month(month: str) -> dict:
    """One month's audit with its items; AuditNotFound when not drawn (BadMonth for a bad month)."""
    rt = current_runtime()
    audit.parse_month(month, rt.settings.tz)
    with new_session(rt.engine) as s:
        found = audit.audit_of(s, month)
        if found is None:
            raise audit.AuditNotFound(texts.AUDIT_NOT_FOUND)
        return audit.audit_detail(s, found, rt.settings.tz)


def draw_audit(month: str, drawn_by: str, redraw: bool = False) -> tuple[dict, bool]:
    """(the month's audit, whether drawn now): drawn when new, again on `redraw` while nothing is checked."""
    rt = current_runtime()
    with new_session(rt.engine) as s:
        found, drawn = audit.draw_audit(s, month, rt.settings.tz, drawn_by, redraw=redraw)
        return audit.audit_detail(s, found, rt.settings.tz), drawn


def set_audit_verdict(month: str, item_id: int, verdict: str, note: str, by: str,
                      order_no: str | None = None) -> dict:
    """Record a verdict on one sampled order (checked to hold `order_no` when given); the audit's new
    tally and the item."""
    rt = current_runtime()
    audit.parse_month(month, rt.settings.tz)
    with new_session(rt.engine) as s:
        found = audit.audit_of(s, month)
        if found is None:
            raise audit.AuditNotFound(texts.AUDIT_NOT_FOUND)
        audit.set_verdict(s, found, item_id, verdict, note, by, order_no=order_no)
        detail = audit.audit_detail(s, found, rt.settings.tz)
    item = next(i for i in detail["items"] if i["id"] == item_id)
    return {**{k: v for k, v in detail.items() if k != "items"}, "item": item}


def audit_xlsx(month: str) -> bytes:
    """One month's audit as an xlsx (items, summary, change log)."""
    rt = current_runtime()
    detail = audit_month(month)
    with new_session(rt.engine) as s:
        changes = audit.audit_changes(s, detail["id"])
    return export.audit_xlsx(detail, changes, rt.settings.tz)
