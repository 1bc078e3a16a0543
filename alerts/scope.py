"""Whose alerts are whose: the unresolved alerts one person sees (banner, 我的待办), and their counts.

An alert belongs to the people it told (`Alert.notified`) and the people its rule names for the
order (the same recipient specs as messages, `orders.recipients`); a board-flag rule that names
nobody (临近交期未发货) belongs to the order's sales owner. A person sees the alerts that belong to
them, and a head (someone others report to, directly or further down) also those of their team.
An admin — or a manager login without a staff member — sees the whole factory, as they may ack any
alert; an API-style actor without a staff member sees the alerts whose rule names one of its roles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from alerts.models import LEVELS, Alert, AlertRule
from alerts.queries import alert_dict
from orders.actor import Actor
from orders.models import Order
from orders.recipients import People, load_people, resolve_all, split_specs
from orders.roles import Role

UNRESOLVED = ("open", "acked")


@dataclass
class Scope:
    """Who an actor looks after: everyone, a set of staff ids, or (no staff member) some roles."""

    everyone: bool
    staff_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()


def team_of(people: People, staff_id: int) -> set[int]:
    """Everyone who reports to the person, directly or further down (the person excluded)."""
    reports: dict[int, list[int]] = defaultdict(list)
    for p in people.by_id.values():
        if p.manager_id:
            reports[p.manager_id].append(p.id)
    out: set[int] = set()
    todo = list(reports.get(staff_id, []))
    while todo:
        pid = todo.pop()
        if pid not in out and pid != staff_id:
            out.add(pid)
            todo.extend(reports.get(pid, []))
    return out


def scope_of(actor: Actor, people: People) -> Scope:
    """The people (or roles) whose alerts and next steps this actor sees."""
    roles = set(actor.roles)
    if Role.ADMIN in roles or (actor.staff_id is None and Role.MANAGER in roles):
        return Scope(everyone=True)
    if actor.staff_id is None:
        return Scope(everyone=False, roles=frozenset(r.value for r in roles))
    return Scope(everyone=False, staff_ids=frozenset({actor.staff_id} | team_of(people, actor.staff_id)))


def alert_people(people: People, alert: Alert, rule: AlertRule | None, owner_id: int | None,
                 line: str | None) -> set[int]:
    """The staff ids an alert belongs to: told, named by its rule, or (a rule naming nobody) the owner."""
    ids = {n.get("staff_id") for n in alert.notified or [] if isinstance(n, dict) and n.get("staff_id")}
    specs = rule.recipients if rule else []
    if specs:
        named, _ = resolve_all(people, specs, owner_id=owner_id, line=line)
        ids |= {p.id for p in named}
    elif owner_id:
        ids.add(owner_id)
    return ids


def _rule_roles(rule: AlertRule | None) -> set[str]:
    return {spec.partition(":")[2] for spec in split_specs(rule.recipients if rule else [])
            if spec.startswith(("role:", "head:"))}


def visible_alerts(session: Session, actor: Actor, people: People | None = None,
                   scope: Scope | None = None) -> list[dict]:
    """The unresolved, not inhibited alerts this actor sees, newest first, as `alert_dict`s."""
    people = people or load_people(session)
    scope = scope or scope_of(actor, people)
    rules = {r.id: r for r in session.exec(select(AlertRule)).all()}
    rows = session.exec(select(Alert, Order.sales_owner_id, Order.line).join(Order, Order.id == Alert.order_id)
                        .where(Alert.status.in_(UNRESOLVED), Alert.inhibited == False)  # noqa: E712
                        .order_by(Alert.raised_at.desc(), Alert.id.desc())).all()
    out = []
    for alert, owner_id, line in rows:
        rule = rules.get(alert.rule_id)
        if scope.everyone:
            mine = True
        elif scope.staff_ids:
            mine = bool(alert_people(people, alert, rule, owner_id, line) & scope.staff_ids)
        else:
            mine = bool(_rule_roles(rule) & scope.roles)
        if mine:
            out.append(alert_dict(alert, rule.name if rule else ""))
    return out


def scoped_banner(session: Session, actor: Actor, limit: int = 5) -> dict:
    """Banner of one person: counts by level, the latest items of the alerts they see, and whose
    they are (`scope`: all = the whole factory, team = theirs and their team's, own = theirs)."""
    people = load_people(session)
    scope = scope_of(actor, people)
    alerts = visible_alerts(session, actor, people, scope)
    counts = dict.fromkeys(LEVELS, 0)
    for a in alerts:
        counts[a["level"]] = counts.get(a["level"], 0) + 1
    kind = "all" if scope.everyone else "team" if len(scope.staff_ids) > 1 else "own"
    return {"counts": counts, "total": len(alerts), "items": alerts[:limit], "scope": kind}
