"""Task cards: when an order is scheduled, one ProductionTask per route step, planned in working hours."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from core.types import utcnow
from orders.models import Order, ProductionTask, RouteStep
from workcal.calendar import Calendar

MIN_STEP_HOURS = 0.5


def plan_tasks(session: Session, order: Order, cal: Calendar) -> list[ProductionTask]:
    """Create (or re-plan) the order's tasks from its route, back to back from the planned start."""
    steps = session.exec(select(RouteStep).where(RouteStep.product_id == order.product_id)
                         .order_by(RouteStep.seq)).all()
    existing = {t.seq: t for t in session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id))}
    start_day = order.planned_start
    cursor = cal.next_working_time(datetime.combine(start_day, cal.shift_start, tzinfo=cal.tz))
    tasks = []
    for step in steps:
        hours = max(MIN_STEP_HOURS, step.std_hours_per_100 * order.quantity / 100)
        end = cal.add_working_hours(cursor, hours)
        task = existing.get(step.seq) or ProductionTask(order_id=order.id, seq=step.seq, process=step.process)
        if not task.done:
            task.line = order.line or step.line
            task.planned_start, task.planned_end = cursor, end
            task.updated_at = utcnow()
        session.add(task)
        tasks.append(task)
        cursor = end
    if tasks and not order.planned_end:
        order.planned_end = tasks[-1].planned_end.astimezone(cal.tz).date()
        session.add(order)
    session.flush()
    return tasks
