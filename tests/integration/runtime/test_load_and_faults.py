"""A factory's busiest hour in the production layout, with faults: `ops serve` + two `ops worker` on real
PostgreSQL and a private real Redis; 2,000 robot messages from 8 concurrent senders (WeCom's retries
included) while 20 boards are open; Redis stopped for 20 s in the middle; one worker SIGKILLed mid-job.

Nothing lost, nothing applied twice, every command applied, /healthz answering throughout, and a
command sent after it all is applied within 10 s.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from sqlalchemy import func
from sqlmodel import select

from accounts.service import create_user
from bot.models import InboundMessage
from core.db import new_session
from orders.models import Order, StatusEvent
from orders.status import Status
from tests.conftest import make_app
from tests.e2e.web.server import login_session
from tests.factories import basic_factory, order_in
from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, robot_message, signed_query
from tests.support.wecom_standin import WeComStandin

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 2000
COMMANDS = 120
SENDERS = 8
BOARDS = 20
CHATTER = ["收到", "好的", "今天天气不错", "明天发货", "把图纸发我", "谁在仓库？", "午饭吃什么", "辛苦了",
           "这批货什么时候能好", "下午开会"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(predicate, what: str, timeout: float = 60, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class PrivateRedis:
    """A redis-server of our own on a free port, so the test may stop and start it."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL)
        _wait(lambda: _listening(self.port), "redis to listen", 20, 0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


def _ops(*args: str, env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=kw.pop("stderr", subprocess.DEVNULL), start_new_session=True, **kw)


def _send(base: str, body: dict) -> bool:
    """POST one robot message the way WeCom does: up to 3 tries, 5 s deadline each; True when accepted."""
    ciphertext = encrypt(BOT_AES_KEY, json.dumps(body, ensure_ascii=False), "")
    for _ in range(3):
        query = urllib.parse.urlencode(signed_query(BOT_TOKEN, ciphertext))
        try:
            r = requests.post(f"{base}/wecom/bot?{query}", json={"encrypt": ciphertext}, timeout=5)
            if r.status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    return False


@pytest.fixture
def layout(pg_url, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server binary not installed")
    redis = PrivateRedis()
    redis.start()
    with WeComStandin(corp_id="ww_test", secret="s3cret", agent_id=1000002) as wecom:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPS_", "WECOM", "MQTT", "SMTP", "SMS"))}
        env.update(DATABASE_URL=pg_url, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0", SECRET_KEY="load-test",
                   WECOM_BOT_TOKEN=BOT_TOKEN, WECOM_BOT_AES_KEY=BOT_AES_KEY, WECOM_API_BASE=wecom.base_url)
        subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
        app = make_app(pg_url)
        rt = app.extensions["ops"]
        with rt.uow() as uow:
            basic_factory(uow)
            orders = [order_in(uow, Status.IN_STOCK).order_no for _ in range(COMMANDS + 1)]
            create_user(uow.session, "boardwall", "manager", "board-pass-1")
            uow.commit()
        port = _free_port()
        server = _ops("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", env=env)
        workers = [_ops("worker", env=env, stderr=open(tmp_path / f"worker{i}.log", "wb")) for i in range(2)]
        try:
            _wait(lambda: _listening(port), "ops serve to listen", 60)
            yield {"base": f"http://127.0.0.1:{port}", "rt": rt, "orders": orders, "redis": redis,
                   "workers": workers, "wecom": wecom, "logs": tmp_path}
        finally:
            for proc in [server, *workers]:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in [server, *workers]:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            redis.stop()
            rt.engine.dispose()


class Probe(threading.Thread):
    """Asks /healthz every 250 ms; records every probe that got no HTTP answer within 5 s."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stop, self.answers, self.misses = base, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                requests.get(f"{self.base}/healthz", timeout=5)
                self.answers += 1
            except requests.RequestException as exc:
                self.misses.append(repr(exc))
            self.stop.wait(0.25)


class Board(threading.Thread):
    """One open board: reads the live stream, reconnecting when the server ends it."""

    def __init__(self, session: requests.Session, base: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.session, self.base, self.stop, self.events = session, base, stop, 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with self.session.get(f"{self.base}/admin/live", stream=True, timeout=(5, 30)) as r:
                    for line in r.iter_lines(decode_unicode=True):
                        if line and line.startswith("data:"):
                            self.events += 1
                        if self.stop.is_set():
                            return
            except requests.RequestException:
                self.stop.wait(1)


def _counts(rt) -> dict:
    with new_session(rt.engine) as s:
        by_status = dict(s.exec(select(InboundMessage.status, func.count()).group_by(InboundMessage.status)).all())
        return by_status


def _failures(rt, logs) -> list:
    """What went wrong with messages answered with an internal error: their stored error and the log lines."""
    with new_session(rt.engine) as s:
        rows = s.exec(select(InboundMessage.id, InboundMessage.text, InboundMessage.error)
                      .where(InboundMessage.status == "failed")).all()
    lines = []
    for path in sorted(logs.glob("worker*.log")):
        text = path.read_text(errors="replace").splitlines()
        lines += [f"{path.name}: {line}" for i, line in enumerate(text)
                  if "failed (ref" in line or "Error" in line][:40]
    return [tuple(r) for r in rows] + lines


def test_a_busy_hour_with_a_redis_outage_and_a_killed_worker_loses_nothing(layout):
    base, rt, orders = layout["base"], layout["rt"], layout["orders"]
    commanded, last = orders[:COMMANDS], orders[COMMANDS]
    rng = random.Random(7)
    plan: list[dict] = []
    for i, no in enumerate(commanded):
        plan.append(robot_message(f"{no} 已发货 顺丰 SF{1402938470000 + i}", msgid=f"cmd-{i}",
                                  response_url=layout["wecom"].response_url(f"cmd-{i}")))
    for i in range(MESSAGES - COMMANDS):
        text = rng.choice(CHATTER) if i % 5 else f"{rng.choice(commanded)} 到哪了"
        plan.append(robot_message(text, msgid=f"chat-{i}", response_url=layout["wecom"].response_url(f"chat-{i}")))
    rng.shuffle(plan)
    plan += rng.sample(plan, 100)  # WeCom's own retries of messages already delivered

    probe = Probe(base)
    probe.start()
    stop_boards = threading.Event()
    boards = [Board(login_session(base, "boardwall", "board-pass-1"), base, stop_boards) for _ in range(BOARDS)]
    for board in boards:
        board.start()

    queue = list(enumerate(plan))
    lock, refused = threading.Lock(), []
    sent = [0]

    def sender():
        while True:
            with lock:
                if not queue:
                    return
                _, body = queue.pop(0)
            if not _send(base, body):
                refused.append(body["msgid"])
            with lock:
                sent[0] += 1

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for t in threads:
        t.start()

    _wait(lambda: sent[0] >= len(plan) // 3, "a third of the messages to be sent", 300, 0.1)
    layout["redis"].stop()
    time.sleep(20)
    layout["redis"].start()
    _wait(lambda: sent[0] >= 2 * len(plan) // 3, "two thirds of the messages to be sent", 300, 0.1)
    victim = layout["workers"][0]
    os.killpg(victim.pid, signal.SIGKILL)
    for t in threads:
        t.join(600)
    assert victim.wait(timeout=60) == -signal.SIGKILL  # the victim is gone; the other worker finishes its work

    assert refused == []
    _wait(lambda: set(_counts(rt)) <= {"processed", "ignored", "failed"} and sum(_counts(rt).values()) == MESSAGES,
          "every stored message to be processed", 300, 1)
    counts = _counts(rt)
    assert sum(counts.values()) == MESSAGES  # each msgid stored once, none lost
    assert counts.get("failed", 0) == 0, (counts, _failures(rt, layout["logs"]))

    with new_session(rt.engine) as s:
        shipped = s.exec(select(StatusEvent.order_id, func.count()).where(StatusEvent.to_status == "shipped")
                         .group_by(StatusEvent.order_id)).all()
        assert len(shipped) == COMMANDS and all(n == 1 for _, n in shipped)  # every command applied, once
        statuses = set(s.exec(select(Order.status).where(Order.order_no.in_(commanded))).all())
        assert statuses == {"shipped"}

    started = time.monotonic()
    assert _send(base, robot_message(f"{last} 已发货 自提", msgid="after-the-storm"))

    def applied() -> bool:
        with new_session(rt.engine) as s:
            return s.exec(select(Order.status).where(Order.order_no == last)).one() == "shipped"

    _wait(applied, "the command after the storm to be applied", 10, 0.1)
    print(f"command after the burst applied in {time.monotonic() - started:.2f} s; inbound {counts}; "
          f"healthz answers {probe.answers}; board events {[b.events for b in boards]}")

    stop_boards.set()
    probe.stop.set()
    probe.join(10)
    assert probe.misses == [], probe.misses[:5]
    assert probe.answers > 0
    assert sum(1 for b in boards if b.events > 0) == BOARDS  # every board saw live updates
