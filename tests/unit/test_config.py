"""Configuration: defaults per CONTRACT §2, and one clear error naming a malformed variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, from_env

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_follow_the_contract(tmp_path):
    s = from_env({}, instance=tmp_path)
    assert s.database_url.endswith("instance/ops.db") and s.database_url.startswith("sqlite:///")
    assert s.redis_url is None and s.timezone == "Asia/Shanghai"
    assert s.public_base_url == "http://127.0.0.1:5000" and s.wecom_api_base == "https://qyapi.weixin.qq.com"
    assert s.wecom_bot_mode == "callback" and not s.wecom_app_enabled
    assert (tmp_path / "secret_key").read_text() == s.secret_key  # generated once, kept
    assert from_env({}, instance=tmp_path).secret_key == s.secret_key


@pytest.mark.parametrize(("env", "named"), [
    ({"WECOM_AGENT_ID": "abc"}, "WECOM_AGENT_ID"),
    ({"OPS_TIMEZONE": "Mars/Base"}, "OPS_TIMEZONE"),
    ({"REDIS_URL": "http://x"}, "REDIS_URL"),
    ({"DATABASE_URL": "ops.db"}, "DATABASE_URL"),
    ({"WECOM_BOT_AES_KEY": "short"}, "WECOM_BOT_AES_KEY"),
    ({"WECOM_BOT_MODE": "push"}, "WECOM_BOT_MODE"),
    ({"SMTP_URL": "smtp://h:25"}, "MAIL_FROM"),
    ({"MQTT_URL": "http://broker"}, "MQTT_URL"),
    ({"WECOM_CORP_ID": "ww1"}, "WECOM_SECRET"),
    ({"WECOM_CORP_ID": "ww1", "WECOM_SECRET": "s"}, "WECOM_AGENT_ID"),
])
def test_malformed_value_names_the_variable(tmp_path, env, named):
    with pytest.raises(ConfigError) as err:
        from_env(env, instance=tmp_path)
    assert named in str(err.value)


def test_cli_stops_with_one_clear_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "OPS_TIMEZONE": "Mars/Base", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    out = subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert "OPS_TIMEZONE" in out.stderr and "Traceback" not in out.stderr
