"""Jobs of the bot: process one stored inbound message; re-enqueue messages whose job was lost.

A job claims its message with a lease (`lease_until`); a message still `processing` after its lease
ran out belonged to a worker that died, and the catch-up cron (every CATCH_UP_SECONDS) retries it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import or_, text, update
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot import texts
from bot.cards import CARD_EVENT, handle_click
from bot.core import Outcome, handle
from bot.models import InboundMessage
from core.db import new_session
from core.runtime import Runtime, current_runtime
from core.types import utcnow
from notify.outbox import queue_notification

log = logging.getLogger(__name__)

LOST_AFTER = timedelta(seconds=60)
# Seconds a claimed message may stay "processing" (a message takes milliseconds; tests shorten it).
LEASE_SECONDS = 30
CATCH_UP_SECONDS = 15  # interval of catch_up_inbound in the cron
STUCK_AFTER = timedelta(minutes=10)  # rows claimed before leases existed (lease_until empty)


def process_inbound(inbound_id: int) -> str:
    """Job: apply one chat message once and queue its reply; never raises on a bad message."""
    outcome = run_inbound(current_runtime(), inbound_id)
    return "not-claimed" if outcome is None else outcome.status


def run_inbound(rt: Runtime, inbound_id: int) -> Outcome | None:
    """Claim, apply and record one message; None when another job has or had it."""
    msg = _claim(rt, inbound_id)
    if msg is None:
        return None
    try:
        outcome = handle_click(rt, msg) if msg.msgtype == CARD_EVENT else handle(rt, msg)
    except OperationalError:  # the database went away: fail the job; the lease retries the message
        raise
    except Exception as exc:  # a bug must not lose the message: log an id, tell the sender
        ref = uuid.uuid4().hex[:8]
        log.exception("inbound message %s failed (ref %s)", inbound_id, ref)
        outcome = Outcome("failed", texts.internal_error(ref), {}, error=f"{ref} {type(exc).__name__}: {exc}")
    finish(rt, msg, outcome)
    return outcome


def _relaxed_commit(conn) -> None:
    """PostgreSQL: this transaction's commit need not wait for the WAL flush (about 5 ms of fsync).

    Safe for a claim or an outcome: a later synchronous commit (the command's own change) flushes
    the WAL up to it, and one lost in a database crash only makes the message be retried."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _claim(rt: Runtime, inbound_id: int) -> InboundMessage | None:
    """Atomically take a received message for LEASE_SECONDS and read it; None when another job has or had it."""
    table = InboundMessage.__table__
    with rt.engine.begin() as conn:
        _relaxed_commit(conn)
        row = conn.execute(update(table)
                           .where(table.c.id == inbound_id, table.c.status == "received")
                           .values(status="processing", lease_until=utcnow() + timedelta(seconds=LEASE_SECONDS))
                           .returning(*table.c)).mappings().first()
    return InboundMessage(**row) if row is not None else None


def finish(rt: Runtime, msg: InboundMessage, outcome: Outcome) -> None:
    """Record the outcome and queue the reply in one transaction."""
    with rt.uow() as uow:
        _relaxed_commit(uow.session.connection())
        uow.session.execute(update(InboundMessage).where(InboundMessage.id == msg.id).values(
            status=outcome.status, parse_result=outcome.parse_result, reply_text=outcome.reply or "",
            error=outcome.error[:500], processed_at=utcnow(), lease_until=None,
            **({"photos": outcome.photos} if outcome.photos is not None else {})))
        if outcome.reply and msg.reply_channel and msg.reply_to:
            queue_notification(uow, kind="reply", channel=msg.reply_channel, recipient=msg.reply_to,
                               recipient_name=msg.sender_name or msg.sender_id, body=outcome.reply,
                               dedupe_key=f"reply:{msg.id}",
                               payload={"inbound_message_id": msg.id, "chat_id": msg.chat_id,
                                        "platform": msg.platform})
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
        rt.enqueue(process_inbound, inbound_id, result_ttl=0)
    return len(ids)


def release_stuck(rt: Runtime) -> list[int]:
    """Messages left in "processing" by a dead worker (lease run out): retry them unless they already
    changed an order."""
    from orders.models import StatusEvent

    released = []
    now = utcnow()
    with rt.uow() as uow:
        stuck = uow.session.exec(select(InboundMessage).where(
            InboundMessage.status == "processing",
            or_(InboundMessage.lease_until < now,
                InboundMessage.lease_until.is_(None) & (InboundMessage.received_at < now - STUCK_AFTER)))
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
            msg.lease_until = None
            uow.session.add(msg)
        uow.commit()
    return released
