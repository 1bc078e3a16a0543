"""What the admin needs from the outbox: the log of notifications, and resending one."""

from __future__ import annotations

from sqlmodel import Session, select

from core.bus import UnitOfWork
from core.runtime import current_runtime
from notify import texts
from notify.exceptions import NotificationNotFound, NotResendable
from notify.models import Notification
from notify.outbox import _enqueue

RESENDABLE = ("failed", "skipped")


def notification_log(session: Session, status: str | None = None, limit: int = 100) -> list[Notification]:
    """Newest notifications first, optionally only those in one status."""
    query = select(Notification).order_by(Notification.id.desc()).limit(max(1, min(int(limit), 1000)))
    if status:
        query = query.where(Notification.status == status)
    return list(session.exec(query).all())


def status_label(status: str) -> str:
    """The Chinese label of an outbox status."""
    return texts.STATUS_LABELS.get(status, status)


def resend(uow: UnitOfWork, notification_id: int) -> Notification:
    """Queue a failed or skipped notification again (delivered after the caller commits)."""
    n = uow.session.get(Notification, notification_id)
    if n is None:
        raise NotificationNotFound(texts.NOTIFICATION_NOT_FOUND.format(id=notification_id))
    if n.status not in RESENDABLE:
        raise NotResendable(texts.NOT_RESENDABLE.format(id=notification_id, label=status_label(n.status)))
    n.status, n.attempts, n.last_error = "queued", 0, ""
    n.not_before = n.lease_until = n.sent_at = None
    uow.session.add(n)
    uow.session.flush()
    rt = uow.runtime
    uow.after_commit(lambda: _enqueue(rt or current_runtime(), notification_id))
    return n
