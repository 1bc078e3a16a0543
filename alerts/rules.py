"""Alert rules as data: the seed, validation, create and edit.

The seed mirrors the factory's three levels plus the purchasing and board-flag rules;
admins change thresholds, recipients, channels and windows through the API without a
deploy. `seed_rules` only adds rules whose code is missing, so edits survive re-seeding.

Choices in the seed:
- orange QC: 24 *working* hours in 待质检 with no result (QC works shifts; a Friday-evening
  batch is not overdue on Sunday). Entry time = the latest status event into the status.
- red pickup: 48 *calendar* hours after shipping (carriers work weekends); self pickup is exempt.
- ack windows count working time (unless the rule bypasses quiet hours); 王总 is cc'd by email
  at step 0, so step 1 goes to the manager's manager.
- 临近交期 ≤ 3 days and not shipped is a board flag: an open red alert with no channels, read by
  boards through `alerts.queries.board_flags`; `Order.priority` stays sales' field (it is
  version-locked, and a sweep writing it would collide with people's edits).
"""

from __future__ import annotations

import re

from sqlmodel import Session, func, select

from alerts import texts
from alerts.conditions import KINDS, check_threshold, statuses_of
from alerts.exceptions import RuleInvalid, RuleNotFound
from alerts.models import LEVELS, AlertRule
from core.db import insert_defaults
from core.types import utcnow
from orders.recipients import valid_spec

CHANNELS = ("wecom_app", "sms", "email")
MAX_MINUTES = 43200  # 30 days
EDITABLE = ("name", "kind", "family", "threshold", "unit", "statuses", "level", "recipients", "channels",
            "cc_manager", "repeat_minutes", "ack_window_minutes", "bypass_quiet", "enabled")
_CODE = re.compile(r"^[a-z0-9_]{2,40}$")

_BOTH = {"channels": ["wecom_app", "sms"], "cc_manager": True, "repeat_minutes": 0, "bypass_quiet": False}
DEFAULT_RULES: tuple[dict, ...] = (
    {"code": "promise_unscheduled", "name": "交期临近仍未排产", "kind": "promise_unscheduled",
     "family": "promise", "threshold": 5, "unit": "working_days", "level": "yellow",
     "recipients": ["role:planner"], "ack_window_minutes": 240, **_BOTH},
    {"code": "qc_overdue", "name": "质检结果超时", "kind": "qc_overdue", "family": "qc",
     "threshold": 24, "unit": "working_hours", "level": "orange", "recipients": ["role:qc"],
     "ack_window_minutes": 120, **_BOTH},
    {"code": "pickup_overdue", "name": "已发货承运商超时未揽收", "kind": "pickup_overdue", "family": "pickup",
     "threshold": 48, "unit": "hours", "level": "red", "recipients": ["role:logistics"],
     "ack_window_minutes": 60, **_BOTH},
    {"code": "purchase_late", "name": "采购到货晚于计划开工", "kind": "purchase_late", "family": "purchase",
     "threshold": 0, "unit": "days", "level": "red", "recipients": ["role:purchasing"],
     "ack_window_minutes": 60, **_BOTH},
    # Board flag only: no messages; boards read the open alert (alerts.queries.board_flags).
    {"code": "promise_near", "name": "临近交期未发货", "kind": "promise_near", "family": "promise_flag",
     "threshold": 3, "unit": "days", "level": "red", "recipients": [], "channels": [], "cc_manager": False,
     "repeat_minutes": 0, "ack_window_minutes": 0, "bypass_quiet": False},
)


def rule_errors(rule: AlertRule) -> list[str]:
    """Every reason this rule cannot be evaluated or cannot notify (Chinese texts)."""
    return evaluation_errors(rule) + delivery_errors(rule)


def evaluation_errors(rule: AlertRule) -> list[str]:
    """Reasons the sweep cannot evaluate the rule at all (it then skips it; the others run)."""
    errors: list[str] = []
    kind = KINDS.get(rule.kind)
    if kind is None:
        errors.append(texts.bad_kind(rule.kind))
    else:
        for check in (lambda: check_threshold(kind, rule.threshold, rule.unit), lambda: statuses_of(rule, kind)):
            try:
                check()
            except RuleInvalid as exc:
                errors.append(exc.message)
    if rule.level not in LEVELS:
        errors.append(texts.bad_level(rule.level))
    return errors


def delivery_errors(rule: AlertRule) -> list[str]:
    """Reasons the rule's alerts cannot reach people (the alerts are still raised for the boards)."""
    errors: list[str] = []
    if not isinstance(rule.channels, list) or not isinstance(rule.recipients, list):
        return [texts.bad_channel(rule.channels) if not isinstance(rule.channels, list)
                else texts.bad_recipient(rule.recipients)]
    errors += [texts.bad_channel(c) for c in rule.channels or [] if c not in CHANNELS]
    errors += [texts.bad_recipient(r) for r in rule.recipients or [] if not valid_spec(r)]
    if rule.channels and not rule.recipients:
        errors.append(texts.no_recipients(rule.name or rule.code))
    for field in ("repeat_minutes", "ack_window_minutes"):
        value = getattr(rule, field)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MINUTES:
            errors.append(texts.bad_minutes(field, value))
    return errors


def validate(rule: AlertRule) -> None:
    """Raise RuleInvalid (400) naming every problem of the rule."""
    errors = rule_errors(rule)
    if errors:
        raise RuleInvalid("".join(errors), problems=errors)


def create_rule(session: Session, data: dict) -> AlertRule:
    """Add a rule after validation; commits."""
    code = str(data.get("code") or "")
    if not _CODE.match(code):
        raise RuleInvalid("规则编码只能用小写字母、数字和下划线（2–40 个字符）。", field="code")
    if session.exec(select(AlertRule.id).where(AlertRule.code == code)).first():
        raise RuleInvalid(f"规则编码「{code}」已存在。", field="code")
    rule = AlertRule(code=code, **{k: v for k, v in data.items() if k in EDITABLE})
    validate(rule)
    session.add(rule)
    session.commit()
    return rule


def update_rule(session: Session, rule_id: int, changes: dict) -> AlertRule:
    """Change some fields of a rule after validating the result; commits."""
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise RuleNotFound(texts.rule_not_found(rule_id))
    for key, value in changes.items():
        if key in EDITABLE:
            setattr(rule, key, value)
    try:
        validate(rule)
    except RuleInvalid:
        session.rollback()
        raise
    rule.updated_at = utcnow()
    rule.last_error = ""
    session.add(rule)
    session.commit()
    return rule


def seed_rules(session: Session, *, commit: bool = True) -> int:
    """Add every default rule whose code is missing (idempotent); returns how many were added."""
    have = set(session.exec(select(AlertRule.code)).all())
    added = insert_defaults(session, [AlertRule(**d) for d in DEFAULT_RULES if d["code"] not in have])
    if commit:
        session.commit()
    return added


def seed_extension(session: Session, created: dict) -> None:
    """Demo-seed step of alerts (`Feature.seed`): the demo factory gets the default rules (the seed commits)."""
    seed_rules(session, commit=False)


def ensure_default_rules(session: Session) -> int:
    """Seed the defaults when the rule table is empty (run at the start of each sweep)."""
    if session.exec(select(func.count()).select_from(AlertRule)).one():
        return 0
    return seed_rules(session)
