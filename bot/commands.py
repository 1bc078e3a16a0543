"""Chat commands, errbot-style: each is registered by `@command`, its docstring's first line is the
help text (with one example), and it returns the reply; the core (bot/core.py) sends it.

This registry names the chat verbs (parser intents) and words their replies; what a verb does to an
order is the domain command of the same name in orders.commands, run through `ctx.run`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import object_session
from sqlmodel import select

from alerts.service import ack_order_alerts
from bot import texts
from bot.identity import Sender
from bot.models import InboundMessage
from core.bus import UnitOfWork
from core.runtime import Runtime
from core.types import utcnow
from nextsteps.picture import picture_text
from nlu.result import ParseResult
from orders import commands, service
from orders.actor import Trace
from orders.exceptions import OrderError, OrderNotFound
from orders.flow import allowed_text
from orders.models import Order, ProductionTask
from orders.status import Status
from orders.views import order_dict
from workcal.service import calendar_for


@dataclass(frozen=True)
class Command:
    """One chat command: what it is called (the parser's intent), its help line, what it may do."""

    name: str
    func: Callable[[CommandContext], str]
    help: str
    changes: bool = True
    needs_order: bool = True

    @property
    def example(self) -> str:
        return self.help.split("：", 1)[-1]


COMMANDS: dict[str, Command] = {}


def command(name: str, *, changes: bool = True, needs_order: bool = True):
    """Register a chat command under the parser intent `name`; the docstring is its help line."""

    def register(func: Callable[[CommandContext], str]) -> Callable[[CommandContext], str]:
        help_line = (func.__doc__ or name).strip().splitlines()[0]
        COMMANDS[name] = Command(name, func, help_line, changes, needs_order)
        return func

    return register


@dataclass
class CommandContext:
    """What a command gets: the runtime, the message, the parse result, who sent it, which orders."""

    runtime: Runtime
    message: InboundMessage
    parsed: ParseResult
    sender: Sender
    orders: list[str] = field(default_factory=list)

    @property
    def trace(self) -> Trace:
        return Trace(inbound_message_id=self.message.id)

    def field(self, name: str):
        """A value the parser found (None for what a parse result does not carry)."""
        return getattr(self.parsed, name, None)

    def each(self, apply: Callable[[UnitOfWork, str], str]) -> str:
        """Apply to every order, each in its own transaction; a refused one is reported for itself."""
        lines = []
        for order_no in self.orders:
            try:
                with self.runtime.uow() as uow:
                    line = apply(uow, order_no)
                    uow.commit()
            except OrderError as exc:
                line = exc.message
            lines.append(line)
        return "\n".join(lines)

    def run(self, name: str, reply: Callable[[Order], str], extra: dict | None = None) -> str:
        """Run domain command `name` on every order, with the fields it reads taken from the parse (+ extra)."""
        cmd = commands.COMMANDS[name]
        fields = {f: v for f in (*cmd.needs, *cmd.accepts) if (v := self.field(f)) not in (None, "")}
        fields.update(extra or {})

        def apply(uow: UnitOfWork, order_no: str) -> str:
            order = commands.run(uow, name, order_no, actor=self.sender.actor, fields=fields, trace=self.trace)
            return reply(order)

        return self.each(apply)

    def move(self, name: str, detail: Callable[[Order], str] = lambda order: "") -> str:
        """Run a status move and answer '✅ SO… 已改为「…」（detail）'."""
        return self.run(name, lambda o: texts.moved(o.order_no, Status(o.status).label, detail(o)))


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
    return ctx.move("schedule", lambda o: texts.scheduled_detail(
        o.planned_start.isoformat() if o.planned_start else None, o.line))


@command("report")
def report(ctx: CommandContext) -> str:
    """报工：SO20261120-0042 CNC加工 完成80%"""

    def reply(order: Order) -> str:
        session = object_session(order)
        task = session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)
                            .order_by(ProductionTask.updated_at.desc(), ProductionTask.id.desc())).first()
        return texts.progress(order.order_no, task.process, task.progress, Status(order.status).label)

    return ctx.run("report", reply)


@command("qc_pass")
def qc_pass(ctx: CommandContext) -> str:
    """质检合格：SO20261120-0042 质检合格"""
    return ctx.run("qc_pass", lambda o: texts.qc_passed(o.order_no))


@command("qc_fail")
def qc_fail(ctx: CommandContext) -> str:
    """质检不合格：SO20261120-0042 质检不合格 螺纹不良"""
    return ctx.move("qc_fail", lambda o: texts.qc_failed_detail(ctx.field("reason")))


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
