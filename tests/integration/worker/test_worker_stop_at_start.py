"""`ops worker` stopped while it is still starting (systemd stop or restart right after a start, honcho's
Ctrl-C, the README walk-through ending as soon as /healthz answers) ends by itself: it starts no job
worker process after the stop, so none is left listening on the queues until a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.support.deploy import REDIS_URL, ROOT, clean_env

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def _catches_sigterm(pid: int) -> bool:
    """True once the process has its own SIGTERM handler (`ops worker`'s supervisor installs it first)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_stopped_while_starting_ends_by_itself(tmp_path):
    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable")
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'ops.db'}", REDIS_URL=REDIS_URL, SECRET_KEY="stop-test")
    up = subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                        text=True, timeout=180)
    assert up.returncode == 0, up.stderr
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--processes", "2"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not _catches_sigterm(proc.pid):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)  # while it warms up the parser, before any job worker is forked
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            code = None
        survivors = _group(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        r.flushdb()
    out = log_path.read_text()
    assert code == 0 and survivors == [], f"still running after SIGTERM: {survivors}\n{out[-3000:]}"
    assert "stopping" in out and "ops worker stopped" in out
    assert "Listening on" not in out  # no RQ worker began to take jobs after the stop


def _group(pgid: int) -> list[int]:
    from tests.support.deploy import group_members

    return group_members(pgid)
