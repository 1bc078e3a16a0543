"""The sweep on PostgreSQL and SQLite: same results, one open alert per (order, rule) by constraint."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from alerts.models import Alert, open_key
from orders import service
from orders.status import Status
from tests.conftest import make_app
from tests.factories import admin_actor

from .conftest import alerts_of, local, make_order, outbox, sweep_at


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_app(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    application = make_app(url)
    yield application
    application.extensions["ops"].engine.dispose()


def _alert_mail(app):
    """Outbox rows of the alert machinery (next-step messages of the same changes are not counted)."""
    return [n for n in outbox(app) if n.kind != "next_step"]


@pytest.fixture
def app(any_db_app):
    return any_db_app


def test_sweep_raises_once_resolves_and_raises_again_after_a_relapse(app, people):
    rt = app.extensions["ops"]
    orders = [make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
              for _ in range(3)]
    make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2027, 1, 20))
    for minute in range(3):
        sweep_at(app, local(2026, 12, 7, 9, minute))
    open_ = alerts_of(app, rule_code="promise_unscheduled", status="open")
    assert sorted(a.order_no for a in open_) == sorted(o.order_no for o in orders)
    sent = len(_alert_mail(app))

    with rt.uow() as uow:
        service.change_status(uow, orders[0].order_no, actor=admin_actor(), to=Status.SCHEDULED,
                              fields={"date": date(2026, 12, 9)})
        uow.commit()
    sweep_at(app, local(2026, 12, 7, 9, 5))
    assert len(alerts_of(app, rule_code="promise_unscheduled", status="resolved")) == 1
    assert len(outbox(app, kind="alert_resolved")) == 2  # one per person told: planner, 王总 (cc)
    assert len(_alert_mail(app)) == sent + 2

    with rt.uow() as uow:
        service.change_status(uow, orders[0].order_no, actor=admin_actor(), to=Status.PENDING_SCHEDULE)
        uow.commit()
    sweep_at(app, local(2026, 12, 7, 9, 6))
    again = alerts_of(app, rule_code="promise_unscheduled", order_no=orders[0].order_no)
    assert [a.status for a in again] == ["resolved", "open"]


def test_the_database_refuses_a_second_open_alert_for_the_same_order_and_rule(app, people):
    order = make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
    sweep_at(app, local(2026, 12, 7, 9))
    first = alerts_of(app, rule_code="promise_unscheduled")[0]
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        uow.session.add(Alert(rule_id=first.rule_id, rule_code=first.rule_code, order_id=order.id,
                              order_no=order.order_no, level="yellow", open_key=open_key(order.id, first.rule_id)))
        with pytest.raises(IntegrityError):
            uow.session.flush()
