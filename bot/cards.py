"""Clicks on WeCom template cards: `template_card_event` on the app callback (doc 90240).

The callback stores a click like a chat message (unique per sender + CreateTime + task, so WeCom's
retries are one click) and the inbound job applies it here through the same use cases as chat:
确认收到 on an alert acks it (`ack_alert`: only the alert's people; stops escalation), 审核通过 runs the
`approve` command with the order version the card was sent with (an order changed meanwhile is
refused, never approved in a state nobody saw), 确认收到 on a next step notes that it was read. The
actor's source is "card", so the status event says where the change came from.

A card acts once: the first click that applies marks its outbox row (`payload.card_done`) under a row
lock; a replayed or later click does nothing. After commit the card is updated with the click's
ResponseCode (`message/update_template_card`, each code once) to show who did what, e.g.
"已由 王磊 确认 14:32".
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlmodel import select

from alerts.service import ack_alert
from bot import texts
from bot.core import Outcome
from bot.identity import staff_of
from bot.models import CARD_EVENT, InboundMessage
from core.runtime import Runtime
from core.types import utcnow
from notify import texts as ntexts
from notify.adapters import wecom_app_api
from notify.cards import CALLBACK_KEYS, notification_id_of
from notify.channels import ChannelError
from notify.models import Notification
from orders import commands
from orders import service as order_service
from orders import texts as order_texts
from orders.actor import Actor, Trace
from orders.exceptions import IllegalTransition, NotAllowed, OrderError, VersionConflict

log = logging.getLogger(__name__)

__all__ = ["CARD_EVENT", "card_event_id", "handle_click"]
STALE = (IllegalTransition, VersionConflict)  # the card no longer matches the order


def card_event_id(x: dict, sender: str) -> str:
    """The dedupe id of a click: WeCom retries carry the same sender, CreateTime and task."""
    raw = f"card:{x.get('TaskId', '')}:{sender}:{x.get('CreateTime', '')}:{x.get('EventKey', '')}"
    return raw if len(raw) <= 128 else "card:" + hashlib.sha1(raw.encode()).hexdigest()


def handle_click(rt: Runtime, msg: InboundMessage) -> Outcome:
    """Apply one stored card click; the reply (only when refused) goes back as an app message."""
    raw = msg.raw or {}
    task_id, key, code = str(raw.get("TaskId") or ""), str(raw.get("EventKey") or ""), raw.get("ResponseCode")
    facts = {"card": key, "task_id": task_id}
    nid = notification_id_of(task_id)
    if nid is None or key not in CALLBACK_KEYS:
        return Outcome("ignored", None, facts, error="not one of our cards")
    with rt.uow() as uow:
        s = uow.session
        n = s.exec(select(Notification).where(Notification.id == nid).with_for_update()).first()
        payload = dict(n.payload or {}) if n is not None else {}
        card = payload.get("card") or {}
        if n is None or key not in card.get("buttons", []) or msg.sender_id not in n.recipient.split("|"):
            return Outcome("ignored", None, facts, error="card, button or recipient does not match")
        if payload.get("card_done"):
            return Outcome("ignored", None, facts, error="card already acted on")
        person = staff_of(s, "wecom_app", msg.sender_id)
        if person is None:
            return Outcome("processed", texts.NOT_STAFF, facts)
        actor = Actor(name=person.name, source="card", roles=person.role_set, userid=person.userid,
                      staff_id=person.id)
        try:
            done = _apply(uow, key, payload, actor, Trace(inbound_message_id=msg.id))
        except STALE as exc:
            done, reply = ntexts.CARD_STALE, exc.message
        except NotAllowed as exc:
            return Outcome("processed", exc.message, facts)
        except OrderError as exc:
            done, reply = ntexts.CARD_STALE, exc.message
        else:
            reply = None
        n.payload = {**payload, "card_done": {"key": key, "by": person.name, "at": utcnow().isoformat(),
                                              "text": done}}
        s.add(n)
        uow.commit()
    error = _update_card(rt, msg.sender_id, code, done)
    return Outcome("processed", reply, {**facts, "card_text": done}, error=error)


def _apply(uow, key: str, payload: dict, actor: Actor, trace: Trace) -> str:
    """Run the button's use case; returns the card's new button text."""
    tz = uow.runtime.settings.tz
    if key == "ack":
        alert = ack_alert(uow, int(payload["alert_id"]), actor)
        return ntexts.card_done(alert.acked_by or actor.name, ntexts.CARD_ACKED, _hhmm(alert.acked_at, tz))
    if key == "approve":
        for order_no, version in _approvals(uow, payload):
            commands.run(uow, "approve", order_no, actor=actor, trace=trace, expected_version=version)
        return ntexts.card_done(actor.name, ntexts.CARD_APPROVED, _hhmm(utcnow(), tz))
    return ntexts.card_done(actor.name, ntexts.CARD_ACKED, _hhmm(utcnow(), tz))  # "seen": read, nothing to change


def _approvals(uow, payload: dict) -> list[tuple[str, int | None]]:
    """The (order number, version) pairs an 审核通过 click approves: the card's one order, or every order of a
    customer's request (`orders`). All are checked before any moves, so a card approves all of them or none."""
    pairs = [(str(no), v) for no, v in payload.get("orders") or [(payload["order_no"], payload.get("version"))]]
    for order_no, version in pairs:
        order = order_service.find_order(uow, order_no)
        if version is not None and order.version != version:
            raise VersionConflict(order_texts.version_conflict(order.order_no, order.version),
                                  current_version=order.version)
    return pairs


def _hhmm(at: datetime | None, tz) -> str:
    return (at or utcnow()).astimezone(tz).strftime("%H:%M")


def _update_card(rt: Runtime, userid: str, response_code, text: str) -> str:
    """Replace the clicked card's buttons with `text`; '' or why it failed (logged, the change stands)."""
    client = wecom_app_api(rt)
    if client is None or not response_code:
        return "card not updated: no app client or no ResponseCode"
    try:
        client.update_template_card({"userids": [userid], "agentid": rt.settings.wecom_agent_id,
                                     "response_code": str(response_code), "button": {"replace_name": text}})
    except ChannelError as exc:
        log.warning("template card of %s not updated: %s", userid, exc)
        return f"card not updated: {exc}"
    return ""
