"""Order table and order detail; status moves through the same domain commands as chat."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from alerts.models import Alert
from core.runtime import current_runtime
from logistics.correction import CORRECT_ROLES, correct_waybill
from logistics.jobs import SHIPPED_OR_LATER
from logistics.tokens import current_token
from logistics.waybill_format import CARRIERS, check_waybill
from nextsteps.planning import plan_advice
from notify.models import Notification
from orders import qc as qc_lists
from orders import service, views
from orders.editing import EDIT_ROLES, edit_order
from orders.exceptions import OrderError, OrderNotFound
from orders.flow import COMMAND_LABELS, NEED_LABELS, moves_from
from orders.models import Customer, ProductionTask, QcInspection, Staff
from orders.roles import OVERRIDE_ROLES, Role
from orders.status import TERMINAL_STATUSES, Status
from web import texts
from web.access import enforce, page
from web.order_print import PAPER_ROLES, may_see_prices
from web.order_query import ALERT_LEVELS, SORTS, OrderFilter, alert_levels_of, fetch_page
from web.tracking_links import reissue_link
from web.ui import register_error_pages
from workcal.service import calendar_for

bp = Blueprint("admin_orders", __name__, url_prefix="/admin/orders")
bp.before_request(enforce)
register_error_pages(bp)

LINK_ROLES = frozenset({Role.SALES, Role.LOGISTICS, Role.WAREHOUSE}) | OVERRIDE_ROLES
MOVE_FIELDS = ("reason", "date", "line", "end_date", "carrier", "tracking_no", "eta", "material_batch", "defect_category")


def _today():
    rt = current_runtime()
    return datetime.now(rt.settings.tz).date()


@bp.get("")
@page("orders")
def order_list():
    """The searchable, filterable order table, one keyset page at a time."""
    f = OrderFilter.from_args(request.args)
    rt = current_runtime()
    with rt.uow() as uow:
        s = uow.session
        add_days = calendar_for(s, rt.settings).add_working_days if f.due_days is not None else None
        result = fetch_page(s, f, today=_today(), add_working_days=add_days)
        levels = alert_levels_of(s, [r["id"] for r in result.rows])
        owners = s.exec(select(Staff.id, Staff.name).where(Staff.roles.like("%sales%")).order_by(Staff.name)).all()
        customers = s.exec(select(Customer.id, Customer.name).order_by(Customer.name).limit(500)).all()
    return render_template(
        "admin/orders.html", f=f, page=result, levels=levels, owners=owners, customers=customers,
        statuses=[(s.value, s.label) for s in Status], sorts={k: texts.SORT_LABELS.get(k, k) for k in SORTS},
        alert_levels=ALERT_LEVELS, today=_today())


@bp.get("/<order_no>")
@page("orders")
def order_detail(order_no: str):
    """One order: fields, status timeline, tasks, QC, notices, alerts, and the moves you may make."""
    rt = current_runtime()
    with rt.uow() as uow:
        try:
            order = service.find_order(uow, order_no)
        except OrderNotFound:
            abort(404)
        s = uow.session
        data = views.order_dict(s, order.id)
        timeline = views.status_events(s, order.id)
        tasks = _dumps(s.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)
                              .order_by(ProductionTask.seq)).all())
        qc = _dumps(s.exec(select(QcInspection).where(QcInspection.order_id == order.id)
                           .order_by(QcInspection.at)).all())
        notices = _dumps(_notices(s, order.id))
        alerts = _dumps(_alerts(s, order.id))
        tracking = current_token(s, order.id)
        tracking = tracking.model_dump() if tracking is not None else None
        status, qc_open = Status(order.status), order.qc_passed_at is None
        internal_note = order.internal_note
        defect_categories = [c.name for c in qc_lists.categories(s)]
    moves = [m for m in moves_from(status) if current_user.roles & (m.roles | OVERRIDE_ROLES)]
    may_pass_qc = (status == Status.PENDING_QC and qc_open
                   and any(current_user.roles & (m.roles | OVERRIDE_ROLES)
                           for m in moves_from(Status.PENDING_QC) if m.command == "qc_fail"))
    return render_template("admin/order_detail.html", o=data, timeline=timeline, tasks=tasks, qc=qc,
                           defect_categories=defect_categories,
                           notices=notices, alerts=alerts, tracking=tracking, moves=moves,
                           may_pass_qc=may_pass_qc, may_issue_link=_may_issue_link(),
                           may_edit=bool(current_user.roles & EDIT_ROLES) and status not in TERMINAL_STATUSES,
                           internal_note=internal_note, carriers=CARRIERS,
                           may_print=bool(current_user.roles & PAPER_ROLES), may_see_prices=may_see_prices(current_user),
                           may_correct=bool(current_user.roles & CORRECT_ROLES) and status.value in SHIPPED_OR_LATER,
                           COMMAND_LABELS=COMMAND_LABELS, NEED_LABELS=NEED_LABELS)


@bp.post("/<order_no>/status")
@page("orders")
def change_status(order_no: str):
    """Apply one move from the detail page, as the signed-in person, source 'web'."""
    to = request.form.get("to") or ""
    if not to:
        flash(texts.NO_CHANGE_CHOSEN, "error")
        return redirect(url_for(".order_detail", order_no=order_no))
    fields = {k: v.strip() for k in MOVE_FIELDS if (v := request.form.get(k))}
    version = _version(request.form.get("version"))
    if "carrier" in request.form:  # the ship form: a listed carrier and a number of its format
        try:
            fields["carrier"], number = check_waybill(request.form["carrier"], request.form.get("tracking_no", ""),
                                                      override=bool(request.form.get("override")))
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".order_detail", order_no=order_no))
        fields.pop("tracking_no", None)
        if number:
            fields["tracking_no"] = number
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            order = service.change_status(uow, order_no, actor=current_user.actor(), to=to, fields=fields,
                                          expected_version=version)
            uow.commit()
            _flash_moved(uow.session, order, rt)
            order_no = order.order_no
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".order_detail", order_no=order_no))


def _flash_moved(session, order, rt) -> None:
    """The move's result; a schedule says its plan, and warns (never 'ok') when it ends after the promise."""
    moved = texts.STATUS_CHANGED.format(order_no=order.order_no, label=Status(order.status).label)
    advice = plan_advice(session, order, rt.settings) if order.status == Status.SCHEDULED.value else None
    if advice is None:
        flash(moved, "ok")
    elif advice.late:
        flash(texts.PLAN_LATE.format(order_no=order.order_no, plan=advice.text()), "warn")
    else:
        flash(f"{moved}\n{advice.text()}", "ok")


@bp.post("/<order_no>/waybill")
@page("orders")
def waybill(order_no: str):
    """Correct a shipped order's carrier or tracking number; the customer notice is reissued."""
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            order, note = correct_waybill(uow, order_no, actor=current_user.actor(),
                                          carrier=request.form.get("carrier", ""),
                                          tracking_no=request.form.get("tracking_no", ""),
                                          override=bool(request.form.get("override")),
                                          expected_version=_version(request.form.get("version")))
            uow.commit()
            flash(texts.WAYBILL_CORRECTED.format(order_no=order.order_no, changes=note), "ok")
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".order_detail", order_no=order_no))


@bp.post("/<order_no>/edit")
@page("orders")
def edit(order_no: str):
    """Change the order's terms from the detail page (sales, planners, managers)."""
    changes = {k: v.strip() for k in ("promised_date", "quantity", "priority", "internal_note")
               if (v := request.form.get(k)) is not None}
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            order = edit_order(uow, order_no, actor=current_user.actor(), changes=changes,
                               expected_version=_version(request.form.get("version")))
            uow.commit()
            flash(texts.ORDER_EDITED.format(order_no=order.order_no), "ok")
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".order_detail", order_no=order_no))


@bp.post("/<order_no>/qc-pass")
@page("orders")
def qc_pass(order_no: str):
    """Record a passed QC inspection (the order then waits for stock-in)."""
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            order = service.record_qc_pass(
                uow, order_no, actor=current_user.actor(), defects=request.form.get("defects", "")[:500],
                material_batch=request.form.get("material_batch", "")[:400],
                defect_category=request.form.get("defect_category", "")[:40])
            uow.commit()
            flash(texts.QC_PASSED.format(order_no=order.order_no), "ok")
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".order_detail", order_no=order_no))


def _dumps(rows) -> list[dict]:
    """Rows as plain dicts, readable after the unit of work has closed."""
    return [r.model_dump() for r in rows]


def _version(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _notices(session, order_id: int) -> list:
    """Notifications written for this order (every channel), newest first."""
    return session.exec(select(Notification).where(Notification.order_id == order_id)
                        .order_by(Notification.id.desc()).limit(50)).all()


def _alerts(session, order_id: int) -> list:
    """The order's latest alerts, newest first."""
    return session.exec(select(Alert).where(Alert.order_id == order_id)
                        .order_by(Alert.id.desc()).limit(20)).all()


def _may_issue_link() -> bool:
    return bool(current_user.roles & LINK_ROLES)


@bp.post("/<order_no>/tracking-link")
@page("orders")
def new_tracking_link(order_no: str):
    """Issue a fresh customer tracking link (older ones stop working, after a confirm step); shown once."""
    if not _may_issue_link():
        abort(403)
    return reissue_link(order_no)
