"""The monthly accuracy audit on SQLite and PostgreSQL: a month's sample is a reproducible uniform draw of
at most 100 orders delivered in that month (in Shanghai time), one audit per month, redrawn only while
unchecked; the rate and its interval equal an independent Wilson computation; every verdict change is
traced; the API keeps to managers and admins and answers 400 on bad input; the xlsx holds the sample."""

from __future__ import annotations

import io
import math
import random
from datetime import UTC, date, datetime, timedelta
from statistics import NormalDist

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select

from core.db import new_session
from insight.models import AccuracyAuditChange, AccuracyAuditItem
from orders.models import Customer, Order, Product
from tests.conftest import auth

MARCH, FEBRUARY = 150, 30  # orders delivered in March / February 2026, Shanghai time
API = "/api/insight/audits"


@pytest.fixture
def world(app):
    """150 orders delivered in March 2026 (two of them across a UTC/Shanghai month edge), 30 in February,
    some delivered in April, some not delivered at all."""
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        cust, prod = Customer(name="抽查客户有限公司"), Product(code="P-A", name="外壳")
        s.add_all([cust, prod])
        s.flush()
        when = ([datetime(2026, 3, 1 + k % 31, 2, k % 60, tzinfo=UTC) for k in range(MARCH - 1)]
                + [datetime(2026, 2, 28, 16, 30, tzinfo=UTC)]  # 1 March 00:30 in Shanghai
                + [datetime(2026, 2, 1 + k % 27, 5, tzinfo=UTC) for k in range(FEBRUARY)]
                + [datetime(2026, 3, 31, 16, 30, tzinfo=UTC)]  # 1 April 00:30 in Shanghai
                + [datetime(2026, 4, 3, 2, tzinfo=UTC)] * 5 + [None] * 8)
        random.Random(5).shuffle(when)  # ids do not follow delivery months
        s.add_all(Order(order_no=f"SO20260301-{i:04d}", customer_id=cust.id, product_id=prod.id, quantity=1,
                        promised_date=date(2026, 3, 20), status="delivered" if at else "shipped",
                        delivered_at=at, version=1) for i, at in enumerate(when))
        s.commit()
    return rt


def _delivered_in(rt, month: str) -> list[int]:
    """Ids delivered in `month`, Shanghai time (UTC+8, no daylight saving), by plain SQL."""
    with rt.engine.connect() as c:
        rows = c.execute(text('SELECT id, delivered_at FROM "order" WHERE delivered_at IS NOT NULL')).all()
    out = []
    for oid, at in rows:
        at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        if (at + timedelta(hours=8)).strftime("%Y-%m") == month:
            out.append(oid)
    return sorted(out)


def _wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval written out again, with the normal quantile from the standard library."""
    z = NormalDist().inv_cdf(0.975)
    p = k / n
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return centre - half, centre + half


@pytest.fixture
def boss(token_for):
    return auth(token_for("manager"))


def _ids_by_position(rt, audit_id: int) -> list[int]:
    with new_session(rt.engine) as s:
        return list(s.exec(select(AccuracyAuditItem.order_id).where(AccuracyAuditItem.audit_id == audit_id)
                           .order_by(AccuracyAuditItem.position)).all())


def test_a_month_sample_is_100_distinct_orders_delivered_that_month_and_reproducible(world, client, boss):
    r = client.post(API, json={"month": "2026-03"}, headers=boss)
    assert r.status_code == 201, r.get_json()
    a = r.get_json()
    march = _delivered_in(world, "2026-03")
    assert len(march) == MARCH and a["delivered"] == MARCH and a["sample_size"] == 100
    drawn = _ids_by_position(world, a["id"])
    assert len(set(drawn)) == 100 and set(drawn) <= set(march)
    assert drawn == random.Random(a["seed"]).sample(march, 100)  # the stored seed redraws the same sample
    assert [i["position"] for i in a["items"]] == list(range(1, 101))
    assert all(i["verdict"] == "unchecked" for i in a["items"]) and a["checked"] == 0 and a["rate"] is None


def test_a_month_with_fewer_deliveries_samples_them_all(world, client, boss):
    a = client.post(API, json={"month": "2026-02"}, headers=boss).get_json()
    feb = _delivered_in(world, "2026-02")
    assert a["sample_size"] == a["delivered"] == FEBRUARY == len(feb)
    assert sorted(_ids_by_position(world, a["id"])) == feb


def test_one_audit_per_month_drawing_again_shows_the_existing_one(world, client, boss):
    first = client.post(API, json={"month": "2026-03"}, headers=boss).get_json()
    again = client.post(API, json={"month": "2026-03"}, headers=boss)
    assert again.status_code == 200
    assert again.get_json()["seed"] == first["seed"] and again.get_json()["items"] == first["items"]
    assert [a["month"] for a in client.get(API, headers=boss).get_json()] == ["2026-03"]


def test_redraw_only_while_nothing_was_ever_checked(world, client, boss):
    first = client.post(API, json={"month": "2026-03"}, headers=boss).get_json()
    second = client.post(API, json={"month": "2026-03", "redraw": True}, headers=boss)
    assert second.status_code == 201
    b = second.get_json()
    assert b["id"] == first["id"] and b["seed"] != first["seed"]
    assert _ids_by_position(world, b["id"]) == random.Random(b["seed"]).sample(_delivered_in(world, "2026-03"), 100)
    item = b["items"][0]["id"]
    assert client.post(f"{API}/2026-03/items/{item}", json={"verdict": "correct"}, headers=boss).status_code == 200
    assert client.post(f"{API}/2026-03/items/{item}", json={"verdict": "unchecked"}, headers=boss).status_code == 200
    locked = client.post(API, json={"month": "2026-03", "redraw": True}, headers=boss)
    assert locked.status_code == 409 and locked.get_json()["error"] == "audit_locked"
    assert client.get(f"{API}/2026-03", headers=boss).get_json()["seed"] == b["seed"]


def test_rate_and_interval_match_an_independent_wilson_computation(world, client, boss):
    a = client.post(API, json={"month": "2026-03"}, headers=boss).get_json()
    verdicts = ["correct"] * 17 + ["wrong"] * 3
    for item, verdict in zip(a["items"], verdicts, strict=False):
        r = client.post(f"{API}/2026-03/items/{item['id']}", json={"verdict": verdict, "note": "抽查"}, headers=boss)
        assert r.status_code == 200
    out = client.get(f"{API}/2026-03", headers=boss).get_json()
    assert (out["checked"], out["correct"], out["wrong"], out["sample_size"]) == (20, 17, 3, 100)
    assert out["rate"] == pytest.approx(17 / 20)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx(_wilson(17, 20), abs=1e-12)
    listed = client.get(API, headers=boss).get_json()[0]
    assert (listed["rate"], listed["ci_low"], listed["ci_high"]) == (out["rate"], out["ci_low"], out["ci_high"])


def test_every_verdict_change_is_traced_with_who_and_when(world, client, token_for):
    headers = auth(token_for("admin"))
    a = client.post(API, json={"month": "2026-02"}, headers=headers).get_json()
    item = a["items"][4]["id"]
    r = client.post(f"{API}/2026-02/items/{item}", json={"verdict": "wrong", "note": "签收时间不对"}, headers=headers)
    body = r.get_json()
    assert body["item"]["verdict"] == "wrong" and body["item"]["checked_by"].startswith("api:test-admin")
    assert body["item"]["checked_at"] and body["checked"] == 1 and body["rate"] == 0
    client.post(f"{API}/2026-02/items/{item}", json={"verdict": "correct"}, headers=headers)
    with new_session(world.engine) as s:
        log = s.exec(select(AccuracyAuditChange).where(AccuracyAuditChange.item_id == item)
                     .order_by(AccuracyAuditChange.id)).all()
        assert [(c.verdict, c.note) for c in log] == [("wrong", "签收时间不对"), ("correct", "")]
        assert all(c.changed_by.startswith("api:test-admin") and c.changed_at for c in log)


def test_only_managers_and_admins_may_use_the_audit_api(world, client, token_for, boss):
    client.post(API, json={"month": "2026-03"}, headers=boss)
    for role in ("sales", "qc", "warehouse", "finance"):
        h = auth(token_for(role))
        assert client.get(API, headers=h).status_code == 403
        assert client.get(f"{API}/2026-03", headers=h).status_code == 403
        assert client.post(API, json={"month": "2026-02"}, headers=h).status_code == 403
        assert client.post(f"{API}/2026-03/items/1", json={"verdict": "correct"}, headers=h).status_code == 403
    assert client.get(API).status_code == 401


@pytest.mark.parametrize("body", [{"month": "2026-13"}, {"month": "2026-3"}, {"month": "abc"}, {"month": "1999-12"},
                                  {"month": "2999-01"}, {}, {"month": 202603}, {"month": "2026-03", "redraw": "x"}])
def test_a_bad_month_answers_400(world, client, boss, body):
    r = client.post(API, json=body, headers=boss)
    assert r.status_code == 400, (body, r.get_json())


def test_bad_verdicts_and_unknown_items_are_refused(world, client, boss):
    a = client.post(API, json={"month": "2026-03"}, headers=boss).get_json()
    item = a["items"][0]["id"]
    for body in ({"verdict": "maybe"}, {}, {"verdict": "correct", "note": "x" * 501}, {"verdict": 1}):
        assert client.post(f"{API}/2026-03/items/{item}", json=body, headers=boss).status_code == 400, body
    wrong_order = {"verdict": "correct", "order_no": a["items"][1]["order_no"]}
    changed = client.post(f"{API}/2026-03/items/{item}", json=wrong_order, headers=boss)
    assert changed.status_code == 409 and changed.get_json()["error"] == "sample_changed"
    assert client.get(f"{API}/2026-13", headers=boss).status_code == 400
    feb_other = client.post(API, json={"month": "2026-02"}, headers=boss).get_json()["items"][0]["id"]
    assert client.post(f"{API}/2026-03/items/{feb_other}", json={"verdict": "correct"},
                       headers=boss).status_code == 404  # an item of another month's audit
    assert client.get(f"{API}/2026-01", headers=boss).status_code == 404  # not drawn
    nothing = client.post(API, json={"month": "2026-01"}, headers=boss)
    assert nothing.status_code == 409 and nothing.get_json()["error"] == "nothing_delivered"
    assert all(i["verdict"] == "unchecked" for i in client.get(f"{API}/2026-03", headers=boss).get_json()["items"])


def test_the_xlsx_holds_the_sample_the_summary_and_the_change_log(world, client, boss):
    a = client.post(API, json={"month": "2026-03"}, headers=boss).get_json()
    client.post(f"{API}/2026-03/items/{a['items'][2]['id']}", json={"verdict": "wrong", "note": "漏记返工"}, headers=boss)
    r = client.get(f"{API}/2026-03.xlsx", headers=boss)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.data))
    rows = list(book["2026-03 抽查"].values)
    assert len(rows) == 101 and rows[3][1] == a["items"][2]["order_no"] and rows[3][4] == "有误"
    summary = dict(book["汇总"].values)
    assert summary["样本"] == 100 and summary["已核对"] == 1 and summary["随机种子"] == a["seed"]
    assert [row[:3] for row in book["修改记录"].values][1] == (a["items"][2]["order_no"], "有误", "漏记返工")


def test_the_audit_endpoints_are_in_the_openapi_document(world, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/insight/audits"])
    assert "get" in paths["/api/insight/audits/{month}"]
    assert "post" in paths["/api/insight/audits/{month}/items/{item_id}"]
    assert "/api/insight/audits/{month}.xlsx" in paths


def test_the_demo_has_a_half_checked_audit_of_its_busiest_month(seeded_app, client, token_for):
    a = client.get(API, headers=auth(token_for("admin"))).get_json()
    assert len(a) == 1
    a = a[0]
    month_ids = _delivered_in(seeded_app.extensions["ops"], a["month"])
    assert a["delivered"] == len(month_ids) and a["sample_size"] == min(100, len(month_ids))
    assert (a["checked"], a["wrong"]) == (40, 2)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(_wilson(38, 40), abs=1e-12)
    assert _ids_by_position(seeded_app.extensions["ops"], a["id"]) == random.Random(a["seed"]).sample(
        month_ids, a["sample_size"])
