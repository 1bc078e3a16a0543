"""Shipping notices and the customer tracking page, measured.

    .venv/bin/python bench/notices_bench.py                    # SQLite file, 10 000 orders
    .venv/bin/python bench/notices_bench.py --pg               # PostgreSQL (throw-away schema)
    .venv/bin/python bench/notices_bench.py --orders 2000 --requests 300 --renders 10

Prints: notices rendered per second and bytes per notice (render + palette PNG encode, no
disk); tracking-page requests per second and p50/p95 latency through Flask's test client (no
sockets) over `--orders` shipped orders, each with 3 trace lines and 6 status events, pages
opened by random valid tokens (token lookup, page build, view count update and commit).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

PG_URL = os.environ.get("OPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PATH = ["pending_review", "pending_schedule", "scheduled", "in_production", "pending_qc", "in_stock", "shipped"]


def bench_render(n: int) -> None:
    """Notices per second and bytes per notice."""
    from notify.notice_image import ShippingNotice, render_notice

    sizes, start = [], time.perf_counter()
    for i in range(n):
        notice = ShippingNotice(company="宁波精密金属制品有限公司", customer=f"宁波客户{i}机械有限公司",
                                order_no=f"SO20261120-{i:04d}", product="传感器外壳 SH-100", quantity=f"{100 + i:,} 件",
                                carrier="顺丰", tracking_no=f"SF{1402938475621 + i}", shipped_at="2026-11-20 15:32",
                                eta="2026-11-22（周日）", url=f"https://ops.example.com/t/{uuid.uuid4().hex}{i}")
        sizes.append(render_notice(notice).size)
    secs = time.perf_counter() - start
    print(f"notice image: {n / secs:.1f} notices/s ({secs / n * 1000:.0f} ms each), "
          f"{statistics.mean(sizes) / 1024:.1f} KB mean, {max(sizes) / 1024:.1f} KB max")


def build_app(url: str, tmp: Path):
    from app import create_app
    from bootstrap import load_models

    app = create_app({"database_url": url, "run_jobs_inline": False, "redis_url": None, "secret_key": "bench",
                      "public_base_url": "http://bench",
                      "logistics": {"notice_dir": str(tmp / "notices"), "tracking_rate_limit": "100000000/minute"}})
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def fill(engine, n: int) -> list[str]:
    """n shipped orders with status events, trace lines and one token each; returns the raw tokens."""
    from logistics.models import TraceLine, TrackingToken
    from logistics.tokens import hash_token
    from orders.models import Customer, Order, Product, Staff, StatusEvent

    raws = [f"bench-{uuid.uuid4().hex}{i}" for i in range(n)]
    with engine.begin() as c:
        c.execute(insert(Staff), [{"id": 1, "name": "销售甲", "roles": "sales", "mobile": "13900000001",
                                   "department": "", "on_duty": True, "active": True}])
        c.execute(insert(Customer), [{"id": 1, "name": "宁波测试机械有限公司", "short_name": "测试机械",
                                      "region": "浙江", "level": "A", "sales_owner_id": 1,
                                      "contact_name": "", "contact_phone": ""}])
        c.execute(insert(Product), [{"id": 1, "code": "SH-100", "name": "传感器外壳", "qc_standard_doc": "",
                                     "packaging_per_unit": 0, "unit_price": 12.5}])
        orders, events, lines, tokens = [], [], [], []
        for i in range(n):
            oid, at = i + 1, T0 + timedelta(minutes=i)
            orders.append({"id": oid, "order_no": f"SO{(date(2026, 1, 1) + timedelta(days=i // 9000)):%Y%m%d}-"
                           f"{i % 9000 + 1:04d}", "customer_id": 1, "product_id": 1, "quantity": 100 + i,
                           "promised_date": date(2026, 12, 20), "status": "shipped", "priority": "normal",
                           "sales_owner_id": 1, "created_at": at, "updated_at": at, "updated_by": "bench",
                           "carrier": "顺丰", "tracking_no": f"SF{1402938475621 + i}", "shipped_at": at,
                           "eta": date(2026, 11, 22), "internal_note": "", "version": 1})
            events += [{"order_id": oid, "from_status": a, "to_status": b, "command": "", "at": at,
                        "actor": "bench", "source": "api", "note": "", "data": {}}
                       for a, b in zip(PATH, PATH[1:], strict=False)]
            lines += [{"order_id": oid, "line_key": f"{oid}-{k}", "at": at + timedelta(hours=k),
                       "context": f"快件已到达第{k}站", "area": "浙江省杭州市", "status": "在途",
                       "source": "kuaidi100", "created_by": "", "created_at": at} for k in range(3)]
            tokens.append({"order_id": oid, "token_hash": hash_token(raws[i]), "shipment_ref": "bench",
                           "notice_path": "", "created_at": at, "expires_at": at + timedelta(days=3650),
                           "view_count": 0, "first_viewed_status": ""})
        for table, rows in ((Order, orders), (StatusEvent, events), (TraceLine, lines), (TrackingToken, tokens)):
            for k in range(0, len(rows), 5000):
                c.execute(insert(table), rows[k:k + 5000])
    return raws


def bench_page(app, raws: list[str], requests: int) -> None:
    client = app.test_client()
    picks = [random.choice(raws) for _ in range(requests)]
    assert client.get(f"/t/{picks[0]}").status_code == 200
    times = []
    start = time.perf_counter()
    for raw in picks:
        t = time.perf_counter()
        r = client.get(f"/t/{raw}")
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
    secs = time.perf_counter() - start
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000  # noqa: E731
    print(f"tracking page over {len(raws):,} orders: {requests / secs:.0f} req/s, "
          f"p50 {p(0.50):.1f} ms, p95 {p(0.95):.1f} ms, max {times[-1] * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--renders", type=int, default=30)
    ap.add_argument("--pg", action="store_true", help="PostgreSQL at OPS_BENCH_PG_URL instead of SQLite")
    args = ap.parse_args()
    bench_render(args.renders)
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if args.pg:
            schema = "bench_" + uuid.uuid4().hex[:8]
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{tmp}/bench.db"
        try:
            app = build_app(url, Path(tmp))
            t = time.perf_counter()
            raws = fill(app.extensions["ops"].engine, args.orders)
            print(f"filled {args.orders:,} orders ({'PostgreSQL' if args.pg else 'SQLite'}) "
                  f"in {time.perf_counter() - t:.1f} s")
            bench_page(app, raws, args.requests)
            app.extensions["ops"].engine.dispose()
        finally:
            if schema:
                with admin.connect() as c:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
