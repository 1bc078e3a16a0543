"""Who hears about an alert: the responsible people of a rule, their managers, the ladder above."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from alerts.models import AlertRule
from notify.templates import alerts as texts
from orders.models import Staff


@dataclass
class People:
    """Active staff, loaded once per sweep (a factory has hundreds, not millions)."""

    by_id: dict[int, Staff] = field(default_factory=dict)
    by_role: dict[str, list[Staff]] = field(default_factory=lambda: defaultdict(list))

    def manager_of(self, person: Staff) -> Staff | None:
        return self.by_id.get(person.manager_id) if person.manager_id else None

    def ladder(self, person: Staff) -> list[Staff]:
        """The person's manager, that manager's manager, … (cycles cut)."""
        out: list[Staff] = []
        seen = {person.id}
        boss = self.manager_of(person)
        while boss is not None and boss.id not in seen:
            out.append(boss)
            seen.add(boss.id)
            boss = self.manager_of(boss)
        return out


def load_people(session: Session) -> People:
    """Every active staff member, by id and by role."""
    people = People()
    for person in session.exec(select(Staff).where(Staff.active == True)).all():  # noqa: E712
        people.by_id[person.id] = person
        for role in person.role_set:
            people.by_role[role.value].append(person)
    return people


def responsible(rule: AlertRule, owner_id: int | None, people: People) -> tuple[list[Staff], list[str]]:
    """The people a rule names for one order, and what could not be found (Chinese texts)."""
    found: dict[int, Staff] = {}
    missing: list[str] = []
    for ref in rule.recipients or []:
        if ref == "owner":
            owner = people.by_id.get(owner_id) if owner_id else None
            if owner is None:
                missing.append(texts.owner_missing())
            else:
                found[owner.id] = owner
        elif ref.startswith("role:"):
            members = [p for p in people.by_role.get(ref[5:], []) if p.on_duty]
            if not members:
                missing.append(texts.role_empty(ref[5:]))
            found.update({p.id: p for p in members})
        elif ref.startswith("staff:"):
            person = people.by_id.get(int(ref[6:]))
            if person is None:
                missing.append(texts.staff_missing(ref))
            else:
                found[person.id] = person
    return list(found.values()), missing


def address(person: Staff, channel: str) -> str | None:
    """Where a channel reaches the person: WeCom userid, mobile or email; None when unknown."""
    return {"wecom_app": person.userid, "sms": person.mobile, "email": person.email}.get(channel) or None
