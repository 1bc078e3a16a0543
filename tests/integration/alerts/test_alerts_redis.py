"""Against real Redis: delayed messages sit in RQ's scheduled registry until the shift starts,
a repeated sweep enqueues nothing twice, and an ack reaches open boards over pub/sub."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
import redis
from rq.registry import ScheduledJobRegistry

from orders.status import Status
from tests.conftest import auth, make_app

from .conftest import alerts_of, local, make_order, outbox, sweep_at

REDIS_DB = 13  # reserved for these tests; flushed before and after
REDIS_URL = os.environ.get("OPS_TEST_ALERTS_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")
pytestmark = pytest.mark.redis


@pytest.fixture
def app(db_url):
    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis not reachable")
    conn.flushdb()
    application = make_app(db_url, redis_url=REDIS_URL, run_jobs_inline=False)
    yield application
    application.extensions["ops"].engine.dispose()
    conn.flushdb()
    conn.close()


def _jobs(rt) -> tuple[dict[int, float], set[int]]:
    """Outbox ids of deliver jobs: scheduled (id -> unix time), and enqueued for now (queued or taken)."""
    registry = ScheduledJobRegistry(queue=rt.queue)
    scheduled_ids = set(registry.get_job_ids())
    scheduled, now = {}, set()
    for key in rt.redis.scan_iter("rq:job:*"):
        job_id = key.decode().split(":", 2)[2]
        job = rt.queue.fetch_job(job_id) if ":" not in job_id else None
        if job is None or job.func_name != "notify.outbox.deliver":
            continue
        if job_id in scheduled_ids:
            scheduled[job.args[0]] = registry.get_scheduled_time(job).timestamp()
        else:
            now.add(job.args[0])
    return scheduled, now


def test_quiet_hours_schedule_delivery_and_ack_reaches_boards(app, client, token_for, people):
    rt = app.extensions["ops"]
    order = make_order(app, Status.PENDING_SCHEDULE, at=local(2030, 3, 1, 9), promised_date=date(2030, 3, 8))
    sweep_at(app, local(2030, 3, 3, 23, 0))  # Sunday night: within 5 working days
    [alert] = alerts_of(app, rule_code="promise_unscheduled")
    ids = {n.id for n in outbox(app, alert_id=alert.id)}
    scheduled, queued = _jobs(rt)
    assert ids and ids <= set(scheduled) and not ids & queued
    assert {scheduled[i] for i in ids} == {local(2030, 3, 4, 8).timestamp()}

    sweep_at(app, local(2030, 3, 3, 23, 1))
    assert _jobs(rt) == (scheduled, queued)

    sweep_at(app, local(2030, 3, 4, 12, 0))  # window passed in working time: 董事长, at once
    step1 = {n.id for n in outbox(app, alert_id=alert.id, recipient="chairman")}
    assert step1 and step1 <= _jobs(rt)[1]

    pubsub = rt.redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe("ops:live")
    r = client.post(f"/api/alerts/{alert.id}/ack", headers=auth(token_for("planner")))
    assert r.status_code == 200
    seen = []
    for _ in range(50):
        msg = pubsub.get_message(timeout=0.1)
        if msg:
            data = json.loads(msg["data"])
            if data.get("topic") == "alert" and data.get("action") == "acked":
                seen.append(data)
                break
    pubsub.close()
    assert seen and seen[0]["items"][0]["order_no"] == order.order_no

    before = _jobs(rt)
    sweep_at(app, local(2030, 3, 4, 16, 0))
    assert _jobs(rt) == before
    assert outbox(app, recipient="president") == []
