"""One outage, two log lines: when it is noticed and when a call begun after that succeeds."""

from __future__ import annotations

import logging
import time

import redis

from core.outage import Outage, is_redis_outage


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ops.outage"]


def test_a_reply_already_on_its_way_does_not_end_an_outage(caplog):
    caplog.set_level(logging.WARNING, logger="ops.outage")
    outage = Outage("Redis", is_redis_outage)
    before = time.monotonic()
    outage.down(redis.exceptions.ConnectionError("Connection refused"))
    outage.up(before)  # a call that began before the outage was noticed
    assert outage.is_down
    outage.down(redis.exceptions.ConnectionError("Connection refused"))  # still the same outage: no new line
    outage.up(time.monotonic())
    assert not outage.is_down
    lines = _lines(caplog)
    assert len(lines) == 2, lines
    assert lines[0].startswith("Redis unreachable (ConnectionError: Connection refused)")
    assert lines[1].startswith("Redis reachable again after ")


def test_only_unreachable_servers_count_as_outages():
    assert is_redis_outage(redis.exceptions.ConnectionError("x"))
    assert is_redis_outage(redis.exceptions.TimeoutError("x"))
    assert not is_redis_outage(redis.exceptions.ResponseError("WRONGTYPE"))
    assert not is_redis_outage(None)
