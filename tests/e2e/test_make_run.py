"""`make run` on embedded defaults: starts, answers /healthz, serves the demo factory through the API
(make run asks for the demo explicitly: `ops run --demo`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_run_serves_the_demo_factory(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "MQTT_URL")}
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'ops.db'}", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    log = open(tmp_path / "run.log", "w")
    proc = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        health = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = requests.get(f"{base}/healthz", timeout=2)
                if health.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        assert health is not None and health.status_code == 200, (tmp_path / "run.log").read_text()[-3000:]
        assert health.json()["database"] == {"ok": True}  # anyone: ok/fail only
        out = subprocess.run([str(ROOT / ".venv/bin/ops"), "create-token", "smoke", "--role", "admin"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        token = out.stdout.strip().splitlines()[-1]
        body = requests.get(f"{base}/healthz", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        assert body["database"]["ok"] and body["redis"]["ok"] and body["redis"]["embedded"]
        assert body["worker"]["ok"]
        orders = requests.get(f"{base}/api/orders?limit=20", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert orders.status_code == 200
        assert len(orders.json()) == 20
        statuses = requests.get(f"{base}/api/orders?status=shipped&limit=5",
                                headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        assert statuses and {o["status"] for o in statuses} == {"shipped"}
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
