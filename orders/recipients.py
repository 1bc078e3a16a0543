"""Who a recipient spec names: the one mini-language of alert rules and next-step rules.

A rule lists specs (a JSON list, or one comma-separated text):
  owner         the order's sales owner
  role:<role>   the active people with that role who are on duty
  head:<role>   the department head of that role: an active member whose own manager lacks the
                role (the first by staff id when every member reports inside the role)
  line_lead     the production lead of the order's line
  staff:<id>    one active person by staff id

Fallback (one rule for every caller): a spec that names a group falls back to the department head
of that group when it reaches nobody — role:<r> with nobody on duty goes to head:<r>, line_lead
without a lead for the order's line goes to head:production. owner and staff:<id> name one person
and have no fallback. Whatever still reaches nobody comes back as a problem text (orders.texts),
so alerts can report it; the people found are distinct and in spec order.

Lives in orders/ because Staff does; alerts/ and nextsteps/ both import it, it imports neither.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from orders import texts
from orders.models import Staff
from orders.roles import Role

_SPEC = re.compile(r"^(owner|line_lead|(role|head):[a-z]+|staff:\d+)$")


@dataclass
class People:
    """Active staff, loaded once per sweep or event (a factory has hundreds, not millions)."""

    by_id: dict[int, Staff] = field(default_factory=dict)
    by_role: dict[str, list[Staff]] = field(default_factory=lambda: defaultdict(list))

    def manager_of(self, person: Staff) -> Staff | None:
        """The person's direct manager, when active."""
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

    def head_of(self, role: str) -> list[Staff]:
        """The department head of a role (at most one person)."""
        members = self.by_role.get(role, [])
        ids = {p.id for p in members}
        heads = [p for p in members if p.manager_id not in ids]
        return heads[:1] or members[:1]


def load_people(session: Session) -> People:
    """Every active staff member, by id and by role, in staff-id order."""
    people = People()
    for person in session.exec(select(Staff).where(Staff.active == True).order_by(Staff.id)).all():  # noqa: E712
        people.by_id[person.id] = person
        for role in person.role_set:
            people.by_role[role.value].append(person)
    return people


def valid_spec(spec) -> bool:
    """Whether a spec is written in the mini-language (and names a known role)."""
    if not isinstance(spec, str) or not _SPEC.match(spec):
        return False
    kind, _, arg = spec.partition(":")
    return kind not in ("role", "head") or arg in {r.value for r in Role}


def resolve(people: People, spec: str, *, owner_id: int | None, line: str | None = None) -> tuple[list[Staff], str | None]:
    """The staff one spec names for an order, and why it names nobody (None when it names someone)."""
    kind, _, arg = spec.strip().partition(":")
    if kind == "owner":
        owner = people.by_id.get(owner_id) if owner_id else None
        return ([owner], None) if owner else ([], texts.owner_missing())
    if kind == "role":
        found = [p for p in people.by_role.get(arg, []) if p.on_duty] or people.head_of(arg)
        return found, None if found else texts.role_empty(arg)
    if kind == "head":
        found = people.head_of(arg)
        return found, None if found else texts.role_empty(arg)
    if kind == "line_lead":
        found = [p for p in people.by_role.get(Role.PRODUCTION.value, []) if line and p.line == line][:1]
        found = found or people.head_of(Role.PRODUCTION.value)
        return found, None if found else texts.role_empty(Role.PRODUCTION.value)
    if kind == "staff" and arg.isdigit():
        person = people.by_id.get(int(arg))
        return ([person], None) if person else ([], texts.staff_missing(spec))
    return [], texts.bad_recipient_kind(spec)


def split_specs(specs: str | Iterable[str] | None) -> list[str]:
    """A rule's specs as a list, whether stored as a list or as comma-separated text."""
    if isinstance(specs, str):
        specs = specs.split(",")
    return [s.strip() for s in specs or [] if s and s.strip()]


def resolve_all(people: People, specs: str | Iterable[str] | None, *, owner_id: int | None,
                line: str | None = None) -> tuple[list[Staff], list[str]]:
    """Every distinct person a rule's specs name, in order, and the problems of specs that named nobody."""
    found: dict[int, Staff] = {}
    problems: list[str] = []
    for spec in split_specs(specs):
        people_found, problem = resolve(people, spec, owner_id=owner_id, line=line)
        if problem:
            problems.append(problem)
        for person in people_found:
            found.setdefault(person.id, person)
    return list(found.values()), problems


def address(person: Staff, channel: str) -> str | None:
    """Where a channel reaches the person: WeCom userid, mobile or email; None when unknown."""
    return {"wecom_app": person.userid, "sms": person.mobile, "email": person.email}.get(channel) or None
