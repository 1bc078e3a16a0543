"""Our robot long connection held to the frames of WeCom's official aibot SDK.

The server below speaks what the official Python SDK (PyPI `wecom-aibot-python-sdk` 1.0.2, module
`aibot`: ws.py, message_handler.py, client.py, types.py; the same protocol as WecomTeam/aibot-node-sdk)
sends and expects, and checks every frame our client writes against the SDK's shapes:
- client → WeCom: `{"cmd": "aibot_subscribe", "headers": {"req_id": "aibot_subscribe_<ms>_<hex>"},
  "body": {"bot_id", "secret"}}` first; `{"cmd": "ping", "headers": {"req_id": "ping_…"}}` (no body)
  only after the subscribe was acked; `{"cmd": "aibot_respond_msg", "headers": {"req_id": <the
  callback's>}, "body": {"msgtype": "stream", "stream": {"id", "finish", "content"}}}`.
- WeCom → client: acks `{"headers": {"req_id"}, "errcode", "errmsg"}` without cmd (a refused
  subscribe has errcode ≠ 0); `aibot_msg_callback` / `aibot_event_callback` with body `msgid`,
  `aibotid`, `chatid`, `chattype`, `from.userid`, `msgtype` and the type's part (`text.content`;
  `event.eventtype` such as enter_chat, template_card_event, disconnected_event).
- liveness: the SDK gives up on a connection after 2 pings without an ack (ws.py `_max_missed_pong`;
  a ping answered with errcode ≠ 0 is logged and does not reset the count);
  ours too, once at least 5 seconds passed without any ack (bot/longconn.py MIN_SILENCE).
We did not adopt the SDK (see bot/longconn.py): it is asyncio and owns its loop; ours is a thread.
"""

from __future__ import annotations

import json
import queue
import re
import threading

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from orders.status import Status
from tests.conftest import make_app
from tests.factories import basic_factory, order_in
from tests.integration.bot.conftest import order_of

WAIT = 15
REQ_ID = {"aibot_subscribe": re.compile(r"^aibot_subscribe_\d{13}_[0-9a-f]{8}$"),
          "ping": re.compile(r"^ping_\d{13}_[0-9a-f]{8}$")}
BOT_ID, SECRET = "aibot-proto", "secret-proto"


class OfficialProtocolServer:
    """WeCom's aibot WebSocket as the official SDK sees it; records protocol violations by our client."""

    def __init__(self):
        self.frames: queue.Queue = queue.Queue()
        self.outgoing: queue.Queue = queue.Queue()
        self.violations: list[str] = []
        self.connections = 0
        self.ack_pings = True
        self.ping_errcode = 0  # answer pings with this errcode (ws.py: such an answer does not reset the count)
        self.refuse_next_subscribe = False
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}"

    def _violation(self, text: str) -> None:
        self.violations.append(text)

    def _check(self, data: dict, subscribed: bool, pushed: set[str]) -> None:
        cmd, headers = data.get("cmd"), data.get("headers")
        if not isinstance(headers, dict) or not isinstance(headers.get("req_id"), str):
            return self._violation(f"no headers.req_id: {data}")
        req_id = headers["req_id"]
        if cmd in REQ_ID and not REQ_ID[cmd].match(req_id):
            self._violation(f"{cmd} req_id {req_id!r} is not the SDK's <cmd>_<ms>_<hex>")
        if cmd == "aibot_subscribe":
            if set(data) != {"cmd", "headers", "body"} or set(data["body"]) != {"bot_id", "secret"}:
                self._violation(f"subscribe shape: {data}")
        elif cmd == "ping":
            if set(data) != {"cmd", "headers"}:
                self._violation(f"ping carries more than cmd and headers: {data}")
            if not subscribed:
                self._violation("ping before the subscribe was acked")
        elif cmd == "aibot_respond_msg":
            body = data.get("body") or {}
            stream = body.get("stream") or {}
            if req_id not in pushed:
                self._violation(f"reply to an unknown req_id {req_id}")
            if body.get("msgtype") != "stream" or not {"id", "finish", "content"} <= set(stream):
                self._violation(f"reply body shape: {body}")
        else:
            self._violation(f"unexpected cmd {cmd!r}")

    def _handle(self, ws):
        self.connections += 1
        subscribed, pushed = False, set()
        try:
            while True:
                try:
                    raw = ws.recv(timeout=0.05)
                except TimeoutError:
                    raw = None
                if raw is not None:
                    data = json.loads(raw)
                    self._check(data, subscribed, pushed)
                    self.frames.put(data)
                    cmd, req_id = data.get("cmd"), data["headers"]["req_id"]
                    if cmd == "aibot_subscribe" and self.refuse_next_subscribe:
                        self.refuse_next_subscribe = False
                        ws.send(json.dumps({"headers": {"req_id": req_id}, "errcode": 40058,
                                            "errmsg": "invalid bot_id or secret"}))
                        ws.close()
                        return
                    if cmd == "aibot_subscribe":
                        subscribed = True
                    if cmd == "ping" and self.ping_errcode:
                        ws.send(json.dumps({"headers": {"req_id": req_id}, "errcode": self.ping_errcode,
                                            "errmsg": "heartbeat refused"}))
                    elif cmd != "ping" or self.ack_pings:
                        ws.send(json.dumps({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"}))
                while subscribed and not self.outgoing.empty():
                    frame = self.outgoing.get()
                    pushed.add(frame["headers"]["req_id"])
                    ws.send(json.dumps(frame, ensure_ascii=False))
        except ConnectionClosed:
            return

    def expect(self, cmd: str) -> dict:
        while True:
            data = self.frames.get(timeout=WAIT)
            if data.get("cmd") == cmd:
                return data

    def push_text(self, req_id: str, msgid: str, text: str) -> None:
        self.outgoing.put({"cmd": "aibot_msg_callback", "headers": {"req_id": req_id},
                           "body": {"msgid": msgid, "aibotid": BOT_ID, "chatid": "grp-ops", "chattype": "group",
                                    "from": {"userid": "t.warehouse"}, "msgtype": "text",
                                    "text": {"content": f"@订单助手 {text}"}}})

    def push_event(self, req_id: str, eventtype: str, **extra) -> None:
        self.outgoing.put({"cmd": "aibot_event_callback", "headers": {"req_id": req_id},
                           "body": {"msgid": req_id, "create_time": 1790000000, "aibotid": BOT_ID,
                                    "chattype": "single", "from": {"userid": "t.warehouse"}, "msgtype": "event",
                                    "event": {"eventtype": eventtype, **extra}}})


@pytest.fixture
def wecom_ws():
    server = OfficialProtocolServer()
    server.thread.start()
    yield server
    server.server.shutdown()


@pytest.fixture
def launch(db_url, wecom_ws):
    """launch() -> (app, client): the long connection of a fresh app, started against the server."""
    from bot.wiring import start

    app = make_app(db_url, wecom_bot_mode="longconn", wecom_bot_id=BOT_ID, wecom_bot_secret=SECRET,
                   bot={"ws_url": wecom_ws.url, "ping_interval": 0.2})
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        basic_factory(uow)
        uow.commit()
    clients = []

    def go():
        clients.append(start(app))
        return app, clients[-1]

    yield go
    for client in clients:
        client.stop()
        client.join(WAIT)
    rt.engine.dispose()


def test_our_frames_are_the_official_sdks_and_a_message_is_answered(launch, wecom_ws):
    app, _ = launch()
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        no = order_in(uow, Status.IN_STOCK).order_no
        uow.commit()
    sub = wecom_ws.expect("aibot_subscribe")
    assert sub["body"] == {"bot_id": BOT_ID, "secret": SECRET}
    wecom_ws.expect("ping")
    wecom_ws.push_event("ev-enter", "enter_chat")  # events we do not act on must not hurt
    wecom_ws.push_event("ev-card", "template_card_event",
                        template_card_event={"card_type": "button_interaction", "event_key": "x", "task_id": "t"})
    wecom_ws.push_text("cb-1", "proto-1", f"{no} 已发货 顺丰 SF1402938475621")
    answer = wecom_ws.expect("aibot_respond_msg")
    assert answer["headers"]["req_id"] == "cb-1" and answer["body"]["stream"]["finish"] is True
    assert no in answer["body"]["stream"]["content"]
    assert order_of(rt, no).status == "shipped"
    wecom_ws.expect("ping")  # still alive after the events
    assert wecom_ws.violations == []


def test_a_refused_subscribe_is_retried_and_no_ping_goes_out_before_the_ack(launch, wecom_ws):
    wecom_ws.refuse_next_subscribe = True
    _, client = launch()
    wecom_ws.expect("aibot_subscribe")
    assert not client.authenticated.wait(0.5)  # refused: not subscribed, and (checked) no ping sent
    wecom_ws.expect("aibot_subscribe")  # after backing off, a new connection subscribes again
    wecom_ws.expect("ping")
    assert client.authenticated.wait(WAIT) and wecom_ws.connections == 2
    assert wecom_ws.violations == []


def test_two_unanswered_pings_drop_the_connection_and_it_comes_back(launch, wecom_ws):
    wecom_ws.ack_pings = False
    _, client = launch()
    wecom_ws.expect("aibot_subscribe")
    wecom_ws.expect("ping")
    wecom_ws.expect("ping")
    wecom_ws.ack_pings = True
    after = wecom_ws.frames.get(timeout=WAIT)  # no third ping (the SDK's limit): the next frame is a new subscribe
    assert after["cmd"] == "aibot_subscribe"
    assert wecom_ws.connections == 2 and client.connections == 2
    wecom_ws.expect("ping")
    assert wecom_ws.violations == []


def test_pings_answered_with_an_error_count_as_unanswered(launch, wecom_ws):
    wecom_ws.ping_errcode = 40058
    _, client = launch()
    wecom_ws.expect("aibot_subscribe")
    wecom_ws.expect("ping")
    wecom_ws.expect("ping")
    wecom_ws.ping_errcode = 0
    after = wecom_ws.frames.get(timeout=WAIT)  # the SDK's _missed_pong_count is only reset by errcode 0
    assert after["cmd"] == "aibot_subscribe"
    assert wecom_ws.connections == 2 and client.connections == 2
    wecom_ws.expect("ping")
    assert wecom_ws.violations == []


def test_disconnected_event_stops_the_client_for_good(launch, wecom_ws):
    _, client = launch()
    wecom_ws.expect("aibot_subscribe")
    wecom_ws.push_event("ev-kick", "disconnected_event")
    client.join(WAIT)
    assert not client.is_alive() and client.kicked
    assert wecom_ws.connections == 1 and wecom_ws.violations == []
