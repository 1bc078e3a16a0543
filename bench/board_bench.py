"""Board bench: live-update latency with many open SSE clients, and the order table at 100 k orders.

usage: .venv/bin/python bench/board_bench.py [--clients 20] [--changes 30] [--orders 100000]
                                             [--redis embedded|real] [--postgres]
1. Latency from a committed order change (after `uow.commit()` returns) to its `change` event in each
   of N open /admin/live streams (real HTTP, threaded werkzeug server), p50/p95; and the time of the
   fragment refetch a browser makes on that event.
2. /admin/orders page time (server side, through the app) at 100 k orders for typical queries, p50/p95.
Prints one line per figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def show(name: str, ms: list[float]) -> None:
    print(f"{name}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms (n={len(ms)})",
          flush=True)


def _factory(rt, orders: int) -> list[str]:
    from accounts.service import create_user
    from core.db import new_session
    from orders.status import Status
    from tests.factories import basic_factory, order_in

    with rt.uow() as uow:
        basic_factory(uow)
        numbers = [order_in(uow, Status.IN_STOCK).order_no for _ in range(orders)]
        uow.commit()
    with new_session(rt.engine) as s:
        create_user(s, "bench", "manager", "bench-pass")
    return numbers


def _reader(http, url: str, ready: threading.Barrier, received: dict, stop: threading.Event) -> None:
    """One SSE client: records when each order's change event arrives."""
    with http.get(f"{url}/admin/live", stream=True, timeout=(5, 30)) as r:
        ready.wait()
        event = None
        for line in r.iter_lines(decode_unicode=True):
            now = time.perf_counter()
            if stop.is_set():
                return
            if line and line.startswith("event:"):
                event = line[6:].strip()
            elif line and line.startswith("data:") and event == "change":
                for no in received["wanted"]:
                    if no in line:
                        received.setdefault(no, []).append(now)


def live_latency(clients: int, changes: int, redis_mode: str) -> None:
    from orders import service
    from tests.e2e.web.server import login_session, start_server
    from tests.factories import admin_actor

    tmp = Path(tempfile.mkdtemp(prefix="board-bench-"))
    overrides = {"redis_url": "redis://127.0.0.1:6379/12"} if redis_mode == "real" else {}
    srv = start_server(f"sqlite:///{tmp / 'ops.db'}", seed=False, **overrides)
    try:
        numbers = _factory(srv.runtime, changes)
        sessions = [login_session(srv.url, "bench", "bench-pass") for _ in range(clients)]
        ready, stop = threading.Barrier(clients + 1), threading.Event()
        received: list[dict] = [{"wanted": set(numbers)} for _ in range(clients)]
        threads = [threading.Thread(target=_reader, args=(s, srv.url, ready, rec, stop), daemon=True)
                   for s, rec in zip(sessions, received, strict=True)]
        for t in threads:
            t.start()
        ready.wait(timeout=30)
        time.sleep(0.5)
        committed = {}
        for no in numbers:
            with srv.runtime.uow() as uow:
                service.change_status(uow, no, actor=admin_actor("web"), to="shipped", fields={"carrier": "自提"})
                uow.commit()
            committed[no] = time.perf_counter()
            time.sleep(0.05)
        deadline = time.time() + 10
        while time.time() < deadline and any(len(r) - 1 < len(numbers) for r in received):
            time.sleep(0.1)
        latencies = [(got[0] - committed[no]) * 1000 for rec in received for no, got in rec.items()
                     if no != "wanted" and got]
        missing = clients * len(numbers) - len(latencies)
        show(f"live update commit -> SSE event ({clients} clients, {redis_mode} redis, missing {missing})",
             latencies)
        fetch = []
        for _ in range(30):
            t0 = time.perf_counter()
            sessions[0].get(f"{srv.url}/admin/boards/warehouse/fragment", timeout=10).raise_for_status()
            fetch.append((time.perf_counter() - t0) * 1000)
        show("board fragment refetch (warehouse, over HTTP)", fetch)
        stop.set()
    finally:
        srv.stop()
        if redis_mode == "real":
            import redis

            conn = redis.Redis.from_url(overrides["redis_url"])
            for key in conn.scan_iter("rq:*"):
                conn.delete(key)


def _bulk_orders(rt, n: int) -> None:
    """n orders across statuses and customers in multi-row inserts (the background load)."""
    from sqlalchemy import insert
    from sqlmodel import select

    from core.types import utcnow
    from orders.models import Customer, Order, Product, Staff
    from orders.status import Status

    with rt.uow() as uow:
        from tests.factories import basic_factory

        made = basic_factory(uow)
        extra = [Customer(name=f"客户{i:03d}有限公司", short_name=f"客户{i:03d}", region=["浙江", "江苏", "广东"][i % 3],
                          sales_owner_id=made["people"]["sales"].id) for i in range(60)]
        uow.session.add_all(extra)
        uow.commit()
        customers = list(uow.session.exec(select(Customer.id)).all())
        product = uow.session.exec(select(Product.id)).first()
        owner = uow.session.exec(select(Staff.id).where(Staff.roles == "sales")).first()
    statuses = [s.value for s in Status]
    today, now = date.today(), utcnow()
    with rt.engine.begin() as conn:
        for start in range(0, n, 5000):
            rows = [{"order_no": f"SO{(today - timedelta(days=i // 500)).strftime('%Y%m%d')}-{i % 500 + 1:04d}",
                     "erp_no": f"ERP-{i:07d}", "customer_id": customers[i % len(customers)], "product_id": product,
                     "quantity": 100 + i % 900, "promised_date": today + timedelta(days=i % 90 - 30),
                     "status": statuses[i % len(statuses)], "priority": "normal", "sales_owner_id": owner,
                     "created_at": now, "updated_at": now - timedelta(minutes=i), "updated_by": "bench",
                     "internal_note": "", "version": 1}
                    for i in range(start, min(n, start + 5000))]
            conn.execute(insert(Order), rows)


def order_table(n: int, url: str) -> None:
    from accounts.service import create_user
    from core.db import new_session
    from tests.conftest import make_app
    from tests.unit.web.conftest import csrf_of

    app = make_app(url)
    rt = app.extensions["ops"]
    t0 = time.perf_counter()
    _bulk_orders(rt, n)
    print(f"loaded {n} orders on {rt.engine.dialect.name} in {time.perf_counter() - t0:.1f} s", flush=True)
    with new_session(rt.engine) as s:
        create_user(s, "bench", "manager", "bench-pass")
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    client.post("/admin/login", data={"username": "bench", "password": "bench-pass", "csrf_token": token})
    mid = n // 2
    queries = {
        "first page (newest)": "/admin/orders",
        "deep page (keyset, half way)": f"/admin/orders?after={mid}~{mid}",
        "status filter": "/admin/orders?status=in_production",
        "open + due in 5 working days": "/admin/orders?status=open&due=5",
        "sort by due date": "/admin/orders?sort=due",
        "search customer name": "/admin/orders?q=客户042",
        "search ERP number": "/admin/orders?q=ERP-0054321",
        "customer filter + status": "/admin/orders?customer=20&status=in_stock",
    }
    for name, path in queries.items():
        client.get(path)  # warm
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.status_code
        show(f"order table at {n} ({rt.engine.dialect.name}): {name}", times)
    rt.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--redis", choices=["embedded", "real"], default="embedded")
    ap.add_argument("--postgres", action="store_true", help="also measure the order table on PostgreSQL")
    args = ap.parse_args()
    import logging

    logging.disable(logging.WARNING)
    live_latency(args.clients, args.changes, args.redis)
    tmp = Path(tempfile.mkdtemp(prefix="board-bench-"))
    order_table(args.orders, f"sqlite:///{tmp / 'ops.db'}")
    if args.postgres:
        from sqlalchemy import create_engine, text

        schema = "bench_" + uuid.uuid4().hex[:8]
        eng = create_engine(PG, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            order_table(args.orders, f"{PG}?options=-csearch_path%3D{schema}")
        finally:
            with eng.connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
