"""Two processes change and create orders at once: no lost update, no duplicate number."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import func, select

from orders.models import Order, StatusEvent
from orders.status import Status
from tests.conftest import make_app
from tests.factories import basic_factory, order_in

ROOT = Path(__file__).resolve().parents[3]
PER_PROCESS = 500


def _run_two(*args: str) -> list[dict]:
    procs = [subprocess.Popen([sys.executable, "-m", "tests.integration.orders.race_worker", *args],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.fixture(params=["postgres", "sqlite"])
def race_db(request, tmp_path):
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else f"sqlite:///{tmp_path / 'race.db'}"
    app = make_app(url)
    with app.extensions["ops"].uow() as uow:
        basic_factory(uow)
        uow.commit()
    yield app, url
    app.extensions["ops"].engine.dispose()


@pytest.mark.slow
def test_two_processes_changing_the_same_orders_lose_no_update(race_db):
    app, url = race_db
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        orders = [order_in(uow, Status.PENDING_SCHEDULE) for _ in range(3)]
        uow.commit()
    start = {o.order_no: (o.version, o.id) for o in orders}
    results = _run_two("toggle", url, str(PER_PROCESS), *start)
    accepted = Counter()
    for r in results:
        accepted.update(r["accepted"])
    assert sum(accepted.values()) + sum(r["conflicts"] for r in results) == 2 * PER_PROCESS
    with rt.uow() as uow:
        for no, (version0, order_id) in start.items():
            order = uow.session.exec(select(Order).where(Order.order_no == no)).one()
            events_after = uow.session.exec(select(func.count()).select_from(StatusEvent).where(
                StatusEvent.order_id == order_id, StatusEvent.command.in_(("schedule", "unschedule")))).one()
            assert events_after == accepted[no], no
            assert order.version - version0 == accepted[no], no
            expected = "scheduled" if accepted[no] % 2 else "pending_schedule"
            assert order.status == expected


@pytest.mark.slow
def test_two_processes_creating_orders_never_share_a_number(race_db):
    app, url = race_db
    results = _run_two("create", url, str(PER_PROCESS))
    numbers = results[0]["numbers"] + results[1]["numbers"]
    assert len(numbers) == 2 * PER_PROCESS
    assert len(set(numbers)) == len(numbers)
    with app.extensions["ops"].uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(Order)).one() == 2 * PER_PROCESS
