"""The production webhook path (PostgreSQL + a real Redis queue): concurrent callbacks of one process share one
INSERT and one RPUSH onto the inbox, and still store every message once; the dispatcher (bot/inbox.py) then
queues one job per new message, commands on the priority queue."""

from __future__ import annotations

import threading

import pytest
import redis as redis_lib
from rq import Queue
from sqlmodel import func, select

from bot.inbound import Incoming, accept
from bot.inbox import drain, inbox_key
from bot.models import InboundMessage
from core.db import new_session
from tests.conftest import REDIS_URL, make_app


def _redis_or_skip() -> redis_lib.Redis:
    client = redis_lib.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis_lib.ConnectionError:
        pytest.skip("Redis not reachable")
    return client


def _message(i: int, text: str) -> Incoming:
    return Incoming(platform="wecom_bot", platform_msg_id=f"gc-{i}", text=text, msgtype="text", chat_id="g1",
                    chat_type="group", sender_id="u1", raw={"msgid": f"gc-{i}", "n": i})


def test_concurrent_callbacks_store_each_message_once_and_queue_one_job_each(pg_url):
    client = _redis_or_skip()
    client.flushdb()
    app = make_app(pg_url, redis_url=REDIS_URL, run_jobs_inline=False)
    rt = app.extensions["ops"]
    distinct = 40
    texts = ["SO20261120-0042 已发货 顺丰 SF1402938475621", "今天中午吃什么"]
    # every message arrives twice (WeCom's retry racing the first delivery), from 16 threads at once
    work = [_message(i, texts[i % 2]) for i in range(distinct)] * 2
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def sender(share: list[Incoming]) -> None:
        start.wait()
        for msg in share:
            row, is_new = accept(rt, msg)
            with lock:
                results.append((row.id, is_new))

    threads = [threading.Thread(target=sender, args=(work[k::16],)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert len(results) == 2 * distinct
        assert sum(1 for _, new in results if new) == distinct  # each message new exactly once
        assert len({row_id for row_id, _ in results}) == distinct  # both copies point at the one row
        with new_session(rt.engine) as s:
            assert s.exec(select(func.count()).select_from(InboundMessage)).one() == distinct
            stored = s.exec(select(InboundMessage).where(InboundMessage.platform_msg_id == "gc-3")).one()
            assert stored.raw == {"msgid": "gc-3", "n": 3} and stored.status == "received"
        normal, priority = Queue("ops", connection=client), Queue("ops-priority", connection=client)
        assert client.llen(inbox_key(rt)) == distinct and normal.count == priority.count == 0
        assert drain(rt) == distinct and client.llen(inbox_key(rt)) == 0
        # commands go to the priority queue, chit-chat to the normal one; one job per stored message
        assert priority.count == distinct // 2 and normal.count == distinct // 2
        queued = sorted(job.args[0] for q in (normal, priority) for job in q.get_jobs())
        assert queued == sorted({row_id for row_id, _ in results})
    finally:
        client.flushdb()
        rt.engine.dispose()


def test_a_database_failure_fails_the_callback_and_queues_nothing(pg_url):
    """A failed INSERT reaches the caller (the webhook answers 503 and WeCom retries): no job, no row."""
    client = _redis_or_skip()
    client.flushdb()
    app = make_app(pg_url, redis_url=REDIS_URL, run_jobs_inline=False)
    rt = app.extensions["ops"]
    with rt.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE inbound_message ADD CONSTRAINT short_text CHECK (length(text) < 5)")
    try:
        with pytest.raises(Exception, match="short_text"):
            accept(rt, _message(1, "SO20261120-0042 已发货 顺丰 SF1402938475621"))
        assert client.llen(inbox_key(rt)) == 0
        assert accept(rt, _message(2, "好的"))[1] is True  # the pool still works after the failure
    finally:
        client.flushdb()
        rt.engine.dispose()
