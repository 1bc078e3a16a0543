"""Material shortage from BOM, stock and open purchase lines; queue position from work reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.types import utcnow
from nextsteps.picture import order_picture
from nextsteps.rules import ensure_default_rules
from notify.models import Notification
from orders import service
from orders.materials import shortages
from orders.models import Material, ProductionTask, PurchaseLine
from orders.status import Status
from tests.factories import actor_of, admin_actor, basic_factory, order_in
from workcal.service import calendar_for


@pytest.fixture
def world(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        w = basic_factory(uow)
        ensure_default_rules(uow.session)
        uow.commit()
    return rt, w


def _new_order(rt, qty):
    with rt.uow() as uow:
        o = service.create_order(uow, customer="测试机械", product="SH-100", quantity=qty,
                                 promised_date=date.today() + timedelta(days=30), actor=admin_actor(), tz=rt.settings.tz)
        uow.commit()
        return o


def _set_stock(rt, on_hand, lines=()):
    with rt.uow() as uow:
        steel = uow.session.exec(select(Material).where(Material.code == "RM-6061")).one()
        steel.stock_on_hand = on_hand
        for qty, arrived, closed in lines:
            uow.session.add(PurchaseLine(material_id=steel.id, quantity=qty, arrived_quantity=arrived,
                                         arrived_on=date.today() if closed else None))
        uow.commit()


@pytest.mark.parametrize(("on_hand", "lines", "qty", "missing"), [
    (100, [], 500, None),                  # 0.2 kg × 500 = 100 kg: exactly enough is covered
    (99, [], 500, 1),                      # one kilo short
    (50, [(100, 60, False)], 500, 10),     # partial arrival: 40 still to come, 50 + 40 < 100
    (50, [(100, 50, False)], 500, None),   # 50 + 50 still open covers it
    (50, [(100, 100, True)], 500, 50),     # a closed line brings nothing more
])
def test_shortage_counts_stock_and_open_purchases(world, on_hand, lines, qty, missing):
    rt, _ = world
    _set_stock(rt, on_hand, lines)
    order = _new_order(rt, qty)
    with rt.uow() as uow:
        found = shortages(uow.session, order)
    assert [s.missing for s in found] == ([missing] if missing else [])


def test_approval_with_shortage_goes_to_purchasing_and_tells_them_what_is_missing(world):
    rt, w = world
    _set_stock(rt, 10)
    order = _new_order(rt, 500)
    with rt.uow() as uow:
        moved = service.change_status(uow, order.order_no, actor=actor_of(w["people"]["manager"]), command="approve")
        uow.commit()
    assert moved.status == Status.PENDING_PURCHASE
    with rt.uow() as uow:
        body = uow.session.exec(select(Notification.body).where(Notification.recipient == "t.purchasing")).one()
    assert "6061铝棒" in body and "缺 90kg" in body


def test_queue_position_follows_the_order_in_which_work_reached_the_process(world):
    rt, _ = world
    with rt.uow() as uow:
        a, b, c = (order_in(uow, Status.IN_PRODUCTION) for _ in range(3))
        uow.commit()
    with rt.uow() as uow:
        tasks = {o.order_no: uow.session.exec(select(ProductionTask).where(ProductionTask.order_id == o.id)
                                              .order_by(ProductionTask.seq)).all() for o in (a, b, c)}
        assert [t.process for t in tasks[a.order_no]] == ["CNC加工", "阳极氧化", "包装"]
        for no, minutes in ((a.order_no, 30), (c.order_no, 10)):  # a finished CNC first, then c
            first = tasks[no][0]
            first.progress, first.done = 100, True
            first.updated_at = utcnow() - timedelta(minutes=minutes)
            uow.session.add(first)
        tasks[b.order_no][0].progress = 40
        uow.commit()
    with rt.uow() as uow:
        cal = calendar_for(uow.session, rt.settings)
        pics = {o.order_no: order_picture(uow.session, o, cal, date.today()) for o in (a, b, c)}
    assert (pics[a.order_no]["queue_process"], pics[a.order_no]["queue_position"]) == ("阳极氧化", 1)
    assert (pics[c.order_no]["queue_process"], pics[c.order_no]["queue_position"]) == ("阳极氧化", 2)
    assert pics[b.order_no]["queue_position"] is None  # b is still being worked on at CNC
    assert pics[b.order_no]["processes"][0] == {"process": "CNC加工", "progress": 40.0, "done": False,
                                                "line": "1号线"}
    assert pics[b.order_no]["next_step"] == "完成CNC加工"
