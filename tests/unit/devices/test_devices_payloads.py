"""The device payload contract, parsed and checked without I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices.exceptions import BadPayload
from devices.payloads import device_of, event_time, parse_presence, parse_reading, parse_scan

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def scan(**fields) -> str:
    base = {"event_id": "e1", "order_no": "so20261120-0042", "action": "ship", "operator": "demo.warehouse",
            "carrier": "顺丰", "tracking_no": "SF1402938475621", "ts": "2026-11-25T09:59:00+08:00"}
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None}, ensure_ascii=False)


def test_scan_is_read_with_upper_case_order_and_device_time():
    s = parse_scan(scan(), received_at=NOW, tz=TZ)
    assert (s.order_no, s.action, s.operator, s.carrier) == ("SO20261120-0042", "ship", "demo.warehouse", "顺丰")
    assert s.at == NOW - timedelta(minutes=1)
    assert s.fields()["event_id"] == "e1" and s.fields()["tracking_no"] == "SF1402938475621"


@pytest.mark.parametrize("text, reason", [
    ("not json", "不是合法的 JSON"),
    ("[1, 2]", "JSON 对象"),
    (scan(event_id=None, operator=None), "缺少字段：event_id、operator"),
    (scan(action="explode"), "未知动作「explode」"),
    (scan(action="report", process="焊接", percent=130), "percent"),
    (scan(action="report", process=None, percent=50), "缺少字段：process"),
    (scan(ts="yesterday"), "时间 ts 格式不对"),
    ("x" * 20000, "消息过大"),
])
def test_bad_scan_gives_the_reason(text, reason):
    with pytest.raises(BadPayload) as info:
        parse_scan(text, received_at=NOW, tz=TZ)
    assert reason in info.value.reason


def test_naive_time_is_factory_time_and_epoch_seconds_and_millis_are_read():
    assert event_time("2026-11-25T09:30:00", received_at=NOW, tz=TZ) == NOW - timedelta(minutes=30)
    epoch = (NOW - timedelta(minutes=5)).timestamp()
    assert event_time(epoch, received_at=NOW, tz=TZ) == NOW - timedelta(minutes=5)
    assert event_time(epoch * 1000, received_at=NOW, tz=TZ) == NOW - timedelta(minutes=5)


def test_a_device_clock_in_the_future_is_not_trusted():
    assert event_time((NOW + timedelta(hours=3)).isoformat(), received_at=NOW, tz=TZ) == NOW
    assert event_time(None, received_at=NOW, tz=TZ) == NOW


def test_reading_needs_both_numbers_in_range():
    r = parse_reading('{"temperature": 21.5, "humidity": "55"}', received_at=NOW, tz=TZ)
    assert (r.temperature, r.humidity, r.at) == (21.5, 55.0, NOW)
    with pytest.raises(BadPayload, match="humidity"):
        parse_reading('{"temperature": 21.5}', received_at=NOW, tz=TZ)
    with pytest.raises(BadPayload, match="超出合理范围"):
        parse_reading('{"temperature": 21.5, "humidity": 140}', received_at=NOW, tz=TZ)
    with pytest.raises(BadPayload, match="数字"):
        parse_reading('{"temperature": true, "humidity": 40}', received_at=NOW, tz=TZ)


def test_presence_and_topics():
    assert parse_presence("offline") == "offline"
    assert parse_presence('{"status": "ONLINE"}') == "online"
    assert parse_presence("") is None
    with pytest.raises(BadPayload):
        parse_presence("sleeping")
    assert device_of("ops/scan/wh-scan-01") == "wh-scan-01"
    with pytest.raises(BadPayload):
        device_of("ops/scan")
