"""Queue notifications inside the causing transaction; deliver them in jobs.

`queue_notification` adds a row to the caller's unit of work and, after commit,
enqueues `deliver` for it. `deliver` claims the row (so a job run twice sends once),
sends through the channel named on the row, and records sent / retrying / failed /
skipped with the provider's error. `catch_up` re-enqueues rows whose job was lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import select

from core.bus import UnitOfWork
from core.db import new_session
from core.runtime import Runtime, current_runtime
from core.types import utcnow
from notify import texts
from notify.channels import ChannelError
from notify.models import Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (10, 30, 120, 600, 1800)  # seconds between attempts


def queue_notification(uow: UnitOfWork, *, kind: str, channel: str, recipient: str, body: str,
                       dedupe_key: str, subject: str = "", recipient_name: str = "",
                       payload: dict | None = None, order_id: int | None = None,
                       alert_id: int | None = None, not_before: datetime | None = None) -> Notification | None:
    """Add one outbox row unless its dedupe key exists; deliver after commit."""
    s = uow.session
    if s.exec(select(Notification.id).where(Notification.dedupe_key == dedupe_key)).first():
        return None
    for pending in s.new:
        if isinstance(pending, Notification) and pending.dedupe_key == dedupe_key:
            return None
    n = Notification(kind=kind, channel=channel, recipient=recipient, recipient_name=recipient_name,
                     subject=subject, body=body, payload=payload or {}, order_id=order_id,
                     alert_id=alert_id, dedupe_key=dedupe_key, not_before=not_before)
    s.add(n)
    s.flush()
    nid, rt = n.id, uow.runtime
    uow.after_commit(lambda: _enqueue(rt or current_runtime(), nid, not_before))
    return n


def _enqueue(rt: Runtime, notification_id: int, not_before: datetime | None = None) -> None:
    if not_before and not_before > utcnow() and not rt.settings.run_jobs_inline:
        rt.queue.enqueue_at(not_before, deliver, notification_id)
    else:
        rt.enqueue(deliver, notification_id)


def lease_of(rt: Runtime) -> timedelta:
    """How long a claimed row stays ours before another worker may take it over."""
    if rt.extras.get("outbox_lease"):
        return rt.extras["outbox_lease"]
    return timedelta(seconds=rt.settings.notify.outbox_lease_seconds)


def _claim(rt: Runtime, notification_id: int) -> bool:
    """Atomically take the row for sending; False when another job has it or it is done."""
    now = utcnow()
    with rt.engine.begin() as conn:
        res = conn.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .where(or_(Notification.status.in_(("queued", "retrying", "delayed")),
                       (Notification.status == "sending") & (Notification.lease_until < now)))
            .where(or_(Notification.not_before.is_(None), Notification.not_before <= now))
            .values(status="sending", lease_until=now + lease_of(rt), attempts=Notification.attempts + 1)
        )
        return res.rowcount == 1


def deliver(notification_id: int) -> str:
    """Job: send one notification once; returns its final status for this attempt."""
    rt = current_runtime()
    if not _claim(rt, notification_id):
        return "not-claimed"
    with new_session(rt.engine) as s:
        n = s.get(Notification, notification_id)
        s.commit()  # end the read: no database lock is held while the provider is called
        channel = rt.channels.get(n.channel)
        skip = getattr(channel, "skip_reason", None)
        if channel is None or getattr(channel, "disabled_reason", None) or (skip and skip(n)):
            reason = (getattr(channel, "disabled_reason", None) or (skip and skip(n))
                      or texts.CHANNEL_UNKNOWN.format(name=n.channel))
            _finish(s, n, "skipped", reason)
            return "skipped"
        try:
            result = channel.send(n)
        except ChannelError as exc:
            return _failed(rt, s, n, exc)
        except Exception as exc:  # a bug in an adapter must not lose the message
            log.exception("channel %s crashed on notification %s", n.channel, n.id)
            return _failed(rt, s, n, ChannelError(f"{type(exc).__name__}: {exc}"))
        n.provider_msgid = result.provider_msgid
        n.sent_at = utcnow()
        _finish(s, n, "sent", "")
        return "sent"


def _finish(s, n: Notification, status: str, error: str) -> None:
    n.status = status
    n.last_error = error[:500]
    n.lease_until = None
    s.add(n)
    s.commit()


def _failed(rt: Runtime, s, n: Notification, exc: ChannelError) -> str:
    if getattr(exc, "deferred", False):
        n.attempts -= 1  # held back by a rate limit: not a failed attempt
    elif not exc.retry or n.attempts >= MAX_ATTEMPTS:
        _finish(s, n, "failed", str(exc))
        return "failed"
    delay = exc.retry_after or BACKOFF[min(max(n.attempts - 1, 0), len(BACKOFF) - 1)]
    n.not_before = utcnow() + timedelta(seconds=delay)
    _finish(s, n, "retrying", str(exc))
    if not rt.settings.run_jobs_inline:
        rt.queue.enqueue_in(timedelta(seconds=delay), deliver, n.id)
    return "retrying"


def catch_up() -> int:
    """Cron job: enqueue rows that are due but whose job was lost (Redis down, worker killed)."""
    rt = current_runtime()
    now = utcnow()
    with new_session(rt.engine) as s:
        due = s.exec(select(Notification.id).where(
            or_(Notification.status.in_(("queued", "retrying", "delayed")),
                (Notification.status == "sending") & (Notification.lease_until < now)),
            or_(Notification.not_before.is_(None), Notification.not_before <= now),
            Notification.created_at < now - timedelta(seconds=20),
        ).limit(500)).all()
    for nid in due:
        rt.enqueue(deliver, nid)
    return len(due)
