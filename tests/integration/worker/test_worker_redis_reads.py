"""A job worker's Redis connections wait as long as RQ's BLPOP does.

redis-py gives a connection a 5 s read timeout by default; RQ raises the pool's setting for connections
made after its worker is built, but one made before (the inbox dispatcher starts first) kept 5 s, and an
idle worker whose BLPOP took it quit every 5 s with "Redis connection timeout"."""

from __future__ import annotations

import time

import pytest
import redis as redis_lib
from rq import SimpleWorker

from core.runtime import Runtime
from tests.conftest import REDIS_URL, make_app
from worker import _long_reads, job_queues


@pytest.fixture
def rt(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'ops.db'}", redis_url=REDIS_URL, run_jobs_inline=False)
    runtime: Runtime = app.extensions["ops"]
    yield runtime
    runtime.redis.connection_pool.disconnect()
    runtime.engine.dispose()


def test_a_connection_made_before_the_worker_outlasts_rqs_blocking_pop(rt):
    pool = rt.redis.connection_pool
    early = pool.get_connection()  # as the dispatcher's first round makes it
    pool.release(early)

    _long_reads(rt)
    worker = SimpleWorker(job_queues(rt), connection=rt.redis)
    conn = pool.get_connection()
    try:
        assert conn.socket_timeout >= worker.connection_timeout > worker.dequeue_timeout
    finally:
        pool.release(conn)

    key = f"test:empty:{time.monotonic_ns()}"
    started = time.monotonic()
    assert rt.redis.blpop([key], timeout=7) is None  # 5 s read timeout would raise here
    assert time.monotonic() - started >= 6.5


def test_the_default_read_timeout_cuts_a_long_blocking_pop():
    """The floor of the test above: without the setting, the same BLPOP fails after 5 s."""
    client = redis_lib.Redis.from_url(REDIS_URL)
    with pytest.raises(redis_lib.exceptions.TimeoutError):
        client.blpop([f"test:empty:{time.monotonic_ns()}"], timeout=7)
    client.connection_pool.disconnect()
