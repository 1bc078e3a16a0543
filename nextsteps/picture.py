"""The live picture of one order: status, progress per process, queue, next step and its owner."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from nextsteps import texts
from orders.models import Customer, Order, Product, ProductionTask, Staff
from orders.recipients import load_people, resolve_all
from orders.status import Status
from workcal.calendar import Calendar

# Who acts next in each status (a recipient spec of orders.recipients); texts.STEP_LABELS says what.
NEXT_OWNER: dict[Status, str] = {
    Status.PENDING_REVIEW: "head:planner",
    Status.PENDING_SCHEDULE: "role:planner",
    Status.PENDING_PURCHASE: "role:purchasing",
    Status.PENDING_OUTSOURCE: "role:purchasing",
    Status.SCHEDULED: "line_lead",
    Status.IN_PRODUCTION: "line_lead",
    Status.PENDING_QC: "role:qc",
    Status.REWORK: "line_lead",
    Status.IN_STOCK: "role:warehouse",
    Status.SHIPPED: "role:logistics",
    Status.IN_TRANSIT: "role:logistics",
    Status.DELIVERED: "role:finance",
}


IN_WORK = frozenset({Status.SCHEDULED, Status.IN_PRODUCTION, Status.REWORK, Status.PENDING_QC})


def queue_position(session: Session, task: ProductionTask) -> int:
    """Place of `task` among open tasks of the same process whose order has reached that process."""
    candidates = session.exec(select(ProductionTask).where(ProductionTask.process == task.process,
                                                           ProductionTask.done == False)).all()  # noqa: E712
    ready = []
    for t in candidates:
        prev = session.exec(select(ProductionTask).where(ProductionTask.order_id == t.order_id,
                                                         ProductionTask.seq < t.seq)
                            .order_by(ProductionTask.seq.desc())).first()
        if prev is None or prev.done:
            since = (prev.updated_at if prev else None) or t.planned_start
            ready.append((since.timestamp() if since else 0, t.id))
    ready.sort()
    ids = [tid for _, tid in ready]
    return ids.index(task.id) + 1 if task.id in ids else len(ids) + 1


def order_picture(session: Session, order: Order, cal: Calendar, today: date) -> dict:
    """Everything a person asks about an order, computed from the database now."""
    status = Status(order.status)
    tasks = session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)
                         .order_by(ProductionTask.seq)).all()
    current = next((t for t in tasks if not t.done), None)
    spec, step = NEXT_OWNER.get(status, ""), texts.STEP_LABELS.get(status.value, texts.NO_STEP)
    sub_status = ""
    if status == Status.PENDING_QC and order.qc_passed_at:
        spec, step, sub_status = "role:warehouse", texts.STOCK_IN_STEP, texts.QC_PASSED_SUB_STATUS
    if status == Status.IN_PRODUCTION and current:
        step = texts.finish_process_step(current.process)
    owners = []
    if spec:
        owners, _ = resolve_all(load_people(session), spec, owner_id=order.sales_owner_id, line=order.line)
    customer = session.get(Customer, order.customer_id)
    owner = session.get(Staff, order.sales_owner_id) if order.sales_owner_id else None
    product = session.get(Product, order.product_id)
    picture = {
        "order_no": order.order_no, "status": status.value, "status_label": status.label,
        "sub_status": sub_status, "customer": customer.name if customer else "",
        "product": f"{product.code} {product.name}" if product else "", "quantity": order.quantity,
        "processes": [{"process": t.process, "progress": float(t.progress), "done": t.done, "line": t.line}
                      for t in tasks] if status in IN_WORK else [],
        "sales_owner": owner.name if owner else None,
        "queue_process": None, "queue_position": None,
        "next_step": step, "next_owner": "、".join(p.name for p in owners),
        "promised_date": order.promised_date.isoformat(),
        "days_left": days_left(cal, today, order.promised_date),
        "carrier": order.carrier, "tracking_no": order.tracking_no,
    }
    if current and status in (Status.SCHEDULED, Status.IN_PRODUCTION, Status.REWORK) and current.progress == 0:
        picture["queue_process"] = current.process
        picture["queue_position"] = queue_position(session, current)
    return picture


def days_left(cal: Calendar, today: date, promised: date) -> int:
    """Working days from today to the promised date (negative when overdue)."""
    return cal.working_days_between(today, promised)


def picture_text(session: Session, order: Order, cal: Calendar, today: date) -> str:
    """The live picture as the short chat answer a staff query gets."""
    return texts.picture_text(order_picture(session, order, cal, today))
