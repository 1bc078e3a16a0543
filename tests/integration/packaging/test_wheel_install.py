"""The production install is a wheel, not the work tree: build it, install it without the repo on the
path, import every module of every feature, and serve /healthz from it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding only the built wheel; dependencies come from this venv's site-packages
    through a plain path entry (its editable-install .pth files are not processed that way)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"  # the files git knows, so no stale build/ or local file slips into the wheel
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(source)],
                   check=True, capture_output=True, timeout=300)
    wheel = next((tmp / "dist").glob("order_hub-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(wheel)],
                   check=True, capture_output=True, timeout=300)
    return venv, tmp


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPS_", "WECOM", "MQTT", "SMTP", "SMS"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'ops.db'}", SECRET_KEY="wheel-test-secret", PYTHONPATH="")
    env.pop("REDIS_URL", None)
    return env


def test_every_feature_module_imports_from_the_wheel(installed):
    venv, tmp = installed
    script = (
        "import importlib, pkgutil, sysconfig, bootstrap\n"
        "SITE = sysconfig.get_paths()['purelib']\n"
        "assert bootstrap.__file__.startswith(SITE), bootstrap.__file__\n"
        "names = []\n"
        "for f in bootstrap.FEATURES:\n"
        "    pkg = importlib.import_module(f.models[0].__name__.split('.')[0] if f.models else f.name)\n"
        "    assert pkg.__file__.startswith(SITE), pkg.__file__\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name); names.append(m.name)\n"
        "import core, demo, api, nlu, app, worker, cli, serve, config\n"
        "print(len(names))\n"
    )
    out = subprocess.run([venv / "bin" / "python", "-c", script], cwd=tmp, env=_env(tmp), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.strip()) > 50


def test_the_installed_ops_command_serves_healthz(installed):
    venv, tmp = installed
    env = _env(tmp)
    ops = [venv / "bin" / "python", "-c", "import cli; cli.main()"]
    subprocess.run([*ops, "db", "upgrade"], cwd=tmp, env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen([*ops, "run", "--port", str(port)], cwd=tmp, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                    body = json.loads(resp.read())
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stdout.read().decode()[-3000:]) from None
                time.sleep(0.5)
        assert body["status"] == "ok"
        assert body["database"]["ok"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
