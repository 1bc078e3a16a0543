"""Wiring of devices: tables, the silence cron, the demo devices, the MQTT client of `ops run`."""

from __future__ import annotations

import logging

from core.feature import CronEntry, Feature
from core.runtime import Runtime
from devices import models
from devices.client import DeviceClient
from devices.jobs import check_silent_devices
from devices.seed import seed_demo_devices

log = logging.getLogger(__name__)

CLIENT_KEY = "devices_client"


def start(app) -> DeviceClient | None:
    """`ops run`: start the MQTT client when MQTT_URL is set."""
    rt = app.extensions["ops"]
    if not rt.settings.mqtt_url or CLIENT_KEY in rt.extras:
        return None
    client = DeviceClient.from_app(app)
    client.start()
    rt.extras[CLIENT_KEY] = client
    return client


def stop(app) -> None:
    """Stop the MQTT client started by `start` (tests, shutdown)."""
    client = app.extensions["ops"].extras.pop(CLIENT_KEY, None)
    if client is not None:
        client.stop()


def mqtt_health(rt: Runtime) -> dict:
    """/healthz entry: the MQTT session of this process, if it runs one."""
    if not rt.settings.mqtt_url:
        return {"ok": True, "enabled": False}
    client = rt.extras.get(CLIENT_KEY)
    if client is None:
        return {"ok": True, "enabled": True, "mode": "runs in `ops devices` or `ops run`"}
    return {"enabled": True, **client.status()}


FEATURE = Feature(
    name="devices",
    models=[models],
    health_checks={"mqtt": mqtt_health},
    cron=[CronEntry(func=check_silent_devices, interval=60)],
    seed=seed_demo_devices,
    start=start,
)
