"""Restore drill: `ops backup` of a working database, `ops restore` into a fresh one, and every order,
status event and alert is there — on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alerts.models import Alert, AlertRule
from orders.status import Status
from tests.conftest import PG_ADMIN_URL, make_app
from tests.factories import basic_factory, order_in

ROOT = Path(__file__).resolve().parents[3]


def _ops(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update(DATABASE_URL=db_url, SECRET_KEY="drill")
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


def _snapshot(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {
            "orders": conn.execute(text('SELECT order_no, status, version FROM "order" ORDER BY id')).all(),
            "events": conn.execute(text("SELECT order_id, from_status, to_status, source FROM statusevent "
                                        "ORDER BY id")).all(),
            "alerts": conn.execute(text("SELECT order_no, level, status FROM alert ORDER BY id")).all(),
        }
    engine.dispose()
    return out


def _working_database(db_url: str) -> dict:
    app = make_app(db_url)
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        basic_factory(uow)
        orders = [order_in(uow, status) for status in (Status.PENDING_REVIEW, Status.SCHEDULED, Status.SHIPPED)]
        rule = AlertRule(code="drill", name="演练", kind="not_scheduled", level="yellow")
        uow.session.add(rule)
        uow.session.flush()
        uow.session.add(Alert(rule_id=rule.id, order_id=orders[0].id, order_no=orders[0].order_no, level="yellow"))
        uow.commit()
    rt.engine.dispose()
    return _snapshot(db_url)


def test_sqlite_backup_restores_into_a_fresh_file(tmp_path):
    source = f"sqlite:///{tmp_path / 'ops.db'}"
    before = _working_database(source)
    made = _ops(source, "backup", "--out", str(tmp_path / "b.sqlite3"))
    assert made.returncode == 0, made.stderr
    assert Path(made.stdout.strip().splitlines()[-1]).is_file()
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = _ops(fresh, "restore", str(tmp_path / "b.sqlite3"))
    assert done.returncode == 0, done.stderr
    after = _snapshot(fresh)
    assert after == before
    assert len(after["orders"]) == 3 and after["events"] and len(after["alerts"]) == 1


def test_restore_refuses_a_database_with_orders_unless_told(tmp_path):
    source = f"sqlite:///{tmp_path / 'ops.db'}"
    _working_database(source)
    assert _ops(source, "backup", "--out", str(tmp_path / "b.sqlite3")).returncode == 0
    refused = _ops(source, "restore", str(tmp_path / "b.sqlite3"))
    assert refused.returncode != 0 and "已有订单" in refused.stderr
    assert _ops(source, "restore", str(tmp_path / "b.sqlite3"), "--yes").returncode == 0


@pytest.mark.postgres
def test_postgres_backup_restores_into_a_fresh_database(pg_url, tmp_path):
    before = _working_database(pg_url)
    made = _ops(pg_url, "backup", "--out", str(tmp_path / "b.pgdump"))
    assert made.returncode == 0, made.stderr
    fresh_db = "drill_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{fresh_db}"'))
    try:
        fresh = pg_url.replace("/test?", f"/{fresh_db}?")
        done = _ops(fresh, "restore", str(tmp_path / "b.pgdump"))
        assert done.returncode == 0, done.stderr
        after = _snapshot(fresh)
        assert after == before
        assert len(after["orders"]) == 3 and after["events"] and len(after["alerts"]) == 1
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh_db}" WITH (FORCE)'))
        admin.dispose()
