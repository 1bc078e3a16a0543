"""The dashboard's filters (customer, customer level, product line, salesperson, production line) on
SQLite and PostgreSQL: under each filter every figure equals what this test computes from the rows of
the orders a hand-written SQL join selects; chat ignores the filters; the drill-down lists, their xlsx
and the API follow them; an unknown value answers 400."""

from __future__ import annotations

import io
import statistics
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from alerts.models import Alert
from core.db import new_session
from insight import drill, kpis, summaries
from insight.period import make_period
from nextsteps.planning import lines_for
from notify.models import Notification
from orders.models import Customer, Order, Product, QcInspection, Staff, StatusEvent
from orders.status import LABELS, Status
from tests.unit.insight.dataset import NOW, build
from workcal.service import calendar_for

TZ = ZoneInfo("Asia/Shanghai")
DONE = ("delivered", "completed", "cancelled")
NOT_YET_STOCKED = ("pending_review", "pending_schedule", "pending_purchase", "pending_outsource", "scheduled",
                   "in_production", "pending_qc", "rework")


@pytest.fixture
def world(app):
    """The hand-built history, its orders spread over two customers (levels A and C), two product lines,
    two salespeople (and none) and two production lines (and none); notifications tied to orders."""
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        ids = build(s)
        s.get(Customer, ids["late"]).level = "A"
        s.get(Customer, ids["new"]).level = "C"
        bracket = Product(code="P-2", name="支架", product_line="支架")
        s.execute(select(Product).where(Product.code == "P-1")).scalar_one().product_line = "外壳"
        wang, li = Staff(name="王业务"), Staff(name="李业务")
        s.add_all([bracket, wang, li])
        s.flush()
        orders = s.execute(select(Order).order_by(Order.id)).scalars().all()
        for i, o in enumerate(orders):
            o.customer_id = ids["new"] if i % 4 == 0 else ids["late"]
            o.product_id = bracket.id if i % 3 == 0 else o.product_id
            o.sales_owner_id = [wang.id, li.id, None][i % 3 if i % 2 else (i // 2) % 3]
            o.line = [None, "1号线", "2号线"][(i + 1) % 3] if i % 5 else "1号线"
        notes = s.execute(select(Notification).order_by(Notification.id)).scalars().all()
        for k, n in enumerate(notes[:-1]):  # the last notification is about no order
            n.order_id = orders[k * 2].id
        s.commit()
        summaries.refresh(s)
        ids.update(wang=wang.id, li=li.id)
    session = new_session(rt.engine)
    yield session, ids, rt.settings
    session.close()


CASES = {
    "level A": lambda ids: {"customer_level": "A"},
    "level C": lambda ids: {"customer_level": "C"},
    "product line 支架": lambda ids: {"product_line": "支架"},
    "salesperson 王": lambda ids: {"sales_owner_id": ids["wang"]},
    "salesperson 李": lambda ids: {"sales_owner_id": ids["li"]},
    "line 1号线": lambda ids: {"line": "1号线"},
    "line 2号线": lambda ids: {"line": "2号线"},
    "customer": lambda ids: {"customer_id": ids["late"]},
    "A + 外壳 + 1号线": lambda ids: {"customer_level": "A", "product_line": "外壳", "line": "1号线"},
}


def selected_ids(s, filters: dict) -> set[int]:
    """The orders a filter selects, by a plain SQL join (not the code under test)."""
    where, params = ["1 = 1"], {}
    sql_of = {"customer_id": "o.customer_id = :customer_id", "customer_level": "c.level = :customer_level",
              "product_line": "p.product_line = :product_line", "sales_owner_id": "o.sales_owner_id = :sales_owner_id",
              "line": "o.line = :line"}
    for key, value in filters.items():
        where.append(sql_of[key])
        params[key] = value
    rows = s.execute(text('SELECT o.id FROM "order" o JOIN customer c ON c.id = o.customer_id '
                          f"JOIN product p ON p.id = o.product_id WHERE {' AND '.join(where)}"), params)
    return {r[0] for r in rows}


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]


def expected_figures(s, ids: set[int], p) -> dict:
    """Every order-based figure of the period over the orders `ids`, computed here from their rows."""
    orders = [o for o in s.execute(select(Order)).scalars() if o.id in ids]
    delivered = [o for o in orders if o.delivered_at and p.start <= o.delivered_at < p.end]
    leads = [(o.delivered_at - o.created_at).total_seconds() / 86400 for o in delivered]
    out = {"delivered": len(delivered),
           "on_time": sum(1 for o in delivered if o.delivered_at.astimezone(TZ).date() <= o.promised_date),
           "lead_avg": statistics.mean(leads) if leads else None, "lead_p90": p90(leads) if leads else None,
           "delivered_nos": sorted((o.created_at - o.delivered_at, o.order_no) for o in delivered)}
    status_now: dict[str, int] = {}
    for o in orders:
        if o.status not in ("completed", "cancelled"):
            status_now[o.status] = status_now.get(o.status, 0) + 1
    out["status_now"] = status_now
    today = date(2026, 3, 31)  # NOW is Tuesday 31 March; + 2 working days = Thursday 2 April
    out["late"] = {o.order_no for o in orders if o.status not in DONE and o.promised_date < today}
    out["at_risk"] = {o.order_no for o in orders if o.status in NOT_YET_STOCKED
                      and today <= o.promised_date <= date(2026, 4, 2)}
    events = [e for e in s.execute(select(StatusEvent)).scalars() if e.order_id in ids]
    by_order: dict[int, list] = {}
    for e in events:
        if e.from_status != e.to_status:
            by_order.setdefault(e.order_id, []).append(e)
    dwell: dict[str, list[float]] = {}
    for evs in by_order.values():
        evs.sort(key=lambda e: (e.at, e.id))
        for e, nxt in zip(evs, evs[1:], strict=False):
            if p.start <= nxt.at < p.end:
                dwell.setdefault(e.to_status, []).append((nxt.at - e.at).total_seconds() / 3600)
    out["dwell"] = dwell
    out["sources"] = {}
    for e in events:
        if p.start <= e.at < p.end:
            out["sources"][e.source] = out["sources"].get(e.source, 0) + 1
    alerts = [a for a in s.execute(select(Alert)).scalars() if a.order_id in ids and p.start <= a.raised_at < p.end]
    out["alerts"] = (len(alerts), sum(1 for a in alerts if a.acked_at), sum(1 for a in alerts if a.escalation_level))
    inspections: dict[int, list] = {}
    for q in s.execute(select(QcInspection)).scalars():
        if q.order_id in ids:
            inspections.setdefault(q.order_id, []).append(q)
    firsts = {oid: min(qs, key=lambda q: (q.at, q.id)) for oid, qs in inspections.items()}
    first_in = {oid for oid, q in firsts.items() if p.start <= q.at < p.end}
    out["qc"] = (len(first_in), sum(1 for oid in first_in if firsts[oid].result == "pass"),
                 sum(1 for oid in first_in if any(q.result == "fail" for q in inspections[oid])))
    out["qc_failed"] = {oid for oid in first_in if any(q.result == "fail" for q in inspections[oid])}
    notes = [n for n in s.execute(select(Notification)).scalars() if n.order_id in ids and p.start <= n.created_at < p.end]
    out["notifications"] = {st: sum(1 for n in notes if n.status == st) for st in {n.status for n in notes}}
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_every_figure_under_a_filter_matches_the_orders_sql_selects(world, case):
    s, ids, settings = world
    filters = CASES[case](ids)
    p = make_period(30, TZ, now=NOW, **filters)
    chosen = selected_ids(s, filters)
    every = selected_ids(s, {})
    assert chosen and chosen < every  # the filter keeps some orders and drops others
    want = expected_figures(s, chosen, p)
    cal = calendar_for(s, settings)
    fig = kpis.dashboard(s, p, cal, lines_for(s, settings))

    d = fig["delivery"]
    assert (d["delivered"], d["on_time"]) == (want["delivered"], want["on_time"])
    if want["delivered"]:
        assert d["lead_avg_days"] == pytest.approx(want["lead_avg"], abs=0.051)  # figures are rounded to 0.1
        assert d["lead_p90_days"] == pytest.approx(want["lead_p90"], abs=0.051)  # figures are rounded to 0.1
    assert {r["status"]: r["orders"] for r in fig["status_now"]} == want["status_now"]
    assert (fig["late"]["late"], fig["late"]["at_risk"]) == (len(want["late"]), len(want["at_risk"]))
    got_dwell = {r["status"]: r for r in fig["dwell"]}
    assert set(got_dwell) == set(want["dwell"])
    for status, hours in want["dwell"].items():
        assert got_dwell[status]["stays"] == len(hours)
        assert got_dwell[status]["p50_hours"] == pytest.approx(statistics.median(hours), abs=0.051)  # figures are rounded to 0.1
        assert got_dwell[status]["p90_hours"] == pytest.approx(p90(hours), abs=0.051)  # figures are rounded to 0.1
    assert {r["code"]: r["count"] for r in fig["sources"]} == want["sources"]
    a = fig["alerts"]
    assert (a["raised"], a["acked"], a["escalated"]) == want["alerts"]
    q = fig["qc"]
    assert (q["inspected_orders"], q["first_pass"], q["reworked"]) == want["qc"]
    assert {r["code"]: r["count"] for r in fig["notifications"]["by_status"]} == want["notifications"]
    assert fig["chat"] == kpis.chat(s, make_period(30, TZ, now=NOW))  # no order filter applies to chat
    assert fig["period"]["filters"] == filters and fig["period"]["unfiltered"] == ["chat", "chat_help"]

    lists = {name: drill.drill_list(s, name, p, cal, lines_for(s, settings)) for name in drill.LISTS}
    assert {r["order_no"] for r in lists["late"]["rows"]} == want["late"]
    assert {r["order_no"] for r in lists["at_risk"]["rows"]} == want["at_risk"]
    order_nos = {o.id: o.order_no for o in s.execute(select(Order)).scalars()}
    assert {r["order_no"] for r in lists["qc_failed"]["rows"]} == {order_nos[i] for i in want["qc_failed"]}
    assert len(lists["alerts"]["rows"]) == want["alerts"][0]
    assert len(lists["sources"]["rows"]) == sum(want["sources"].values())
    assert len(lists["notifications_failed"]["rows"]) == want["notifications"].get("failed", 0)
    # the lists behind lead time, each status now and each status's stays hold what the figures count
    assert [r["order_no"] for r in lists["delivered"]["rows"]] == [no for _, no in want["delivered_nos"]]
    for status, n in want["status_now"].items():
        rows = drill.drill_list(s, f"status_{status}", p, cal)["rows"]
        assert len(rows) == n and {r["cells"][2] for r in rows} == {LABELS[Status(status)]}
    for status, hours in want["dwell"].items():
        rows = drill.drill_list(s, f"dwell_{status}", p, cal)["rows"]
        assert [float(r["cells"][4]) for r in rows] == pytest.approx(sorted(hours, reverse=True), abs=0.051)
    assert drill.drill_list(s, "status_nothing", p, cal) is None and drill.drill_list(s, "dwell_", p, cal) is None


def test_filters_change_the_figures_and_the_unfiltered_view_keeps_every_order(world):
    s, ids, settings = world
    cal = calendar_for(s, settings)
    lines = lines_for(s, settings)
    every = kpis.dashboard(s, make_period(30, TZ, now=NOW), cal, lines)
    level_a = kpis.dashboard(s, make_period(30, TZ, now=NOW, customer_level="A"), cal, lines)
    assert level_a["delivery"]["delivered"] < every["delivery"]["delivered"]
    assert every["period"]["filters"] == {} and every["period"]["unfiltered"] == []
    total = sum(r["count"] for r in every["notifications"]["by_status"])
    assert total == s.execute(text("SELECT count(*) FROM notification")).scalar()  # incl. the one about no order


def test_api_takes_the_filters_validates_them_and_documents_them(world, app, token_for):
    s, ids, _ = world
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token_for('manager')}"}
    got = client.get("/api/insight/dashboard?days=30&customer_level=A&line=1号线", headers=auth)
    assert got.status_code == 200 and got.json["period"]["filters"] == {"customer_level": "A", "line": "1号线"}
    for bad, field in (("customer_level=Z", "customer_level"), ("product_line=没有", "product_line"),
                       ("sales_owner_id=999999", "sales_owner_id"), ("line=9号线", "line"),
                       ("customer_id=999999", "customer_id")):
        for path in ("dashboard", "figures/delivery", "lists/late", "lists/late.xlsx"):
            r = client.get(f"/api/insight/{path}?{bad}", headers=auth)
            assert r.status_code == 400 and r.json["error"] == "bad_filter" and r.json["field"] == field, (path, bad)
            assert "没有这个" in r.json["message"]
    assert client.get("/api/insight/dashboard?sales_owner_id=abc", headers=auth).status_code == 400
    spec = client.get("/api/openapi.json").json
    params = {q["name"] for q in spec["paths"]["/api/insight/dashboard"]["get"]["parameters"]}
    assert {"customer_level", "product_line", "sales_owner_id", "line", "customer_id", "days"} <= params
    assert "/api/insight/lists/{name}.xlsx" in spec["paths"]


def test_list_xlsx_holds_the_filtered_rows_and_names_its_filters(world, app, token_for):
    s, ids, _ = world
    auth = {"Authorization": f"Bearer {token_for('manager')}"}
    client = app.test_client()
    query = f"days=365&customer_level=A&sales_owner_id={ids['wang']}"
    listed = client.get(f"/api/insight/lists/sources?{query}", headers=auth).json
    r = client.get(f"/api/insight/lists/sources.xlsx?{query}", headers=auth)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(r.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == listed["columns"] and len(rows) - 1 == len(listed["rows"]) > 0
    about = dict(book["筛选条件"].iter_rows(values_only=True))
    assert about["客户等级"] == "A" and about["业务员"] == "王业务" and about["统计周期"] == "近 365 天"



def test_a_drill_down_list_downloads_as_csv_with_the_rows_of_its_xlsx(app, world):
    """The page's CSV button gives the same list as its Excel button (columns and rows)."""
    import csv
    import io

    from openpyxl import load_workbook

    from accounts.service import create_user
    from tests.unit.web.conftest import PASSWORD, login

    with new_session(app.extensions["ops"].engine) as s:
        create_user(s, "u_manager", "manager", PASSWORD)
    client = app.test_client()
    login(client, "manager")
    assert 'id="list-csv"' in client.get("/admin/insight/lists/sources?days=365").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/admin/insight/lists/sources.xlsx?days=365").data))
    xlsx = [["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    as_csv = client.get("/admin/insight/lists/sources.csv?days=365").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(as_csv))) == xlsx and len(xlsx) > 1
