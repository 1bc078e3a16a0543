"""The status stays summary (SQLite and PostgreSQL): after incremental refreshes — new changes,
back-dated events, an event committed late under the watermark — it holds exactly the stays the raw
status history gives, and the dwell figure equals percentiles computed here from StatusEvent rows."""

from __future__ import annotations

import statistics
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import Session

from bootstrap import cron_entries
from core.db import new_session
from insight import kpis, summaries
from insight.models import InsightStay
from insight.period import make_period
from orders.models import Order, StatusEvent
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
