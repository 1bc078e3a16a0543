"""Live board updates: order events -> Redis pub/sub `ops:live` -> Server-Sent Events.

One listener thread per process subscribes to the channel and fans each message out to
the open /admin/live streams (a queue per browser). Browsers reconnect by themselves
(EventSource, with our `retry:`), and a comment line every HEARTBEAT seconds keeps
proxies from closing idle streams and lets us notice browsers that went away.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator

from flask import Blueprint, Response, current_app

from core.runtime import Runtime
from notify.live import CHANNEL, publish
from orders.events import OrderEvent, StatusChanged
from web.access import enforce, page

log = logging.getLogger(__name__)

bp = Blueprint("admin_live", __name__, url_prefix="/admin")
bp.before_request(enforce)

RETRY_MS = 2000
HEARTBEAT = 15.0
IDLE_EXIT = 30.0
CLIENT_BACKLOG = 200
HUB_KEY = "web_live_hub"
_hub_lock = threading.Lock()


def publish_order_change(event: OrderEvent, uow) -> None:
    """Tell open boards about an order change once its transaction has committed."""
    data = {"order_no": event.order_no, "event": type(event).__name__, "source": event.source}
    if isinstance(event, StatusChanged):
        data["status"] = event.to_status
    runtime = uow.runtime
    uow.after_commit(lambda: publish(runtime, "order", data))


class LiveHub:
    """Subscribes once to the live channel and hands each message to every open stream."""

    def __init__(self, runtime: Runtime, channel: str = CHANNEL):
        self.runtime = runtime
        self.channel = channel
        self.clients: set[queue.Queue] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.ready = threading.Event()

    def subscribe(self) -> queue.Queue:
        """A new stream's queue; starts the listener when it is not running."""
        q: queue.Queue = queue.Queue(maxsize=CLIENT_BACKLOG)
        with self.lock:
            self.clients.add(q)
            if self.thread is None:
                self.ready.clear()
                self.thread = threading.Thread(target=self._listen, name="ops-live-hub", daemon=True)
                self.thread.start()
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self.lock:
            self.clients.discard(q)

    def broadcast(self, data: str) -> None:
        """Give a message to every stream; a stream that stopped reading loses its oldest."""
        with self.lock:
            clients = list(self.clients)
        for q in clients:
            try:
                q.put_nowait(data)
            except queue.Full:
                try:
                    q.get_nowait()
                    q.put_nowait(data)
                except (queue.Empty, queue.Full):
                    pass

    def _listen(self) -> None:
        """Read the channel until no stream has been open for IDLE_EXIT seconds; survive Redis outages."""
        idle_since = None
        while True:
            pubsub = None
            try:
                pubsub = self.runtime.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self.ready.set()
                while True:
                    msg = pubsub.get_message(timeout=1.0)
                    if msg and msg.get("type") == "message":
                        raw = msg["data"]
                        self.broadcast(raw.decode() if isinstance(raw, bytes) else str(raw))
                    idle_since = self._idle_tick(idle_since)
                    if idle_since == -1:
                        return
            except Exception:
                log.warning("live feed lost its Redis subscription; retrying", exc_info=True)
                self.ready.clear()
                time.sleep(1.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass
            if self._idle_tick(idle_since) == -1:
                return

    def _idle_tick(self, idle_since: float | None):
        """Track idleness; -1 means the listener should stop (and has unregistered itself)."""
        with self.lock:
            if self.clients:
                return None
            now = time.monotonic()
            if idle_since is None:
                return now
            if now - idle_since >= IDLE_EXIT:
                self.thread = None
                return -1
            return idle_since


def hub_for(app) -> LiveHub:
    """The process's hub for this app, made on first use."""
    with _hub_lock:
        hub = app.extensions.get(HUB_KEY)
        if hub is None:
            hub = app.extensions[HUB_KEY] = LiveHub(app.extensions["ops"])
        return hub


def event_stream(hub: LiveHub, q: queue.Queue, heartbeat: float = HEARTBEAT) -> Iterator[str]:
    """The SSE byte stream of one browser: retry hint, hello, then changes and heartbeats."""
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield "event: hello\ndata: {}\n\n"
        while True:
            try:
                data = q.get(timeout=heartbeat)
            except queue.Empty:
                yield ": heartbeat\n\n"
                continue
            yield f"event: change\ndata: {data}\n\n"
    finally:
        hub.unsubscribe(q)


@bp.get("/live")
@page("live")
def live():
    """`text/event-stream` of board changes for the signed-in user."""
    hub = hub_for(current_app._get_current_object())
    q = hub.subscribe()
    hub.ready.wait(timeout=2.0)  # subscribed before we say hello, so no change slips between
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(event_stream(hub, q), mimetype="text/event-stream", headers=headers)

