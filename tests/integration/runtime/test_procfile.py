"""The Procfile under honcho, as README starts it (settings in `ops.env`, `-e ops.env -p PORT`): web (`ops
serve`), worker and devices (waiting quietly without MQTT_URL) start from an install folder, /healthz answers
ok with a live worker, and one SIGTERM to honcho stops every process cleanly, none needing SIGKILL."""

from __future__ import annotations

import re
import subprocess
import time

import pytest
import redis
import requests

from core.metrics import FLUSH_SECONDS
from tests.support.deploy import (
    REDIS_URL,
    ROOT,
    clean_env,
    free_port,
    group_alive,
    install_folder,
    port_closed,
    stop_group,
    wait_healthz,
)

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def test_honcho_runs_the_procfile_and_stops_it_cleanly(tmp_path):
    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable")
    r.flushdb()
    bin_dir = install_folder(tmp_path)
    port = free_port()
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}", "REDIS_URL": REDIS_URL,
                "SECRET_KEY": "procfile-secret", "PORT": str(port)}  # README: PORT=8000 and -p 8000
    (tmp_path / "ops.env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    up = subprocess.run([bin_dir / "ops", "db", "upgrade"], cwd=tmp_path, env=clean_env(**settings),
                        capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr[-2000:]
    out_file = tmp_path / "honcho.log"
    # README's line: PATH=$PWD/.venv/bin:$PATH .venv/bin/honcho start -e ops.env -p 8000 (another port here)
    env = clean_env(PATH=f"{bin_dir}:{clean_env()['PATH']}")
    with open(out_file, "w") as out:
        honcho = subprocess.Popen([bin_dir / "honcho", "start", "-f", str(ROOT / "Procfile"), "-d", str(tmp_path),
                                   "-e", "ops.env", "-p", str(port), "--no-colour"], cwd=tmp_path, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        try:
            health = wait_healthz(f"http://127.0.0.1:{port}/healthz", honcho)
            assert health["status"] == "ok"
            deadline = time.monotonic() + 60
            while not r.smembers("rq:workers"):  # the worker registered with RQ
                assert time.monotonic() < deadline, "no RQ worker registered"
                time.sleep(0.5)
            time.sleep(FLUSH_SECONDS + 1)  # the readiness probes above reach Redis before the count is taken
            answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            assert "ops_workers 1.0" in answer
            # Two gunicorn workers answer the same counts: every process adds to the one Redis hash.
            before = _healthz_count(answer)
            for _ in range(6):
                assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
            time.sleep(FLUSH_SECONDS + 1)  # each process sends its counts within FLUSH_SECONDS
            seen = {_healthz_count(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
                    for _ in range(6)}
            assert seen == {before + 6}
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{out_file.read_text()[-4000:]}") from None
        honcho.terminate()  # SIGTERM: honcho passes it on to each process and waits for them
        honcho.wait(timeout=60)
    finally:
        if honcho.poll() is None:
            honcho.terminate()
            try:
                honcho.wait(timeout=30)
            except subprocess.TimeoutExpired:
                honcho.kill()
                honcho.wait()
        for pid in re.findall(r"started \(pid=(\d+)\)", out_file.read_text()):
            stop_group(int(pid), seconds=10)  # honcho runs each process in its own group
        r.flushdb()
    log = out_file.read_text()
    for name in ("web.1", "worker.1", "devices.1"):
        assert re.search(rf"system +\| {re.escape(name)} stopped", log), log[-3000:]
    assert "devices off (MQTT_URL is not set)" in log
    assert "Shutting down: Master" in log and "ops worker stopped" in log
    assert "SIGKILL" not in log, log[-3000:]  # each stopped on SIGTERM within honcho's 5 s
    assert not group_alive(honcho.pid) and port_closed(port), log[-3000:]


def _healthz_count(metrics_text: str) -> int:
    found = re.search(r'^ops_http_requests_total\{endpoint="health.healthz",method="GET",status="200"\} (\S+)$',
                      metrics_text, re.M)
    return int(float(found.group(1))) if found else 0
