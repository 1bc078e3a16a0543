"""Helpers of the alert tests: a factory with a four-rung ladder, local times, the outbox."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import select

from alerts.models import Alert
from core.db import new_session
from notify.models import Notification
from orders.models import Staff
from tests.factories import basic_factory, order_in, staff

SH = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=0, mm=0) -> datetime:
    """An aware instant given as Shanghai wall time."""
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def sweep_at(app, when: datetime) -> dict:
    from alerts.sweep import run_sweep

    with app.app_context():
        return run_sweep(now=when)


def outbox(app, **where) -> list[Notification]:
    with new_session(app.extensions["ops"].engine) as s:
        rows = s.exec(select(Notification).order_by(Notification.id)).all()
    return [n for n in rows if all(getattr(n, k) == v for k, v in where.items())]


def alerts_of(app, **where) -> list[Alert]:
    with new_session(app.extensions["ops"].engine) as s:
        rows = s.exec(select(Alert).order_by(Alert.id)).all()
    return [a for a in rows if all(getattr(a, k) == v for k, v in where.items())]


def make_order(app, status, *, at: datetime, **kw):
    """An order walked to `status` with the clock frozen at `at` (status events carry that time)."""
    rt = app.extensions["ops"]
    with freeze_time(at), rt.uow() as uow:
        order = order_in(uow, status, **kw)
        uow.commit()
    return order


@pytest.fixture
def people(app) -> dict:
    """basic_factory's people plus 董事长 above 王总 and 集团总裁 above 董事长."""
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        made = basic_factory(uow)
        president = staff(uow, "集团总裁", "manager", userid="president", mobile="13700000001",
                          email="president@example.com")
        chairman = staff(uow, "董事长", "manager", userid="chairman", mobile="13700000002",
                         email="chairman@example.com", manager=president)
        boss = uow.session.get(Staff, made["people"]["manager"].id)
        boss.manager_id = chairman.id
        uow.session.add(boss)
        uow.commit()
    return {**made["people"], "chairman": chairman, "president": president}
