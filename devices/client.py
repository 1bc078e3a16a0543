"""The hub's MQTT session with the scanners and sensors (paho-mqtt 2, MQTT v5).

QoS 1 and a persistent session (fixed client id, clean_start=False, a session expiry),
so messages published while the hub is away wait at the broker. paho's network
thread only turns each message into a job (`rt.enqueue`) and acknowledges it once
queued (manual ack): if the queue is unreachable the message stays unacknowledged in a
small backlog, retried in order, and the broker redelivers it after a reconnect — a
message is never acknowledged before it is safely queued.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from rq import Retry

from config import DeviceSettings
from core.types import utcnow
from devices import jobs
from devices.payloads import HUB_STATUS_TOPIC, MAX_BYTES, SCAN_TOPIC, SENSOR_TOPIC, STATUS_TOPIC

log = logging.getLogger(__name__)

JOB_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])  # database down: try again later
ROUTES = {"scan": jobs.process_scan, "sensor": jobs.process_sensor, "status": jobs.process_status}


@dataclass(frozen=True)
class Broker:
    """Where the broker is, from MQTT_URL (mqtt://user:pass@host:1883, mqtts:// for TLS)."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> Broker:
        """Host, port, TLS and credentials from an mqtt:// or mqtts:// URL."""
        u = urlparse(url)
        tls = u.scheme == "mqtts"
        return cls(host=u.hostname or "127.0.0.1", port=u.port or (8883 if tls else 1883), tls=tls,
                   username=unquote(u.username) if u.username else None,
                   password=unquote(u.password) if u.password else None)


@dataclass(frozen=True)
class Delivery:
    """A received message on its way to the job queue; `generation` names its connection."""

    mid: int
    qos: int
    job: object
    args: tuple
    generation: int


class DeviceClient:
    """Subscribes to ops/scan/+, ops/sensor/+, ops/status/+ and queues one job per message."""

    def __init__(self, app, broker: Broker, ds: DeviceSettings):
        self.app = app
        self.rt = app.extensions["ops"]
        self.broker = broker
        self.ds = ds
        self.connected = threading.Event()
        self.stats = {"received": 0, "queued": 0, "connects": 0, "last_message_at": None}
        self._backlog: deque[Delivery] = deque()
        self._lock = threading.Lock()
        self._generation = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._drainer: threading.Thread | None = None
        self.client = self._make_client()

    @classmethod
    def from_app(cls, app) -> DeviceClient:
        """A client for the app's MQTT_URL and device settings."""
        settings = app.extensions["ops"].settings
        return cls(app, Broker.from_url(settings.mqtt_url), settings.devices)

    def _make_client(self) -> mqtt.Client:
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.ds.mqtt_client_id, protocol=mqtt.MQTTv5,
                        manual_ack=True)
        if self.broker.username:
            c.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            c.tls_set()
        c.will_set(HUB_STATUS_TOPIC, "offline", qos=1, retain=True)
        c.reconnect_delay_set(min_delay=1, max_delay=self.ds.reconnect_max_delay)
        c.on_connect = self._on_connect
        c.on_connect_fail = self._on_connect_fail
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        return c

    # ---- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background; reconnects with backoff for as long as it runs."""
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.ds.session_expiry
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=self.ds.keepalive,
                                  clean_start=False, properties=props)
        self.client.loop_start()
        self._drainer = threading.Thread(target=self._drain, name="devices-backlog", daemon=True)
        self._drainer.start()
        log.info("MQTT client %s connecting to %s:%s", self.ds.mqtt_client_id, self.broker.host, self.broker.port)

    def stop(self) -> None:
        """Say goodbye on the hub status topic and disconnect; the broker keeps our session."""
        self._stopping.set()
        self._wake.set()
        if self.connected.is_set():
            info = self.client.publish(HUB_STATUS_TOPIC, "offline", qos=1, retain=True)
            info.wait_for_publish(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()
        if self._drainer is not None:
            self._drainer.join(timeout=5)

    def status(self) -> dict:
        """Health of the session, for /healthz."""
        return {"ok": self.connected.is_set(), "client_id": self.ds.mqtt_client_id,
                "broker": f"{self.broker.host}:{self.broker.port}", "backlog": len(self._backlog),
                **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.stats.items()}}

    # ---- paho callbacks (network thread: no database work here) --------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT broker refused the connection: %s", reason_code)
            return
        self.stats["connects"] += 1
        log.info("MQTT connected (session present: %s)", flags.session_present)
        client.subscribe([(SCAN_TOPIC, SubscribeOptions(qos=1)), (SENSOR_TOPIC, SubscribeOptions(qos=1)),
                          (STATUS_TOPIC, SubscribeOptions(qos=1, noLocal=True))])
        client.publish(HUB_STATUS_TOPIC, "online", qos=1, retain=True)
        self.connected.set()

    def _on_connect_fail(self, client, userdata) -> None:
        log.warning("MQTT broker %s:%s unreachable; retrying with backoff", self.broker.host, self.broker.port)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        with self._lock:
            # Unacknowledged messages of the lost connection are redelivered by the broker.
            self._generation += 1
            self._backlog.clear()
        if not self._stopping.is_set():
            log.warning("MQTT connection lost (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, msg) -> None:
        try:
            self.stats["received"] += 1
            self.stats["last_message_at"] = received_at = utcnow()
            delivery = self._delivery(msg, received_at.isoformat())
            if delivery is None:
                self._ack_now(msg)
                return
            with self._lock:
                if self._backlog:  # keep the order: behind what is already waiting
                    self._backlog.append(delivery)
                    self._wake.set()
                    return
            if self._hand_over(delivery):
                self._ack(delivery)
            else:
                with self._lock:
                    self._backlog.append(delivery)
                self._wake.set()
        except Exception:  # the network thread must survive anything
            log.exception("MQTT message on %s could not be handed over", getattr(msg, "topic", "?"))

    def _delivery(self, msg, received_at: str) -> Delivery | None:
        """The job for a message, or None for messages we do not handle (our own status)."""
        topic = msg.topic
        parts = topic.split("/")
        if topic == HUB_STATUS_TOPIC or len(parts) != 3 or parts[1] not in ROUTES:
            return None
        text = msg.payload[: MAX_BYTES + 1].decode("utf-8", "replace")
        args: tuple = (topic, text, received_at)
        if parts[1] == "status":
            args += (bool(msg.retain),)
        return Delivery(msg.mid, msg.qos, ROUTES[parts[1]], args, self._generation)

    # ---- hand-over ----------------------------------------------------------------------------
    def _hand_over(self, d: Delivery) -> bool:
        """Queue the job (runs at once when jobs run inline); False when the queue is unreachable."""
        try:
            with self.app.app_context():
                self.rt.enqueue(d.job, *d.args, retry=JOB_RETRY)
        except Exception:
            log.exception("could not queue %s; keeping it unacknowledged", d.args[0])
            return False
        self.stats["queued"] += 1
        return True

    def _ack(self, d: Delivery) -> None:
        with self._lock:
            current = d.generation == self._generation
        if current and d.qos > 0:
            self.client.ack(d.mid, d.qos)

    def _ack_now(self, msg) -> None:
        if msg.qos > 0:
            self.client.ack(msg.mid, msg.qos)

    def _drain(self) -> None:
        """Retry the backlog in order, backing off while the queue stays unreachable."""
        delay = 1.0
        while not self._stopping.is_set():
            self._wake.wait(timeout=delay)
            self._wake.clear()
            while not self._stopping.is_set():
                with self._lock:
                    head = self._backlog[0] if self._backlog else None
                if head is None:
                    delay = 1.0
                    break
                if not self._hand_over(head):
                    delay = min(delay * 2, 30.0)
                    break
                with self._lock:
                    if self._backlog and self._backlog[0] is head:
                        self._backlog.popleft()
                self._ack(head)
