"""Insight figures on a hand-built history: each one equals what plain SQL written here computes."""

from __future__ import annotations

import statistics
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from core.db import new_session
from insight import buffer_for, kpis, summaries, suppliers
from insight.period import make_period
from insight.stats import wilson
from tests.unit.insight.dataset import NOW, build
from workcal.service import calendar_for

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(app):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        ids = build(s)
        summaries.refresh(s)  # the stays summary the dwell figure reads (the cron job's work)
    session = new_session(rt.engine)
    yield session, ids, rt.settings
    session.close()


def sql(session, query: str, **params):
    return session.execute(text(query), params).all()


def window(days=30):
    return make_period(days, TZ, now=NOW)


def bounds(p):
    # SQLite stores naive UTC text "YYYY-MM-DD HH:MM:SS…"
    return {"s": p.start.strftime("%Y-%m-%d %H:%M:%S"), "e": p.end.strftime("%Y-%m-%d %H:%M:%S")}


def test_buffer_says_not_enough_data_for_a_new_customer(world):
    s, ids, settings = world
    buf = buffer_for(s, ids["new"], now=NOW, settings=settings)
    assert buf.suggested_days is None and not buf.enough_data
    assert "数据不足" in buf.text


def test_buffer_of_a_late_customer_covers_80_percent_of_late_orders(world):
    s, ids, settings = world
    buf = buffer_for(s, ids["late"], now=NOW, settings=settings)
    cal = calendar_for(s, settings)
    late = [cal.working_days_between(p, d.date()) for d, p in
            ((d, p) for d, p in ((row.delivered_at, row.promised_date) for row in
                                  kpis.delivered_rows(s, window(90))) if d.date() > p)]
    assert sorted(late) == [1, 1, 4]  # two orders one working day late (one across a weekend), one four
    assert buf.late == 3 and buf.delivered == 7
    # buffer 1 rescues 2 of 3 (67 %) < 80 %, so the smallest sufficient buffer is 4
    assert buf.suggested_days == 4
    assert buf.delays == {1: 2, 4: 1}
    assert "80%" in buf.rule


def test_on_time_rate_and_lead_time_match_sql(world):
    s, _, _ = world
    p = window(30)
    fig = kpis.delivery(s, p)
    (n, on_time), = sql(s, "SELECT count(*), sum(date(delivered_at, '+8 hours') <= promised_date) FROM \"order\" "
                           "WHERE delivered_at >= :s AND delivered_at < :e", **bounds(p))
    leads = [r[0] for r in sql(s, "SELECT (julianday(delivered_at) - julianday(created_at)) FROM \"order\" "
                                  "WHERE delivered_at >= :s AND delivered_at < :e", **bounds(p))]
    assert (fig["delivered"], fig["on_time"]) == (n, on_time)
    assert fig["on_time_rate"] == pytest.approx(on_time / n)
    assert fig["lead_avg_days"] == pytest.approx(statistics.mean(leads), abs=0.05)
    assert fig["lead_p90_days"] == pytest.approx(statistics.quantiles(leads, n=10, method="inclusive")[8], abs=0.05)


def test_dwell_percentiles_match_a_self_join(world):
    s, _, _ = world
    p = window(30)
    rows = sql(s, """
        SELECT a.to_status, (julianday(b.at) - julianday(a.at)) * 24 FROM statusevent a
        JOIN statusevent b ON b.order_id = a.order_id AND b.at = (
            SELECT min(c.at) FROM statusevent c WHERE c.order_id = a.order_id AND c.at > a.at
              AND c.from_status IS NOT c.to_status)
        WHERE a.from_status IS NOT a.to_status AND b.at >= :s AND b.at < :e""", **bounds(p))
    expected: dict[str, list[float]] = {}
    for status, hours in rows:
        expected.setdefault(status, []).append(hours)
    got = {r["status"]: r for r in kpis.dwell(s, p)}
    assert set(got) == set(expected)
    for status, hours in expected.items():
        assert got[status]["stays"] == len(hours)
        assert got[status]["p50_hours"] == pytest.approx(statistics.median(hours), abs=0.05)
        assert got[status]["label"] and got[status]["label"] != status


def test_status_now_late_and_at_risk_match_sql(world, app):
    s, _, settings = world
    p = window(30)
    counts = dict(sql(s, "SELECT status, count(*) FROM \"order\" WHERE status NOT IN ('completed', 'cancelled') "
                         "GROUP BY status"))
    assert {r["status"]: r["orders"] for r in kpis.status_now(s, p)} == counts
    (late,), = sql(s, "SELECT count(*) FROM \"order\" WHERE status NOT IN ('delivered', 'completed', 'cancelled') "
                      "AND promised_date < '2026-03-31'")
    # Tuesday 31st + 2 working days = Thursday 2 April; only 已排产 due the 31st is not yet in stock
    (risk,), = sql(s, "SELECT count(*) FROM \"order\" WHERE status IN ('pending_review', 'pending_schedule', "
                      "'pending_purchase', 'pending_outsource', 'scheduled', 'in_production', 'pending_qc', "
                      "'rework') AND promised_date BETWEEN '2026-03-31' AND '2026-04-02'")
    got = kpis.late_and_at_risk(s, p, calendar_for(s, settings))
    assert (got["late"], got["at_risk"]) == (late, risk) == (2, 1)


def test_alerts_qc_sources_notifications_and_chat_match_sql(world):
    s, _, _ = world
    p = window(30)
    b = bounds(p)
    (raised, acked, escalated), = sql(s, "SELECT count(*), count(acked_at), sum(escalation_level > 0) FROM alert "
                                         "WHERE raised_at >= :s AND raised_at < :e", **b)
    hours = [r[0] for r in sql(s, "SELECT (julianday(acked_at) - julianday(raised_at)) * 24 FROM alert "
                                  "WHERE acked_at IS NOT NULL AND raised_at >= :s AND raised_at < :e", **b)]
    a = kpis.alerts(s, p)
    assert (a["raised"], a["acked"], a["escalated"]) == (raised, acked, escalated)
    assert a["ack_avg_hours"] == pytest.approx(statistics.mean(hours), abs=0.05)

    firsts = sql(s, """SELECT q.order_id, q.result, (SELECT count(*) FROM qcinspection f
                         WHERE f.order_id = q.order_id AND f.result = 'fail') FROM qcinspection q
                       WHERE q.at = (SELECT min(at) FROM qcinspection m WHERE m.order_id = q.order_id)
                         AND q.at >= :s AND q.at < :e""", **b)
    qc = kpis.qc(s, p)
    assert qc["inspected_orders"] == len(firsts)
    assert qc["first_pass"] == sum(1 for _, r, _ in firsts if r == "pass")
    assert qc["reworked"] == sum(1 for *_, fails in firsts if fails)

    by_source = dict(sql(s, "SELECT source, count(*) FROM statusevent WHERE at >= :s AND at < :e GROUP BY source", **b))
    assert {r["code"]: r["count"] for r in kpis.sources(s, p)} == by_source
    assert all(r["label"] in ("聊天", "网页", "扫码", "接口") for r in kpis.sources(s, p))

    (sent, failed), = sql(s, "SELECT sum(status = 'sent'), sum(status = 'failed') FROM notification "
                             "WHERE created_at >= :s AND created_at < :e", **b)
    assert kpis.notifications(s, p)["success_rate"] == pytest.approx(sent / (sent + failed))
    (total, understood), = sql(s, "SELECT count(*), sum(status = 'processed') FROM inbound_message "
                                  "WHERE received_at >= :s AND received_at < :e", **b)
    assert kpis.chat(s, p)["understood_rate"] == pytest.approx(understood / total)


def test_supplier_report_ranks_the_bad_supplier_first_with_its_interval(world):
    s, _, _ = world
    report = suppliers.supplier_report(s, window(90))
    (fails, n), = sql(s, "SELECT sum(result = 'fail'), count(*) FROM qcinspection WHERE material_batch = 'BAD-1'")
    first = report["suppliers"][0]
    assert first["name"] == "坏供应商" and first["rank"] == 1
    assert (first["failed"], first["inspections"]) == (fails, n)
    low, high = wilson(fails, n)
    assert (first["ci_low"], first["ci_high"]) == (low, high)
    assert low < fails / n < high
    assert report["suppliers"][1]["rank"] is None  # 好供应商: 3 inspections, below the minimum sample


def test_wilson_interval_matches_the_textbook_example():
    # Wilson (1927) / Newcombe (1998) example: 81 of 263 -> 0.2553 to 0.3662
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
