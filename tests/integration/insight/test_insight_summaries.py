"""The summaries (SQLite and PostgreSQL): after incremental refreshes — new changes, back-dated events
and inspections, an event committed late under the watermark — they hold exactly what the raw history
gives; the dwell figure equals percentiles computed here from StatusEvent rows, and the QC and source
figures equal counts computed here, also before a refresh has read the newest rows."""

from __future__ import annotations

import statistics
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import Session

from bootstrap import cron_entries
from core.db import new_session
from insight import kpis, summaries
from insight.models import InsightFirstQc, InsightSourceDay, InsightStay
from insight.period import make_period
from orders.models import Order, QcInspection, StatusEvent
from tests.unit.insight.dataset import NOW, at, build


def stays_from_events(s: Session) -> list[tuple]:
    """(event_id, status, entered, left) straight from the status history, in Python."""
    by_order: dict[int, list[StatusEvent]] = {}
    for e in s.exec(select(StatusEvent)).scalars():
        if e.from_status != e.to_status:
            by_order.setdefault(e.order_id, []).append(e)
    out = []
    for events in by_order.values():
        events.sort(key=lambda e: (e.at, e.id))
        for e, nxt in zip(events, [*events[1:], None], strict=True):
            out.append((e.id, e.to_status, e.at, nxt.at if nxt else None))
    return sorted(out)


def stored(s: Session) -> list[tuple]:
    rows = s.exec(select(InsightStay)).scalars()
    return sorted((r.event_id, r.status, r.entered_at, r.left_at) for r in rows)


def assert_dwell_matches_history(s: Session) -> None:
    p = make_period(30, ZoneInfo("Asia/Shanghai"), now=NOW)
    hours: dict[str, list[float]] = {}
    for _, status, entered, left in stays_from_events(s):
        if left is not None and p.start <= left < p.end:
            hours.setdefault(status, []).append((left - entered).total_seconds() / 3600)
    got = {r["status"]: r for r in kpis.dwell(s, p)}
    assert set(got) == set(hours)
    for status, hs in hours.items():
        assert got[status]["stays"] == len(hs)
        assert got[status]["p50_hours"] == pytest.approx(statistics.median(hs), abs=0.05)
        assert got[status]["p90_hours"] == pytest.approx(statistics.quantiles(hs, n=10, method="inclusive")[8]
                                                         if len(hs) > 1 else hs[0], abs=0.05)


@pytest.fixture
def s(app):
    with new_session(app.extensions["ops"].engine) as session:
        build(session)
        yield session


def _event(s: Session, order_no: str, frm, to, when, **kw) -> StatusEvent:
    order = s.exec(select(Order).where(Order.order_no == order_no)).scalar_one()
    e = StatusEvent(order_id=order.id, from_status=frm, to_status=to, at=when, source="web", **kw)
    s.add(e)
    s.commit()
    return e


def test_incremental_refresh_keeps_the_stays_equal_to_the_history(s):
    assert summaries.as_of(s) is None
    summaries.refresh(s)
    assert stored(s) == stays_from_events(s) and stored(s)
    assert_dwell_matches_history(s)

    _event(s, "SO-D0", "in_stock", "shipped", at(28))             # closes an open stay inside the window
    _event(s, "SO-D6", None, "pending_review", at(20))            # an order's first events
    _event(s, "SO-D6", "pending_review", "pending_schedule", at(21, 9))
    _event(s, "SO-D1", "pending_review", "pending_review", at(29))  # same status: no new stay
    _event(s, "SO-D2", None, "pending_review", at(1))             # back-dated before the order's history
    result = summaries.refresh(s)
    assert not result["full"]
    assert stored(s) == stays_from_events(s)
    assert_dwell_matches_history(s)


def test_an_event_committed_late_under_the_watermark_is_still_read(s):
    top = s.execute(select(StatusEvent.id).order_by(StatusEvent.id.desc())).scalars().first()
    _event(s, "SO-D3", "in_stock", "shipped", at(27), id=top + 10)
    summaries.refresh(s)
    # a transaction that took id top + 5 before the refresh but committed after it
    _event(s, "SO-D4", "in_stock", "shipped", at(26), id=top + 5)
    assert stored(s) != stays_from_events(s)
    summaries.refresh(s)
    assert stored(s) == stays_from_events(s)


def test_first_read_builds_the_summary_once_and_cron_keeps_it_fresh(s):
    summaries.ensure(s)
    first = summaries.as_of(s)
    assert first is not None and stored(s) == stays_from_events(s)
    _event(s, "SO-D5", "in_stock", "shipped", at(29))
    summaries.ensure(s)  # already built: reads do not refresh, the cron job does
    assert summaries.as_of(s) == first and stored(s) != stays_from_events(s)
    jobs = {e.func: e for e in cron_entries()}
    assert jobs[summaries.refresh_job].interval == 60 and jobs[summaries.rebuild_job].cron


def first_qc_from_inspections(s: Session) -> list[tuple]:
    """(order_id, first_at, first_pass, reworked) straight from the inspections, in Python."""
    by_order: dict[int, list[QcInspection]] = {}
    for q in s.exec(select(QcInspection)).scalars():
        by_order.setdefault(q.order_id, []).append(q)
    out = []
    for order_id, rows in by_order.items():
        first = min(rows, key=lambda q: (q.at, q.id))
        out.append((order_id, first.at, int(first.result == "pass"), int(any(q.result == "fail" for q in rows))))
    return sorted(out)


def source_days_from_events(s: Session) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for e in s.exec(select(StatusEvent)).scalars():
        key = (e.at.astimezone(UTC).date(), e.source)
        counts[key] = counts.get(key, 0) + 1
    return counts


def stored_qc_and_days(s: Session) -> tuple[list[tuple], dict[tuple, int]]:
    firsts = sorted((r.order_id, r.first_at, r.first_pass, r.reworked) for r in s.exec(select(InsightFirstQc)).scalars())
    days = {(r.day, r.source): r.records for r in s.exec(select(InsightSourceDay)).scalars()}
    return firsts, days


def qc_and_sources_from_history(s: Session, p) -> tuple[dict, dict]:
    firsts = [f for f in first_qc_from_inspections(s) if p.start <= f[1] < p.end]
    by_source: dict[str, int] = {}
    for e in s.exec(select(StatusEvent)).scalars():
        if p.start <= e.at < p.end:
            by_source[e.source] = by_source.get(e.source, 0) + 1
    qc = {"inspected_orders": len(firsts), "first_pass": sum(f[2] for f in firsts),
          "reworked": sum(f[3] for f in firsts)}
    return qc, by_source


def _inspection(s: Session, order_no: str, result: str, when) -> None:
    order = s.exec(select(Order).where(Order.order_no == order_no)).scalar_one()
    s.add(QcInspection(order_id=order.id, result=result, material_batch="OK-1", at=when))
    s.commit()


def assert_figures_match_history(s: Session) -> None:
    for days in (1, 7, 30):
        p = make_period(days, ZoneInfo("Asia/Shanghai"), now=NOW)
        qc, by_source = qc_and_sources_from_history(s, p)
        got = kpis.qc(s, p)
        assert {k: got[k] for k in qc} == qc
        assert {r["code"]: r["count"] for r in kpis.sources(s, p)} == by_source


def test_qc_and_source_summaries_stay_equal_to_the_history(s):
    summaries.refresh(s)
    assert stored_qc_and_days(s) == (first_qc_from_inspections(s), source_days_from_events(s))
    assert stored_qc_and_days(s)[0] and stored_qc_and_days(s)[1]

    _inspection(s, "SO-D1", "fail", at(25))             # a later failure: the order counts as reworked
    _inspection(s, "SO-D6", "pass", at(2))              # an order's first inspection, back-dated
    _inspection(s, "SO-D2", "pass", at(3))              # earlier than its first one: the first changes
    _event(s, "SO-D0", "in_stock", "shipped", at(5))    # back-dated into a day the summary already counted
    _event(s, "SO-D3", "in_stock", "shipped", at(30, 20))
    assert stored_qc_and_days(s) != (first_qc_from_inspections(s), source_days_from_events(s))
    summaries.refresh(s)
    assert stored_qc_and_days(s) == (first_qc_from_inspections(s), source_days_from_events(s))
    assert_figures_match_history(s)


def test_qc_and_source_figures_count_what_the_summaries_have_not_read_yet(s):
    summaries.refresh(s)
    assert_figures_match_history(s)
    _inspection(s, "SO-D4", "fail", at(26))
    _inspection(s, "SO-O1", "pass", at(12))
    _event(s, "SO-D0", "in_stock", "shipped", at(6))
    _event(s, "SO-D5", "in_stock", "shipped", at(31, 1))  # today, after the last whole day
    assert stored_qc_and_days(s) != (first_qc_from_inspections(s), source_days_from_events(s))
    assert_figures_match_history(s)  # no refresh in between: the rows above the watermarks are read directly
