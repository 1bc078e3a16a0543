"""`make run`'s in-process worker on the embedded Redis runs queued jobs and RQ's delayed ones (the
scheduler's lock is a Lua script, so the embedded Redis must speak Lua)."""

from __future__ import annotations

import time
from datetime import timedelta

from tests.conftest import make_app
from worker import InProcessWorker


def remember(value: str) -> None:
    """A job: leaves its value in Redis for the test to find."""
    from core.runtime import current_runtime

    current_runtime().redis.rpush("test:remembered", value)


def test_queued_and_delayed_jobs_run_in_the_embedded_worker(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'ops.db'}", run_jobs_inline=False)
    rt = app.extensions["ops"]
    assert rt.embedded_redis
    thread = InProcessWorker(app, poll=0.1)
    thread.start()
    try:
        rt.queue.enqueue(remember, "now")
        rt.queue.enqueue_in(timedelta(seconds=1), remember, "later")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and rt.redis.llen("test:remembered") < 2:
            time.sleep(0.1)
        assert sorted(v.decode() for v in rt.redis.lrange("test:remembered", 0, -1)) == ["later", "now"]
    finally:
        thread.stop()
        thread.join(10)
        rt.engine.dispose()
