"""Jobs of the bot: process one stored inbound message; re-enqueue messages whose job was lost."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from bot import texts
from bot.core import Outcome, handle
from bot.models import InboundMessage
from core.db import new_session
from core.runtime import Runtime, current_runtime
from core.types import utcnow
from notify.outbox import queue_notification

log = logging.getLogger(__name__)

LOST_AFTER = timedelta(seconds=60)
STUCK_AFTER = timedelta(minutes=10)  # a job takes seconds; "processing" this long means its worker died


def process_inbound(inbound_id: int) -> str:
    """Job: apply one chat message once and queue its reply; never raises."""
    rt = current_runtime()
    if not _claim(rt, inbound_id):
        return "not-claimed"
    with new_session(rt.engine) as s:
        msg = s.get(InboundMessage, inbound_id)
    try:
        outcome = handle(rt, msg)
    except Exception as exc:  # a bug must not lose the message: log an id, tell the sender
        ref = uuid.uuid4().hex[:8]
        log.exception("inbound message %s failed (ref %s)", inbound_id, ref)
        outcome = Outcome("failed", texts.internal_error(ref), {}, error=f"{ref} {type(exc).__name__}: {exc}")
    finish(rt, inbound_id, outcome)
    return outcome.status


def _claim(rt: Runtime, inbound_id: int) -> bool:
    """Atomically take a received message; False when another job has or had it."""
    with rt.engine.begin() as conn:
        res = conn.execute(update(InboundMessage)
                           .where(InboundMessage.id == inbound_id, InboundMessage.status == "received")
                           .values(status="processing"))
        return res.rowcount == 1


def finish(rt: Runtime, inbound_id: int, outcome: Outcome) -> None:
    """Record the outcome and queue the reply in one transaction."""
    with rt.uow() as uow:
        row = uow.session.get(InboundMessage, inbound_id)
        row.status = outcome.status
        row.parse_result = outcome.parse_result
        row.reply_text = outcome.reply or ""
        row.error = outcome.error[:500]
        row.processed_at = utcnow()
        uow.session.add(row)
        if outcome.reply and row.reply_channel and row.reply_to:
            queue_notification(uow, kind="reply", channel=row.reply_channel, recipient=row.reply_to,
                               recipient_name=row.sender_name or row.sender_id, body=outcome.reply,
                               dedupe_key=f"reply:{inbound_id}",
                               payload={"inbound_message_id": inbound_id, "chat_id": row.chat_id,
                                        "platform": row.platform})
        uow.commit()


def catch_up_inbound() -> int:
    """Cron job: enqueue stored messages still waiting whose job was lost (queue down, worker killed)."""
    rt = current_runtime()
    with new_session(rt.engine) as s:
        ids = s.exec(select(InboundMessage.id).where(InboundMessage.status == "received",
                                                     InboundMessage.received_at < utcnow() - LOST_AFTER)
                     .limit(200)).all()
    ids = list(ids) + release_stuck(rt)
    for inbound_id in ids:
        rt.enqueue(process_inbound, inbound_id)
    return len(ids)


def release_stuck(rt: Runtime) -> list[int]:
    """Messages left in "processing" by a dead worker: retry them unless they already changed an order."""
    from orders.models import StatusEvent

    released = []
    with rt.uow() as uow:
        stuck = uow.session.exec(select(InboundMessage).where(
            InboundMessage.status == "processing", InboundMessage.received_at < utcnow() - STUCK_AFTER)
            .limit(100)).all()
        for msg in stuck:
            applied = uow.session.exec(select(StatusEvent.id).where(
                StatusEvent.inbound_message_id == msg.id)).first()
            if applied is not None:  # never apply twice; the reply is what was lost
                msg.status, msg.error = "processed", "worker stopped after applying; reply not sent"
                msg.processed_at = utcnow()
            else:
                msg.status = "received"
                released.append(msg.id)
            uow.session.add(msg)
        uow.commit()
    return released
