"""The webhook's group commit (PostgreSQL) enqueues the jobs of several requests from one thread; each job
still carries the id of the request that brought its message, not the id of the thread that flushed."""

from __future__ import annotations

import threading
import time

import pytest
import redis as redis_lib
from rq import Queue

from bot.inbound import GroupInsert, Incoming, accept
from bot.inbox import drain
from core.logs import bound_request_id
from core.runtime import PRIORITY_QUEUE_NAME, QUEUE_NAME
from tests.conftest import make_app
from tests.support.deploy import REDIS_URL

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_each_job_of_a_grouped_flush_carries_its_own_request_id(pg_url):
    client = redis_lib.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis_lib.ConnectionError:
        pytest.skip("Redis not reachable")
    client.flushdb()
    app = make_app(pg_url, redis_url=REDIS_URL, run_jobs_inline=False)
    rt = app.extensions["ops"]
    group = rt.extras["bot.inbound.group"] = GroupInsert(rt)
    stored: dict[str, int] = {}

    def callback(n: int) -> None:
        msg = Incoming(platform="wecom_bot", platform_msg_id=f"rid-{n}", text="今天中午吃什么", msgtype="text",
                       chat_id="g1", chat_type="group", sender_id="u1", raw={"n": n})
        with bound_request_id(f"req-{n}"):
            row, _ = accept(rt, msg)
        stored[f"req-{n}"] = row.id

    try:
        with group._cond:  # play a leader busy writing: all four rows wait for one batch
            group._leading = True
        threads = [threading.Thread(target=callback, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(group._pending) < 4:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with group._cond:  # hand the lead on: one of the four writes all four
            group._leading = False
            group._cond.notify_all()
        for t in threads:
            t.join(10)
        assert drain(rt) == 4  # the dispatcher tags each job with the request that brought its message
        jobs = [j for name in (QUEUE_NAME, PRIORITY_QUEUE_NAME) for j in Queue(name, connection=client).jobs]
        assert sorted((j.meta.get("request_id"), j.args[0]) for j in jobs) == sorted(
            (rid, inbound_id) for rid, inbound_id in stored.items())
    finally:
        rt.engine.dispose()
        client.flushdb()
