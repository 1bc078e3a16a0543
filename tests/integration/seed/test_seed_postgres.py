"""The demo factory and the order import on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bootstrap import seed_demo
from core.db import new_session
from demo.plan import STATUS_COUNTS
from orders.importer import import_csv
from orders.models import Customer, Order, Staff, StatusEvent
from tests.conftest import make_app

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def pg_app(pg_url):
    app = make_app(pg_url)
    yield app
    app.extensions["ops"].engine.dispose()


def test_demo_factory_loads_on_postgres_with_consistent_histories(pg_app, tmp_path):
    rt = pg_app.extensions["ops"]
    assert seed_demo(rt, now=NOW) is True
    assert seed_demo(rt, now=NOW) is False
    with new_session(rt.engine) as s:
        orders = s.exec(select(Order)).all()
        assert Counter(o.status for o in orders) == Counter({st.value: n for st, n in STATUS_COUNTS})
        last = {}
        for e in s.exec(select(StatusEvent).order_by(StatusEvent.id)).all():
            last[e.order_id] = e.to_status
        assert all(last[o.id] == o.status for o in orders)
        userids = set(s.exec(select(Staff.userid)).all())
    roles = ("sales", "planner", "purchasing", "production", "qc", "warehouse", "logistics", "finance",
             "manager", "admin")
    assert {f"demo.{r}" for r in roles} <= userids

    with new_session(rt.engine) as s:
        name = s.get(Customer, orders[0].customer_id).name
    path = tmp_path / "import.csv"
    path.write_bytes(f"客户,产品编码,数量,交期,ERP单号\n{name},SH-100,100,2026-12-20,PG-IMPORT-1\n".encode("gbk"))
    first, second = import_csv(rt, path), import_csv(rt, path)
    assert (first.created, second.created, second.skipped, second.failed) == (1, 0, 1, 0)
