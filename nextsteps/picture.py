"""The live picture of one order: status, progress per process, queue, next step and its owner."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from nextsteps.recipients import resolve_all
from orders.models import Customer, Order, Product, ProductionTask, Staff
from orders.status import Status
from workcal.calendar import Calendar

# Who acts next in each status, and what they do.
NEXT_STEP: dict[Status, tuple[str, str]] = {
    Status.PENDING_REVIEW: ("head:planner", "审核订单"),
    Status.PENDING_SCHEDULE: ("role:planner", "排产"),
    Status.PENDING_PURCHASE: ("role:purchasing", "采购到料"),
    Status.PENDING_OUTSOURCE: ("role:purchasing", "委外加工回厂"),
    Status.SCHEDULED: ("line_lead", "开工"),
    Status.IN_PRODUCTION: ("line_lead", "完成工序"),
    Status.PENDING_QC: ("role:qc", "质检"),
    Status.REWORK: ("line_lead", "返工"),
    Status.IN_STOCK: ("role:warehouse", "发货"),
    Status.SHIPPED: ("role:logistics", "跟进物流揽收"),
    Status.IN_TRANSIT: ("role:logistics", "跟进签收"),
    Status.DELIVERED: ("role:finance", "结算回款"),
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
    spec, step = NEXT_STEP.get(status, ("", "无"))
    sub_status = ""
    if status == Status.PENDING_QC and order.qc_passed_at:
        spec, step, sub_status = "role:warehouse", "入库", "质检已合格，待入库"
    if status == Status.IN_PRODUCTION and current:
        step = f"完成{current.process}"
    owners = resolve_all(session, spec, order) if spec else []
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
