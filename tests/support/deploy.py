"""What the deployment tests share: an install folder whose `.venv/bin/ops` runs this checkout, free ports,
waiting for /healthz, stopping a whole process group."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("OPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
# Variables of the developer's shell that would leak into a production start.
CLEAN = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "HOST", "PORT", "PUBLIC_BASE_URL", "MQTT_URL", "MQTT_CLIENT_ID",
         "OPS_TIMEZONE", "PROCFILE", "BRIDGE_SECRET", "METRICS_ALLOW", "METRICS_TOKEN")


def install_folder(folder: Path) -> Path:
    """`folder/.venv/bin/ops` and `honcho`, as `pip install` would leave them, running this checkout with
    the test's Python (the checkout, not an installed copy, is what is under test)."""
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, module in (("ops", "cli"), ("honcho", "honcho")):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m {module} "$@"\n')
        script.chmod(0o755)
    return bin_dir


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthz(url: str, proc, seconds: float = 120) -> dict:
    """The JSON of the first 200 answer of /healthz; fails when the process ends or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode} before /healthz answered")
        try:
            answer = requests.get(url, timeout=3)
            if answer.status_code == 200:
                return answer.json()
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no 200 from {url} in {seconds} s")


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid pgrp …
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


def group_alive(pgid: int) -> bool:
    return bool(group_members(pgid))


SURVIVORS: list[str] = []  # what the last stop_group had to SIGKILL (pid, state, command line)


def _cmdline(pid: int) -> str:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        args = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} {state} {args.strip()}"


def stop_group(pgid: int, seconds: float = 45) -> bool:
    """SIGTERM a process group and wait for every member to end; True when they ended by themselves."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.3)
    SURVIVORS[:] = [_cmdline(pid) for pid in group_members(pgid)]  # for the failing test's message
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return False


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0
