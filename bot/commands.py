"""Chat commands, errbot-style: each is registered by `@command`, its docstring's first line is the
help text (with one example), and it returns the reply; the core (bot/core.py) sends it.

This registry names the chat verbs (parser intents) and words their replies; what a verb does to an
order is the domain command of the same name in orders.commands, run through `ctx.run`."""

from __future__ import annotations

from sqlalchemy.orm import object_session
from sqlmodel import select

from alerts.service import ack_order_alerts
from bot import texts
from bot.registry import COMMANDS, Command, CommandContext, command
from core.bus import UnitOfWork
from core.runtime import Runtime
from core.types import utcnow
from nextsteps.picture import picture_text
from nextsteps.planning import plan_advice
from orders import qc, service
from orders.exceptions import OrderNotFound
from orders.flow import allowed_text
from orders.models import Order, ProductionTask
from orders.status import Status
from orders.views import order_dict
from workcal.service import calendar_for


@command("pickup")
def pickup(ctx: CommandContext) -> str:
    """揽收：SO20261120-0042 物流已揽收"""
    return ctx.move("pickup")


@command("deliver")
def deliver(ctx: CommandContext) -> str:
    """签收：SO20261120-0042 客户已签收"""
    return ctx.move("deliver")


@command("approve")
def approve(ctx: CommandContext) -> str:
    """审核：SO20261120-0042 审核通过"""
    return ctx.move("approve")


@command("schedule")
def schedule(ctx: CommandContext) -> str:
    """排产：SO20261120-0042 排产 12月1日 1号线"""

    def reply(order: Order) -> str:
        advice = plan_advice(object_session(order), order, ctx.runtime.settings)
        if advice is None:
            return texts.moved(order.order_no, Status(order.status).label, texts.scheduled_detail(
                order.planned_start.isoformat() if order.planned_start else None, order.line))
        if advice.late:  # never a ✅ for a plan that misses the promise
            return texts.scheduled_late(order.order_no, Status(order.status).label, advice.text())
        return texts.scheduled_plan(order.order_no, Status(order.status).label, advice.text())

    return ctx.run("schedule", reply, reply_after_commit=True)


@command("report")
def report(ctx: CommandContext) -> str:
    """报工：SO20261120-0042 CNC加工 完成80%"""

    def reply(order: Order) -> str:
        session = object_session(order)
        task = session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)
                            .order_by(ProductionTask.updated_at.desc(), ProductionTask.id.desc())).first()
        return texts.progress(order.order_no, task.process, task.progress, Status(order.status).label)

    return ctx.run("report", reply)


def inspection_lines(order: Order, *, failed: bool) -> list[str]:
    """The defect category (for a failure) and each batch of the order's latest inspection, traced to the
    purchase lines that received it."""
    session = object_session(order)
    insp = qc.latest_inspection(session, order.id)
    if insp is None:
        return []
    lines = [texts.qc_category_line(insp.defect_category, [c.name for c in qc.categories(session)])] if failed else []
    batches = qc.split_batches(insp.material_batch)
    sources = qc.batch_sources(session, batches)
    for batch in batches:
        lines.append(texts.qc_batch_line(batch, [(s.po_no, s.supplier, s.material) for s in sources.get(batch, [])]))
    return lines


@command("qc_pass")
def qc_pass(ctx: CommandContext) -> str:
    """质检合格：SO20261120-0042 质检合格 批次B2311"""
    return ctx.run("qc_pass", lambda o: "\n".join([texts.qc_passed(o.order_no), *inspection_lines(o, failed=False)]),
                   extra={"material_batch": ctx.parsed.batches})


@command("qc_fail")
def qc_fail(ctx: CommandContext) -> str:
    """质检不合格：SO20261120-0042 质检不合格 毛刺 批次B2311"""

    def reply(order: Order) -> str:
        moved = texts.moved(order.order_no, Status(order.status).label, texts.qc_failed_detail(ctx.field("reason")))
        return "\n".join([moved, *inspection_lines(order, failed=True)])

    return ctx.run("qc_fail", reply, extra={"material_batch": ctx.parsed.batches})


@command("stock_in")
def stock_in(ctx: CommandContext) -> str:
    """入库：SO20261120-0042 已入库"""
    return ctx.move("stock_in")


@command("ack")
def ack(ctx: CommandContext) -> str:
    """确认预警：SO20261120-0042 收到预警，马上处理"""

    def apply(uow: UnitOfWork, order_no: str) -> str:
        order = service.find_order(uow, order_no)
        return texts.acked(order.order_no, len(ack_order_alerts(uow, order.order_no, ctx.sender.actor)))

    return ctx.each(apply)


@command("query", changes=False)
def query(ctx: CommandContext) -> str:
    """查询：SO20261120-0042 到哪了"""

    def apply(uow: UnitOfWork, order_no: str) -> str:
        order = service.find_order(uow, order_no)
        if ctx.sender.is_customer and order.customer_id != ctx.sender.customer_id:
            raise OrderNotFound(texts.order_not_found(order_no))  # never reveal another customer's order
        if not ctx.sender.is_customer:  # staff see the live picture the order detail page shows
            return live_picture_text(uow, order, ctx.runtime)
        d = order_dict(uow.session, order.id)
        status = Status(order.status)
        extra = texts.shipping_extra(d["carrier"], d["tracking_no"]) if d["shipped_at"] else ""
        return texts.order_status(order.order_no, status.label, allowed_text(status),
                                  d["promised_date"].isoformat(), d["sales_owner"], extra)

    return ctx.each(apply)


def live_picture_text(uow: UnitOfWork, order: Order, rt: Runtime) -> str:
    """Status, progress per process, queue, next step and owner, working days left."""
    cal = calendar_for(uow.session, rt.settings)
    return picture_text(uow.session, order, cal, utcnow().astimezone(rt.settings.tz).date())


@command("help", changes=False, needs_order=False)
def help_(ctx: CommandContext) -> str:
    """帮助：帮助"""
    return texts.help_text(c.help for c in COMMANDS.values())


# The v2 commands register themselves in the same registry (imported last: they use the above).
from bot import commands_flow, commands_lists  # noqa: E402,F401,I001

__all__ = ["COMMANDS", "Command", "CommandContext", "command", "commands_flow", "commands_lists"]
