"""The robot's long connection against a local WebSocket stand-in speaking the aibot frame format."""

from __future__ import annotations

import json
import queue
import threading

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from orders.status import Status
from tests.conftest import make_app
from tests.factories import basic_factory, order_in
from tests.integration.bot.conftest import order_of

WAIT = 15  # seconds any one expected frame may take (a bound, not a speed check)


class AibotStandin:
    """WeCom's aibot WebSocket: acks subscribe and ping, pushes frames, records what it got."""

    def __init__(self):
        self.received: queue.Queue = queue.Queue()
        self.outgoing: queue.Queue = queue.Queue()
        self.drop = threading.Event()
        self.connections = 0
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}"

    def _handle(self, ws):
        self.connections += 1
        self.drop.clear()
        try:
            while not self.drop.is_set():
                try:
                    raw = ws.recv(timeout=0.05)
                except TimeoutError:
                    raw = None
                if raw is not None:
                    data = json.loads(raw)
                    self.received.put(data)
                    if data.get("cmd") in ("aibot_subscribe", "ping", "aibot_respond_msg"):
                        ws.send(json.dumps({"headers": data["headers"], "errcode": 0, "errmsg": "ok"}))
                while not self.outgoing.empty():
                    ws.send(json.dumps(self.outgoing.get(), ensure_ascii=False))
        except ConnectionClosed:
            return

    def expect(self, cmd: str) -> dict:
        """The next frame of `cmd` the client sent (others are skipped)."""
        while True:
            data = self.received.get(timeout=WAIT)
            if data.get("cmd") == cmd:
                return data


@pytest.fixture
def standin():
    s = AibotStandin()
    s.thread.start()
    yield s
    s.server.shutdown()


@pytest.fixture
def longconn_app(db_url, standin):
    app = make_app(db_url, wecom_bot_mode="longconn", wecom_bot_id="bot-1", wecom_bot_secret="sec-1",
                   bot={"ws_url": standin.url, "ping_interval": 0.2})
    yield app
    client = app.extensions["ops"].extras.get("bot.longconn")
    if client:
        client.stop()
        client.join(WAIT)
    app.extensions["ops"].engine.dispose()


def _push(standin, req_id: str, text: str, msgid: str) -> None:
    standin.outgoing.put({"cmd": "aibot_msg_callback", "headers": {"req_id": req_id},
                          "body": {"msgid": msgid, "aibotid": "bot-1", "chatid": "grp-ops", "chattype": "group",
                                   "from": {"userid": "t.warehouse"}, "msgtype": "text",
                                   "text": {"content": f"@订单助手 {text}"}}})


def test_long_connection_subscribes_pings_applies_and_answers(longconn_app, standin):
    from bot.wiring import start

    rt = longconn_app.extensions["ops"]
    with rt.uow() as uow:
        basic_factory(uow)
        no = order_in(uow, Status.IN_STOCK).order_no
        uow.commit()
    start(longconn_app)
    sub = standin.expect("aibot_subscribe")
    assert sub["body"] == {"bot_id": "bot-1", "secret": "sec-1"} and sub["headers"]["req_id"]
    assert standin.expect("ping")["headers"]["req_id"]
    _push(standin, "req-1", f"{no} 已发货 顺丰 SF1402938475621", "lc-1")
    answer = standin.expect("aibot_respond_msg")
    assert answer["headers"]["req_id"] == "req-1"
    assert answer["body"]["msgtype"] == "stream" and answer["body"]["stream"]["finish"] is True
    assert no in answer["body"]["stream"]["content"]
    assert order_of(rt, no).status == "shipped"


def test_long_connection_reconnects_after_the_server_drops_it(longconn_app, standin):
    from bot.wiring import start

    client = start(longconn_app)
    standin.expect("aibot_subscribe")
    standin.drop.set()
    again = standin.expect("aibot_subscribe")
    assert again["body"]["bot_id"] == "bot-1"
    assert standin.connections >= 2 and client.connections >= 2


def test_a_newer_connection_kicks_this_one_and_it_stays_down(longconn_app, standin):
    from bot.wiring import start

    client = start(longconn_app)
    standin.expect("aibot_subscribe")
    standin.outgoing.put({"cmd": "aibot_event_callback", "headers": {"req_id": "ev-1"},
                          "body": {"msgid": "ev-1", "msgtype": "event",
                                   "event": {"eventtype": "disconnected_event"}}})
    client.join(WAIT)
    assert not client.is_alive() and client.kicked
