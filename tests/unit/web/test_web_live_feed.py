"""The live feed in-process: publish after commit only, fan-out to every stream, heartbeats."""

from __future__ import annotations

import json
import queue
from types import SimpleNamespace

import fakeredis

from orders import service
from orders.status import Status
from tests.factories import admin_actor, order_in
from web.live import LiveHub, event_stream


def _listen(rt):
    p = rt.redis.pubsub(ignore_subscribe_messages=True)
    p.subscribe("ops:live")
    p.get_message(timeout=0.1)
    return p


def _messages(p) -> list[dict]:
    out = []
    while (m := p.get_message(timeout=0.2)) is not None:
        if m["type"] == "message":
            out.append(json.loads(m["data"]))
    return out


def test_a_committed_status_change_is_published_with_its_order_and_status(app, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    p = _listen(rt)
    with rt.uow() as uow:
        service.change_status(uow, order.order_no, actor=admin_actor("web"), to="shipped",
                              fields={"carrier": "自提"})
        uow.commit()
    got = [m for m in _messages(p) if m.get("order_no") == order.order_no]
    assert got and got[-1]["topic"] == "order" and got[-1]["status"] == "shipped"


def test_a_change_that_is_rolled_back_is_not_published(app, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    p = _listen(rt)
    with rt.uow() as uow:
        service.change_status(uow, order.order_no, actor=admin_actor("web"), to="shipped",
                              fields={"carrier": "自提"})
        uow.rollback()
    assert [m for m in _messages(p) if m.get("order_no") == order.order_no] == []


def test_the_hub_gives_every_open_stream_each_message(app):
    hub = LiveHub(app.extensions["ops"])
    a, b = hub.subscribe(), hub.subscribe()
    assert hub.ready.wait(2)
    app.extensions["ops"].redis.publish("ops:live", '{"topic": "order", "order_no": "SO1"}')
    assert "SO1" in a.get(timeout=2) and "SO1" in b.get(timeout=2)
    hub.unsubscribe(a)
    hub.unsubscribe(b)
    assert hub.clients == set()


def test_a_stream_starts_with_retry_and_hello_then_sends_heartbeats_and_changes():
    hub = LiveHub.__new__(LiveHub)
    hub.clients, hub.lock, hub.max_age = set(), __import__("threading").Lock(), 60.0
    hub.runtime = SimpleNamespace(redis=fakeredis.FakeRedis())  # where it reports its open streams
    q: queue.Queue = queue.Queue()
    hub.clients.add(q)
    stream = event_stream(hub, q, heartbeat=0.01)
    assert next(stream) == "retry: 2000\n\n"
    assert next(stream).startswith("event: hello")
    assert next(stream) == ": heartbeat\n\n"
    q.put('{"order_no": "SO2"}')
    assert next(stream) == 'event: change\ndata: {"order_no": "SO2"}\n\n'
    stream.close()
    assert q not in hub.clients  # a browser that went away is forgotten


def test_a_slow_stream_drops_its_oldest_message_not_the_newest(app):
    hub = LiveHub(app.extensions["ops"])
    q: queue.Queue = queue.Queue(maxsize=2)
    hub.clients.add(q)
    for i in range(3):
        hub.broadcast(str(i))
    assert [q.get_nowait(), q.get_nowait()] == ["1", "2"]


def test_a_full_process_refuses_a_stream_until_one_closes(app):
    hub = LiveHub(app.extensions["ops"], max_streams=2)
    a, b = hub.subscribe(), hub.subscribe()
    assert a is not None and b is not None and hub.subscribe() is None
    hub.unsubscribe(a)
    assert hub.subscribe() is not None


def test_a_stream_ends_at_its_lifetime_with_a_retry_hint(app):
    hub = LiveHub(app.extensions["ops"], max_age=0.05)
    q = hub.subscribe()
    said = list(event_stream(hub, q, heartbeat=0.01))  # ends by itself, or the test hangs
    assert said[0] == "retry: 2000\n\n" and said[-1].startswith("retry: ")
    assert int(said[-1].split()[1]) >= 2000 and q not in hub.clients


def test_closing_the_hub_ends_open_streams_and_refuses_new_ones(app):
    hub = LiveHub(app.extensions["ops"], max_age=60)
    q = hub.subscribe()
    stream = event_stream(hub, q, heartbeat=30)
    next(stream), next(stream)
    rest: list[str] = []
    reader = __import__("threading").Thread(target=lambda: rest.extend(stream), daemon=True)
    reader.start()
    hub.close_all()
    reader.join(5)  # the stream's lifetime is 60 s: only the close can end it this soon
    assert not reader.is_alive() and rest[-1].startswith("retry: ") and hub.subscribe() is None
