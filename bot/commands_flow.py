"""Chat v2 commands on one order (issue #14): the remaining status moves, ship before the waybill is
known and its later fill-in, corrections by field, and undo of one's own last change.

Registered in the one chat registry (bot.commands.COMMANDS); each runs the domain command of
orders.commands through `ctx.run`, so roles, needs and versions are checked there.
"""

from __future__ import annotations

from sqlalchemy.orm import object_session
from sqlmodel import select

from bot import texts
from bot.registry import CommandContext, command
from core.bus import UnitOfWork
from orders import commands as domain
from orders.flow import WAYBILL_LATER, moves_from
from orders.models import Order, StatusEvent
from orders.service import find_order
from orders.status import Status
from orders.undo import UNDO_MINUTES
from orders.waybill import SHIPPED_STATES, waybill_known

# The chat intent → the domain command it runs (where the names differ).
DOMAIN_COMMAND = {"start": "start_production", "finish": "finish_production"}


def _last_note(order: Order) -> str:
    session = object_session(order)
    se = session.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)
                      .order_by(StatusEvent.id.desc())).first()
    return se.note if se else ""


@command("start")
def start(ctx: CommandContext) -> str:
    """开工：SO20261120-0042 开工"""
    return ctx.move("start_production")


@command("finish")
def finish(ctx: CommandContext) -> str:
    """完工：SO20261120-0042 完工（整单完工，转质检）"""
    return ctx.move("finish_production")


@command("rework_done")
def rework_done(ctx: CommandContext) -> str:
    """返工完成：SO20261120-0042 返工完成"""
    return ctx.move("rework_done")


@command("cancel")
def cancel(ctx: CommandContext) -> str:
    """取消：SO20261120-0042 取消 客户撤单"""
    if not (ctx.field("reason") or "").strip():
        return "\n".join(texts.need_reason(no) for no in ctx.orders)
    return ctx.move("cancel", lambda o: texts.qc_failed_detail(ctx.field("reason")))


@command("materials_ready")
def materials_ready(ctx: CommandContext) -> str:
    """物料到齐：SO20261120-0042 物料到齐"""
    return ctx.move("materials_ready")


@command("outsource")
def outsource(ctx: CommandContext) -> str:
    """转委外：SO20261120-0042 转委外"""
    return ctx.move("outsource")


@command("outsource_returned")
def outsource_returned(ctx: CommandContext) -> str:
    """委外回厂：SO20261120-0042 委外回厂"""
    return ctx.move("outsource_returned")


@command("ship")
def ship(ctx: CommandContext) -> str:
    """发货：SO20261120-0042 已发货 顺丰 SF1402938475621（运单号可稍后补发）"""
    carrier, tracking = ctx.field("carrier"), ctx.field("tracking_no")
    lines = []
    for order_no in ctx.orders:
        one = CommandContext(ctx.runtime, ctx.message, ctx.parsed, ctx.sender, [order_no])
        with ctx.runtime.uow() as uow:
            order = _find(uow, order_no)
            shipped = order is not None and Status(order.status) in SHIPPED_STATES
            filled = order is not None and waybill_known(order)
        if shipped and not filled and (carrier or tracking):  # the waybill of an earlier 已发货
            lines.append(waybill(one))
        elif carrier or tracking:
            lines.append(one.move("ship", lambda o: texts.shipped_detail(o.carrier, o.tracking_no)))
        else:
            lines.append(one.run("ship_later", lambda o: texts.ship_waybill_later(o.order_no),
                                {WAYBILL_LATER: True}))
    return "\n".join(lines)


def _find(uow: UnitOfWork, order_no: str) -> Order | None:
    try:
        return find_order(uow, order_no)
    except Exception:  # unknown numbers are reported by the command itself
        return None


@command("waybill")
def waybill(ctx: CommandContext) -> str:
    """补运单：SO20261120-0042 顺丰 SF1402938475621（或：SO20261120-0042 自提 / 送货）"""
    extra = {"carrier": "送货"} if "送货" in ctx.message.text and not ctx.field("carrier") else {}
    return ctx.run("waybill", lambda o: texts.waybill_set(o.order_no, _last_note(o)), extra)


@command("correct")
def correct(ctx: CommandContext) -> str:
    """更正：SO20261120-0042 运单号改为 SF1402938475621（承运商、交期、数量同理）"""
    return ctx.run("correct", lambda o: texts.corrected(o.order_no, _last_note(o)))


@command("undo")
def undo(ctx: CommandContext) -> str:
    """撤回：SO20261120-0042 撤回（只能撤回自己 10 分钟内的最后一次修改）"""
    return ctx.run("undo", lambda o: texts.undone(
        o.order_no, _last_note(o).removeprefix("撤回：") or "修改", Status(o.status).label, UNDO_MINUTES))


def legal_now(intent: str, status: Status) -> bool:
    """Whether the chat intent can apply to an order in `status` right now (for short references)."""
    name = DOMAIN_COMMAND.get(intent, intent)
    if intent in ("query", "ack", "undo"):
        return True
    if intent in ("waybill", "correct"):
        return status in SHIPPED_STATES or intent == "correct"
    if intent == "report":
        return status in (Status.SCHEDULED, Status.REWORK, Status.IN_PRODUCTION)
    if intent == "qc_pass":
        return status == Status.PENDING_QC
    return name in domain.COMMANDS and any(t.command == name for t in moves_from(status))

