"""Fixtures of the MQTT tests: an app whose hub client talks to a real Mosquitto, a publisher."""

from __future__ import annotations

import os
import socket
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

import devices.wiring
from tests.conftest import make_app

SHARED_BROKER = ("127.0.0.1", 1883)
WAIT = 30.0  # generous: a wait, not a timing assertion


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what: str, timeout: float = WAIT):
    """Poll `check()` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Publisher:
    """A separate paho client standing in for scanners and sensors."""

    def __init__(self, host: str, port: int):
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-dev-{uuid.uuid4().hex[:10]}",
                                  protocol=mqtt.MQTTv5)
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=10)
        assert info.is_published(), f"broker did not acknowledge {topic}"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def hub_app(db_url: str, host: str, port: int, client_id: str | None = None):
    """An app (jobs inline) whose MQTT client is configured for host:port; not started yet."""
    devices = {"client_id": client_id or f"test-hub-{uuid.uuid4().hex[:10]}", "session_expiry": 120,
               "reconnect_max_delay": 1}
    return make_app(db_url, mqtt_url=f"mqtt://{host}:{port}", devices=devices)


def start_hub(app):
    """Start the client the way `ops run` does and wait until it is subscribed."""
    devices.wiring.start(app)
    client = app.extensions["ops"].extras[devices.wiring.CLIENT_KEY]
    wait_for(client.connected.is_set, "the hub to connect")
    return client


@pytest.fixture
def shared_broker():
    if not reachable(*SHARED_BROKER):
        if os.environ.get("CI"):
            pytest.fail("Mosquitto is not reachable on 127.0.0.1:1883 (CI must start it)")
        pytest.skip("Mosquitto not reachable on 127.0.0.1:1883")
    return SHARED_BROKER


@pytest.fixture
def hub(shared_broker, db_url):
    """An app with its hub client running against the shared broker."""
    app = hub_app(db_url, *shared_broker)
    start_hub(app)
    yield app
    devices.wiring.stop(app)
    app.extensions["ops"].engine.dispose()


@pytest.fixture
def publisher(shared_broker):
    p = Publisher(*shared_broker)
    yield p
    p.close()
