"""Chinese for every code the admin shows: notification channels, kinds and statuses, inbound platforms and
statuses, alert statuses and rule kinds, recipient specs, roles. Registered as Jinja globals by web/ui.py."""

from __future__ import annotations

from datetime import datetime

from core.runtime import current_runtime
from core.types import utcnow
from notify.texts import STATUS_LABELS as NOTIFY_STATUS_LABELS
from orders.roles import ROLE_LABELS
from web import texts

_ROLES = {r.value: label for r, label in ROLE_LABELS.items()}
_TABLES = {
    "channel": texts.CHANNEL_LABELS, "notify_kind": texts.NOTIFY_KIND_LABELS, "notify_status": NOTIFY_STATUS_LABELS,
    "inbound_status": texts.INBOUND_STATUS_LABELS, "platform": texts.PLATFORM_LABELS,
    "alert_status": texts.ALERT_STATUS_LABELS, "alert_kind": texts.ALERT_KIND_LABELS, "role": _ROLES,
    "intent": texts.INTENT_LABELS, "parse_key": texts.PARSE_KEY_LABELS,
}


def label(table: str, code) -> str:
    """The Chinese label of `code` in one of the tables above; an unknown code is shown as it is."""
    if code is None or code == "":
        return ""
    return _TABLES[table].get(str(code), str(code))


def roles_text(codes: str) -> str:
    """'warehouse,logistics' -> '仓储、物流'."""
    return "、".join(label("role", c.strip()) for c in (codes or "").split(",") if c.strip())


def recipient_text(spec: str) -> str:
    """A recipient spec in words: owner -> 订单负责人, role:logistics -> 物流（角色）, staff:7 -> 人员 #7."""
    kind, _, arg = (spec or "").strip().partition(":")
    if kind == "owner":
        return texts.RECIPIENT_OWNER
    if kind == "role" and arg in _ROLES:
        return texts.RECIPIENT_ROLE.format(role=_ROLES[arg])
    if kind == "head" and arg in _ROLES:
        return texts.RECIPIENT_HEAD.format(role=_ROLES[arg])
    if kind == "line_lead":
        return texts.RECIPIENT_LINE_LEAD
    if kind == "staff" and arg.isdigit():
        return texts.RECIPIENT_STAFF.format(id=arg)
    return spec


def specs_text(value: str, table: str | None = None) -> str:
    """A comma-joined list of recipient specs (table None) or of codes of `table`, in words."""
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return "、".join(recipient_text(v) if table is None else label(table, v) for v in items)


def notification_status(n) -> str:
    """A notification's status; one held for quiet hours says when it goes out ("将于 11-27 08:00 发送")."""
    get = n.get if isinstance(n, dict) else lambda key: getattr(n, key, None)
    held: datetime | None = get("not_before")
    if get("status") in ("queued", "delayed", "retrying") and isinstance(held, datetime) and held > utcnow():
        when = held.astimezone(current_runtime().settings.tz).strftime("%m-%d %H:%M")
        return texts.HELD_UNTIL.format(when=when)
    return label("notify_status", get("status"))


JINJA_GLOBALS = {"label": label, "roles_text": roles_text, "recipient_text": recipient_text,
                 "specs_text": specs_text, "notification_status": notification_status}
