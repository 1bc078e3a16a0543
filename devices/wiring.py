"""Wiring of devices: tables, the silence cron, the MQTT client of `ops run`, `ops devices`."""

from __future__ import annotations

import logging

from devices.jobs import check_silent_devices
from worker import CronEntry

log = logging.getLogger(__name__)

MODELS = ["devices.models"]
CRON = [CronEntry(func=check_silent_devices, interval=60)]
CLIENT_KEY = "devices_client"


def init_app(app) -> None:
    """Health check, the `ops devices` command, and the demo devices of the seed."""
    from devices.cli import devices_command
    from web.health import CHECKS

    CHECKS["mqtt"] = mqtt_health
    if "devices" not in app.cli.commands:
        app.cli.add_command(devices_command)
    _add_seed_extension()


def _add_seed_extension() -> None:
    import orders.seed
    from devices.seed import seed_demo_devices

    extensions = getattr(orders.seed, "SEED_EXTENSIONS", None)
    if extensions is not None and seed_demo_devices not in extensions:
        extensions.append(seed_demo_devices)


def start(app) -> None:
    """`ops run`: start the MQTT client when MQTT_URL is set."""
    rt = app.extensions["ops"]
    if not rt.settings.mqtt_url or CLIENT_KEY in rt.extras:
        return
    from devices.client import DeviceClient

    client = DeviceClient.from_app(app)
    client.start()
    rt.extras[CLIENT_KEY] = client


def stop(app) -> None:
    """Stop the MQTT client started by `start` (tests, shutdown)."""
    client = app.extensions["ops"].extras.pop(CLIENT_KEY, None)
    if client is not None:
        client.stop()


def mqtt_health(rt) -> dict:
    """/healthz entry: the MQTT session of this process, if it runs one."""
    if not rt.settings.mqtt_url:
        return {"ok": True, "enabled": False}
    client = rt.extras.get(CLIENT_KEY)
    if client is None:
        return {"ok": True, "enabled": True, "mode": "runs in `ops devices` or `ops run`"}
    return {"enabled": True, **client.status()}
