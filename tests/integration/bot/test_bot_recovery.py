"""A message left "processing" by a dead worker is retried, unless it already changed an order."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs import catch_up_inbound
from bot.models import InboundMessage
from core.types import utcnow
from orders.models import Order, StatusEvent
from orders.status import Status
from tests.integration.bot.conftest import rows


def _stuck(rt, msg_id: str, text: str) -> int:
    with rt.uow() as uow:
        msg = InboundMessage(platform="wecom_app", platform_msg_id=msg_id, chat_id="t.warehouse", sender_id="t.warehouse",
                             text=text, status="processing", received_at=utcnow() - timedelta(minutes=11))
        uow.session.add(msg)
        uow.commit()
        return msg.id


def test_stuck_message_without_effect_is_applied_once(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    first = _stuck(rt, "stuck-1", f"{no} 已发货 顺丰 SF1402938475621")
    with bot_app.app_context():
        catch_up_inbound()
        catch_up_inbound()
    assert rows(rt, InboundMessage, InboundMessage.id == first)[0].status == "processed"
    order = rows(rt, Order, Order.order_no == no)[0]
    assert order.status == "shipped"
    assert len(rows(rt, StatusEvent, StatusEvent.inbound_message_id == first)) == 1


def test_stuck_message_that_already_changed_an_order_is_not_applied_again(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    second = _stuck(rt, "stuck-2", f"{no} 已发货 顺丰 SF1402938475621")
    order = rows(rt, Order, Order.order_no == no)[0]
    with rt.uow() as uow:
        uow.session.add(StatusEvent(order_id=order.id, from_status="in_stock", to_status="in_stock",
                                    command="note", actor="x", source="chat", inbound_message_id=second))
        uow.commit()
    with bot_app.app_context():
        catch_up_inbound()
    msg = rows(rt, InboundMessage, InboundMessage.id == second)[0]
    assert msg.status == "processed" and "reply not sent" in msg.error
    assert rows(rt, Order, Order.order_no == no)[0].status == "in_stock"
