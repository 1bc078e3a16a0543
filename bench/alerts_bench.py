"""Sweep time of the alert rules at 10 k and 100 k open orders on PostgreSQL.

    .venv/bin/python bench/alerts_bench.py                 # 10 000 and 100 000 orders
    .venv/bin/python bench/alerts_bench.py --sizes 10000   # one size

Rows are built with bulk inserts in a throw-away schema of OPS_BENCH_PG_URL (default: the
test database on 127.0.0.1). Jobs go to an embedded Redis (enqueue cost included, delivery
not). Prints: the first sweep (raises and queues everything), a steady-state sweep (nothing
changes: the every-minute case), and a sweep after 1 % of the orders moved on (resolutions).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, insert, text, update  # noqa: E402
from sqlmodel import SQLModel, select  # noqa: E402

PG_URL = os.environ.get("OPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OPS_BENCH_REDIS_URL")  # e.g. redis://127.0.0.1:6379/14 (flushed after); unset: embedded
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
OPEN = ["pending_review", "pending_schedule", "pending_purchase", "pending_outsource", "scheduled",
        "in_production", "pending_qc", "rework", "in_stock", "shipped", "in_transit"]


def build_app(url: str):
    from app import create_app
    from bootstrap import load_models

    app = create_app({"database_url": url, "run_jobs_inline": False, "redis_url": REDIS_URL,
                      "secret_key": "bench", "public_base_url": "http://bench"})
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def fill(app, n: int, rng: random.Random) -> None:
    """Master data through the test builders, then `n` open orders and their status events in bulk."""
    from orders.models import Order, StatusEvent
    from tests.factories import basic_factory, staff

    rt = app.extensions["ops"]
    with rt.uow() as uow:
        made = basic_factory(uow)
        chairman = staff(uow, "董事长", "manager", userid="chairman", mobile="13700000002")
        made["people"]["manager"].manager_id = chairman.id  # a rung above 王总, so escalation happens
        uow.session.add(made["people"]["manager"])
        uow.commit()
    cust, prod, owner = made["customer"].id, made["product"].id, made["people"]["sales"].id
    today = NOW.date()
    with rt.engine.begin() as conn:
        for start in range(0, n, 5000):
            rows, events = [], []
            for i in range(start, min(n, start + 5000)):
                status = OPEN[i % len(OPEN)]
                entered = NOW - timedelta(hours=rng.randint(1, 120))
                rows.append({
                    "order_no": f"SO20261201-{i:06d}", "customer_id": cust, "product_id": prod, "quantity": 100,
                    "promised_date": today + timedelta(days=rng.randint(-3, 60)), "status": status,
                    "priority": "normal", "sales_owner_id": owner, "created_at": NOW, "updated_at": NOW,
                    "updated_by": "bench", "internal_note": "", "version": 1,
                    "planned_start": today + timedelta(days=3) if status == "scheduled" else None,
                    "shipped_at": entered if status == "shipped" else None, "carrier": "顺丰",
                })
            conn.execute(insert(Order), rows)
            ids = dict(conn.execute(select(Order.order_no, Order.id).where(
                Order.order_no.in_([r["order_no"] for r in rows]))).all())
            for r in rows:
                events.append({"order_id": ids[r["order_no"]], "from_status": "in_production", "to_status": r["status"],
                               "command": "bench", "at": r["shipped_at"] or NOW - timedelta(hours=rng.randint(1, 120)),
                               "actor": "bench", "source": "import", "note": "", "data": {}})
            conn.execute(insert(StatusEvent), events)


def timed(app, now: datetime) -> tuple[float, dict]:
    from alerts.sweep import run_sweep

    with app.app_context():
        t0 = time.perf_counter()
        result = run_sweep(now=now)
        return time.perf_counter() - t0, result


def counts(app) -> tuple[int, int]:
    from alerts.models import Alert
    from core.db import new_session
    from notify.models import Notification

    with new_session(app.extensions["ops"].engine) as s:
        alerts = s.exec(select(func.count()).select_from(Alert).where(Alert.status != "resolved")).one()
        notes = s.exec(select(func.count()).select_from(Notification)).one()
    return alerts, notes


def move_one_percent(app, n: int) -> None:
    from orders.models import Order

    with app.extensions["ops"].engine.begin() as conn:
        conn.execute(update(Order).where(Order.id % 100 == 0, Order.status.in_(OPEN[:4]))
                     .values(status="scheduled", planned_start=NOW.date() + timedelta(days=2)))


def bench(n: int) -> None:
    from orders.models import Order, StatusEvent

    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        app = build_app(f"{PG_URL}?options=-csearch_path%3D{schema}")
        t0 = time.perf_counter()
        fill(app, n, random.Random(42))
        with app.extensions["ops"].engine.begin() as conn:
            # Only the bulk-loaded tables: alert and outbox stats grow with the sweep, as in production.
            conn.execute(text(f'ANALYZE "{Order.__tablename__}", "{StatusEvent.__tablename__}"'))
        print(f"\n{n:>7} open orders (built in {time.perf_counter() - t0:.1f} s)")
        minute = 0
        res = {"deferred": 1}
        while res["deferred"]:
            took, res = timed(app, NOW + timedelta(minutes=minute))
            alerts, notes = counts(app)
            print(f"  raising sweep {minute}  {took:7.2f} s  raised {res['raised']:>6}  deferred {res['deferred']:>6}"
                  f"  open alerts {alerts:>6}  outbox rows {notes}")
            minute += 1
        took, res = timed(app, NOW + timedelta(minutes=minute))
        print(f"  steady sweep     {took:7.2f} s  raised {res['raised']:>6}  resolved {res['resolved']}")
        move_one_percent(app, n)
        took, res = timed(app, NOW + timedelta(minutes=minute + 1))
        print(f"  1 % moved sweep  {took:7.2f} s  resolved {res['resolved']:>5}  raised {res['raised']}")
        took, res = timed(app, NOW + timedelta(hours=5))
        print(f"  escalation sweep {took:7.2f} s  escalated {res['escalated']:>4}  deferred {res['deferred']}")
        if REDIS_URL:
            app.extensions["ops"].redis.flushdb()
        app.extensions["ops"].engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"alerts sweep bench on {PG_URL.split('@')[-1]}; sweep at {NOW.isoformat()}; date {date.today()}")
    for n in args.sizes:
        bench(n)


if __name__ == "__main__":
    main()
