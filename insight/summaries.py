"""Insight's summaries: tables derived from append-only history so the dashboard reads small indexed
rows instead of aggregating the whole history on every request.

- `insight_stay`: one row per stay of an order in a status (from StatusEvent), for the dwell percentiles;
- `insight_first_qc`: each order's first QC inspection and whether any failed (from QcInspection), for
  first-pass yield and rework rate;
- `insight_source_day`: status records per UTC day and source (from StatusEvent), for the source shares.

Refresh is incremental from a watermark (the last source id read): every key (order, or day) with a
source row above it is rebuilt from all of its source rows up to the newest id, so back-dated rows land
right and a summary holds exactly the source rows up to its watermark. Ids are handed out before
commit, so a transaction committing late could slip under the watermark; each refresh therefore
re-reads the last `OVERLAP` ids too, and a nightly full rebuild settles the rest.
Readers of the QC and source summaries add what lies above the watermark straight from the source, so
those figures do not lag behind a late or stopped job. The cron entries live in insight's Feature; a
read finding a summary never built builds it once.

On PostgreSQL each refresh ends with a VACUUM of the summary tables (ANALYZE too after a full build):
the figures read them through index-only scans, which fall back to a heap visit per row on pages whose
visibility bit the refresh cleared, and autovacuum only comes by after a fifth of a table changed.
bench/analytics_bench.py measured the 90-day dwell figure at 66-127 ms before that VACUUM, 21-31 ms after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, Table, and_, case, cast, delete, false, func, insert, or_, select, text
from sqlmodel import Session

from core.db import new_session
from core.runtime import current_runtime
from core.types import UTCDateTime, utcnow
from insight.models import InsightFirstQc, InsightRefresh, InsightSourceDay, InsightStay
from orders.models import QcInspection, StatusEvent

NAME = "stays"
OVERLAP = 500  # ids below the watermark read again (late-committing transactions)
SE = StatusEvent.__table__
QC = QcInspection.__table__
STAY = InsightStay.__table__
FIRST_QC = InsightFirstQc.__table__
SOURCE_DAY = InsightSourceDay.__table__


@dataclass(frozen=True)
class Summary:
    """A table derived from an append-only source table, rebuilt key by key (order or day)."""

    name: str
    source: Table
    target: Table
    key: Callable[[str], object]  # dialect -> the key of a source row, as the target's `target_key` holds it
    target_key: str
    rows: Callable[..., object]  # (session, dialect, top id, keys select or None: all) -> SELECT of target rows


def _seconds(dialect: str, left, entered):
    if dialect == "postgresql":
        return func.extract("epoch", left - entered)
    return (func.julianday(left) - func.julianday(entered)) * 86400.0


def _stays_select(session: Session, dialect: str, top: int, order_ids=None):
    """SELECT of stays (event_id, order_id, status, entered_at, left_at, seconds), optionally for some orders."""
    left_at = func.lead(SE.c.at, type_=UTCDateTime()).over(partition_by=SE.c.order_id, order_by=(SE.c.at, SE.c.id))
    changes = select(SE.c.id, SE.c.order_id, SE.c.to_status, SE.c.at, left_at.label("left_at")).where(
        SE.c.from_status.is_distinct_from(SE.c.to_status), SE.c.id <= top)
    if order_ids is not None:
        changes = changes.where(SE.c.order_id.in_(order_ids))
    c = changes.subquery()
    return select(c.c.id, c.c.order_id, c.c.to_status, c.c.at, c.c.left_at,
                  _seconds(dialect, c.c.left_at, c.c.at))


def first_qc_select(session: Session | None, dialect: str, top: int | None, order_ids=None):
    """SELECT of (order_id, first_at, first_pass, reworked) per inspected order, optionally for some orders."""
    nth = func.row_number().over(partition_by=QC.c.order_id, order_by=(QC.c.at, QC.c.id))
    failed = func.max(case((QC.c.result == "fail", 1), else_=0)).over(partition_by=QC.c.order_id)
    ranked = select(QC.c.order_id, QC.c.at, QC.c.result, nth.label("nth"), failed.label("failed"))
    if top is not None:
        ranked = ranked.where(QC.c.id <= top)
    if order_ids is not None:
        ranked = ranked.where(QC.c.order_id.in_(order_ids))
    r = ranked.subquery()
    return select(r.c.order_id, r.c.at.label("first_at"), case((r.c.result == "pass", 1), else_=0).label("first_pass"),
                  r.c.failed.label("reworked")).where(r.c.nth == 1)


def utc_day(dialect: str, column):
    """The UTC calendar day of a timestamp column."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _source_days_select(session: Session, dialect: str, top: int, days=None):
    """SELECT of (day, source, records) per UTC day, optionally for the days that `days` selects."""
    day = utc_day(dialect, SE.c.at)
    stmt = select(day, SE.c.source, func.count()).where(SE.c.id <= top).group_by(day, SE.c.source)
    if days is not None:  # ranges of `at`, so the index on it serves (the day expression would not)
        found = [d if isinstance(d, date) else date.fromisoformat(str(d)[:10]) for d in session.execute(days).scalars()]
        stmt = stmt.where(or_(false(), *(and_(SE.c.at >= midnight(d), SE.c.at < midnight(d + timedelta(days=1)))
                                         for d in found)))
    return stmt


SUMMARIES = (
    Summary(NAME, SE, STAY, lambda dialect: SE.c.order_id, "order_id", _stays_select),
    Summary("first_qc", QC, FIRST_QC, lambda dialect: QC.c.order_id, "order_id", first_qc_select),
    Summary("source_day", SE, SOURCE_DAY, lambda dialect: utc_day(dialect, SE.c.at), "day", _source_days_select),
)


def _lock(session: Session) -> None:
    """One refresh at a time (PostgreSQL; SQLite serialises writers already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('insight_stay'))"))


def _tidy(session: Session, tables: list[Table], *, analyze: bool) -> None:
    """VACUUM (and ANALYZE) summary tables on PostgreSQL, outside any transaction."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or not tables:
        return
    with bind.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(text(f"VACUUM {'(ANALYZE) ' if analyze else ''}{table.name}"))


def _refresh_one(session: Session, summary: Summary, dialect: str, full: bool) -> dict:
    src, target = summary.source, summary.target
    columns = [c.name for c in target.columns]
    state = session.get(InsightRefresh, summary.name)
    top = session.execute(select(func.coalesce(func.max(src.c.id), 0))).scalar_one()
    now = utcnow()
    if state is None or full:
        session.execute(delete(target))
        rows = session.execute(insert(target).from_select(columns, summary.rows(session, dialect, top))).rowcount
        if state is None:
            state = InsightRefresh(name=summary.name)
            session.add(state)
        state.watermark, state.refreshed_at, state.full_at = top, now, now
        return {"full": True, "rows": rows, "watermark": top}
    keys = select(summary.key(dialect)).where(src.c.id > state.watermark - OVERLAP, src.c.id <= top).distinct()
    session.execute(delete(target).where(target.c[summary.target_key].in_(keys)))
    rows = session.execute(insert(target).from_select(columns, summary.rows(session, dialect, top, keys))).rowcount
    state.watermark, state.refreshed_at = max(top, state.watermark), now
    return {"full": False, "rows": rows, "watermark": state.watermark}


def refresh(session: Session, *, full: bool = False) -> dict:
    """Bring every summary up to its newest source row (rebuilt whole when `full` or never built); commits.
    Answers the stays summary's outcome, with every summary's under "summaries"."""
    _lock(session)
    dialect = session.get_bind().dialect.name
    done = {s.name: _refresh_one(session, s, dialect, full) for s in SUMMARIES}
    session.commit()
    rebuilt = [s.target for s in SUMMARIES if done[s.name]["full"]]
    _tidy(session, rebuilt, analyze=True)
    _tidy(session, [s.target for s in SUMMARIES if s.target not in rebuilt and done[s.name]["rows"]], analyze=False)
    stays = done[NAME]
    return {"full": stays["full"], "stays": stays["rows"], "watermark": stays["watermark"], "summaries": done}


def ensure(session: Session) -> None:
    """Build the summaries once when one has never been built (the first read after install); commits."""
    if any(session.get(InsightRefresh, s.name) is None for s in SUMMARIES):
        refresh(session)


def read_watermark(session: Session, name: str) -> int | None:
    """The last source id a summary has read (None: never built), from the database, not the identity map."""
    return session.execute(select(InsightRefresh.watermark).where(InsightRefresh.name == name)).scalar()


def watermark(name: str):
    """The last source id a summary has read, as a scalar subquery: a reader that takes it in the same
    statement as the summary's rows sees both from one snapshot, whatever refresh commits meanwhile."""
    return select(InsightRefresh.watermark).where(InsightRefresh.name == name).scalar_subquery()


def as_of(session: Session):
    """When the stays were last refreshed (None: never)."""
    state = session.get(InsightRefresh, NAME)
    return state.refreshed_at if state else None


def refresh_job() -> dict:
    """Cron job (every minute): read the new status events and inspections into the summaries."""
    with new_session(current_runtime().engine) as s:
        return refresh(s)


def rebuild_job() -> dict:
    """Cron job (nightly): rebuild the summaries from the whole history."""
    with new_session(current_runtime().engine) as s:
        return refresh(s, full=True)
