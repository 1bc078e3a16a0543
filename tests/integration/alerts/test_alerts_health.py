"""Rules that cannot be evaluated or cannot reach people are reported; the other rules keep running."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from alerts.models import AlertRule
from alerts.rules import ensure_default_rules
from alerts.service import admin_warnings
from core.db import new_session
from orders.models import Order, Staff
from orders.status import Status
from tests.conftest import auth

from .conftest import alerts_of, local, make_order, outbox, sweep_at


def test_a_broken_rule_is_reported_and_the_others_still_raise(app, client, token_for, people):
    make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
    sweep_at(app, local(2026, 12, 7, 9))
    rt = app.extensions["ops"]
    with rt.engine.begin() as conn:
        conn.execute(update(AlertRule).where(AlertRule.code == "qc_overdue").values(threshold=-5))
        conn.execute(update(AlertRule).where(AlertRule.code == "pickup_overdue").values(kind="moon_phase"))
    make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
    sweep_at(app, local(2026, 12, 7, 9, 1))
    assert len(alerts_of(app, rule_code="promise_unscheduled")) == 2
    health = client.get("/healthz", headers=auth(token_for("admin"))).json["alerts"]
    assert health["ok"] is False
    assert any("质检结果超时" in p and "-5" in p for p in health["problems"])
    assert any("moon_phase" in p for p in health["problems"])


def test_a_person_without_mobile_is_reported_and_still_gets_wecom(app, client, token_for, people):
    rt = app.extensions["ops"]
    with rt.engine.begin() as conn:
        conn.execute(update(Staff).where(Staff.id == people["planner"].id).values(mobile=None))
    order = make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
    sweep_at(app, local(2026, 12, 7, 9))
    assert {n.channel for n in outbox(app, kind="alert", recipient_name="planner员")} == {"wecom_app"}
    problems = client.get("/healthz", headers=auth(token_for("admin"))).json["alerts"]["problems"]
    assert any("planner员" in p and "手机号" in p for p in problems)
    with new_session(rt.engine) as s:
        assert any("手机号" in w for w in admin_warnings(s, rt.settings))
    assert order.order_no


def test_an_order_without_owner_is_named_when_the_rule_asks_for_the_owner(app, client, token_for, people):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        ensure_default_rules(s)
    with rt.engine.begin() as conn:
        conn.execute(update(AlertRule).where(AlertRule.code == "promise_unscheduled").values(recipients=["owner"]))
    order = make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
    with rt.engine.begin() as conn:
        conn.execute(update(Order).where(Order.id == order.id).values(sales_owner_id=None))
    sweep_at(app, local(2026, 12, 7, 9))
    assert len(alerts_of(app, rule_code="promise_unscheduled")) == 1
    problems = client.get("/healthz", headers=auth(token_for("admin"))).json["alerts"]["problems"]
    assert any(order.order_no in p and "负责人" in p for p in problems)
