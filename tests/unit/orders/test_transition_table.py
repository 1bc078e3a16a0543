"""Every allowed and every forbidden move of the status flow, and who may make each."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from orders import service
from orders.actor import Actor
from orders.exceptions import IllegalTransition, MissingField, NotAllowed
from orders.flow import TRANSITIONS
from orders.models import Order, QcInspection, StatusEvent
from orders.roles import OVERRIDE_ROLES, Role
from orders.status import Status
from tests.factories import admin_actor

ALLOWED = {(t.frm, t.to) for t in TRANSITIONS}
ALL_PAIRS = [(a, b) for a in Status for b in Status if a != b]
FIELDS = {"date": date(2026, 12, 1), "line": "2号线", "carrier": "顺丰", "tracking_no": "SF1402938475621",
          "reason": "螺纹不良", "qc_passed": True}


def _order_at(rt, status: Status) -> str:
    """A fresh order forced into `status` (the table, not the path, is under test here)."""
    with rt.uow() as uow:
        order = service.create_order(uow, customer="测试机械", product="SH-100", quantity=10,
                                     promised_date=date.today() + timedelta(days=30), actor=admin_actor(),
                                     tz=ZoneInfo("Asia/Shanghai"))
        order.status = status.value
        uow.commit()
        return order.order_no


@pytest.mark.parametrize(("frm", "to"), [p for p in ALL_PAIRS if p in ALLOWED], ids=lambda s: s.value)
def test_allowed_move_changes_status_and_records_event(rt, frm, to):
    no = _order_at(rt, frm)
    with rt.uow() as uow:
        order = service.change_status(uow, no, actor=admin_actor(), to=to, fields=FIELDS)
        uow.commit()
        assert order.status == to.value
        last = uow.session.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)
                                .order_by(StatusEvent.id.desc())).first()
        assert (last.from_status, last.to_status, last.source) == (frm.value, to.value, "api")


@pytest.mark.parametrize(("frm", "to"), [p for p in ALL_PAIRS if p not in ALLOWED], ids=lambda s: s.value)
def test_forbidden_move_is_refused_naming_the_current_status(rt, frm, to):
    no = _order_at(rt, frm)
    with rt.uow() as uow:
        with pytest.raises(IllegalTransition) as err:
            service.change_status(uow, no, actor=admin_actor(), to=to, fields=FIELDS)
    assert frm.label in err.value.message
    assert err.value.details["current_status"] == frm.value
    with rt.uow() as uow:
        assert service.find_order(uow, no).status == frm.value


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.frm.value}->{t.to.value}")
def test_only_named_roles_and_managers_may_move(rt, t):
    others = [r for r in Role if r not in t.roles and r not in OVERRIDE_ROLES]
    for role in others:
        no = _order_at(rt, t.frm)
        with rt.uow() as uow, pytest.raises(NotAllowed):
            service.change_status(uow, no, actor=Actor("某人", "chat", frozenset({role})), to=t.to, fields=FIELDS)
    for role in sorted(t.roles | OVERRIDE_ROLES):
        no = _order_at(rt, t.frm)
        with rt.uow() as uow:
            service.change_status(uow, no, actor=Actor("某人", "chat", frozenset({role})), to=t.to, fields=FIELDS)
            uow.commit()


def test_ship_needs_a_carrier_and_a_tracking_number_unless_self_pickup(rt):
    no = _order_at(rt, Status.IN_STOCK)
    with rt.uow() as uow, pytest.raises(MissingField) as err:
        service.change_status(uow, no, actor=admin_actor(), to=Status.SHIPPED, fields={})
    assert "承运商" in err.value.message
    with rt.uow() as uow, pytest.raises(MissingField):
        service.change_status(uow, no, actor=admin_actor(), to=Status.SHIPPED, fields={"carrier": "顺丰"})
    with rt.uow() as uow:
        order = service.change_status(uow, no, actor=admin_actor(), to=Status.SHIPPED, fields={"carrier": "自提"})
        uow.commit()
        assert (order.carrier, order.tracking_no) == ("自提", None)


def test_schedule_needs_a_date(rt):
    no = _order_at(rt, Status.PENDING_SCHEDULE)
    with rt.uow() as uow, pytest.raises(MissingField) as err:
        service.change_status(uow, no, actor=admin_actor(), command="schedule", fields={})
    assert "排产日期" in err.value.message


def test_stock_in_needs_a_passed_qc_inspection(rt):
    no = _order_at(rt, Status.PENDING_QC)
    with rt.uow() as uow, pytest.raises(MissingField):
        service.change_status(uow, no, actor=admin_actor(), command="stock_in")
    with rt.uow() as uow:
        service.record_qc_pass(uow, no, actor=admin_actor())
        uow.commit()
    with rt.uow() as uow:
        assert service.change_status(uow, no, actor=admin_actor(), command="stock_in").status == "in_stock"
        uow.commit()


def test_qc_failure_records_the_defect_and_clears_an_earlier_pass(rt):
    no = _order_at(rt, Status.PENDING_QC)
    with rt.uow() as uow:
        service.record_qc_pass(uow, no, actor=admin_actor())
        uow.commit()
    with rt.uow() as uow:
        order = service.change_status(uow, no, actor=admin_actor(), command="qc_fail", fields={"reason": "毛刺"})
        uow.commit()
        assert order.qc_passed_at is None
        insp = uow.session.exec(select(QcInspection).where(QcInspection.order_id == order.id,
                                                           QcInspection.result == "fail")).one()
        assert insp.defects == "毛刺"


def test_a_stale_version_is_a_conflict_and_changes_nothing(rt):
    from orders.exceptions import VersionConflict

    no = _order_at(rt, Status.PENDING_REVIEW)
    with rt.uow() as uow:
        version = service.find_order(uow, no).version
    with rt.uow() as uow, pytest.raises(VersionConflict):
        service.change_status(uow, no, actor=admin_actor(), to="pending_schedule", expected_version=version - 1)
    with rt.uow() as uow:
        assert uow.session.exec(select(Order).where(Order.order_no == no)).one().status == "pending_review"
