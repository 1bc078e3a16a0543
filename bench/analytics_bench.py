"""Query time of the insight pages on 100 000 orders with their status history, on PostgreSQL.

    .venv/bin/python bench/analytics_bench.py                    # 100 000 orders
    .venv/bin/python bench/analytics_bench.py --orders 20000     # smaller
    .venv/bin/python bench/analytics_bench.py --schema b1 --keep # fill once, re-run on the same rows

Rows are bulk-inserted into a throw-away schema of OPS_BENCH_PG_URL (tables and indexes as the
models and migrations make them): orders spread over a year (about 5 status events each, one or two
QC inspections), alerts, notifications, chat messages. The summaries (insight.summaries: stays, first
QC inspection per order, status records per day and source) are built once in full, then refreshed
incrementally after 200 new status events; then each page's queries and each dashboard figure are
timed (median of 5 after one warm-up). Goal: under 300 ms per page.

Customers are graded A/B/C, orders spread over 4 products in 4 product lines, 8 salespeople and, once
scheduled, 4 production lines, so the dashboard's filters (one customer level, product line,
salesperson, line, and all of them at once) are timed too. A schema filled before those columns
existed answers the filtered cases with nearly every or no order: fill a new one. Indexes the models
gained since a kept schema was filled are created on start.

Line load (the dashboard's 产线负荷): each product has a 3-step route over the 4 lines, and the orders
now 已排产 or 加工中 that were scheduled in the last TASK_DAYS days have their open production tasks
(about 1,700 orders, 5,000 tasks; older ones have none, as a factory does not keep months of work in
hand). A schema filled before this has no tasks: the line-load figure then reads an empty table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

PG_URL = os.environ.get("OPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
FLOW = ["pending_review", "pending_schedule", "scheduled", "in_production", "pending_qc", "in_stock", "shipped",
        "in_transit", "delivered", "completed"]
SOURCES = ["chat", "chat", "chat", "web", "web", "scan", "api"]
LEVELS = ["A", "B", "C"]
PRODUCT_LINES = ["外壳", "支架", "轴类", "法兰"]
LINES = ["1号线", "2号线", "3号线", "4号线"]
SALES = 8
TASK_DAYS = 30
ROUTE_HOURS = (8.0, 12.0, 4.0)  # standard hours per 100 pieces of each route step


def build_app(url: str):
    from app import create_app
    from bootstrap import load_models

    app = create_app({"database_url": url, "run_jobs_inline": True, "redis_url": None,
                      "secret_key": "bench", "public_base_url": "http://bench"})
    load_models()
    engine = app.extensions["ops"].engine
    SQLModel.metadata.create_all(engine)
    for table in SQLModel.metadata.sorted_tables:  # indexes added since a kept schema was filled
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    return app


def fill(app, n: int, rng: random.Random) -> None:
    """Customers, a product, `n` orders over the last year with their events and inspections."""
    from alerts.models import Alert, AlertRule
    from bot.models import InboundMessage
    from notify.models import Notification
    from orders.models import (
        Customer,
        Material,
        Order,
        Product,
        ProductionTask,
        PurchaseLine,
        QcInspection,
        RouteStep,
        Staff,
        StatusEvent,
    )
    from workcal.models import ProductionLine

    rt = app.extensions["ops"]
    with rt.engine.begin() as conn:
        conn.execute(insert(Staff), [{"name": f"业务员{i}", "userid": f"sales{i}", "department": "销售",
                                            "roles": "sales", "on_duty": True, "active": True} for i in range(SALES)])
        conn.execute(insert(Customer), [{"name": f"客户{i:03d}", "short_name": f"客{i}", "region": "",
                                         "level": LEVELS[i % 3], "sales_owner_id": 1 + i % SALES,
                                         "contact_name": "", "contact_phone": ""} for i in range(100)])
        conn.execute(insert(Product), [{"code": f"P{k + 1}", "name": name, "product_line": name, "qc_standard_doc": "",
                                        "packaging_per_unit": 0, "unit_price": 1} for k, name in enumerate(PRODUCT_LINES)])
        conn.execute(insert(RouteStep), [{"product_id": k + 1, "seq": j + 1, "process": f"工序{j + 1}",
                                          "std_hours_per_100": h, "line": LINES[(k + j) % len(LINES)]}
                                         for k in range(len(PRODUCT_LINES)) for j, h in enumerate(ROUTE_HOURS)])
        conn.execute(insert(ProductionLine), [{"name": name, "day_hours": 16, "processes": "", "outsourced": False,
                                               "lead_days": 3, "note": "", "updated_at": NOW} for name in LINES])
        conn.execute(insert(Material), [{"code": "M1", "name": "铝棒", "kind": "raw", "unit": "kg", "stock_on_hand": 0,
                                         "safety_stock": 0, "supplier": ""}])
        conn.execute(insert(PurchaseLine), [{"material_id": 1, "quantity": 1, "arrived_quantity": 1,
                                             "batch_no": f"B{i:04d}", "supplier": f"供应商{i % 30}"} for i in range(600)])
        conn.execute(insert(AlertRule), [{"code": "r1", "name": "", "kind": "k", "family": "", "threshold": 0,
                                          "unit": "hours", "statuses": [], "level": "yellow", "recipients": [],
                                          "channels": [], "cc_manager": False, "repeat_minutes": 0,
                                          "ack_window_minutes": 120, "bypass_quiet": False, "enabled": True,
                                          "last_error": "", "updated_at": NOW}])
    for start in range(0, n, 5000):
        orders, plans = [], []
        for i in range(start, min(n, start + 5000)):
            created = NOW - timedelta(days=rng.uniform(0, 365))
            reached = rng.randint(0, len(FLOW) - 1)
            times, t = [], created
            for _ in range(reached + 1):
                times.append(t)
                t = t + timedelta(hours=rng.uniform(1, 60))
            times = [x for x in times if x < NOW] or [created]
            reached = len(times) - 1
            delivered = times[FLOW.index("delivered")] if reached >= FLOW.index("delivered") else None
            promised = (created + timedelta(days=rng.randint(7, 25))).date()
            scheduled = reached >= FLOW.index("scheduled")
            orders.append({"order_no": f"SO-{i:07d}", "customer_id": 1 + i % 100, "quantity": 10,
                           "product_id": 1 + rng.randrange(len(PRODUCT_LINES)), "sales_owner_id": 1 + (i % 100) % SALES,
                           "line": rng.choice(LINES) if scheduled else None,
                           "promised_date": promised, "status": FLOW[reached], "priority": "normal",
                           "created_at": created, "updated_at": times[-1], "updated_by": "", "internal_note": "",
                           "delivered_at": delivered, "version": 1})
            plans.append((times, orders[-1]))
        with rt.engine.begin() as conn:
            ids = conn.execute(insert(Order).returning(Order.id), orders).scalars().all()
            events, inspections, alerts, notes, msgs, tasks = [], [], [], [], [], []
            for oid, (times, order) in zip(ids, plans, strict=True):
                tasks.extend(_tasks(oid, order, times))
                for k, at in enumerate(times):
                    events.append({"order_id": oid, "from_status": FLOW[k - 1] if k else None, "to_status": FLOW[k],
                                   "command": "", "at": at, "actor": "", "source": rng.choice(SOURCES), "note": "",
                                   "data": {}})
                if len(times) > FLOW.index("pending_qc"):
                    at = times[FLOW.index("pending_qc")]
                    fail = rng.random() < 0.1
                    inspections.append({"order_id": oid, "result": "fail" if fail else "pass", "defects": "",
                                        "material_batch": f"B{rng.randrange(600):04d}", "inspector": "", "at": at})
                    if fail:
                        inspections.append({"order_id": oid, "result": "pass", "defects": "", "inspector": "",
                                            "material_batch": f"B{rng.randrange(600):04d}",
                                            "at": at + timedelta(hours=8)})
                if rng.random() < 0.1:
                    raised = times[-1]
                    alerts.append({"rule_id": 1, "rule_code": "r1", "order_id": oid, "order_no": f"x{oid}",
                                   "level": "yellow", "family": "", "status": "acked", "detail": "", "inhibited": False,
                                   "raised_at": raised, "acked_at": raised + timedelta(hours=rng.uniform(0, 6)),
                                   "escalation_level": rng.randint(0, 1), "repeat_count": 0, "notified": []})
                notes.append({"kind": "next_step", "channel": "wecom_app", "recipient": "u", "recipient_name": "",
                              "subject": "", "body": "", "payload": {}, "order_id": oid, "dedupe_key": f"n{oid}",
                              "status": rng.choice(["sent"] * 9 + ["failed"]), "attempts": 1, "last_error": "",
                              "provider_msgid": "", "created_at": times[-1]})
                msgs.append({"platform": "bridge", "platform_msg_id": f"m{oid}", "chat_id": "", "chat_name": "",
                             "chat_type": "group", "sender_id": "", "sender_name": "", "text": "", "msgtype": "text",
                             "raw": {}, "received_at": times[-1], "status": rng.choice(["processed"] * 4 + ["ignored"]),
                             "parse_result": {}, "reply_text": "", "error": ""})
            conn.execute(insert(StatusEvent), events)
            if tasks:
                conn.execute(insert(ProductionTask), tasks)
            conn.execute(insert(QcInspection), inspections)
            if alerts:
                conn.execute(insert(Alert), alerts)
            conn.execute(insert(Notification), notes)
            conn.execute(insert(InboundMessage), msgs)
    with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does on a live database (index-only scans)


def _tasks(oid: int, order: dict, times: list[datetime]) -> list[dict]:
    """The open production tasks of an order 已排产 or 加工中 scheduled in the last TASK_DAYS days: its route's
    steps back to back from its scheduling, 8 hours apart (the first done once in production)."""
    if order["status"] not in ("scheduled", "in_production") or times[2] < NOW - timedelta(days=TASK_DAYS):
        return []
    product = order["product_id"] - 1
    out = []
    for j in range(len(ROUTE_HOURS)):
        start = times[2] + timedelta(hours=8 * (j + 1))
        out.append({"order_id": oid, "seq": j + 1, "process": f"工序{j + 1}", "line": LINES[(product + j) % len(LINES)],
                    "planned_start": start, "planned_end": start + timedelta(hours=6), "progress": 0,
                    "done": order["status"] == "in_production" and j == 0, "updated_at": NOW})
    return out


def timed(fn, runs: int = 5) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def measure(app) -> dict[str, float]:
    from core.db import new_session
    from insight import drill, kpis, lineload, suppliers
    from insight.buffer import buffer_for
    from insight.period import make_period
    from nextsteps.planning import lines_for
    from workcal.service import calendar_for

    rt = app.extensions["ops"]
    out = {}
    with new_session(rt.engine) as s:
        cal = calendar_for(s, rt.settings)

        def dash(p):  # the lines are read per request, as the page and the API do
            return kpis.dashboard(s, p, cal, lines_for(s, rt.settings))

        for days in (30, 90):
            p = make_period(days, TZ, now=NOW)
            out[f"dashboard {days} d"] = timed(lambda p=p: dash(p))
        p90 = make_period(90, TZ, now=NOW)
        out["dashboard 90 d, one customer"] = timed(lambda: dash(make_period(90, TZ, customer_id=7, now=NOW)))
        for label, filters in FILTERED.items():
            out[f"dashboard 90 d, {label}"] = timed(lambda filters=filters: dash(make_period(90, TZ, now=NOW,
                                                                                            **filters)))
        out["dashboard 365 d"] = timed(lambda: dash(make_period(365, TZ, now=NOW)))
        out["supplier report 90 d"] = timed(lambda: suppliers.supplier_report(s, p90))
        lines = lines_for(s, rt.settings)
        for name in drill.LISTS:
            out[f"drill list 90 d: {name}"] = timed(lambda name=name: drill.drill_list(s, name, p90, cal, lines))
        out["customer buffer 90 d"] = timed(lambda: buffer_for(s, 7, now=NOW, settings=rt.settings))
        out["  figure 90 d: late"] = timed(lambda: kpis.late_and_at_risk(s, p90, cal))
        for name, fn in kpis.FIGURES.items():
            out[f"  figure 90 d: {name}"] = timed(lambda fn=fn: fn(s, p90))
        out["  figure 90 d: line_load (lines read too)"] = timed(lambda: lineload.line_load(
            s, p90, lines_for(s, rt.settings)))
        out["  figure 90 d: line_load, line 2号线"] = timed(lambda: lineload.line_load(
            s, make_period(90, TZ, now=NOW, line="2号线"), lines))
    return out


FILTERED = {"level A": {"customer_level": "A"}, "product line 支架": {"product_line": "支架"},
            "salesperson 3": {"sales_owner_id": 3}, "line 2号线": {"line": "2号线"},
            "A + 支架 + salesperson 3 + 2号线": {"customer_level": "A", "product_line": "支架", "sales_owner_id": 3,
                                             "line": "2号线"}}


def filtered_figures(app) -> dict[str, float]:
    """Each figure of the 90-day dashboard under one customer level (the largest filtered share)."""
    from core.db import new_session
    from insight import drill, filters, kpis, lineload
    from insight.period import make_period
    from nextsteps.planning import lines_for
    from workcal.service import calendar_for

    rt = app.extensions["ops"]
    out = {}
    with new_session(rt.engine) as s:
        cal = calendar_for(s, rt.settings)
        lines = lines_for(s, rt.settings)
        out["filter form: choices"] = timed(lambda: filters.choices(s))
        p = make_period(90, TZ, now=NOW, customer_level="A")
        out["filter check: level A + 支架 + salesperson 3 + 2号线"] = timed(lambda: filters.check(
            s, make_period(90, TZ, now=NOW, **FILTERED["A + 支架 + salesperson 3 + 2号线"])))
        out["  figure 90 d level A: late"] = timed(lambda: kpis.late_and_at_risk(s, p, cal))
        for name, fn in kpis.FIGURES.items():
            out[f"  figure 90 d level A: {name}"] = timed(lambda fn=fn: fn(s, p))
        out["  figure 90 d level A: line_load"] = timed(lambda: lineload.line_load(s, p, lines))
        for name in drill.LISTS:
            out[f"drill list 90 d level A: {name}"] = timed(lambda name=name: drill.drill_list(s, name, p, cal, lines))
    return out


def refresh_times(app) -> dict[str, float]:
    """Full build of the summaries, then an incremental refresh after 200 new status events."""
    from core.db import new_session
    from insight import summaries
    from orders.models import StatusEvent

    rt = app.extensions["ops"]
    out = {}
    with new_session(rt.engine) as s:
        t = time.perf_counter()
        summaries.refresh(s, full=True)
        out["summaries: full build"] = (time.perf_counter() - t) * 1000
        out["summaries: refresh, nothing new"] = timed(lambda: summaries.refresh(s))
    with rt.engine.begin() as conn:
        conn.execute(insert(StatusEvent), [{"order_id": 1 + i * 37, "from_status": "scheduled",
                                            "to_status": "in_production", "command": "", "source": "web", "at": NOW,
                                            "actor": "", "note": "", "data": {}} for i in range(200)])
    with new_session(rt.engine) as s:
        t = time.perf_counter()
        summaries.refresh(s)
        out["summaries: refresh, 200 new events"] = (time.perf_counter() - t) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--schema", help="schema to use (filled only when it does not exist yet)")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()
    schema = args.schema or "bench_" + uuid.uuid4().hex[:8]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        exists = c.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :n"),
                           {"n": schema}).first() is not None
        if not exists:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        app = build_app(f"{PG_URL}?options=-csearch_path%3D{schema}")
        rt = app.extensions["ops"]
        if not exists:
            t = time.perf_counter()
            fill(app, args.orders, random.Random(7))
            print(f"filled {args.orders} orders in {time.perf_counter() - t:.0f} s")
        with rt.engine.connect() as c:
            n_orders, n_events, n_tasks = c.execute(text(
                'SELECT (SELECT count(*) FROM "order"), (SELECT count(*) FROM statusevent), '
                "(SELECT count(*) FROM productiontask WHERE NOT done)")).one()
        print(f"{n_orders} orders, {n_events} status events, {n_tasks} open production tasks "
              f"(PostgreSQL, schema {schema})")
        figures = {**refresh_times(app), **measure(app), **filtered_figures(app)}
        for key, ms in figures.items():
            print(f"{key:44} {ms:7.0f} ms")
        rt.engine.dispose()
    finally:
        if not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
