"""The real app served over HTTP for browser tests and the board bench.

werkzeug's threaded server in a thread, the in-process job worker (as `make run` has it),
a SQLite file, and the demo factory.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

import requests
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class LiveServer:
    app: object
    url: str
    server: object
    worker: object

    @property
    def runtime(self):
        return self.app.extensions["ops"]

    def stop(self) -> None:
        self.server.shutdown()
        self.worker.stop()
        self.worker.join(timeout=5)
        self.runtime.engine.dispose()


def start_server(db_url: str, *, seed: bool = True, **overrides) -> LiveServer:
    """Build the app on `db_url`, seed it, start the worker thread and the HTTP server."""
    from bootstrap import seed_demo
    from worker import InProcessWorker

    app = make_app(db_url, run_jobs_inline=False, **overrides)
    rt = app.extensions["ops"]
    if seed:
        seed_demo(rt)
    worker = InProcessWorker(app, poll=0.05)
    rt.extras["inprocess_worker"] = worker
    worker.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="test-http", daemon=True).start()
    return LiveServer(app, f"http://127.0.0.1:{server.server_port}", server, worker)


def login_session(base_url: str, username: str, password: str = "demo1234") -> requests.Session:
    """A requests session signed in to the admin (CSRF token read from the login form)."""
    s = requests.Session()
    page = s.get(f"{base_url}/admin/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = s.post(f"{base_url}/admin/login", data={"username": username, "password": password,
                                                 "csrf_token": token}, timeout=10, allow_redirects=False)
    if r.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {r.status_code}")
    return s


def require_chromium():
    """playwright's sync API for a browser test module; skips it (fails it in CI) without Debian's chromium."""
    import pytest

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip("chromium is not installed", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")
