"""Configuration: defaults per CONTRACT §2, and one clear error naming a malformed variable."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from config import ConfigError, from_env, validate

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_follow_the_contract(tmp_path):
    s = from_env({}, instance=tmp_path)
    assert s.database_url.endswith("instance/ops.db") and s.database_url.startswith("sqlite:///")
    assert s.redis_url is None and s.timezone == "Asia/Shanghai"
    assert (s.host, s.port) == ("127.0.0.1", 5000)
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
    ({"WECOM_CARDS": "1", "WECOM_CORP_ID": "ww1", "WECOM_SECRET": "s", "WECOM_AGENT_ID": "1"}, "WECOM_AES_KEY"),
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


@pytest.mark.parametrize(("env", "named"), [
    ({"REDIS_URL": "http://x"}, "REDIS_URL"),  # malformed
    ({}, "REDIS_URL"),  # missing: ops worker needs a real Redis (issue #12: exit non-zero on configuration only)
])
def test_ops_worker_exits_2_on_a_configuration_error(tmp_path, env, named):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", **env}
    out = subprocess.run([sys.executable, "-m", "cli", "worker"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert named in out.stderr and "Traceback" not in out.stderr


def test_further_knobs_are_read_typed_into_their_sections(tmp_path):
    s = from_env({"WECOM_BOT_WS_URL": "ws://127.0.0.1:9/ws", "MQTT_KEEPALIVE": "45", "DEVICE_SILENCE_MINUTES": "2.5",
                  "KUAIDI100_SALT": "salt", "TRACKING_TOKEN_DAYS": "7", "OPS_CJK_FONT": "/f.otf",
                  "OUTBOX_LEASE_SECONDS": "9", "ALERT_SWEEP_BUDGET_SECONDS": "0", "OPS_SHIFT_START": "07:30",
                  "OPS_LINE_DAY_HOURS": "7.5", "PORT": "8080"}, instance=tmp_path)
    assert s.bot.ws_url == "ws://127.0.0.1:9/ws" and s.bot.ping_interval == 30
    assert s.devices.keepalive == 45 and s.devices.silence == timedelta(minutes=2.5)
    assert s.logistics.kuaidi100_salt == "salt" and s.logistics.tracking_token_days == 7
    assert s.logistics.tracking_rate_limit == "30/minute" and s.notify.cjk_font == "/f.otf"
    assert (s.notify.outbox_lease_seconds, s.alerts.sweep_budget_seconds) == (9, 0)
    assert (s.planning.shift_start, s.planning.shift_end, s.planning.line_day_hours) == ("07:30", "17:30", 7.5)
    assert s.port == 8080 and s.public_base_url == "http://127.0.0.1:8080" and s.public_base_url_defaulted


@pytest.mark.parametrize(("env", "named"), [
    ({"PORT": "80a"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"PUBLIC_BASE_URL": "example.com"}, "PUBLIC_BASE_URL"),
    ({"SMS_URL": "ftp://sms"}, "SMS_URL"),
    ({"WECOM_BOT_WS_URL": "https://openws.work.weixin.qq.com"}, "WECOM_BOT_WS_URL"),
    ({"WECOM_BOT_PING_INTERVAL": "0"}, "WECOM_BOT_PING_INTERVAL"),
    ({"MQTT_SESSION_EXPIRY": "1.5"}, "MQTT_SESSION_EXPIRY"),
    ({"MQTT_RECONNECT_MAX_DELAY": "-1"}, "MQTT_RECONNECT_MAX_DELAY"),
    ({"MQTT_KEEPALIVE": "2"}, "MQTT_KEEPALIVE"),
    ({"DEVICE_READING_FRESH_MINUTES": "ten"}, "DEVICE_READING_FRESH_MINUTES"),
    ({"DEVICE_SILENCE_MINUTES": "0"}, "DEVICE_SILENCE_MINUTES"),
    ({"KUAIDI100_API_BASE": "poll.kuaidi100.com"}, "KUAIDI100_API_BASE"),
    ({"TRACKING_RATE_LIMIT": "lots"}, "TRACKING_RATE_LIMIT"),
    ({"TRACKING_TOKEN_DAYS": "0"}, "TRACKING_TOKEN_DAYS"),
    ({"OUTBOX_LEASE_SECONDS": "2m"}, "OUTBOX_LEASE_SECONDS"),
    ({"ALERT_SWEEP_BUDGET_SECONDS": "-5"}, "ALERT_SWEEP_BUDGET_SECONDS"),
    ({"OPS_SHIFT_START": "8:00"}, "OPS_SHIFT_START"),
    ({"OPS_SHIFT_END": "25:00"}, "OPS_SHIFT_END"),
    ({"OPS_LINE_DAY_HOURS": "-8"}, "OPS_LINE_DAY_HOURS"),
    ({"WECOM_CARDS": "maybe"}, "WECOM_CARDS"),
    ({"WECOM_OAUTH_BASE": "open.weixin.qq.com"}, "WECOM_OAUTH_BASE"),
])
def test_malformed_further_knob_names_the_variable_in_one_line(tmp_path, env, named):
    with pytest.raises(ConfigError) as err:
        from_env(env, instance=tmp_path)
    message = str(err.value)
    assert message.startswith(named + " ") and "\n" not in message


def test_overrides_are_checked_like_variables(tmp_path):
    s = from_env({}, instance=tmp_path)
    validate(s.replace(devices={"silence_minutes": 1}, logistics={"tracking_rate_limit": "3/minute"}))
    with pytest.raises(ConfigError, match="^TRACKING_RATE_LIMIT "):
        validate(s.replace(logistics={"tracking_rate_limit": "often"}))
    with pytest.raises(TypeError):
        s.replace(alerts={"no_such_knob": 1})


def test_a_defaulted_public_base_url_follows_host_and_port_an_explicit_one_stays(tmp_path):
    s = from_env({"HOST": "10.20.30.40"}, instance=tmp_path)
    assert (s.public_base_url, s.public_base_url_defaulted) == ("http://10.20.30.40:5000", True)
    assert s.replace(port=6001).public_base_url == "http://10.20.30.40:6001"
    fixed = from_env({"PUBLIC_BASE_URL": "https://ops.example.com"}, instance=tmp_path)
    assert not fixed.public_base_url_defaulted
    assert fixed.replace(port=6001).public_base_url == "https://ops.example.com"


def test_a_section_override_keeps_its_other_fields(tmp_path):
    s = from_env({"MQTT_KEEPALIVE": "40"}, instance=tmp_path).replace(devices={"client_id": "hub-1"})
    assert (s.devices.client_id, s.devices.keepalive, s.devices.mqtt_client_id) == ("hub-1", 40, "hub-1")


def test_an_override_of_the_wrong_type_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="^TRACKING_TOKEN_DAYS "):
        validate(from_env({}, instance=tmp_path).replace(logistics={"tracking_token_days": "7"}))


def test_cards_and_oauth_base_are_read(tmp_path):
    key = "a" * 43
    s = from_env({"WECOM_CARDS": "on", "WECOM_CORP_ID": "ww1", "WECOM_SECRET": "s", "WECOM_AGENT_ID": "1",
                  "WECOM_TOKEN": "t", "WECOM_AES_KEY": key, "WECOM_OAUTH_BASE": "http://127.0.0.1:9"},
                 instance=tmp_path)
    assert s.notify.wecom_cards is True and s.web.wecom_oauth_base == "http://127.0.0.1:9"
    assert from_env({}, instance=tmp_path).notify.wecom_cards is False


def test_serving_every_interface_links_to_an_address_other_machines_can_open(tmp_path):
    """HOST=0.0.0.0 without PUBLIC_BASE_URL: links name this machine's own address, not 0.0.0.0 (which opens
    nowhere); a server listening on every interface answers a connection to the link's host and port."""
    import socket
    from urllib.parse import urlsplit

    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        s = from_env({"HOST": "0.0.0.0", "PORT": str(port)}, instance=tmp_path)
        link = urlsplit(s.public_base_url)
        assert s.public_base_url_defaulted and link.hostname != "0.0.0.0" and link.port == port
        with socket.create_connection((link.hostname, link.port), timeout=10):
            pass


def test_a_link_to_no_address_or_to_loopback_is_warned_about_at_start(tmp_path):
    from types import SimpleNamespace

    from sqlalchemy import create_engine

    from serve import start_notices

    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")

    def notices(url: str, host: str) -> str:
        rt = SimpleNamespace(engine=engine, settings=from_env({"PUBLIC_BASE_URL": url}, instance=tmp_path))
        return "\n".join(start_notices(rt, host=host))

    assert "no machine's address" in notices("http://0.0.0.0:8000", "0.0.0.0")
    assert "loopback" in notices("http://127.0.0.1:8000", "0.0.0.0")
    assert "WARNING" not in notices("http://192.168.1.20:8000", "0.0.0.0")
    assert "WARNING" not in notices("http://127.0.0.1:8000", "127.0.0.1")
    engine.dispose()
