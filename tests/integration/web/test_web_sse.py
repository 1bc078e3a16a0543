"""/admin/live over real HTTP: a committed order change reaches an open SSE stream, with the
embedded in-process Redis (`make run`) and with the real Redis server."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from accounts.service import create_user
from core.db import new_session
from orders import service
from orders.status import Status
from tests.e2e.web.server import login_session, start_server
from tests.factories import admin_actor, basic_factory, order_in

REDIS_DB = 11  # this file's own database number on the shared server (pub/sub itself is server-wide)


def _serve(tmp_path, **overrides):
    srv = start_server(f"sqlite:///{tmp_path / 'ops.db'}", seed=False, **overrides)
    rt = srv.runtime
    with rt.uow() as uow:
        basic_factory(uow)
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    with new_session(rt.engine) as s:
        create_user(s, "boss", "manager", "pass-1234")
    return srv, order.order_no


def _events(response):
    """(event, data) pairs of an SSE response as they arrive."""
    event, data = "message", []
    for raw in response.iter_lines(decode_unicode=True):
        if raw is None:
            continue
        if raw == "":
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif raw.startswith("event:"):
            event = raw[6:].strip()
        elif raw.startswith("data:"):
            data.append(raw[5:].strip())
        elif raw.startswith("retry:"):
            yield "retry", raw[6:].strip()


def _ship_and_wait(srv, order_no: str) -> list[tuple[str, str]]:
    http = login_session(srv.url, "boss", "pass-1234")
    seen = []
    with http.get(f"{srv.url}/admin/live", stream=True, timeout=(5, 15)) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/event-stream")
        events = _events(r)
        seen.append(next(events))
        seen.append(next(events))
        with srv.runtime.uow() as uow:
            service.change_status(uow, order_no, actor=admin_actor("web"), to="shipped", fields={"carrier": "自提"})
            uow.commit()
        for event, data in events:  # bounded by the read timeout: no event means the test fails
            seen.append((event, data))
            if event == "change" and order_no in data:
                break
    return seen


def test_sse_delivers_a_committed_change_with_the_embedded_redis(tmp_path):
    srv, order_no = _serve(tmp_path)
    try:
        assert srv.runtime.embedded_redis
        seen = _ship_and_wait(srv, order_no)
    finally:
        srv.stop()
    assert seen[0] == ("retry", "2000") and seen[1][0] == "hello"
    assert seen[-1][0] == "change" and '"status": "shipped"' in seen[-1][1]


@pytest.mark.redis
def test_sse_delivers_a_committed_change_through_the_real_redis(tmp_path):
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis not reachable")
    srv, order_no = _serve(tmp_path, redis_url=url)
    try:
        assert not srv.runtime.embedded_redis
        seen = _ship_and_wait(srv, order_no)
    finally:
        srv.stop()
        conn = redis.Redis.from_url(url)
        for key in conn.scan_iter("rq:*"):
            conn.delete(key)
        conn.delete("ops:cron-leader")
    assert seen[-1][0] == "change" and order_no in seen[-1][1]


def test_the_live_stream_needs_a_login(tmp_path):
    srv = start_server(f"sqlite:///{tmp_path / 'ops.db'}", seed=False)
    try:
        import requests

        r = requests.get(f"{srv.url}/admin/live", allow_redirects=False, timeout=5)
        assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    finally:
        srv.stop()


def test_a_stream_survives_many_changes_in_a_row(tmp_path):
    srv, _ = _serve(tmp_path)
    try:
        rt = srv.runtime
        numbers = []
        with rt.uow() as uow:
            for _ in range(5):
                numbers.append(order_in(uow, Status.IN_STOCK).order_no)
            uow.commit()
        http = login_session(srv.url, "boss", "pass-1234")
        with http.get(f"{srv.url}/admin/live", stream=True, timeout=(5, 15)) as r:
            events = _events(r)
            next(events), next(events)
            for no in numbers:
                with rt.uow() as uow:
                    service.change_status(uow, no, actor=admin_actor("web"), to="shipped",
                                          fields={"carrier": "自提", "note": uuid.uuid4().hex})
                    uow.commit()
            got = set()
            for event, data in events:
                got |= {no for no in numbers if event == "change" and no in data}
                if got == set(numbers):
                    break
    finally:
        srv.stop()
    assert got == set(numbers)
