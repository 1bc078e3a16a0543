"""The alert sweep: every minute, reconcile every enabled rule with the database.

It computes what should be open from the orders (one SQL query per rule), so a lost or
late job costs latency, never an alert. A rule that cannot be evaluated is reported (rule
`last_error`, /healthz, admin) and skipped; the other rules keep running.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import select

from alerts import texts
from alerts.conditions import Context, Hit, evaluate
from alerts.exceptions import RuleInvalid
from alerts.lifecycle import RuleRun
from alerts.models import LEVEL_RANK, AlertRule
from alerts.rules import ensure_default_rules, evaluation_errors
from core.db import new_session
from core.metrics import observe_sweep
from core.runtime import Runtime, current_runtime
from core.types import utcnow
from notify import live
from orders.recipients import load_people
from workcal.service import calendar_for, remember_fallback_years

log = logging.getLogger(__name__)
PUBLISH_ITEMS = 50
# A sweep stops taking new batches after this long (RQ's default job timeout is 180 s);
# ALERT_SWEEP_BUDGET_SECONDS (settings.alerts.sweep_budget_seconds) sets it; 40 s by default.


def run_sweep(now: datetime | None = None) -> dict:
    """Cron job (every minute): raise, escalate and resolve alerts; `now` defaults to utcnow().
    Its duration goes to /metrics (`ops_alert_sweep_seconds`)."""
    rt = current_runtime()
    started = time.perf_counter()
    try:
        return sweep(rt, now or utcnow())
    finally:
        observe_sweep(rt.redis, time.perf_counter() - started)


def sweep(rt: Runtime, now: datetime) -> dict:
    """One pass over every enabled rule at instant `now`; returns counts of what changed."""
    with new_session(rt.engine) as s:
        ensure_default_rules(s)
        rules = list(s.exec(select(AlertRule).where(AlertRule.enabled == True).order_by(AlertRule.id)).all())  # noqa: E712
        cal = calendar_for(s, rt.settings)
        people = load_people(s)
        ctx = Context(now=now, today=now.astimezone(cal.tz).date(), cal=cal)
        hits, problems = _evaluate_all(s, rules, ctx)
    inhibited = inhibition(rules, hits)
    changes: list[dict] = []
    budget = rt.settings.alerts.sweep_budget_seconds
    deadline, deferred = time.monotonic() + budget, [0]
    for rule in rules:
        if rule.id in hits:
            changes += _reconcile(rt, rule, hits[rule.id], inhibited[rule.id], ctx, people, problems,
                                  deadline, deferred)
    _record_problems(rt, rules, problems, now)
    remember_fallback_years(rt, cal.fallback_years)
    summary = {a: sum(1 for c in changes if c["action"] == a) for a in ("raised", "escalated", "resolved")}
    if changes:
        live.publish(rt, "alert", {"action": "sweep", **summary, "items": changes[:PUBLISH_ITEMS]})
    return {"rules": len(rules), **summary, "deferred": deferred[0],
            "problems": sum(len(p) for p in problems.values())}


def _evaluate_all(s, rules: list[AlertRule], ctx: Context) -> tuple[dict[int, dict[int, Hit]], dict[int, list]]:
    hits: dict[int, dict[int, Hit]] = {}
    problems: dict[int, list] = {}
    for rule in rules:
        errors = evaluation_errors(rule)
        if errors:
            problems[rule.id] = [f"{rule.name or rule.code}：{e}" for e in errors]
            continue
        try:
            hits[rule.id] = evaluate(s, rule, ctx)
        except RuleInvalid as exc:
            problems[rule.id] = [f"{rule.name or rule.code}：{exc.message}"]
        except Exception:
            s.rollback()
            problems[rule.id] = [_crashed(rule)]
    return hits, problems


def inhibition(rules: list[AlertRule], hits: dict[int, dict[int, Hit]]) -> dict[int, set[int]]:
    """Per rule, the orders on which a higher-level rule of the same family will be open."""
    out: dict[int, set[int]] = {}
    for rule in rules:
        if rule.id not in hits:
            continue
        higher = [q for q in rules if q.id in hits and rule.family and q.family == rule.family
                  and LEVEL_RANK.get(q.level, -1) > LEVEL_RANK.get(rule.level, -1)]
        out[rule.id] = set().union(*(hits[q.id].keys() for q in higher))
    return out


def _reconcile(rt: Runtime, rule: AlertRule, hits, inhibited, ctx: Context, people, problems,
               deadline: float, deferred: list[int]) -> list[dict]:
    run = None
    try:
        with rt.uow() as uow:
            run = RuleRun(uow, rule, hits, inhibited, ctx, people, deadline=deadline)
            run.run()
        problems[rule.id] = run.problems.texts(rule.name or rule.code)
    except Exception:
        problems[rule.id] = [_crashed(rule)]
    if run is None:
        return []
    deferred[0] += run.deferred
    return run.changes


def _crashed(rule: AlertRule) -> str:
    ref = uuid.uuid4().hex[:8]
    log.exception("alert rule %s failed (ref %s)", rule.code, ref)
    return texts.rule_crashed(rule.name or rule.code, ref)


def _record_problems(rt: Runtime, rules: list[AlertRule], problems: dict[int, list], now: datetime) -> None:
    """Keep each rule's problems of this pass on the rule row (admin and /healthz read them)."""
    try:
        with rt.engine.begin() as conn:
            for rule in rules:
                text = "\n".join(problems.get(rule.id, []))[:2000]
                conn.execute(update(AlertRule).where(AlertRule.id == rule.id)
                             .values(last_error=text, last_run_at=now))
    except Exception:
        log.exception("could not record alert rule problems")
