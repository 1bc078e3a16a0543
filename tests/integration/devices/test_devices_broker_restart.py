"""A broker of our own, restarted mid-test: the hub reconnects, and its persistent session keeps
messages published while it was away."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import uuid

import pytest

import devices.wiring
from orders.status import Status
from tests.integration.devices.conftest import Publisher, free_port, hub_app, reachable, start_hub, wait_for
from tests.unit.devices.devices_builders import devices_world, last_event, order_at, scan_payload

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]


class PrivateBroker:
    """`mosquitto -c <temp config>` on a free port with persistence in a temp dir."""

    def __init__(self, binary: str, workdir):
        self.binary = binary
        self.port = free_port()
        self.workdir = workdir
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {workdir}/\nlog_dest file {workdir}/mosquitto.log\n"
            # As root mosquitto would switch to the `mosquitto` user, who cannot write our temp dir.
            f"user {getpass.getuser()}\n")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(lambda: reachable("127.0.0.1", self.port) or self.proc.poll() is not None, "mosquitto to listen")
        assert self.proc.poll() is None, (self.workdir / "mosquitto.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: mosquitto saves its persistence file and exits
            self.proc.wait(timeout=15)


@pytest.fixture
def private_broker(tmp_path):
    binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("the mosquitto binary is needed for the broker-restart test")
        pytest.skip("mosquitto binary not installed")
    broker = PrivateBroker(binary, tmp_path)
    broker.start()
    yield broker
    broker.stop()


def picked_up(rt, order_no: str):
    def check():
        ev = last_event(rt, order_no)
        return ev if ev is not None and ev.to_status == "in_transit" else None
    return check


def test_hub_survives_a_broker_restart_and_gets_what_was_queued_while_it_was_away(private_broker, db_url):
    app = hub_app(db_url, "127.0.0.1", private_broker.port, client_id=f"test-hub-{uuid.uuid4().hex[:10]}")
    rt = app.extensions["ops"]
    world = devices_world(rt)
    topic = f"ops/scan/{world['scanner'].device_id}"
    before, after, *while_away = [order_at(rt, Status.SHIPPED) for _ in range(4)]
    try:
        client = start_hub(app)
        pub = Publisher("127.0.0.1", private_broker.port)
        pub.publish(topic, scan_payload(before, "pickup"))
        wait_for(picked_up(rt, before), "the scan before the restart")
        pub.close()

        private_broker.stop()
        wait_for(lambda: not client.connected.is_set(), "the hub to notice the broker is gone")
        private_broker.start()
        wait_for(lambda: client.connected.is_set() and client.stats["connects"] >= 2, "the hub to reconnect")
        pub = Publisher("127.0.0.1", private_broker.port)
        pub.publish(topic, scan_payload(after, "pickup"))
        wait_for(picked_up(rt, after), "the scan after the reconnect")

        devices.wiring.stop(app)  # the hub goes away; the broker keeps its session (same client id)
        for order_no in while_away:
            pub.publish(topic, scan_payload(order_no, "pickup"))
        pub.close()
        start_hub(app)
        for order_no in while_away:
            ev = wait_for(picked_up(rt, order_no), f"{order_no}, published while the hub was away")
            assert (ev.source, ev.device_id) == ("scan", world["scanner"].device_id)
    finally:
        devices.wiring.stop(app)
        rt.engine.dispose()
