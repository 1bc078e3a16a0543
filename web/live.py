"""Live board updates: order events -> Redis pub/sub `ops:live` -> Server-Sent Events.

One listener thread per process subscribes to the channel and fans each message out to
the open /admin/live streams (a queue per browser). Browsers reconnect by themselves
(EventSource, with our `retry:`), and a comment line every HEARTBEAT seconds keeps
proxies from closing idle streams and lets us notice browsers that went away.

A stream holds a server thread while it is open, so streams are bounded: at most
LIVE_MAX_STREAMS per process (beyond it 503 + Retry-After: the page polls and tries again
later) and each lives LIVE_MAX_AGE seconds at most, then the server ends it with a jittered
`retry:` and the browser reconnects (and refetches its board: nothing is replayed).
"""

from __future__ import annotations

import logging
import os
import queue
import random
import threading
import time
from collections.abc import Iterator

from flask import Blueprint, Response, current_app

from core.metrics import report_open_streams
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
# Bounds of open streams (app.config keys; `ops serve` sets them from its options).
MAX_STREAMS = 32  # per process
MAX_AGE = 300.0  # seconds a stream stays open before the browser is told to reconnect
BUSY_RETRY_S = 30  # Retry-After of a refused stream
REPORT_EVERY = 15.0  # seconds between reports of the open streams to /metrics (they expire after 60)
CLOSE = object()  # queue sentinel: the stream ends now (server shutting down)
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

    def __init__(self, runtime: Runtime, channel: str = CHANNEL, *, max_streams: int = MAX_STREAMS,
                 max_age: float = MAX_AGE):
        self.runtime = runtime
        self.channel = channel
        self.max_streams = max_streams
        self.max_age = max_age
        self.pid = os.getpid()
        self.clients: set[queue.Queue] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.ready = threading.Event()
        self.closing = False
        self.reported_at = 0.0

    def subscribe(self) -> queue.Queue | None:
        """A new stream's queue, or None when the process has all the streams it may hold."""
        q: queue.Queue = queue.Queue(maxsize=CLIENT_BACKLOG)
        with self.lock:
            if self.closing or len(self.clients) >= self.max_streams:
                return None
            self.clients.add(q)
            if self.thread is None:
                self.ready.clear()
                self.thread = threading.Thread(target=self._listen, name="ops-live-hub", daemon=True)
                self.thread.start()
        self.report()
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self.lock:
            if q not in self.clients:
                return
            self.clients.discard(q)
        self.report()

    def report(self) -> None:
        """Tell /metrics how many streams this process holds (kept fresh by the listener)."""
        self.reported_at = time.monotonic()
        report_open_streams(self.runtime.redis, len(self.clients), hub=str(id(self)))

    def close_all(self) -> None:
        """End every open stream and refuse new ones (the server is shutting down)."""
        with self.lock:
            self.closing = True
            clients = list(self.clients)
        for q in clients:
            _force_put(q, CLOSE)

    def broadcast(self, data: str) -> None:
        """Give a message to every stream; a stream that stopped reading loses its oldest."""
        with self.lock:
            clients = list(self.clients)
        for q in clients:
            _force_put(q, data)

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
                    if time.monotonic() - self.reported_at > REPORT_EVERY:
                        self.report()
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


def _force_put(q: queue.Queue, item) -> None:
    """Put without blocking; a full queue (a stream that stopped reading) loses its oldest item."""
    try:
        q.put_nowait(item)
    except queue.Full:
        try:
            q.get_nowait()
            q.put_nowait(item)
        except (queue.Empty, queue.Full):
            pass


def hub_for(app) -> LiveHub:
    """The process's hub for this app, made on first use (and again in a forked child)."""
    with _hub_lock:
        hub = app.extensions.get(HUB_KEY)
        if hub is None or hub.pid != os.getpid():  # a listener thread does not survive fork
            hub = app.extensions[HUB_KEY] = LiveHub(
                app.extensions["ops"], max_streams=int(app.config.get("LIVE_MAX_STREAMS", MAX_STREAMS)),
                max_age=float(app.config.get("LIVE_MAX_AGE", MAX_AGE)))
        return hub


def event_stream(hub: LiveHub, q: queue.Queue, heartbeat: float = HEARTBEAT) -> Iterator[str]:
    """The SSE byte stream of one browser: retry hint, hello, then changes and heartbeats until
    the stream's lifetime is over; the last line tells the browser when to come back."""
    deadline = time.monotonic() + hub.max_age
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield "event: hello\ndata: {}\n\n"
        while (left := deadline - time.monotonic()) > 0:
            try:
                data = q.get(timeout=min(heartbeat, left))
            except queue.Empty:
                yield ": heartbeat\n\n"
                continue
            if data is CLOSE:
                break
            yield f"event: change\ndata: {data}\n\n"
        # Spread the reconnects of boards opened together over a few seconds.
        yield f"retry: {RETRY_MS + random.randint(0, 3 * RETRY_MS)}\n\n"
    finally:
        hub.unsubscribe(q)


@bp.get("/live")
@page("live")
def live():
    """`text/event-stream` of board changes for the signed-in user (503 when the process is full)."""
    hub = hub_for(current_app._get_current_object())
    q = hub.subscribe()
    if q is None:
        return Response(f"retry: {BUSY_RETRY_S * 1000}\n\n", status=503, mimetype="text/event-stream",
                        headers={"Retry-After": str(BUSY_RETRY_S), "Cache-Control": "no-cache"})
    hub.ready.wait(timeout=2.0)  # subscribed before we say hello, so no change slips between
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    response = Response(event_stream(hub, q), mimetype="text/event-stream", headers=headers)
    response.call_on_close(lambda: hub.unsubscribe(q))  # frees the slot even if the body never started
    return response

