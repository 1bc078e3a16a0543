"""`ops`: the command line, Flask's CLI group over the app."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command

from config import ConfigError, validate


def _create_app():
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False,
             load_dotenv=False)
def cli():
    """Order Hub (订单中枢) command line."""


cli.add_command(shell_command)
cli.add_command(routes_command)


def _rt():
    return current_app.extensions["ops"]


@cli.group()
def db():
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade():
    """Create or migrate the database to the newest schema."""
    from orders.migrate import upgrade

    upgrade(_rt().engine)
    click.echo("database is up to date")


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message):
    """Generate a migration from model changes (developers)."""
    from orders.migrate import revision

    revision(_rt().engine, message)


@cli.command("seed-demo")
@click.option("--force", is_flag=True, help="seed even when the database already has orders")
def seed_demo(force):
    """Load the deterministic demo factory (when the database has no orders)."""
    from bootstrap import seed_demo as load_demo

    created = load_demo(_rt(), force=force)
    click.echo("demo factory loaded" if created else "database already has orders; nothing loaded")


@cli.command("create-user")
@click.argument("name")
@click.option("--role", required=True)
@click.option("--password", required=True)
def create_user(name, role, password):
    """Create a login for the web admin."""
    from accounts.service import create_user as make
    from core.db import new_session
    from orders.exceptions import OrderError

    with new_session(_rt().engine) as s:
        try:
            make(s, name, role, password)
        except OrderError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(f"user {name} created with role {role}")


@cli.command("create-token")
@click.argument("name")
@click.option("--role", required=True)
def create_token(name, role):
    """Create an API token; it is printed once, alone on the last line."""
    from accounts.service import create_token as make
    from core.db import new_session
    from orders.exceptions import OrderError

    with new_session(_rt().engine) as s:
        try:
            token = make(s, name, role)
        except OrderError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(f"token {name} ({role}) created; it is shown only once:")
    click.echo(token)


@cli.command("import-orders")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--window-days", type=click.IntRange(1, 36500), default=None,
              help="skip rows whose order date is older than this many days (default IMPORT_WINDOW_DAYS, 90)")
@click.option("--dry-run", is_flag=True, help="print the row report without writing anything")
def import_orders(file, window_days, dry_run):
    """Import ERP orders from a CSV or xlsx file, reporting row by row."""
    from dataio.imports import run_import

    report = run_import(_rt(), file, window_days=window_days, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    if report.failed:
        sys.exit(1)


@cli.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="job worker processes forked from this one")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def worker(burst, processes, log_level):
    """Run job workers with RQ's scheduler (and the cron, in exactly one process); outages are waited out."""
    from worker import run_worker

    if _rt().embedded_redis:
        raise ConfigError("REDIS_URL is needed for `ops worker` (without it, `ops run` runs the jobs itself)")
    run_worker(current_app._get_current_object(), burst=burst, processes=processes,
               logging_level=log_level.upper())
    _leave_now(0)


def _listen_on(host: str | None, port: int | None) -> tuple[str, int]:
    """Apply --host/--port over HOST/PORT; a defaulted PUBLIC_BASE_URL follows the address actually served."""
    rt = _rt()
    if host or port:
        rt.settings = rt.settings.replace(host=host or rt.settings.host, port=port or rt.settings.port)
        validate(rt.settings)
    return rt.settings.host, rt.settings.port


@cli.command("run")
@click.option("--host", default=None, help="default: HOST (127.0.0.1)")
@click.option("--port", default=None, type=int, help="default: PORT (5000)")
@click.option("--demo", is_flag=True, help="load the demo factory into an empty database (`make run`)")
def run(host, port, demo):
    """Serve everything in one process: web, bot endpoints, job worker, scheduler."""
    from serve import serve_all

    host, port = _listen_on(host, port)
    serve_all(current_app._get_current_object(), host=host, port=port, demo=demo)


@cli.command("serve")
@click.option("--host", default=None, help="default: HOST (127.0.0.1)")
@click.option("--port", default=None, type=int, help="default: PORT (5000)")
@click.option("--workers", "-w", default=2, show_default=True, type=click.IntRange(1, 64),
              help="worker processes")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="request threads per worker that live boards never take")
@click.option("--max-streams", default=32, show_default=True, type=click.IntRange(0, 1000),
              help="open live boards per worker (more get 503 and poll)")
@click.option("--stream-lifetime", default=300.0, show_default=True, type=click.FloatRange(1, 86400),
              help="seconds before the server ends a live stream (the browser reconnects)")
def serve(host, port, workers, threads, max_streams, stream_lifetime):
    """The production web tier (web, API, bot callbacks) on gunicorn; jobs run in `ops worker`."""
    from serve import serve_web

    if _rt().embedded_redis:
        raise click.ClickException("ops serve 需要 REDIS_URL（多个进程共用）；单进程演示请用 ops run / "
                                   "ops serve needs REDIS_URL; use ops run for the one-process form")
    host, port = _listen_on(host, port)
    try:
        serve_web(current_app._get_current_object(), host=host, port=port, workers=workers, threads=threads,
                  max_streams=max_streams, stream_lifetime=stream_lifetime)
    except SystemExit as exc:  # gunicorn's master ends with sys.exit(status)
        _leave_now(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))


def _leave_now(code: int) -> None:
    """End a long-running command at once: the interpreter's tear-down of the big heap (jieba's dictionary,
    the app) took seconds on a busy machine, past the 5 s a process manager (honcho, a container runtime)
    waits before SIGKILL. Everything worth keeping is committed or flushed by now."""
    import logging
    import os

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


@cli.command("devices")
@click.option("--if-configured", is_flag=True,
              help="without MQTT_URL, say so and wait until stopped instead of failing (Procfile)")
def devices(if_configured):
    """Listen to scanners and sensors over MQTT (MQTT_URL) until stopped (next to `ops worker`)."""

    from devices.client import DeviceClient
    from worker import InProcessWorker

    app = current_app._get_current_object()
    rt = _rt()
    if not rt.settings.mqtt_url:
        if not if_configured:
            raise click.ClickException("MQTT_URL 未设置：设备接入已关闭 / MQTT_URL is not set")
        click.echo(" * MQTT_URL 未设置：设备接入已关闭 / devices off (MQTT_URL is not set); waiting until stopped")
        _wait_for_stop()
        return
    worker = None
    if rt.embedded_redis and not rt.settings.run_jobs_inline:
        # No other process can reach the embedded Redis: run the jobs here too.
        worker = InProcessWorker(app)
        worker.start()
    client = DeviceClient.from_app(app)
    client.start()
    click.echo(f" * MQTT client {client.ds.mqtt_client_id} → {client.broker.host}:{client.broker.port} (Ctrl-C to stop)")
    try:
        _wait_for_stop()
    finally:
        client.stop()
        if worker is not None:
            worker.stop()


def _wait_for_stop() -> None:
    """Block until SIGTERM or Ctrl-C."""
    import signal
    import threading

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(1):
            pass
    except KeyboardInterrupt:
        pass


@cli.command("handlers")
def handlers():
    """Print the one event-handler table: event -> handlers in run order, with their module."""
    from bootstrap import format_handler_table

    click.echo(format_handler_table())


def main():
    try:
        cli.main(prog_name="ops")
    except ConfigError as exc:
        click.echo(f"配置错误 / configuration error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
