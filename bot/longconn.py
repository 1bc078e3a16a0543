"""The robot's long connection (WECOM_BOT_MODE=longconn): no public URL, no callback crypto.

Frames are JSON `{"cmd", "headers": {"req_id"}, "body"}` as in WeCom's aibot WebSocket docs (101463)
and the official SDKs (PyPI `wecom-aibot-python-sdk`, WecomTeam/aibot-node-sdk): we send
`aibot_subscribe` {bot_id, secret}, then, once WeCom acks it, `ping` without a body; req ids are
`<cmd>_<unix ms>_<random>` like the SDK's. WeCom pushes `aibot_msg_callback` / `aibot_event_callback`
and answers our frames with {headers.req_id, errcode, errmsg} and no cmd; a reply is
`aibot_respond_msg` with the callback's req_id and a finished `stream` body. Like the SDK, two pings in
a row without an ack mean the connection is dead: we drop it and reconnect. A `disconnected_event`
means a newer connection took over: we stop instead of fighting it.

We keep our own client rather than the SDK: the SDK is asyncio (websockets + aiohttp + pyee) and wants
to own an event loop, while this connection is one thread of `ops run` whose replies come from job
threads and, through Redis, from worker processes; tests/integration/bot/test_bot_longconn_protocol.py
holds our client to the SDK's frames.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import websocket

from bot.inbound import accept
from bot.wecom import incoming_from_robot
from notify.channels import ChannelError, SendResult

log = logging.getLogger(__name__)

SUBSCRIBE, PING = "aibot_subscribe", "ping"
MSG_CALLBACK, EVENT_CALLBACK, RESPOND = "aibot_msg_callback", "aibot_event_callback", "aibot_respond_msg"
RELAY = "ops:aibot:respond"  # Redis pub/sub: workers hand replies to the process holding the socket


MAX_MISSED_PINGS = 2  # the SDK's limit: a third ping is not sent, the connection is dropped instead
MIN_SILENCE = 5.0  # …and never before this many seconds without an ack (short test intervals on a busy machine)
AUTH_TIMEOUT = 10.0  # seconds the subscribe ack may take (the SDK's request timeout)


def new_req_id(prefix: str) -> str:
    """`<prefix>_<unix ms>_<8 hex>`, the official SDK's generate_req_id format."""
    return f"{prefix}_{int(time.time() * 1000)}_{uuid.uuid4().hex[:8]}"


def frame(cmd: str, req_id: str, body: dict | None = None) -> str:
    data: dict = {"cmd": cmd, "headers": {"req_id": req_id}}
    if body is not None:
        data["body"] = body
    return json.dumps(data, ensure_ascii=False)


def respond_body(content: str) -> dict:
    """A finished stream reply (plain text/markdown content)."""
    return {"msgtype": "stream", "stream": {"id": new_req_id("stream"), "finish": True, "content": content}}


class RobotLongConnection(threading.Thread):
    """Keeps one subscribed WebSocket to WeCom, stores each pushed message, reconnects with backoff."""

    def __init__(self, app, *, url: str, bot_id: str, secret: str, ping_interval: float = 30.0,
                 max_backoff: float = 30.0):
        super().__init__(name="ops-aibot-longconn", daemon=True)
        self.app, self.url, self.bot_id, self.secret = app, url, bot_id, secret
        self.ping_interval, self.max_backoff = ping_interval, max_backoff
        self.stopping = threading.Event()
        self.authenticated = threading.Event()
        self.kicked = False
        self.connections = 0
        self._ws: websocket.WebSocket | None = None
        self._send_lock = threading.RLock()
        self._subscribe_id = ""
        self._missed_pings = 0
        self._last_ack = 0.0

    @property
    def connected(self) -> bool:
        return self._ws is not None and self.authenticated.is_set()

    def run(self) -> None:
        delay = 1.0
        with self.app.app_context():
            while not self.stopping.is_set():
                try:
                    self._session()
                except Exception as exc:  # network, auth refused, server gone: back off and retry
                    log.warning("robot long connection dropped: %s", exc)
                if self.authenticated.is_set():
                    delay = 1.0
                self._ws = None
                self.authenticated.clear()
                if self.kicked or self.stopping.is_set():
                    break
                self.stopping.wait(delay)
                delay = min(delay * 2, self.max_backoff)

    def stop(self) -> None:
        self.stopping.set()
        ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:
                pass

    def _session(self) -> None:
        """One connection: subscribe, then read frames and ping until it drops."""
        ws = websocket.create_connection(self.url, timeout=10)
        self._ws = ws
        self.connections += 1
        try:
            self._subscribe_id = new_req_id(SUBSCRIBE)
            self._missed_pings = 0
            self.send(frame(SUBSCRIBE, self._subscribe_id, {"bot_id": self.bot_id, "secret": self.secret}))
            started = last_ping = time.monotonic()
            while not self.stopping.is_set() and not self.kicked:
                ws.settimeout(max(0.05, last_ping + self.ping_interval - time.monotonic()))
                try:
                    raw = ws.recv()
                except websocket.WebSocketTimeoutException:
                    raw = None
                if raw:
                    self._on_frame(raw)
                if not self.authenticated.is_set():  # heartbeats start once WeCom accepted the subscribe
                    if time.monotonic() - started > max(AUTH_TIMEOUT, 2 * self.ping_interval):
                        raise ConnectionError("no answer to aibot_subscribe")
                    last_ping = time.monotonic()
                elif time.monotonic() - last_ping >= self.ping_interval:
                    if self._missed_pings < MAX_MISSED_PINGS:
                        self._missed_pings += 1
                        self.send(frame(PING, new_req_id(PING)))
                    elif time.monotonic() - self._last_ack >= MIN_SILENCE:
                        raise ConnectionError(f"{self._missed_pings} pings without an ack: connection dead")
                    last_ping = time.monotonic()
        finally:
            try:
                ws.close()
            except Exception:
                pass

    def send(self, text: str) -> None:
        """Write one frame; replies may come from job threads, so writes are serialised."""
        with self._send_lock:
            ws = self._ws
            if ws is None:
                raise ConnectionError("robot long connection is not open")
            ws.send(text)

    def respond(self, req_id: str, content: str) -> None:
        """Answer a pushed message on this connection."""
        self.send(frame(RESPOND, req_id, respond_body(content)))

    def _on_frame(self, raw: str | bytes) -> None:
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("robot long connection: unreadable frame ignored")
            return
        if not isinstance(data, dict):
            return
        cmd, req_id = data.get("cmd"), (data.get("headers") or {}).get("req_id", "")
        body = data.get("body") if isinstance(data.get("body"), dict) else {}
        if cmd == MSG_CALLBACK:
            self._on_message(req_id, body)
        elif cmd == EVENT_CALLBACK:
            self._on_event(body)
        elif req_id == self._subscribe_id:
            if data.get("errcode", 0) != 0:
                raise ConnectionError(f"subscribe refused: {data.get('errcode')} {data.get('errmsg')}")
            self.authenticated.set()
            self._last_ack = time.monotonic()
            log.info("robot long connection subscribed")
        elif isinstance(req_id, str) and req_id.startswith(PING + "_"):
            if data.get("errcode", 0) not in (0, None):  # like the SDK: an error answer is no heartbeat ack
                log.warning("robot long connection: heartbeat answered %s %s", data.get("errcode"),
                            data.get("errmsg"))
            else:
                self._missed_pings, self._last_ack = 0, time.monotonic()
        elif data.get("errcode", 0) not in (0, None):
            log.warning("robot long connection: %s answered %s %s", req_id, data.get("errcode"),
                        data.get("errmsg"))

    def _on_message(self, req_id: str, body: dict) -> None:
        try:
            incoming = incoming_from_robot(body, reply_channel="aibot_ws", reply_to=req_id)
            accept(self.app.extensions["ops"], incoming)
        except Exception:  # a bad push must not drop the connection
            log.exception("robot long connection: message %s not stored", body.get("msgid"))

    def _on_event(self, body: dict) -> None:
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        if event.get("eventtype") == "disconnected_event":
            log.warning("robot long connection taken over by a newer connection; not reconnecting")
            self.kicked = True


class RobotSocketChannel:
    """Outbox channel `aibot_ws`: a reply goes back on the long connection (recipient = callback req_id)."""

    name = "aibot_ws"

    def __init__(self, runtime):
        self.runtime = runtime

    def send(self, n) -> SendResult:
        client = self.runtime.extras.get("bot.longconn")
        if client is not None and client.connected:
            try:
                client.respond(n.recipient, n.body)
            except Exception as exc:
                raise ChannelError(f"长连接发送失败：{exc}") from None
            return SendResult(provider_msgid=n.recipient)
        if not self.runtime.embedded_redis:
            receivers = self.runtime.redis.publish(RELAY, json.dumps({"req_id": n.recipient, "content": n.body},
                                                                     ensure_ascii=False))
            if receivers:
                return SendResult(provider_msgid=n.recipient)
        raise ChannelError("机器人长连接未建立")


def relay_replies(runtime, client: RobotLongConnection) -> threading.Thread:
    """In the process holding the socket: forward replies that worker processes published."""

    def run():
        pubsub = runtime.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(RELAY)
        while not client.stopping.is_set():
            msg = pubsub.get_message(timeout=1.0)
            if not msg:
                continue
            try:
                data = json.loads(msg["data"])
                client.respond(data["req_id"], data["content"])
            except Exception:
                log.warning("relayed robot reply could not be sent", exc_info=True)
        pubsub.close()

    t = threading.Thread(target=run, name="ops-aibot-relay", daemon=True)
    t.start()
    return t
