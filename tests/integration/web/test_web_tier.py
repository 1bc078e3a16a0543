"""`ops serve` as production runs it (gunicorn subprocess, PostgreSQL, Redis, two workers): twenty open
live boards do not starve /healthz, tracking pages or the robot's URL verification; streams end at
their lifetime with a `retry:`, a full process refuses streams with 503, and a stop ends them at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests

from accounts.service import create_user
from core.db import new_session
from tests.conftest import make_app
from tests.e2e.web.server import login_session
from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, signed_query

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/9"  # this file's own database on the shared server
BOARDS = 20
ANSWER_WITHIN = 5.0  # seconds: "answers at all", not a speed figure


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis not reachable")
    yield REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def tier_db(pg_url):
    """Tables and a manager login on a fresh PostgreSQL schema."""
    app = make_app(pg_url)
    with new_session(app.extensions["ops"].engine) as s:
        create_user(s, "boss", "manager", "pass-1234")
    app.extensions["ops"].engine.dispose()
    return pg_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_tier(db_url: str, redis_url: str, *args: str) -> tuple[subprocess.Popen, str]:
    """`ops serve` in a subprocess on a free port; returns once /healthz answers."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "SECRET_KEY": "tier-secret",
           "WECOM_BOT_TOKEN": BOT_TOKEN, "WECOM_BOT_AES_KEY": BOT_AES_KEY, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ops serve exited: {proc.stdout.read()}")
        try:
            requests.get(f"{url}/healthz", timeout=2)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("ops serve did not answer within 60 s")


def stop_tier(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Board:
    """One open /admin/live stream, read in a thread: the lines it got and whether it ended."""

    def __init__(self, url: str, cookies):
        self.http = requests.Session()
        self.http.cookies.update(cookies)
        self.lines: list[str] = []
        self.hello = threading.Event()
        self.ended = threading.Event()
        self.status = None
        self.error = None
        self.thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self.thread.start()

    def _read(self, url: str) -> None:
        try:
            with self.http.get(f"{url}/admin/live", stream=True, timeout=(5, 30)) as r:
                self.status = r.status_code
                for line in r.iter_lines(decode_unicode=True):
                    self.lines.append(line)
                    if line.startswith("event: hello"):
                        self.hello.set()
        except Exception as exc:  # a read timeout means the stream never ended: the test reports it
            self.error = exc
        finally:
            self.ended.set()
            self.hello.set()


def _answers(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=ANSWER_WITHIN, **kwargs)


def test_twenty_open_boards_do_not_starve_other_requests_and_end_at_their_lifetime(tier_db, redis_url):
    lifetime = 8.0
    proc, url = start_tier(tier_db, redis_url, "--workers", "2", "--threads", "4",
                           "--stream-lifetime", str(lifetime))
    try:
        cookies = login_session(url, "boss", "pass-1234").cookies
        opened = time.monotonic()
        boards = [Board(url, cookies) for _ in range(BOARDS)]
        for b in boards:
            assert b.hello.wait(10) and not b.ended.is_set(), (b.status, b.error, b.lines)
        assert all(b.status == 200 for b in boards)

        echostr = "echo-42"
        for _ in range(3):  # while all twenty streams hold their threads
            health = _answers(f"{url}/healthz")
            assert health.status_code == 200 and health.json()["database"] == {"ok": True}
            assert _answers(f"{url}/t/no-such-token").status_code == 404
            verify = _answers(f"{url}/wecom/bot",
                              params={**signed_query(BOT_TOKEN, cipher := encrypt(BOT_AES_KEY, echostr, "")),
                                      "echostr": cipher})
            assert verify.status_code == 200 and verify.text == echostr
        assert not any(b.ended.is_set() for b in boards)

        for b in boards:
            assert b.ended.wait(lifetime + 15), "a stream outlived its lifetime"
        lasted = time.monotonic() - opened
    finally:
        stop_tier(proc)
    for b in boards:
        assert b.error is None, b.error
        told = [line for line in b.lines if line.startswith("retry:")]
        assert len(told) == 2 and int(told[-1].split(":")[1]) >= 2000, b.lines  # first and parting hint
        assert b.lines[-2].startswith("retry:")  # the last thing said (then the blank line)
    assert lasted >= lifetime - 1


def test_a_full_process_refuses_a_stream_and_a_stop_ends_open_ones(tier_db, redis_url):
    proc, url = start_tier(tier_db, redis_url, "--workers", "1", "--max-streams", "1")
    try:
        cookies = login_session(url, "boss", "pass-1234").cookies
        board = Board(url, cookies)
        assert board.hello.wait(10) and board.status == 200
        refused = requests.get(f"{url}/admin/live", cookies=cookies, timeout=ANSWER_WITHIN)
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
        assert refused.text.startswith("retry:")
        assert _answers(f"{url}/healthz").status_code == 200
        stopped = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert board.ended.wait(10), "a stop left the stream open"
        assert time.monotonic() - stopped < 10  # ended by the stop, not by its 300 s lifetime
        assert proc.wait(timeout=20) == 0
    finally:
        stop_tier(proc)
    assert board.error is None and board.lines[-2].startswith("retry:")
