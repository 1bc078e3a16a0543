"""Read side of alerts: API lists, the board banner feed, per-order board flags."""

from __future__ import annotations

from sqlmodel import Session, func, select

from alerts import texts
from alerts.models import LEVELS, Alert, AlertRule

UNRESOLVED = ("open", "acked")


def alert_dict(alert: Alert, rule_name: str = "") -> dict:
    """One alert as the API and boards show it (CONTRACT §4 keys and more)."""
    return {
        "id": alert.id, "order_no": alert.order_no, "rule": alert.rule_code, "rule_name": rule_name,
        "level": alert.level, "level_label": texts.level_label(alert.level), "status": alert.status,
        "detail": alert.detail, "raised_at": alert.raised_at, "acked_by": alert.acked_by,
        "acked_at": alert.acked_at, "resolved_at": alert.resolved_at, "escalation_level": alert.escalation_level,
        "last_notified_at": alert.last_notified_at, "inhibited": alert.inhibited,
    }


def list_alerts(session: Session, *, order_no: str | None = None, status: str | None = None,
                level: str | None = None, rule: str | None = None, limit: int = 100,
                offset: int = 0) -> list[dict]:
    """Alerts newest first, filtered by order number, status, level and rule code."""
    stmt = select(Alert, AlertRule.name).join(AlertRule, AlertRule.id == Alert.rule_id)
    if order_no:
        stmt = stmt.where(Alert.order_no == order_no.strip().upper())
    if status:
        stmt = stmt.where(Alert.status == status)
    if level:
        stmt = stmt.where(Alert.level == level)
    if rule:
        stmt = stmt.where(Alert.rule_code == rule)
    rows = session.exec(stmt.order_by(Alert.id.desc()).limit(limit).offset(offset)).all()
    return [alert_dict(a, name) for a, name in rows]


def banner(session: Session, limit: int = 10) -> dict:
    """Board banner: counts of unresolved, not inhibited alerts by level, and the latest of them."""
    live = (Alert.status.in_(UNRESOLVED), Alert.inhibited == False)  # noqa: E712
    counts = dict.fromkeys(LEVELS, 0)
    for level, n in session.exec(select(Alert.level, func.count()).where(*live).group_by(Alert.level)).all():
        counts[level] = n
    rows = session.exec(select(Alert, AlertRule.name).join(AlertRule, AlertRule.id == Alert.rule_id)
                        .where(*live).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)).all()
    return {"counts": counts, "total": sum(counts.values()), "items": [alert_dict(a, n) for a, n in rows]}


def board_flags(session: Session) -> dict[str, str]:
    """order_no -> highest unresolved alert level: what boards paint (red = 临近交期未发货 and other reds).

    The flag is read from the alerts table rather than written to `Order.priority`, which
    belongs to sales and is version-locked: a sweep writing it would break people's edits.
    """
    rank = {level: i for i, level in enumerate(LEVELS)}
    out: dict[str, str] = {}
    for order_no, level in session.exec(select(Alert.order_no, Alert.level).where(
            Alert.status.in_(UNRESOLVED))).all():
        if order_no not in out or rank.get(level, -1) > rank.get(out[order_no], -1):
            out[order_no] = level
    return out


def rule_dict(rule: AlertRule) -> dict:
    """One rule as the API shows it."""
    return rule.model_dump()
