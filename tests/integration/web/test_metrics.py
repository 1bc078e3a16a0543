"""`/metrics` over the app with the real Redis server: the figures move when a chat message arrives, a
notification is queued, the sweep runs, a live board opens and requests are served; who may read it."""

from __future__ import annotations

import json
import os
import uuid

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from bot.inbox import drain
from core.runtime import PRIORITY_QUEUE_NAME, QUEUE_NAME
from tests.conftest import make_app
from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, robot_message, signed_query

pytestmark = [pytest.mark.redis]
REDIS_URL = os.environ.get("OPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
GOOD_TOKEN = "metrics-token-" + "x" * 16


@pytest.fixture
def metrics_app(db_url):
    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable")
    r.flushdb()
    app = make_app(db_url, redis_url=REDIS_URL, run_jobs_inline=False, wecom_bot_token=BOT_TOKEN,
                   wecom_bot_aes_key=BOT_AES_KEY, web={"metrics_token": GOOD_TOKEN})
    with app.app_context():
        yield app
    app.extensions["ops"].engine.dispose()
    r.flushdb()


def scrape(client, **kwargs) -> dict:
    """{(name, ((label, value), …)): value} of one scrape."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(figures: dict, name: str, **labels) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def queued_jobs(figures: dict) -> float:
    return sum(value(figures, "ops_queue_jobs", queue=q, state="queued") for q in (QUEUE_NAME, PRIORITY_QUEUE_NAME))


def post_robot_message(client, text: str, request_id: str):
    ciphertext = encrypt(BOT_AES_KEY, json.dumps(robot_message(text), ensure_ascii=False), "")
    return client.post("/wecom/bot", query_string=signed_query(BOT_TOKEN, ciphertext),
                       json={"encrypt": ciphertext}, headers={"X-Request-ID": request_id})


def test_a_received_chat_message_shows_in_the_backlog_the_queue_and_the_request_counts(metrics_app):
    client = metrics_app.test_client()
    before = scrape(client)
    assert value(before, "ops_metrics_source_up", source="database") == 1
    assert value(before, "ops_metrics_source_up", source="redis") == 1
    answer = post_robot_message(client, "SO20261120-0042 到哪了", "req-metrics-0001")
    assert answer.status_code == 200
    assert answer.headers["X-Request-ID"] == "req-metrics-0001"
    after = scrape(client)
    assert value(after, "ops_inbound_messages", status="received") == value(
        before, "ops_inbound_messages", status="received") + 1
    assert value(after, "ops_inbox_waiting") == value(before, "ops_inbox_waiting") + 1
    rt = metrics_app.extensions["ops"]
    assert drain(rt) == 1  # the dispatcher of `ops worker` (bot/inbox.py) turns it into a job
    after = scrape(client)
    assert value(after, "ops_inbox_waiting") == value(before, "ops_inbox_waiting")
    assert queued_jobs(after) == queued_jobs(before) + 1
    assert value(before, "ops_inbound_oldest_waiting_seconds") == 0
    assert 0 < value(after, "ops_inbound_oldest_waiting_seconds") < 60
    key = ("ops_http_requests_total", (("endpoint", "bot_wecom.robot_message"), ("method", "POST"), ("status", "200")))
    assert after[key] == before.get(key, 0) + 1
    # The job the request queued carries its id (the worker logs it: test_request_id_in_worker_log.py).
    jobs = [j for q in (Queue(QUEUE_NAME, connection=rt.redis), Queue(PRIORITY_QUEUE_NAME, connection=rt.redis))
            for j in q.jobs]
    assert [j.meta.get("request_id") for j in jobs] == ["req-metrics-0001"]


def test_a_queued_notification_shows_in_the_outbox_by_channel_and_status(metrics_app):
    from notify.outbox import queue_notification

    client = metrics_app.test_client()
    rt = metrics_app.extensions["ops"]
    before = scrape(client)
    with rt.uow() as uow:
        queue_notification(uow, kind="reply", channel="sms", recipient="13800000000", body="测试",
                           dedupe_key=f"metrics-{uuid.uuid4().hex}")
        uow.commit()
    after = scrape(client)
    assert value(after, "ops_outbox_notifications", channel="sms", status="queued") == value(
        before, "ops_outbox_notifications", channel="sms", status="queued") + 1
    assert queued_jobs(after) == queued_jobs(before) + 1  # its delivery job
    assert 0 < value(after, "ops_outbox_oldest_due_seconds") < 60


def test_the_alert_sweep_duration_is_recorded_as_last_value_and_histogram(metrics_app):
    from alerts.sweep import run_sweep

    client = metrics_app.test_client()
    assert value(scrape(client), "ops_alert_sweep_seconds_count") == 0
    run_sweep()
    run_sweep()
    figures = scrape(client)
    assert value(figures, "ops_alert_sweep_seconds_count") == 2
    assert value(figures, "ops_alert_sweep_last_seconds") > 0
    assert value(figures, "ops_alert_sweep_seconds_bucket", le="+Inf") == 2
    assert value(figures, "ops_alert_sweep_seconds_sum") >= value(figures, "ops_alert_sweep_last_seconds")


def test_open_live_streams_are_counted_until_they_close(metrics_app):
    from web.live import hub_for

    client = metrics_app.test_client()
    hub = hub_for(metrics_app)
    assert value(scrape(client), "ops_live_streams_open") == 0
    first, second = hub.subscribe(), hub.subscribe()
    assert value(scrape(client), "ops_live_streams_open") == 2
    hub.unsubscribe(first)
    assert value(scrape(client), "ops_live_streams_open") == 1
    hub.unsubscribe(second)
    assert value(scrape(client), "ops_live_streams_open") == 0


def test_requests_are_counted_by_endpoint_and_status(metrics_app):
    client = metrics_app.test_client()
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/no-such-page").status_code == 404
    after = scrape(client)
    ok = ("ops_http_requests_total", (("endpoint", "health.healthz"), ("method", "GET"), ("status", "200")))
    missing = ("ops_http_requests_total", (("endpoint", "unmatched"), ("method", "GET"), ("status", "404")))
    assert after[ok] == before.get(ok, 0) + 2
    assert after[missing] == before.get(missing, 0) + 1


def test_only_allowed_addresses_or_the_token_may_read_it(metrics_app):
    client = metrics_app.test_client()
    outside = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    assert client.get("/metrics").status_code == 200  # 127.0.0.1: allowed by default
    assert client.get("/metrics", **outside).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}, **outside).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 403
    scrape(client, headers={"Authorization": f"Bearer {GOOD_TOKEN}"}, **outside)


def test_a_configured_network_may_read_it_and_loopback_then_may_not(db_url):
    app = make_app(db_url, web={"metrics_allow": "10.0.0.0/8"})
    with app.app_context():
        client = app.test_client()
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.168.1.5"}).status_code == 404
    app.extensions["ops"].engine.dispose()
