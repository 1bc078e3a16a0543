"""Database engine and sessions: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, create_engine

# How long a statement waits for another writer's lock before giving up. Below WeCom's 5 s callback
# timeout, so the webhook still answers 503 in time and WeCom's retry finds the database free.
LOCK_WAIT_SECONDS = 3
# PostgreSQL SQLSTATEs that mean "busy, try again": lock_not_available, query_canceled (lock or
# statement timeout), deadlock, serialization failure, and the connection classes 08xxx / 57P0x.
_PG_BUSY_STATES = ("55P03", "57014", "40P01", "40001", "08", "57P0")
_SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked", "database is busy")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping (a SELECT 1 round trip on every checkout, a fifth of a robot callback's time): a
        # connection found dead fails its one request with a busy 503 (WeCom retries) and SQLAlchemy then
        # invalidates the whole pool, so the next checkout connects afresh; old ones are recycled.
        engine = create_engine(url, echo=echo, pool_pre_ping=False, pool_recycle=1800, pool_size=10,
                               max_overflow=20)
        _configure_postgres(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": LOCK_WAIT_SECONDS})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Take the write lock when a transaction begins.

    SQLite's default deferred transactions upgrade a read lock to a write lock at the
    first write and then fail at once with "database is locked" when another writer got
    there first; BEGIN IMMEDIATE waits (busy timeout) instead. This is the recipe from
    SQLAlchemy's pysqlite documentation ("Serializable isolation / Savepoints").
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgres(engine: Engine) -> None:
    """Row and table locks are waited for LOCK_WAIT_SECONDS at most (then SQLSTATE 55P03, a 503)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
        cur.close()
        dbapi_conn.commit()


def is_busy(exc: BaseException) -> bool:
    """True when a database error means "busy or unreachable, try again shortly" (lock wait, timeout)."""
    if not isinstance(exc, OperationalError):
        return False
    if exc.connection_invalidated:  # the server went away (restart, network): the pool reconnects
        return True
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
    if state:
        return state.startswith(_PG_BUSY_STATES)
    text = str(exc.orig).lower()
    return any(t in text for t in _SQLITE_BUSY_TEXTS)


def insert_defaults(session: Session, rows: list) -> int:
    """Add a table's default rows, found missing, in a savepoint; 0 when another transaction added them
    meanwhile (two workers' first use of an empty table): its rows serve this one, and only the seed is given
    up, not the caller's transaction. The rows' unique keys are what tells. Returns rows added."""
    if not rows:
        return 0
    try:
        with session.begin_nested():
            session.add_all(rows)
    except IntegrityError:
        return 0
    return len(rows)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def new_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit."""
    return Session(engine, expire_on_commit=False)
