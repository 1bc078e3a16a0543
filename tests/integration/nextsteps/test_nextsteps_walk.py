"""Walking one order from submission to delivery tells exactly the right people, once each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from nextsteps.rules import ensure_default_rules
from notify.models import Notification
from orders import service
from orders.models import Staff
from tests.factories import actor_of, basic_factory


@pytest.fixture
def factory(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        world = basic_factory(uow)
        lead = Staff(name="一线组长", roles="production", userid="t.lead1", line="1号线",
                     manager_id=world["people"]["production"].id)
        uow.session.add(lead)
        uow.session.flush()
        world["people"]["lead"] = lead
        ensure_default_rules(uow.session)
        uow.commit()
    return rt, world


def _notes(rt, order_no=None):
    with rt.uow() as uow:
        rows = uow.session.exec(select(Notification).where(Notification.kind == "next_step")
                                .order_by(Notification.id)).all()
        return [(n.recipient, n.body.split("】")[0].lstrip("【")) for n in rows]


def _step(rt, fn, *args, **kwargs):
    with rt.uow() as uow:
        result = fn(uow, *args, **kwargs)
        uow.commit()
        return result


def test_one_order_walk_sends_each_rule_once_to_the_right_person(factory):
    rt, w = factory
    p = w["people"]
    order = _step(rt, service.create_order, customer="测试机械", product="SH-100", quantity=100,
                  promised_date=date.today() + timedelta(days=30), actor=actor_of(p["sales"]), tz=rt.settings.tz)
    no = order.order_no
    moves = [
        ("manager", dict(command="approve")),
        ("planner", dict(command="schedule", fields={"date": date.today() + timedelta(days=2), "line": "1号线"})),
        ("lead", dict(command="start_production")),
        ("lead", dict(command="finish_production")),
    ]
    for who, kwargs in moves:
        _step(rt, service.change_status, no, actor=actor_of(p[who], "chat"), **kwargs)
    _step(rt, service.record_qc_pass, no, actor=actor_of(p["qc"], "chat"))
    _step(rt, service.change_status, no, actor=actor_of(p["warehouse"], "scan"), command="stock_in")
    _step(rt, service.change_status, no, actor=actor_of(p["warehouse"], "chat"), command="ship",
          fields={"carrier": "顺丰", "tracking_no": "SF1402938475621"})
    _step(rt, service.change_status, no, actor=actor_of(p["logistics"], "chat"), command="pickup")
    _step(rt, service.change_status, no, actor=actor_of(p["logistics"], "chat"), command="deliver")

    assert _notes(rt) == [
        ("t.planner", "待审核"),      # submitted -> planning head
        ("t.planner", "待排产"),      # approved by the manager, materials covered -> planner
        ("t.lead1", "已排产"),        # scheduled on 1号线 -> its lead
        ("t.qc", "待质检"),           # last process done -> QC
        ("t.warehouse", "待入库"),    # QC pass -> warehouse
        ("t.sales", "可发货"),        # stocked in by the warehouse clerk: he is not told, sales is
        ("t.sales", "已发货"),
        ("t.sales", "运输中"),
        ("t.sales", "已签收"),
    ]


def test_a_change_never_notifies_the_person_who_made_it(factory):
    rt, w = factory
    p = w["people"]
    order = _step(rt, service.create_order, customer="测试机械", product="SH-100", quantity=10,
                  promised_date=date.today() + timedelta(days=30), actor=actor_of(p["planner"]), tz=rt.settings.tz)
    assert [r for r, _ in _notes(rt)] == []  # the planner submitted it; he is the one who would be told
    _step(rt, service.change_status, order.order_no, actor=actor_of(p["planner"]), command="approve")
    assert _notes(rt) == []


def test_replayed_handler_sends_nothing_more(factory):
    rt, w = factory
    p = w["people"]
    order = _step(rt, service.create_order, customer="测试机械", product="SH-100", quantity=10,
                  promised_date=date.today() + timedelta(days=30), actor=actor_of(p["sales"]), tz=rt.settings.tz)
    from core.types import utcnow
    from nextsteps.handlers import tell_next_person
    from orders import events as ev

    replay = ev.OrderCreated(order.id, order.order_no, "销售", "chat", utcnow(), actor_staff_id=p["sales"].id)
    for _ in range(2):
        with rt.uow() as uow:
            tell_next_person(replay, uow)
            uow.commit()
    assert len(_notes(rt)) == 1


def test_qc_failure_close_to_the_promised_date_also_warns_sales(factory):
    rt, w = factory
    p = w["people"]
    from orders.status import Status
    from tests.factories import order_in

    with rt.uow() as uow:
        order = order_in(uow, Status.PENDING_QC, promised_date=date.today() + timedelta(days=2))
        uow.commit()
    _step(rt, service.change_status, order.order_no, actor=actor_of(p["qc"], "chat"), command="qc_fail",
          fields={"reason": "螺纹不良"})
    notes = _notes(rt)[-2:]
    assert ("t.lead1", "待返工") in notes  # the order was scheduled on 1号线: its lead
    assert ("t.sales", "交期风险") in notes
