"""`python -m nlu`: JSON lines in, one JSON line out per input line, in order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from nlu import CONTRACT_KEYS

REPO = Path(__file__).resolve().parents[3]


def run_filter(data: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "nlu"], input=data, cwd=REPO, capture_output=True, timeout=120,
        env={**os.environ, **env}, check=False,
    )  # fmt: skip


def lines_of(proc: subprocess.CompletedProcess[bytes]) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_three_lines_with_a_malformed_one_give_three_answers_with_the_contract_keys() -> None:
    feed = (
        '{"text": "SO20260226-0018 已发货 顺丰SF1288001122334", "now": "2026-03-02T09:30:00+08:00"}\n'
        "this is not json\n"
        '{"text": "SO20260227-0102 排到后天", "now": "2026-03-02T09:30:00+08:00"}\n'
    )
    proc = run_filter(feed.encode())
    assert proc.returncode == 0, proc.stderr
    out = lines_of(proc)
    assert len(out) == 3
    assert all(list(line) == list(CONTRACT_KEYS) for line in out)
    assert out[0]["intent"] == "ship" and out[0]["tracking_no"] == "SF1288001122334"
    assert out[1] == {"intent": "none", "orders": [], **{k: None for k in CONTRACT_KEYS[2:]}}
    assert (out[2]["intent"], out[2]["date"]) == ("schedule", "2026-03-04")


def test_every_kind_of_bad_line_still_gets_an_answer() -> None:
    bad = [
        b"",
        b"[]",
        b'{"now": "2026-03-02T09:30:00+08:00"}',
        b'{"text": 42}',
        b'{"text": "x", "now": "soon"}',
        b"\xff\xfe broken utf-8",
        '{"text": "SO20260226-0018 已入库"}'.encode(),
    ]
    proc = run_filter(b"\n".join(bad) + b"\n")
    out = lines_of(proc)
    assert proc.returncode == 0 and len(out) == len(bad)
    assert [line["intent"] for line in out] == ["none"] * 6 + ["stock_in"]


def test_output_is_utf8_chinese_not_escapes() -> None:
    proc = run_filter(
        '{"text": "SO20260226-0018 已发货 顺丰SF1288001122334"}\n'.encode(), PYTHONIOENCODING="ascii"
    )
    assert "顺丰" in proc.stdout.decode("utf-8")


def test_missing_now_defaults_to_the_current_day_in_ops_timezone() -> None:
    zone = "Pacific/Kiritimati"
    proc = run_filter('{"text": "SO20260226-0018 排到明天"}\n'.encode(), OPS_TIMEZONE=zone)
    tomorrow = (datetime.now(ZoneInfo(zone)) + timedelta(days=1)).date().isoformat()
    assert lines_of(proc)[0]["date"] == tomorrow


def test_unknown_timezone_falls_back_with_a_warning() -> None:
    proc = run_filter('{"text": "帮助"}\n'.encode(), OPS_TIMEZONE="Mars/Olympus")
    assert lines_of(proc)[0]["intent"] == "help"
    assert b"OPS_TIMEZONE" in proc.stderr


def test_optional_lookups_are_accepted_on_the_line() -> None:
    line = {"text": "ERP-88231 已入库, 0042单 质检合格", "now": "2026-03-02T09:30:00+08:00",
            "aliases": {"ERP-88231": "SO20260226-0018"}, "open_orders": ["SO20260227-0042"]}  # fmt: skip
    out = lines_of(run_filter((json.dumps(line, ensure_ascii=False) + "\n").encode()))
    assert out[0]["orders"] == ["SO20260226-0018", "SO20260227-0042"]
