"""Scripted timelines: the sweep runs at chosen instants and the outbox shows what people get."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from alerts import rules as rule_service
from alerts.models import AlertRule
from alerts.queries import banner, board_flags
from alerts.service import ack_order_alerts
from core.db import new_session
from orders import service
from orders.models import PurchaseLine
from orders.status import Status
from tests.factories import actor_of, admin_actor

from .conftest import alerts_of, local, make_order, outbox, sweep_at


def _rule(app, code: str) -> AlertRule:
    with new_session(app.extensions["ops"].engine) as s:
        rule_service.ensure_default_rules(s)
        return s.exec(select(AlertRule).where(AlertRule.code == code)).one()


def _edit(app, code: str, **changes) -> None:
    with new_session(app.extensions["ops"].engine) as s:
        rule_service.update_rule(s, _rule(app, code).id, changes)


def _unscheduled(app, promised: date):
    return make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=promised)


def test_yellow_is_raised_at_the_first_minute_of_the_fifth_working_day_and_waits_for_the_shift(app, people):
    order = _unscheduled(app, date(2026, 12, 14))
    sweep_at(app, local(2026, 12, 6, 23, 59))
    assert alerts_of(app) == []
    sweep_at(app, local(2026, 12, 7, 0, 0))
    [alert] = alerts_of(app)
    assert (alert.order_no, alert.level, alert.status) == (order.order_no, "yellow", "open")
    sent = {(n.channel, n.recipient) for n in outbox(app, kind="alert")}
    assert sent == {("wecom_app", "t.planner"), ("sms", people["planner"].mobile), ("email", "boss@example.com")}
    assert {n.not_before for n in outbox(app, kind="alert")} == {local(2026, 12, 7, 8)}


def test_a_repeated_sweep_creates_and_sends_nothing_new(app, people):
    _unscheduled(app, date(2026, 12, 14))
    sweep_at(app, local(2026, 12, 7, 9))
    before = [(n.id, n.dedupe_key) for n in outbox(app)]
    for minute in range(1, 4):
        sweep_at(app, local(2026, 12, 7, 9, minute))
    assert len(alerts_of(app)) == 1
    assert [(n.id, n.dedupe_key) for n in outbox(app)] == before


def test_unacked_alert_climbs_one_rung_per_working_window(app, people):
    _unscheduled(app, date(2026, 12, 14))
    sweep_at(app, local(2026, 12, 7, 0, 0))  # notified for 08:00; window 240 working minutes
    sweep_at(app, local(2026, 12, 7, 11, 59))
    assert outbox(app, recipient="chairman") == []
    sweep_at(app, local(2026, 12, 7, 12, 0))
    assert {n.channel for n in outbox(app, recipient="chairman")} == {"wecom_app"}
    assert outbox(app, recipient=people["chairman"].mobile)[0].not_before is None
    assert alerts_of(app)[0].escalation_level == 1
    sweep_at(app, local(2026, 12, 7, 15, 59))
    assert outbox(app, recipient="president") == []
    sweep_at(app, local(2026, 12, 7, 16, 0))
    assert len(outbox(app, recipient="president")) == 1
    sweep_at(app, local(2026, 12, 8, 16, 0))  # no rung above the president
    assert alerts_of(app)[0].escalation_level == 2
    assert len(outbox(app, kind="alert")) == 3 + 2 + 2


def test_ack_stops_escalation_and_resolution_sends_one_message_per_person(app, people):
    order = _unscheduled(app, date(2026, 12, 14))
    sweep_at(app, local(2026, 12, 7, 0, 0))
    sweep_at(app, local(2026, 12, 7, 12, 0))
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        acked = ack_order_alerts(uow, order.order_no, actor_of(people["planner"], "chat"),
                                 now=local(2026, 12, 7, 12, 30))
        uow.commit()
    assert [a.status for a in acked] == ["acked"]
    sweep_at(app, local(2026, 12, 7, 16, 0))
    assert outbox(app, recipient="president") == []
    assert alerts_of(app)[0].acked_by == "planner员"
    with rt.uow() as uow:
        service.change_status(uow, order.order_no, actor=admin_actor(), to=Status.SCHEDULED,
                              fields={"date": date(2026, 12, 9)})
        uow.commit()
    sweep_at(app, local(2026, 12, 7, 16, 5))
    sweep_at(app, local(2026, 12, 7, 16, 6))
    [alert] = alerts_of(app)
    assert alert.status == "resolved" and alert.open_key is None
    resolved = sorted((n.channel, n.recipient) for n in outbox(app, kind="alert_resolved"))
    assert resolved == [("email", "boss@example.com"), ("wecom_app", "chairman"), ("wecom_app", "t.planner")]


def test_quiet_hours_delay_a_red_pickup_alert_unless_the_rule_bypasses_them(app, people):
    make_order(app, Status.SHIPPED, at=local(2026, 12, 4, 20))  # Friday evening
    sweep_at(app, local(2026, 12, 6, 19, 59))
    assert alerts_of(app) == []
    sweep_at(app, local(2026, 12, 6, 20, 0))  # Sunday: 48 h later
    [alert] = alerts_of(app)
    assert (alert.rule_code, alert.level) == ("pickup_overdue", "red")
    assert {n.not_before for n in outbox(app, kind="alert")} == {local(2026, 12, 7, 8)}
    assert {n.recipient for n in outbox(app, kind="alert")} >= {"t.logistics"}

    _edit(app, "pickup_overdue", bypass_quiet=True)
    make_order(app, Status.SHIPPED, at=local(2026, 12, 4, 21))
    sweep_at(app, local(2026, 12, 6, 21, 0))
    new = [n for n in outbox(app, kind="alert") if n.alert_id == alerts_of(app)[-1].id]
    assert new and all(n.not_before is None for n in new)


def test_orange_qc_alert_counts_24_working_hours(app, people):
    order = make_order(app, Status.PENDING_QC, at=local(2026, 11, 23, 10))  # Monday 10:00
    sweep_at(app, local(2026, 11, 25, 14, 59))
    assert alerts_of(app, rule_code="qc_overdue") == []
    sweep_at(app, local(2026, 11, 25, 15, 0))  # Wednesday 15:00 = 7.5 + 9.5 + 7 shift hours
    [alert] = alerts_of(app, rule_code="qc_overdue")
    assert alert.level == "orange" and {n.recipient for n in outbox(app, alert_id=alert.id)} >= {"t.qc"}
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        service.record_qc_pass(uow, order.order_no, actor=admin_actor())
        uow.commit()
    sweep_at(app, local(2026, 11, 25, 15, 1))
    assert alerts_of(app, rule_code="qc_overdue")[0].status == "resolved"


def test_higher_level_of_the_same_family_inhibits_the_lower(app, people):
    with new_session(app.extensions["ops"].engine) as s:
        rule_service.ensure_default_rules(s)
        rule_service.create_rule(s, {
            "code": "promise_unscheduled_red", "name": "交期两天内仍未排产", "kind": "promise_unscheduled",
            "family": "promise", "threshold": 2, "unit": "working_days", "level": "red",
            "recipients": ["role:planner"], "channels": ["wecom_app"], "ack_window_minutes": 60})
    _edit(app, "promise_near", enabled=False)  # its board flag is another family; keep the banner simple
    _unscheduled(app, date(2026, 12, 10))  # Thursday
    sweep_at(app, local(2026, 12, 7, 10, 0))  # Monday: within 5 working days, not yet within 2
    [yellow] = alerts_of(app, rule_code="promise_unscheduled")
    assert alerts_of(app, rule_code="promise_unscheduled_red") == []
    sweep_at(app, local(2026, 12, 8, 16, 0))  # Tuesday: red; yellow's escalation was due but is muted
    by_rule = {a.rule_code: a for a in alerts_of(app)}
    assert by_rule["promise_unscheduled"].inhibited and not by_rule["promise_unscheduled_red"].inhibited
    assert outbox(app, alert_id=yellow.id, recipient="chairman") == []
    assert len(outbox(app, alert_id=by_rule["promise_unscheduled_red"].id)) == 2  # planner + cc
    with new_session(app.extensions["ops"].engine) as s:
        assert banner(s)["counts"] == {"yellow": 0, "orange": 0, "red": 1}

    _unscheduled(app, date(2026, 12, 9))
    sweep_at(app, local(2026, 12, 8, 16, 1))  # a new order with both at once: the yellow is never sent
    newest = [a for a in alerts_of(app) if a.order_id == max(x.order_id for x in alerts_of(app))]
    muted = next(a for a in newest if a.rule_code == "promise_unscheduled")
    assert muted.inhibited and outbox(app, alert_id=muted.id) == []


def test_promise_near_flags_the_order_on_boards_without_messages(app, people):
    order = make_order(app, Status.IN_STOCK, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 10))
    sweep_at(app, local(2026, 12, 7, 10, 0))
    [alert] = alerts_of(app, rule_code="promise_near")
    assert outbox(app, alert_id=alert.id) == []
    with new_session(app.extensions["ops"].engine) as s:
        assert board_flags(s) == {order.order_no: "red"}


def test_purchase_expected_after_planned_start_warns_purchasing_in_red(app, people):
    order = make_order(app, Status.SCHEDULED, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 30))
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        planned = uow.session.get(type(order), order.id).planned_start
        uow.session.add(PurchaseLine(material_id=1, quantity=10, order_id=order.id,
                                     expected_on=date.fromordinal(planned.toordinal() + 1)))
        uow.commit()
    sweep_at(app, local(2026, 12, 7, 10, 0))
    [alert] = alerts_of(app, rule_code="purchase_late")
    assert alert.level == "red"
    assert {n.recipient for n in outbox(app, alert_id=alert.id)} == {
        "t.purchasing", people["purchasing"].mobile, "boss@example.com"}


def test_a_burst_beyond_the_time_budget_is_finished_by_the_next_sweeps(app, people, monkeypatch):
    from alerts import lifecycle

    monkeypatch.setattr(lifecycle, "CHUNK", 2)
    rt = app.extensions["ops"]
    rt.settings = rt.settings.replace(alerts={"sweep_budget_seconds": 0})
    _edit(app, "promise_near", enabled=False)
    for _ in range(5):
        _unscheduled(app, date(2026, 12, 11))
    first = sweep_at(app, local(2026, 12, 7, 9, 0))
    assert (first["raised"], first["deferred"]) == (2, 3)
    assert sweep_at(app, local(2026, 12, 7, 9, 1))["raised"] == 2
    assert sweep_at(app, local(2026, 12, 7, 9, 2))["raised"] == 1
    assert len(alerts_of(app, status="open")) == 5
    assert len({n.alert_id for n in outbox(app, kind="alert")}) == 5
