"""Orders benchmark: creations/s and transitions/s on SQLite and PostgreSQL at 10 k and 100 k
orders, and API list/filter latency (p50/p95) at 100 k orders.

usage: .venv/bin/python bench/orders_bench.py [--sizes 10000,100000] [--backends sqlite,postgres]
Prints one line per figure. PostgreSQL: postgresql+psycopg://postgres@127.0.0.1:5432/test (a fresh schema).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _app(url: str):
    from sqlmodel import SQLModel

    from app import create_app
    from bootstrap import load_models

    app = create_app({"database_url": url, "run_jobs_inline": True, "secret_key": "bench", "redis_url": None})
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def _bulk_orders(rt, n: int, customer_id: int, product_id: int) -> None:
    """Fill the table to n orders with one multi-row insert per 5,000 (the background load)."""
    from orders.models import Order

    today = date.today()
    rows, day = [], today.strftime("%Y%m%d")
    for i in range(n):
        rows.append({"order_no": f"SO{day}B{i:07d}"[:20], "customer_id": customer_id, "product_id": product_id,
                     "quantity": 10 + i % 90, "promised_date": today + timedelta(days=i % 40),
                     "status": ("pending_review", "scheduled", "in_stock", "shipped")[i % 4], "version": 1,
                     "priority": "normal", "updated_by": "bench", "internal_note": ""})
    with rt.engine.begin() as conn:
        for k in range(0, n, 5000):
            conn.execute(insert(Order), [dict(r, created_at=_now(), updated_at=_now()) for r in rows[k:k + 5000]])


def _now():
    from core.types import utcnow

    return utcnow()


def run(url: str, label: str, size: int, ops: int) -> None:
    from orders import service
    from tests.factories import admin_actor, basic_factory

    app = _app(url)
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        world = basic_factory(uow)
        uow.commit()
    _bulk_orders(rt, size, world["customer"].id, world["product"].id)
    actor = admin_actor()
    t0 = time.perf_counter()
    numbers = []
    for _ in range(ops):
        with rt.uow() as uow:
            o = service.create_order(uow, customer="测试机械", product="SH-100", quantity=5,
                                     promised_date=date.today() + timedelta(days=20), actor=actor, tz=rt.settings.tz)
            uow.commit()
            numbers.append(o.order_no)
    created = ops / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for no in numbers:
        with rt.uow() as uow:
            service.change_status(uow, no, actor=actor, command="approve")
            uow.commit()
    moved = ops / (time.perf_counter() - t0)
    print(f"{label:8s} orders={size:>7,d}  create {created:7.1f}/s  transition {moved:7.1f}/s")
    if size >= 100_000:
        _api_latency(app, label)
    rt.engine.dispose()


def _api_latency(app, label: str) -> None:
    from accounts.service import create_token
    from core.db import new_session

    with new_session(app.extensions["ops"].engine) as s:
        token = create_token(s, "bench", "admin")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for name, url in (("list", "/api/orders?limit=50"), ("filter", "/api/orders?status=in_stock&limit=50"),
                      ("search", "/api/orders?q=B00012&limit=50")):
        samples = []
        for _ in range(60):
            t0 = time.perf_counter()
            r = client.get(url, headers=headers)
            samples.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"{label:8s} API {name:6s} at 100k: p50 {statistics.median(samples):6.1f} ms  p95 {p95:6.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--ops", type=int, default=500)
    args = ap.parse_args()
    for size in map(int, args.sizes.split(",")):
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
                run(url, "sqlite", size, args.ops)
            else:
                schema = "bench_" + uuid.uuid4().hex[:8]
                admin = create_engine(PG, isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.execute(text(f'CREATE SCHEMA "{schema}"'))
                try:
                    run(f"{PG}?options=-csearch_path%3D{schema}", "postgres", size, args.ops)
                finally:
                    with admin.connect() as c:
                        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
