"""The status stays summary (`insight_stay`): one row per stay of an order in a status, derived from
StatusEvent so the dashboard reads percentiles from an indexed table instead of running a window
function over the whole history on every request.

Refresh is incremental from a watermark (the last StatusEvent id read): every order with an event
above it has its stays rebuilt from all of its events (so back-dated events land right). Ids are
handed out before commit, so a transaction committing late could slip under the watermark; each
refresh therefore re-reads the last `OVERLAP` ids too, and a nightly full rebuild settles the rest.
The cron entries live in insight's Feature; a read finding no summary builds it once.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text
from sqlmodel import Session

from core.db import new_session
from core.runtime import current_runtime
from core.types import UTCDateTime, utcnow
from insight.models import InsightRefresh, InsightStay
from orders.models import StatusEvent

NAME = "stays"
OVERLAP = 500  # ids below the watermark read again (late-committing transactions)
SE = StatusEvent.__table__
STAY = InsightStay.__table__


def _seconds(dialect: str, left, entered):
    if dialect == "postgresql":
        return func.extract("epoch", left - entered)
    return (func.julianday(left) - func.julianday(entered)) * 86400.0


def _stays_select(dialect: str, order_ids=None):
    """SELECT of stays (event_id, order_id, status, entered_at, left_at, seconds), optionally for some orders."""
    left_at = func.lead(SE.c.at, type_=UTCDateTime()).over(partition_by=SE.c.order_id, order_by=(SE.c.at, SE.c.id))
    changes = select(SE.c.id, SE.c.order_id, SE.c.to_status, SE.c.at, left_at.label("left_at")).where(
        SE.c.from_status.is_distinct_from(SE.c.to_status))
    if order_ids is not None:
        changes = changes.where(SE.c.order_id.in_(order_ids))
    c = changes.subquery()
    return select(c.c.id, c.c.order_id, c.c.to_status, c.c.at, c.c.left_at,
                  _seconds(dialect, c.c.left_at, c.c.at))


def _lock(session: Session) -> None:
    """One refresh at a time (PostgreSQL; SQLite serialises writers already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('insight_stay'))"))


def _insert(session: Session, dialect: str, order_ids=None) -> int:
    stmt = insert(STAY).from_select(["event_id", "order_id", "status", "entered_at", "left_at", "seconds"],
                                    _stays_select(dialect, order_ids))
    return session.execute(stmt).rowcount or 0


def refresh(session: Session, *, full: bool = False) -> dict:
    """Bring the stays up to the newest StatusEvent (all of them when `full` or never built); commits."""
    _lock(session)
    dialect = session.get_bind().dialect.name
    state = session.get(InsightRefresh, NAME)
    top = session.execute(select(func.coalesce(func.max(SE.c.id), 0))).scalar_one()
    now = utcnow()
    if state is None or full:
        session.execute(delete(STAY))
        rows = _insert(session, dialect)
        if state is None:
            state = InsightRefresh(name=NAME)
            session.add(state)
        state.watermark, state.refreshed_at, state.full_at = top, now, now
        session.commit()
        return {"full": True, "stays": rows, "watermark": top}
    changed = select(SE.c.order_id).where(SE.c.id > state.watermark - OVERLAP, SE.c.id <= top).distinct()
    session.execute(delete(STAY).where(STAY.c.order_id.in_(changed)))
    rows = _insert(session, dialect, changed)
    state.watermark, state.refreshed_at = max(top, state.watermark), now
    session.commit()
    return {"full": False, "stays": rows, "watermark": state.watermark}


def ensure(session: Session) -> None:
    """Build the summary once when it has never been built (the first read after install); commits."""
    if session.get(InsightRefresh, NAME) is None:
        refresh(session)


def as_of(session: Session):
    """When the stays were last refreshed (None: never)."""
    state = session.get(InsightRefresh, NAME)
    return state.refreshed_at if state else None


def refresh_job() -> dict:
    """Cron job (every minute): read the new status events into the stays summary."""
    with new_session(current_runtime().engine) as s:
        return refresh(s)


def rebuild_job() -> dict:
    """Cron job (nightly): rebuild the stays summary from the whole status history."""
    with new_session(current_runtime().engine) as s:
        return refresh(s, full=True)

