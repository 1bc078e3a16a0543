"""A request's id reaches the worker: the robot callback's `X-Request-ID` is on the `ops worker` log line of
the job it queued, in the business time zone; the cron's jobs run but print nothing at INFO."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from core.metrics import sweep_figures
from tests.conftest import make_app
from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, robot_message, signed_query

pytestmark = [pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("OPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0800 INFO \[req-worker-0042\] ops\.jobs: "
                  r"job bot\.jobs\.process_inbound done in \d+ ms", re.M)


def test_the_request_id_tags_the_job_and_its_worker_log_line(tmp_path):
    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable")
    r.flushdb()
    db_url = f"sqlite:///{tmp_path / 'ops.db'}"
    app = make_app(db_url, redis_url=REDIS_URL, run_jobs_inline=False, wecom_bot_token=BOT_TOKEN,
                   wecom_bot_aes_key=BOT_AES_KEY)
    try:
        with app.app_context():
            ciphertext = encrypt(BOT_AES_KEY, json.dumps(robot_message("帮助"), ensure_ascii=False), "")
            answer = app.test_client().post("/wecom/bot", query_string=signed_query(BOT_TOKEN, ciphertext),
                                            json={"encrypt": ciphertext},
                                            headers={"X-Request-ID": "req-worker-0042"})
            assert answer.status_code == 200
        env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "test-secret",
               "WECOM_BOT_TOKEN": BOT_TOKEN, "WECOM_BOT_AES_KEY": BOT_AES_KEY, "OPS_TIMEZONE": "Asia/Shanghai",
               "PYTHONUNBUFFERED": "1"}
        for name in ("MQTT_URL", "PUBLIC_BASE_URL"):
            env.pop(name, None)
        done = subprocess.run([sys.executable, "-m", "cli", "worker", "--burst"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=180)
        out = done.stdout + done.stderr
        assert done.returncode == 0, out[-3000:]
        assert LINE.search(out), out[-3000:]
        # The cron's jobs ran in this burst (the sweep recorded its duration) without a line at INFO.
        assert sweep_figures(r)["count"] == 1
        assert "run_sweep" not in out and "catch_up" not in out, out[-3000:]
        assert "Job OK" not in out and "Successfully completed" not in out  # RQ's routine lines: debug
    finally:
        app.extensions["ops"].engine.dispose()
        r.flushdb()
