"""Fixtures of the `ops worker` tests: PostgreSQL, a private redis-server, the worker as a real process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis as redis_lib
from sqlmodel import select

from bot.inbound import Incoming, accept
from bot.models import InboundMessage
from core.db import new_session
from orders.status import Status
from tests.conftest import make_app
from tests.factories import basic_factory, order_in

ROOT = Path(__file__).resolve().parents[3]

# `ops worker` on the test's database and Redis: the real supervisor (run_worker), the lease shortened.
WORKER = """
import json, sys
cfg = json.loads(sys.argv[1])
import bot.jobs
bot.jobs.LEASE_SECONDS = cfg["lease"]
from tests.conftest import make_app
from worker import run_worker
run_worker(make_app(cfg["db"], redis_url=cfg["redis"], run_jobs_inline=False), processes=1, logging_level="INFO")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(check, what: str, timeout: float = 60.0, every: float = 0.05):
    """Poll `check()` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class RedisServer:
    """A private redis-server on a free port, without persistence: a restart loses everything."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis_lib.Redis(port=self.port)
        until(lambda: _pings(client), "redis-server to answer", 20)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis_lib.exceptions.ConnectionError:
        return False


@pytest.fixture
def redis_server():
    server = RedisServer()
    if server.binary is None:
        pytest.skip("redis-server binary not installed")
    server.start()
    yield server
    server.stop()


class Hub:
    """The test's own app on the shared stores (to post messages and read rows) and the worker process."""

    def __init__(self, db: str, redis_url: str, log_path: Path):
        self.db, self.redis_url, self.log_path = db, redis_url, log_path
        self.app = make_app(db, redis_url=redis_url, run_jobs_inline=False)
        self.rt = self.app.extensions["ops"]
        self.worker: subprocess.Popen | None = None
        with self.rt.uow() as uow:
            basic_factory(uow)
            uow.commit()

    def order(self, status: Status = Status.IN_PRODUCTION) -> str:
        with self.rt.uow() as uow:
            no = order_in(uow, status).order_no
            uow.commit()
        return no

    def say(self, text: str, sender: str = "t.production") -> int:
        """A group message as the webhook hands it on (stored, routed, enqueued); its inbound id."""
        row, _ = accept(self.rt, Incoming(platform="wecom_bot", platform_msg_id=uuid.uuid4().hex, text=text,
                                          chat_id="grp-test", chat_type="group", sender_id=sender))
        return row.id

    def message(self, inbound_id: int) -> InboundMessage:
        with new_session(self.rt.engine) as s:
            return s.get(InboundMessage, inbound_id)

    def count(self, *where) -> int:
        with new_session(self.rt.engine) as s:
            return len(s.exec(select(InboundMessage.id).where(*where)).all())

    def start_worker(self, lease: int = 30) -> subprocess.Popen:
        cfg = json.dumps({"db": self.db, "redis": self.redis_url, "lease": lease})
        log = open(self.log_path, "ab")  # a file, not a pipe: nobody must drain it while the test waits
        self.worker = subprocess.Popen([sys.executable, "-c", WORKER, cfg], cwd=ROOT, stdout=log, stderr=log,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        return self.worker

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
        self.rt.engine.dispose()


@pytest.fixture
def hub(pg_url, redis_server, tmp_path):
    h = Hub(pg_url, redis_server.url, tmp_path / "worker.log")
    yield h
    h.close()
