"""`ops devices`: run the MQTT client alone (production: next to gunicorn and `ops worker`)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("devices")
@with_appcontext
def devices_command() -> None:
    """Listen to scanners and sensors over MQTT (MQTT_URL) until stopped."""
    from devices.client import DeviceClient

    app = current_app._get_current_object()
    rt = app.extensions["ops"]
    if not rt.settings.mqtt_url:
        raise click.ClickException("MQTT_URL 未设置：设备接入已关闭 / MQTT_URL is not set")
    worker = None
    if rt.embedded_redis and not rt.settings.run_jobs_inline:
        # No other process can reach the embedded Redis: run the jobs here too.
        from worker import InProcessWorker

        worker = InProcessWorker(app)
        worker.start()
    client = DeviceClient.from_app(app)
    client.start()
    click.echo(f" * MQTT client {client.ds.client_id} → {client.broker.host}:{client.broker.port} (Ctrl-C to stop)")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        client.stop()
        if worker is not None:
            worker.stop()
