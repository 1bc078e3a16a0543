"""`ops run` (everything in one process) and `ops serve` (the production web tier on gunicorn).

`ops serve` runs gunicorn's gthread workers: each request gets a thread, and an open live
board (/admin/live, Server-Sent Events) holds one for as long as it is open. So each worker
gets `threads + max_streams` threads, web/live.py refuses streams beyond `max_streams` per
process (503, the page polls) and ends each after `stream_lifetime` seconds (the browser
reconnects): `threads` threads always stay free for /healthz, the API and the bot callbacks.
The app is built once in the master (preload) with jieba loaded, then forked; nothing that
holds a socket (database pool, Redis pool) is open at fork time.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
from urllib.parse import urlparse

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.serving import make_server

log = logging.getLogger(__name__)



def start_notices(rt, *, host: str) -> list[str]:
    """Lines an operator must read at start: the first admin is missing; links would point at loopback."""
    from sqlalchemy.exc import SQLAlchemyError

    from accounts.service import has_admin

    lines = []
    try:
        with rt.engine.connect() as conn:
            missing_admin = not has_admin(conn)
    except SQLAlchemyError:  # no tables yet: `ops db upgrade` comes first, its own error says so
        missing_admin = False
    if missing_admin:
        lines.append(" * 还没有管理员账号 / no admin login yet: create the first one with\n"
                     "     ops create-user NAME --role admin --password '<at least 8 characters>'")
    link_host = urlparse(rt.settings.public_base_url).hostname or ""
    if _is_wildcard(link_host):
        lines.append(f" * WARNING: PUBLIC_BASE_URL is {rt.settings.public_base_url} (no machine's address): links in "
                     "QR codes and messages will not open anywhere; set PUBLIC_BASE_URL")
    elif _is_loopback(link_host) and not _is_loopback(host):
        lines.append(f" * WARNING: PUBLIC_BASE_URL is {rt.settings.public_base_url} (loopback) while serving on "
                     f"{host}: links in QR codes and messages will not open on other machines; set PUBLIC_BASE_URL")
    return lines


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_all(app, *, host: str, port: int, demo: bool = False) -> None:
    """`ops run`: migrate, seed the demo only when asked (`--demo`) and empty, serve everything in one process."""
    from bootstrap import seed_demo, start_services
    from orders.migrate import upgrade
    from worker import InProcessWorker

    rt = app.extensions["ops"]
    upgrade(rt.engine)
    if demo and seed_demo(rt):
        log.info("demo factory loaded")
    for line in start_notices(rt, host=host):
        print(line, flush=True)
    # One process serves all: jobs run in a thread (the embedded Redis is reachable from
    # no other process); with REDIS_URL set, `ops worker` processes may help as well.
    w = InProcessWorker(app)
    rt.extras["inprocess_worker"] = w
    w.start()
    start_services(app)
    server = make_server(host, port, app, threaded=True)
    print(f" * Order Hub serving on http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


class StreamingThreadWorker(ThreadWorker):
    """gthread worker that ends the open live streams at once when asked to stop, so a graceful
    restart does not wait the whole graceful timeout for boards that would never finish."""

    def handle_exit(self, sig, frame):
        from web.live import hub_for

        if self.alive and "ops" in getattr(self.wsgi, "extensions", {}):
            self.method_queue.defer(lambda: hub_for(self.wsgi).close_all())
        super().handle_exit(sig, frame)


def _post_fork(server, worker) -> None:
    """In the child: drop whatever pooled connection slipped through from the master."""
    rt = worker.app.application.extensions.get("ops")
    if rt is not None:
        rt.engine  # noqa: B018 -- the pid check disposes the parent's pool without closing its sockets


def _worker_exit(server, worker) -> None:
    """In the child, once gunicorn is done with it: leave at once (os._exit, keeping the exit code) instead of
    tearing down the heap inherited from the master (jieba's dictionary and the app): the interpreter's
    clean-up touched every inherited page and took 3-5 s per worker on a busy machine, longer than honcho
    (5 s) or a container runtime waits before SIGKILL."""
    exc = sys.exc_info()[1]
    code = exc.code if isinstance(exc, SystemExit) else (1 if exc is not None else 0)
    if not isinstance(code, int):
        code = 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


class WebTier(BaseApplication):
    """gunicorn serving an already built Flask app with Order Hub's settings."""

    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings of newer gunicorn releases are skipped on older ones
                self.cfg.set(key, value)

    def load(self):
        return self.application


class ZoneLogger(GunicornLogger):
    """gunicorn's own lines (start, workers booting) in the business time zone, like every other line."""

    tz = None  # set by gunicorn_options

    def setup(self, cfg):
        super().setup(cfg)
        from core.logs import ZoneFormatter

        if self.tz is not None:
            for handler in self.error_log.handlers:
                handler.setFormatter(ZoneFormatter(self.tz, "%(asctime)s %(levelname)s [-] gunicorn: %(message)s"))


def gunicorn_options(*, host: str, port: int, workers: int, threads: int, max_streams: int, tz=None) -> dict:
    """The gunicorn settings of the web tier."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": StreamingThreadWorker,
        "threads": threads + max_streams,
        "preload_app": True,
        "timeout": 60,  # gthread: the main loop heartbeats, so only a stuck worker trips this
        "graceful_timeout": 15,
        "keepalive": 5,
        "post_fork": _post_fork,
        "worker_exit": _worker_exit,
        "proc_name": "ops-serve",
        "control_socket_disable": True,  # one fixed path per user: two servers on one host would clash
        "accesslog": None,  # web/observability.py logs one line per request, with its id
        "errorlog": "-",
        "loglevel": "info",
        "logger_class": type("OpsZoneLogger", (ZoneLogger,), {"tz": tz}),
    }


def serve_web(app, *, host: str, port: int, workers: int, threads: int, max_streams: int,
              stream_lifetime: float) -> None:
    """`ops serve`: load what every worker shares once, close pooled connections, fork, serve."""
    from nlu.segment import get_tokenizer

    rt = app.extensions["ops"]
    for line in start_notices(rt, host=host):
        print(line, flush=True)
    app.config["LIVE_MAX_STREAMS"] = max_streams
    app.config["LIVE_MAX_AGE"] = stream_lifetime
    get_tokenizer()  # jieba and the domain dictionary, shared copy-on-write by the workers
    rt.engine.dispose()  # no database connection crosses the fork
    rt.redis.connection_pool.disconnect()
    print(f" * Order Hub web tier on http://{host}:{port}: {workers} workers x ({threads} threads + "
          f"{max_streams} live streams, {stream_lifetime:g}s each)", flush=True)
    WebTier(app, gunicorn_options(host=host, port=port, workers=workers, threads=threads,
                                  max_streams=max_streams, tz=rt.settings.tz)).run()
