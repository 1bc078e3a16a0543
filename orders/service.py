"""Use cases on orders: create, look up, move through the status flow.

Every function takes a UnitOfWork, records events, and leaves committing to the
caller's `uow.commit()`; so a chat message, an API call and a scan run the very same
code.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from core.bus import UnitOfWork
from core.types import utcnow
from orders import events as ev
from orders import qc, texts
from orders.actor import Actor, Trace
from orders.exceptions import DateOutOfRange, IllegalTransition, InvalidInput, OrderNotFound, VersionConflict
from orders.flow import NO_WAYBILL, Transition, allowed_text, check_needs, check_roles, find_transition
from orders.materials import shortages
from orders.models import (
    Customer,
    Order,
    Product,
    ProductionTask,
    RouteStep,
    Staff,
    StatusEvent,
)
from orders.numbering import next_order_no
from orders.status import Status, parse_status

DATE_WINDOW_YEARS = 5  # business dates (promised, planned, ETA) within this many years of today


def find_order(uow: UnitOfWork, ref: str, *, for_update: bool = False) -> Order:
    """The order named by its number or ERP alias, or OrderNotFound with close matches."""
    ref = (ref or "").strip().upper()
    if not ref or len(ref) > 60 or any(ord(c) < 32 for c in ref):
        raise OrderNotFound(texts.order_not_found(ref[:60].encode("unicode_escape").decode()), order_no=ref[:60])
    order = uow.session.exec(select(Order).where(Order.order_no == ref)).first()
    if order is None:  # ERP aliases are stored upper case, so both lookups use an index
        order = uow.session.exec(select(Order).where(Order.erp_no == ref)).first()
    if order is None:
        raise OrderNotFound(_not_found_text(uow, ref), order_no=ref)
    return order


def _not_found_text(uow: UnitOfWork, ref: str) -> str:
    tail = ref[-4:] if len(ref) >= 4 else ref
    rows = uow.session.exec(
        select(Order.order_no).where(Order.order_no.like(f"%{tail}")).order_by(Order.id.desc()).limit(50)
    ).all()
    close = difflib.get_close_matches(ref, rows, n=3, cutoff=0.6)
    return texts.order_not_found(ref, close)


def create_order(uow: UnitOfWork, *, customer: str, product: str, quantity: int, promised_date: date,
                 actor: Actor, tz: ZoneInfo, erp_no: str | None = None, priority: str = "normal",
                 internal_note: str = "", now: datetime | None = None, sales_owner_id: int | None = None) -> Order:
    """Register a new order in 待审核 with a fresh number; raises InvalidInput on bad data.

    The salesperson is the customer's owner unless `sales_owner_id` names another (active) staff member;
    who may choose another is the caller's check (orders.editing.OWNER_ROLES)."""
    s = uow.session
    cust = s.exec(select(Customer).where(or_(Customer.name == customer, Customer.short_name == customer))).first()
    if cust is None:
        raise InvalidInput(texts.customer_not_found(customer), field="customer")
    prod = s.exec(select(Product).where(Product.code == product)).first()
    if prod is None:
        raise InvalidInput(texts.product_not_found(product), field="product")
    if not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput(texts.QUANTITY_NOT_POSITIVE, field="quantity")
    now = now or utcnow()
    check_date_window(promised_date, today=now.astimezone(tz).date(), label=texts.EDIT_FIELD_LABELS["promised_date"],
                      field="promised_date")
    if sales_owner_id is not None:
        owner = s.get(Staff, sales_owner_id)
        if owner is None or not owner.active:
            raise InvalidInput(texts.SALES_OWNER_NOT_FOUND, field="sales_owner_id")
    erp_no = (erp_no or "").strip().upper() or None
    if erp_no and s.exec(select(Order.id).where(Order.erp_no == erp_no)).first():
        raise InvalidInput(texts.erp_no_taken(erp_no), field="erp_no")
    order = Order(
        order_no=next_order_no(s, now.astimezone(tz).date()), erp_no=erp_no or None,
        customer_id=cust.id, product_id=prod.id, quantity=quantity, promised_date=promised_date,
        status=Status.PENDING_REVIEW.value, priority=priority,
        sales_owner_id=sales_owner_id if sales_owner_id is not None else cust.sales_owner_id,
        created_at=now, updated_at=now, updated_by=actor.name, internal_note=internal_note, version=1,
    )
    s.add(order)
    s.flush()
    s.add(StatusEvent(order_id=order.id, from_status=None, to_status=order.status, command="create",
                      at=now, actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source))
    uow.record(ev.OrderCreated(order.id, order.order_no, actor.name, actor.source, now,
                               actor_staff_id=actor.staff_id))
    return order


def change_status(uow: UnitOfWork, ref: str, *, actor: Actor, to: str | Status | None = None,
                  command: str | None = None, fields: dict | None = None, trace: Trace | None = None,
                  expected_version: int | None = None, now: datetime | None = None) -> Order:
    """Move an order by target status or command, checking the table, roles and needs."""
    order = find_order(uow, ref)
    target = None
    if to is not None:
        target = to if isinstance(to, Status) else parse_status(to)
        if target is None:
            raise InvalidInput(texts.unknown_status(to), field="to")
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(_conflict_text(order), current_version=order.version)
    fields = dict(fields or {})
    if order.qc_passed_at is not None:
        fields.setdefault("qc_passed", True)
    if command == "approve" and target is None:
        target = _approval_target(uow, order, fields)
    t = find_transition(order.order_no, Status(order.status), to=target, command=command)
    check_roles(order.order_no, t, actor.roles)
    check_needs(order.order_no, t, fields)
    return apply_transition(uow, order, t, actor=actor, fields=fields, trace=trace or Trace(), now=now)


def _approval_target(uow: UnitOfWork, order: Order, fields: dict) -> Status:
    """Approve straight to planning when materials are covered, else to purchasing."""
    short = shortages(uow.session, order)
    if not short:
        return Status.PENDING_SCHEDULE
    fields["shortages"] = [{"code": s.code, "name": s.name, "unit": s.unit, "missing": s.missing} for s in short]
    return Status.PENDING_PURCHASE


def apply_transition(uow: UnitOfWork, order: Order, t: Transition, *, actor: Actor, fields: dict,
                     trace: Trace, now: datetime | None = None) -> Order:
    """Write an already-checked move: order fields, status event, domain event."""
    now = now or utcnow()
    _apply_fields(order, t, fields, now)
    frm = order.status
    order.status = t.to.value
    order.updated_at = now
    order.updated_by = actor.name
    order.version += 1
    se = StatusEvent(
        order_id=order.id, from_status=frm, to_status=order.status, command=t.command, at=now,
        actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source,
        device_id=trace.device_id, temperature=trace.temperature, humidity=trace.humidity,
        inbound_message_id=trace.inbound_message_id,
        note=trace.note or str(fields.get("reason") or ""), data=_jsonable(fields),
    )
    uow.session.add(se)
    if t.command == "qc_fail":
        qc.new_inspection(uow.session, order_id=order.id, result="fail", defects=str(fields.get("reason") or ""),
                          category=str(fields.get("defect_category") or ""), batches=fields.get("material_batch"),
                          inspector=actor.name, at=now)
    try:
        uow.session.flush()
    except StaleDataError:
        uow.session.rollback()
        raise VersionConflict(texts.changed_meanwhile(order.order_no)) from None
    uow.record(t.event(order.id, order.order_no, actor.name, actor.source, now, frm, order.status,
                       t.command, se.id, _jsonable(fields), actor_staff_id=actor.staff_id))
    return order


def _apply_fields(order: Order, t: Transition, fields: dict, now: datetime) -> None:
    """Copy what a move carries onto the order (carrier, dates, line …)."""
    today = now.date()
    if t.command == "ship":
        order.carrier = fields.get("carrier")
        order.tracking_no = fields.get("tracking_no") if order.carrier not in NO_WAYBILL else None
        order.shipped_at = now
        if fields.get("eta"):
            order.eta = check_date_window(_as_date(fields["eta"]), today=today, label=texts.DATE_LABELS["eta"], field="eta")
    elif t.command == "schedule":
        order.planned_start = check_date_window(_as_date(fields["date"]), today=today, label=texts.DATE_LABELS["date"])
        order.line = fields.get("line") or order.line
        if fields.get("end_date"):
            order.planned_end = check_date_window(_as_date(fields["end_date"]), today=today, label=texts.DATE_LABELS["end_date"],
                                                  field="end_date")
    elif t.command == "unschedule":
        order.planned_start = order.planned_end = None
    elif t.command == "pickup":
        order.picked_up_at = now
    elif t.command == "deliver":
        order.delivered_at = now
    elif t.command == "qc_fail":
        order.qc_passed_at = None


def record_qc_pass(uow: UnitOfWork, ref: str, *, actor: Actor, defects: str = "", material_batch: str | list = "",
                   trace: Trace | None = None, now: datetime | None = None, defect_category: str = "") -> Order:
    """QC passed: record the inspection; the order waits in 待质检 for stock-in."""
    order = find_order(uow, ref)
    if order.status != Status.PENDING_QC:
        raise IllegalTransition(texts.qc_pass_not_pending(
            order.order_no, Status(order.status).label, allowed_text(Status(order.status))),
            current_status=order.status)
    qc_move = find_transition(order.order_no, Status.PENDING_QC, command="qc_fail")
    check_roles(order.order_no, qc_move, actor.roles)  # the people who may fail QC may pass it
    now = now or utcnow()
    insp = qc.new_inspection(uow.session, order_id=order.id, result="pass", defects=defects,
                             category=defect_category, batches=material_batch, inspector=actor.name, at=now)
    order.qc_passed_at = now
    order.updated_at = now
    order.updated_by = actor.name
    order.version += 1
    trace = trace or Trace()
    uow.session.add(StatusEvent(
        order_id=order.id, from_status=order.status, to_status=order.status, command="qc_pass", at=now,
        actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source, device_id=trace.device_id,
        temperature=trace.temperature, humidity=trace.humidity,
        inbound_message_id=trace.inbound_message_id, note=texts.QC_PASSED_NOTE))
    try:
        uow.session.flush()
    except StaleDataError:
        uow.session.rollback()
        raise VersionConflict(texts.changed_meanwhile(order.order_no)) from None
    uow.record(ev.QcPassed(order.id, order.order_no, actor.name, actor.source, now, insp.id,
                           actor_staff_id=actor.staff_id))
    return order


def _conflict_text(order: Order) -> str:
    return texts.version_conflict(order.order_no, order.version)


def _as_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(texts.bad_date(value), field="date") from None


def date_window(today: date) -> tuple[date, date]:
    """The first and last business date accepted: DATE_WINDOW_YEARS each side of `today`."""
    return _years_from(today, -DATE_WINDOW_YEARS), _years_from(today, DATE_WINDOW_YEARS)


def _years_from(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def check_date_window(value: date, *, today: date, label: str, field: str = "date") -> date:
    """`value` itself, or DateOutOfRange (400, Chinese text) when it is not within the window around today."""
    first, last = date_window(today)
    if not first <= value <= last:
        raise DateOutOfRange(texts.date_out_of_window(label, value, first, last, DATE_WINDOW_YEARS),
                             field=field, earliest=first.isoformat(), latest=last.isoformat())
    return value


def _jsonable(fields: dict) -> dict:
    out = {}
    for k, v in fields.items():
        out[k] = v.isoformat() if isinstance(v, date | datetime) else v
    return out


def with_source(actor: Actor, source: str) -> Actor:
    """The same person acting through another source."""
    return replace(actor, source=source)


def report_progress(uow: UnitOfWork, ref: str, *, process: str | None, percent: float | None, actor: Actor,
                    trace: Trace | None = None, now: datetime | None = None) -> Order:
    """Progress of one process: updates its ProductionTask, starts production on the first report,
    and finishes production (→ 待质检) once every route step is at 100 %."""
    order = find_order(uow, ref)
    status = Status(order.status)
    starts = status in (Status.SCHEDULED, Status.REWORK)
    if not starts and status != Status.IN_PRODUCTION:
        raise IllegalTransition(texts.report_not_open(order.order_no, status.label, allowed_text(status)),
                                current_status=order.status)
    move = find_transition(order.order_no, status, command="start_production" if starts else "finish_production")
    check_roles(order.order_no, move, actor.roles)
    steps = uow.session.exec(select(RouteStep).where(RouteStep.product_id == order.product_id)
                             .order_by(RouteStep.seq)).all()
    step = _route_step(order.order_no, steps, process)
    if percent is None or not 0 <= float(percent) <= 100:
        raise InvalidInput(texts.report_needs_percent(order.order_no, step.process if step else process),
                           field="percent")
    now = now or utcnow()
    trace = trace or Trace()
    if starts:
        if status == Status.REWORK:  # a rework pass reports its processes afresh
            for old in uow.session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)).all():
                old.progress, old.done = 0, False
                uow.session.add(old)
        apply_transition(uow, order, move, actor=actor, fields={}, trace=trace, now=now)
    name = step.process if step else str(process)
    task = uow.session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id,
                                                         ProductionTask.process == name)).first()
    if task is None:
        task = ProductionTask(order_id=order.id, seq=step.seq if step else 0, process=name, line=order.line or "")
    task.progress, task.done, task.updated_at = float(percent), float(percent) >= 100, now
    uow.session.add(task)
    uow.session.add(StatusEvent(
        order_id=order.id, from_status=order.status, to_status=order.status, command="report", at=now,
        actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source, device_id=trace.device_id,
        temperature=trace.temperature, humidity=trace.humidity, inbound_message_id=trace.inbound_message_id,
        note=f"{name} {float(percent):g}%", data={"process": name, "percent": float(percent)}))
    uow.session.flush()
    uow.record(ev.ProgressReported(order.id, order.order_no, actor.name, actor.source, now, process=name,
                                   percent=float(percent)))
    done = {t.process for t in uow.session.exec(select(ProductionTask).where(
        ProductionTask.order_id == order.id, ProductionTask.done == True)).all()}  # noqa: E712
    if (done >= {s.process for s in steps}) if steps else task.done:
        finish = find_transition(order.order_no, Status.IN_PRODUCTION, command="finish_production")
        check_roles(order.order_no, finish, actor.roles)
        apply_transition(uow, order, finish, actor=actor, fields={}, trace=trace, now=now)
    return order


def _route_step(order_no: str, steps: list, process: str | None):
    """The route step a reported process names (exact, then case-insensitive, then contained)."""
    if not steps:
        if not process:
            raise InvalidInput(texts.report_needs_process(order_no, []), field="process")
        return None
    if not process:
        if len(steps) == 1:
            return steps[0]
        raise InvalidInput(texts.report_needs_process(order_no, [s.process for s in steps]), field="process")
    wanted = process.strip().lower()
    for match in (lambda s: s.process == process, lambda s: s.process.lower() == wanted,
                  lambda s: wanted in s.process.lower() or s.process.lower() in wanted):
        found = [s for s in steps if match(s)]
        if found:
            return found[0]
    raise InvalidInput(texts.unknown_process(order_no, process, [s.process for s in steps]), field="process")
