"""A worker killed (SIGKILL) in the middle of a send: the message is never lost, and WeCom
app messages are not shown twice.

The guarantee, exactly: the outbox claim (a lease) makes one worker send a row at a time and
a job run twice send once. A worker that dies after the provider accepted the message but
before the row was marked sent leaves the row `sending`; when its lease runs out the
catch-up sends it again: at least once. For `wecom_app`, WeCom's enable_duplicate_check
(1800 s) drops that second copy, so the member sees it once. Robots, email and SMS have no
such guard: there a crash in that window may deliver twice (never zero times).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import update

from core.types import utcnow
from notify.models import Notification
from notify.outbox import deliver
from tests.support.notify_env import (
    REDIS_15,
    forget_keys,
    notify_app,
    queue,
    row,
    unique,
    wecom_settings,
)
from tests.support.wecom_standin import WeComStandin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LEASE_SECONDS = 1

# An `ops worker` in miniature: the app on the same database and Redis, an RQ SimpleWorker in burst mode.
WORKER = """
import json, sys
from rq import Queue, SimpleWorker
from tests.support.notify_env import notify_app
from notify.outbox import catch_up
cfg = json.loads(sys.argv[1])
app = notify_app(cfg["db"], **cfg["settings"])
rt = app.extensions["ops"]
rt.queue = Queue(cfg["queue"], connection=rt.redis)
with app.app_context():
    if cfg["catch_up"]:
        print("caught up", catch_up(), flush=True)
    SimpleWorker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")
"""


def until(predicate, what: str, timeout: float = 30.0) -> None:
    """Poll (bounded) until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def wecom():
    with WeComStandin(corp_id=unique("ww"), secret="s3cret") as w:
        yield w


@pytest.fixture
def setup(wecom, tmp_path):
    """The parent's app (queues rows) and the config of worker subprocesses on the same stores."""
    settings = {**wecom_settings(wecom), "redis_url": REDIS_15, "run_jobs_inline": False,
                "notify": {"outbox_lease_seconds": LEASE_SECONDS}}
    db = f"sqlite:///{tmp_path / 'kill.db'}"
    app = notify_app(db, **settings)
    rt = app.extensions["ops"]
    rt.queue = Queue(unique("notify-kill-"), connection=rt.redis)
    yield app, {"db": db, "settings": settings, "queue": rt.queue.name}
    rt.queue.delete(delete_jobs=True)
    for leftover in rt.redis.scan_iter(match=f"rq:*{rt.queue.name}*"):
        rt.redis.delete(leftover)
    forget_keys(rt.redis, wecom.corp_id, "robot:")
    rt.engine.dispose()


def run_worker(cfg: dict, *, catch_up: bool) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, json.dumps({**cfg, "catch_up": catch_up})], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_mid_send_then_recover(app, cfg: dict, wecom: WeComStandin, accepted, channel: str, recipient: str) -> int:
    """Worker 1 is SIGKILLed while WeCom holds its answer; worker 2 catches up after the lease."""
    wecom.stall_next(1, seconds=120, after_accept=True,
                     path="/cgi-bin/message/send" if channel == "wecom_app" else "/cgi-bin/webhook/send")
    with app.app_context():
        nid = queue(app, channel, recipient, "SO20261120-0042 已入库，请安排发货")
    first = run_worker(cfg, catch_up=False)
    try:
        until(lambda: len(accepted()) == 1, "WeCom to accept the message")
        assert row(app, nid).status == "sending"
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    until(lambda: row(app, nid).lease_until < utcnow(), "the lease to run out", timeout=LEASE_SECONDS + 10)
    with app.extensions["ops"].engine.begin() as conn:  # the cron's catch-up looks at rows older than 20 s
        conn.execute(update(Notification).where(Notification.id == nid)
                     .values(created_at=utcnow() - timedelta(minutes=1)))
    second = run_worker(cfg, catch_up=True)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "caught up 1" in out
    return nid


def test_app_message_killed_mid_send_is_shown_once(setup, wecom):
    app, cfg = setup
    nid = kill_mid_send_then_recover(app, cfg, wecom, lambda: wecom.app_messages, "wecom_app", "t.warehouse")
    n = row(app, nid)
    assert (n.status, n.attempts) == ("sent", 2)
    assert len(wecom.app_messages) == 1 and wecom.duplicates == 1  # the re-send was WeCom's duplicate


def test_robot_message_killed_mid_send_is_not_lost(setup, wecom):
    app, cfg = setup
    key = unique("robot-")
    wecom.valid_webhook_keys.add(key)
    nid = kill_mid_send_then_recover(app, cfg, wecom, lambda: wecom.webhook_messages, "wecom_robot", key)
    assert row(app, nid).status == "sent"
    # At least once: the robot webhook has no duplicate check, so the crash window shows twice.
    assert len(wecom.webhook_messages) == 2


def test_a_job_run_twice_at_the_same_time_sends_once(setup, wecom):
    app, _ = setup
    key = unique("robot-")
    wecom.valid_webhook_keys.add(key)
    with app.app_context():
        nid = queue(app, "wecom_robot", key, "只发一次")
    wecom.stall_next(1, seconds=120, after_accept=True, path="/cgi-bin/webhook/send")
    results: list[str] = []

    def job():
        with app.app_context():
            results.append(deliver(nid))

    first = threading.Thread(target=job)
    first.start()
    until(lambda: len(wecom.webhook_messages) == 1, "the first job to be sending")
    job()  # the same job again, while the first is still waiting on WeCom
    assert results == ["not-claimed"]
    wecom.close()  # releases the stalled answer
    first.join(30)
    assert results == ["not-claimed", "sent"] and len(wecom.webhook_messages) == 1
