"""README's "Production, step by step", followed as written: the shell blocks marked `walkthrough:run` run
one after the other in one bash (as a person types them into one terminal), in a temporary install folder,
on a new PostgreSQL database and this file's own Redis database, until `curl …/healthz` answers ok.

Only these values are swapped, each for its local stand-in: the install folder `/opt/order-hub`, the
database URL, the Redis URL and the port 8000. The blocks marked `walkthrough:skip` (root, systemd, the
clone and the pip install, your own WeCom values) are not run; every shell block of the section must carry
one of the two marks, so a new step cannot be left out of the test unnoticed.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, _pg_available
from tests.support.deploy import (
    REDIS_URL,
    ROOT,
    SURVIVORS,
    clean_env,
    free_port,
    install_folder,
    port_closed,
    stop_group,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
README = ROOT / "README.md"
SECTION = "## Production, step by step"
BLOCK = re.compile(r"(<!-- walkthrough:(run|skip)[^>]*-->\s*\n)?```(\w*)\n(.*?)```", re.S)


def walkthrough() -> list[tuple[str, str, str]]:
    """(mark, language, body) of each fenced block of the section, in order."""
    readme = README.read_text(encoding="utf-8")
    start = readme.index(f"\n{SECTION}\n")
    end = readme.index("\n## ", start + 1)
    return [(m.group(2) or "", m.group(3), m.group(4)) for m in BLOCK.finditer(readme[start:end])]


def test_every_shell_block_of_the_walkthrough_is_marked_and_the_run_covers_the_essentials():
    blocks = walkthrough()
    shell = [(mark, body) for mark, lang, body in blocks if lang in ("sh", "bash", "shell", "")]
    assert shell and all(mark in ("run", "skip") for mark, _ in shell), [b[:60] for m, b in shell if not m]
    run = "\n".join(body for mark, body in shell if mark == "run")
    for step in ("ops db upgrade", "ops create-user admin --role admin", "ops serve", "ops worker", "/healthz"):
        assert step in run
    skipped = "\n".join(body for mark, body in shell if mark == "skip")
    for step in ("createdb", "systemctl enable", "WECOM_CORP_ID", "ops backup", "git pull"):
        assert step in skipped


@pytest.fixture
def fresh_database():
    if not _pg_available():
        pytest.skip("PostgreSQL not reachable")
    name = "walk_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_production_walkthrough_runs_verbatim_up_to_a_healthy_server(tmp_path, fresh_database):
    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable")
    r.flushdb()
    port = free_port()
    folder = tmp_path / "order-hub"
    folder.mkdir()
    install_folder(folder)
    swaps = {"/opt/order-hub": str(folder), "postgresql+psycopg://orderhub@/orderhub": fresh_database,
             "redis://127.0.0.1:6379/0": REDIS_URL, ":8000": f":{port}", "PORT=8000": f"PORT={port}"}
    script = "set -e\n"
    for mark, _lang, body in walkthrough():
        if mark == "run":
            for original, local in swaps.items():
                body = body.replace(original, local)
            script += body
    proc = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=300)
        logs = "".join(f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in folder.glob("*.log"))
        assert proc.returncode == 0, f"{err[-3000:]}{logs}"
        health = json.loads(out.strip().splitlines()[-1])
        assert health["status"] == "ok" and health["database"]["ok"] and health["redis"]["ok"], out
        assert "user admin created with role admin" in out
        assert (folder / "ops.env").stat().st_mode & 0o077 == 0  # umask 077: only orderhub reads the secret
    finally:
        stopped_by_itself = stop_group(proc.pid)
        r.flushdb()
    logs = "".join(f"\n--- {p.name}\n{p.read_text()[-2000:]}" for p in folder.glob("*.log"))
    assert stopped_by_itself, f"SIGKILLed after 45 s: {SURVIVORS}{logs}"
    assert port_closed(port)
    engine = create_engine(fresh_database)
    with engine.connect() as conn:
        admins = conn.execute(text("""SELECT username, role FROM "user" """)).all()
        orders = conn.execute(text('SELECT count(*) FROM "order"')).scalar()
    engine.dispose()
    assert [tuple(a) for a in admins] == [("admin", "admin")] and orders == 0
