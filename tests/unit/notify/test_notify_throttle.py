"""The sliding-window rate limit shared through Redis."""

from __future__ import annotations

import fakeredis

from notify.throttle import APP_USER_LIMITS, SlidingWindow


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_twenty_a_minute_then_wait_until_the_oldest_leaves_the_window():
    clock = Clock()
    window = SlidingWindow(fakeredis.FakeRedis(), "t", ((20, 60.0),), clock)
    for _ in range(20):
        assert window.acquire("robot") == 0
        clock.now += 1
    assert window.acquire("robot") == 40.0  # the first send was 20 s ago
    clock.now += 40
    assert window.acquire("robot") == 0
    assert window.acquire("other-robot") == 0


def test_a_refused_send_does_not_take_a_slot():
    clock = Clock()
    window = SlidingWindow(fakeredis.FakeRedis(), "t", ((1, 60.0),), clock)
    assert window.acquire("k") == 0
    assert window.acquire("k") > 0 and window.acquire("k") > 0
    clock.now += 60.5
    assert window.acquire("k") == 0


def test_app_members_also_have_an_hourly_cap():
    clock = Clock()
    window = SlidingWindow(fakeredis.FakeRedis(), "t", APP_USER_LIMITS, clock)
    for i in range(1000):
        assert window.acquire("u1") == 0, i
        clock.now += 2.5  # 24 a minute: under the minute limit
    wait = window.acquire("u1")
    assert wait > 60  # the hour is full: wait until its oldest send is an hour old


def test_two_processes_share_the_window_through_redis():
    server = fakeredis.FakeServer()
    clock = Clock()
    a = SlidingWindow(fakeredis.FakeRedis(server=server), "t", ((3, 60.0),), clock)
    b = SlidingWindow(fakeredis.FakeRedis(server=server), "t", ((3, 60.0),), clock)
    assert [a.acquire("k"), b.acquire("k"), a.acquire("k")] == [0, 0, 0]
    assert b.acquire("k") > 0
