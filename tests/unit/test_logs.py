"""Log lines: business-time-zone stamps, request ids (offered or new) on each line and in queued jobs'
meta, the cron's lines demoted to debug."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from core.logs import (
    ContextFilter,
    ZoneFormatter,
    bound_request_id,
    job_context,
    new_request_id,
    tag_job_meta,
)


def _logger(name: str, level: int = logging.INFO) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(ZoneFormatter(ZoneInfo("Asia/Shanghai")))
    handler.addFilter(ContextFilter())
    log = logging.getLogger(name)
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(level)
    return log, out


def test_a_line_carries_shanghai_time_and_the_request_id():
    log, out = _logger("test.logs.zone")
    with bound_request_id("req-7"):
        log.info("hello")
    log.info("outside")
    first, second = out.getvalue().splitlines()
    stamp = first.split(" INFO ")[0]
    at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f%z")
    assert at.utcoffset().total_seconds() == 8 * 3600
    assert abs((at - datetime.now(ZoneInfo("UTC"))).total_seconds()) < 60
    assert first.endswith("INFO [req-7] test.logs.zone: hello")
    assert second.endswith("INFO [-] test.logs.zone: outside")


def test_an_offered_request_id_is_kept_only_when_it_is_a_sane_token():
    assert new_request_id("abc-123_x.y:z") == "abc-123_x.y:z"
    for bad in ("", "with space", "x" * 65, "semi;colon", "新的", "line\nbreak"):
        made = new_request_id(bad)
        assert made != bad and len(made) == 16 and made.isalnum()
    assert new_request_id(None) != new_request_id(None)


def test_jobs_queued_inside_a_request_carry_its_id_and_keep_their_own_meta():
    assert tag_job_meta(None) is None
    with bound_request_id("req-9"):
        assert tag_job_meta(None) == {"request_id": "req-9"}
        assert tag_job_meta({"k": 1}) == {"k": 1, "request_id": "req-9"}


def test_lines_inside_a_cron_job_are_debug_lines_and_warnings_stay():
    log, out = _logger("test.logs.cron")
    with job_context({"cron": True}) as cron:
        assert cron
        log.info("swept")
        log.warning("rule broken")
    with job_context({"request_id": "req-1"}) as cron:
        assert not cron
        log.info("applied")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("WARNING [-] test.logs.cron: rule broken")
    assert lines[1].endswith("INFO [req-1] test.logs.cron: applied")
    log.setLevel(logging.DEBUG)
    with job_context({"cron": True}):
        log.info("swept again")
    assert out.getvalue().splitlines()[-1].endswith("DEBUG [-] test.logs.cron: swept again")
