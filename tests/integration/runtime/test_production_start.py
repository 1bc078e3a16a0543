"""A production start never loads the demo: `ops serve` + `ops worker` on an empty PostgreSQL schema (and
`ops run` on an empty SQLite file) serve no orders and no demo logins, and tell the operator how to make the
first admin; PUBLIC_BASE_URL on loopback while serving every interface is warned about."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/6"  # this file's own database on the shared server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ops(*args, env, log=None):
    out = log or subprocess.PIPE
    return subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, text=True)


def _wait_http(url: str, proc, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited: {log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url}: {log.read_text()[-3000:]}")


def _stop(*procs) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _counts(db_url: str) -> dict:
    eng = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1)
                        if db_url.startswith("postgresql://") else db_url)
    with eng.connect() as c:
        found = {t: c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in ("order", "staff", "customer")}
        found["user"] = c.execute(text('SELECT count(*) FROM "user"')).scalar()
    eng.dispose()
    return found


def _token(env) -> str:
    out = subprocess.run([sys.executable, "-m", "cli", "create-token", "ops-check", "--role", "admin"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.redis
@pytest.mark.postgres
def test_serve_and_worker_on_an_empty_schema_load_no_demo(pg_url, tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "start-secret",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"}
    env.pop("MQTT_URL", None)
    up = subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                        text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    serve_log, worker_log = tmp_path / "serve.log", tmp_path / "worker.log"
    with open(serve_log, "w") as slog, open(worker_log, "w") as wlog:
        server = _ops("serve", "--host", "0.0.0.0", "--port", str(port), "--workers", "1", env=env, log=slog)
        worker = _ops("worker", env=env, log=wlog)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/healthz", server, serve_log)
            out = serve_log.read_text()
            assert "ops create-user NAME --role admin --password" in out
            assert "WARNING: PUBLIC_BASE_URL" in out and "loopback" in out
            assert _counts(pg_url) == {"order": 0, "staff": 0, "customer": 0, "user": 0}
            headers = {"Authorization": f"Bearer {_token(env)}"}
            assert requests.get(f"{base}/api/orders?limit=5", headers=headers, timeout=10).json() == []
            deadline = time.monotonic() + 60
            while not requests.get(f"{base}/healthz", headers=headers, timeout=10).json()["worker"]["ok"]:
                assert time.monotonic() < deadline, worker_log.read_text()[-3000:]
                time.sleep(0.5)
        finally:
            _stop(server, worker)
            redis.Redis.from_url(REDIS_URL).flushdb()


def test_ops_run_without_the_demo_flag_loads_nothing(tmp_path):
    port = _free_port()
    db_url = f"sqlite:///{tmp_path / 'ops.db'}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MQTT_URL", "PUBLIC_BASE_URL")}
    env.update(DATABASE_URL=db_url, SECRET_KEY="run-secret", PYTHONUNBUFFERED="1")
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = _ops("run", "--port", str(port), env=env, log=out)
        try:
            _wait_http(f"http://127.0.0.1:{port}/healthz", proc, log)
            text_out = log.read_text()
            assert "ops create-user NAME --role admin" in text_out and "WARNING" not in text_out
            assert _counts(db_url) == {"order": 0, "staff": 0, "customer": 0, "user": 0}
        finally:
            _stop(proc)
