"""When the job queue (Redis) is down, a scan is kept unacknowledged and queued once it is back."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest

import devices.wiring
from orders.status import Status
from tests.conftest import make_app
from tests.integration.devices.conftest import free_port, reachable, start_hub, wait_for
from tests.unit.devices.devices_builders import devices_world, order_at, scan_payload, status_of

pytestmark = [pytest.mark.mqtt, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def redis_binary():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server binary not installed")
    return binary


def test_a_scan_waits_for_the_queue_and_is_then_processed_by_a_worker(shared_broker, publisher, db_url,
                                                                       redis_binary):
    port = free_port()
    app = make_app(db_url, mqtt_url=f"mqtt://{shared_broker[0]}:{shared_broker[1]}",
                   redis_url=f"redis://127.0.0.1:{port}/0", run_jobs_inline=False,
                   devices={"client_id": f"test-hub-{uuid.uuid4().hex[:10]}", "session_expiry": 120,
                            "reconnect_max_delay": 1})
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.SHIPPED)
    redis = None
    try:
        client = start_hub(app)
        publisher.publish(f"ops/scan/{world['scanner'].device_id}", scan_payload(no, "pickup"))
        wait_for(lambda: client.status()["backlog"] >= 1, "the scan to wait in the backlog")
        redis = subprocess.Popen([redis_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL)
        wait_for(lambda: reachable("127.0.0.1", port), "redis to listen")
        wait_for(lambda: client.status()["backlog"] == 0 and rt.queue.count >= 1, "the scan to be queued")
        assert status_of(rt, no) == "shipped"  # queued, not yet run: no worker so far
        from worker import ThreadWorker

        with app.app_context():
            ThreadWorker([rt.queue], connection=rt.redis).work(burst=True)
        assert status_of(rt, no) == "in_transit"
    finally:
        devices.wiring.stop(app)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        rt.engine.dispose()
