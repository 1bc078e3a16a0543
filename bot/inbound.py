"""Platform-neutral inbound messages: screen, store once (unique per platform message id), hand to a job.

The webhook path is kept to one database statement (INSERT … ON CONFLICT DO NOTHING RETURNING id) and
one Redis RPUSH onto the inbox (bot/inbox.py), shared by the concurrent requests of a process (group
commit). The dispatcher in `ops worker` turns inbox entries into RQ jobs and routes state-changing commands
to the priority queue, which every worker serves first, so a command never waits behind chit-chat.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field, fields

from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from bot.inbox import entry, is_command, push
from bot.models import CARD_EVENT, SCREENED, InboundMessage
from bot.photos import image_refs
from core.db import new_session
from core.logs import current_request_id
from core.runtime import Runtime
from core.types import UTCDateTime, utcnow

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_RAW = 20000  # characters of the raw payload kept
TEXT_TYPES = ("text", "mixed", "voice")  # voice: WeCom's transcription
PHOTO_TYPES = ("image", "mixed")  # pictures reach the robot only (docs 100719); read in the job


@dataclass
class Incoming:
    """One message as any platform delivered it, before it is stored."""

    platform: str
    platform_msg_id: str
    text: str = ""
    msgtype: str = "text"
    chat_id: str = ""
    chat_name: str = ""
    chat_type: str = "single"
    sender_id: str = ""
    sender_name: str = ""
    raw: dict = field(default_factory=dict)
    response_url: str | None = None
    reply_channel: str | None = None
    reply_to: str | None = None


def screen(msg: Incoming) -> str:
    """Why a message is ignored without processing ('' = process it)."""
    if msg.msgtype == CARD_EVENT:
        return ""
    photo = has_photo(msg)
    if msg.msgtype not in TEXT_TYPES and not photo:
        return f"unsupported msgtype {msg.msgtype!r}"
    if not msg.text.strip() and not photo:
        return "empty text"
    if len(msg.text) > MAX_TEXT:
        return f"text longer than {MAX_TEXT} characters ({len(msg.text)})"
    if looks_binary(msg.text):
        return "binary junk"
    return ""


# What a person can send the robot or the app (docs 100719, 90240): such a message that cannot be read is still
# answered (never silent, issue #14); events, stream refreshes and the like are not.
PERSON_TYPES = frozenset(("text", "voice", "mixed", "image", "file", "video", "link", "location", "emotion"))


def answered_anyway(msg: Incoming) -> bool:
    """A robot @-message or a one-to-one app message from a person, with somewhere to send the answer."""
    return (msg.platform in ("wecom_bot", "wecom_app") and msg.msgtype in PERSON_TYPES
            and bool(msg.reply_to or msg.response_url))


def has_photo(msg: Incoming) -> bool:
    """A robot image or mixed message with at least one picture URL."""
    return msg.platform == "wecom_bot" and msg.msgtype in PHOTO_TYPES and bool(image_refs(msg.raw))


def looks_binary(text: str) -> bool:
    """Control characters or undecodable bytes make up a noticeable part of the text."""
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r"))
    return bad > 0 and (bad >= 3 or bad * 20 > len(text))


def _storable(value):
    """PostgreSQL text cannot hold NUL: replace it everywhere (the message was screened already)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


_FIELDS = tuple(f.name for f in fields(Incoming) if f.name != "raw")


def _values(msg: Incoming, reason: str) -> dict:
    """The column values of a new InboundMessage row: plain Python values, `raw` as its JSON text (what
    PostgreSQL is sent; the ORM path loads it back)."""
    dumped = json.dumps(msg.raw, ensure_ascii=False, default=str)
    if len(dumped) > MAX_RAW:
        dumped = '{"truncated": true}'
    elif "\\u0000" in dumped:  # json.dumps writes NUL as that escape
        dumped = json.dumps(_storable(json.loads(dumped)), ensure_ascii=False)
    data = {name: getattr(msg, name) for name in _FIELDS}
    data["text"] = msg.text[:MAX_TEXT]
    for name, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            data[name] = _storable(value)
    if reason and answered_anyway(msg):  # the job answers what was wrong and changes nothing
        status, reason = "received", SCREENED + reason
    else:
        status = "ignored" if reason else "received"
    return data | {"raw": dumped, "status": status, "error": reason,
                   "received_at": utcnow(), "processed_at": None, "lease_until": None,
                   "parse_result": {}, "reply_text": "", "photos": []}


def _orm_values(values: dict) -> dict:
    return values | {"raw": json.loads(values["raw"])}


def store(rt: Runtime, msg: Incoming) -> tuple[InboundMessage, bool]:
    """Insert the message unless its platform id is known; returns (row, is_new). Safe under races."""
    reason = screen(msg)
    if reason:
        log.info("ignoring %s message %s from %s: %s", msg.platform, msg.platform_msg_id, msg.sender_id, reason)
    values = _values(msg, reason)
    new_id = _insert_once(rt, values)
    if new_id is None:  # a repeat (WeCom retries, or a concurrent copy got there first)
        with new_session(rt.engine) as s:
            return _find(s, msg.platform, msg.platform_msg_id), False
    return InboundMessage(id=new_id, **_orm_values(values)), True


def _insert_once(rt: Runtime, values: dict) -> int | None:
    """One statement: INSERT … ON CONFLICT DO NOTHING RETURNING id; None when the message is known."""
    engine = rt.engine
    if engine.dialect.name == "postgresql":
        return _insert_once_postgres(engine, values)
    table = InboundMessage.__table__
    stmt = (sqlite_insert(table).values(**_orm_values(values))
            .on_conflict_do_nothing(index_elements=["platform", "platform_msg_id"])
            .returning(table.c.id))
    with engine.connect() as conn:
        new_id = conn.execute(stmt).scalar()
        conn.commit()
    return new_id


_COLUMNS = tuple(c.name for c in InboundMessage.__table__.columns if c.name != "id")
_DATETIME_COLUMNS = frozenset(c.name for c in InboundMessage.__table__.columns
                              if isinstance(c.type, UTCDateTime))
# Built once: the webhook's one statement, sent straight to psycopg with the whole batch as ONE JSON parameter
# (json_populate_recordset), so one prepared statement serves any batch size and the rows cost one C-level
# json.dumps, not a Python adapter per value. SQLAlchemy's Core path, a VALUES list per batch size, or one
# array per column each cost the callback more than the round trip itself (bench/bot_bench.py, py-spy).
_PG_INSERT = (
    f"INSERT INTO {InboundMessage.__tablename__} ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join(_COLUMNS)} FROM json_populate_recordset(NULL::{InboundMessage.__tablename__}, %s::json) "
    "ON CONFLICT (platform, platform_msg_id) DO NOTHING RETURNING id, platform, platform_msg_id")


def _row_json(row: dict) -> str:
    """One row as a JSON object; `raw` is spliced in as the JSON text it already is."""
    plain = {c: (row[c].isoformat() if c in _DATETIME_COLUMNS and row[c] is not None else row[c])
             for c in _COLUMNS if c != "raw"}
    return '{"raw": ' + row["raw"] + ", " + json.dumps(plain, ensure_ascii=False)[1:]


def _insert_once_postgres(engine, values: dict) -> int | None:
    """The INSERT in autocommit on a pooled psycopg connection: one round trip, no BEGIN/COMMIT."""
    conn = engine.raw_connection()
    try:
        ids = _insert_many_postgres(conn.driver_connection, [values])
    except Exception:
        conn.invalidate()  # a broken connection must not go back to the pool
        raise
    finally:
        conn.close()
    return ids.get((values["platform"], values["platform_msg_id"]))


def _insert_many_postgres(dbapi, rows: list[dict]) -> dict[tuple[str, str], int]:
    """Rows in one autocommit INSERT … SELECT FROM json_populate_recordset(…) on a psycopg connection (one round trip, no
    BEGIN/COMMIT); {(platform, platform_msg_id): id} of the rows that were new."""
    batch = "[" + ", ".join(_row_json(row) for row in rows) + "]"
    autocommit = dbapi.autocommit
    dbapi.autocommit = True
    try:
        found = dbapi.execute(_PG_INSERT, (batch,), prepare=True).fetchall()
    finally:
        dbapi.autocommit = autocommit
    return {(platform, msg_id): new_id for new_id, platform, msg_id in found}


def _find(session, platform: str, platform_msg_id: str) -> InboundMessage | None:
    return session.exec(select(InboundMessage).where(InboundMessage.platform == platform,
                                                     InboundMessage.platform_msg_id == platform_msg_id)).first()


@dataclass(slots=True)
class Accepted:
    """What an entry point learns of a message it handed over: its row id and status. (Building the full
    InboundMessage row cost the webhook as much as its INSERT; whoever needs the row reads it by id.)"""

    id: int
    status: str


def accept(rt: Runtime, msg: Incoming, *, inline: bool = False) -> tuple[Accepted, bool]:
    """Store, then process in a job (or right here for the bridge); a repeat is never applied twice."""
    from bot.jobs import run_inbound

    if not inline and rt.engine.dialect.name == "postgresql" and rt.queue.is_async:
        return _accept_grouped(rt, msg)
    row, is_new = store(rt, msg)
    accepted = Accepted(row.id, row.status)
    if is_new and row.status == "received":
        if inline:
            outcome = run_inbound(rt, row.id)
            if outcome is not None:
                accepted.status = outcome.status
        else:
            try:
                _hand_over(rt, row.id, row.msgtype == CARD_EVENT or has_photo(msg), row.text)
            except Exception:  # queue down: the message is stored; catch_up_inbound retries it
                log.warning("could not enqueue inbound message %s", row.id, exc_info=True)
    return accepted, is_new


def _accept_grouped(rt: Runtime, msg: Incoming) -> tuple[Accepted, bool]:
    """The production webhook path: concurrent requests of this process share one INSERT and one enqueue."""
    reason = screen(msg)
    if reason:
        log.info("ignoring %s message %s from %s: %s", msg.platform, msg.platform_msg_id, msg.sender_id, reason)
    values = _values(msg, reason)
    # Known here without parsing; a text command is routed by the dispatcher (bot/inbox.py).
    priority = not reason and (msg.msgtype == CARD_EVENT or has_photo(msg))
    group = rt.extras.get("bot.inbound.group")
    if group is None:
        group = rt.extras.setdefault("bot.inbound.group", GroupInsert(rt))
    new_id = group.submit(values, priority)
    if new_id is None:
        with new_session(rt.engine) as s:
            known = _find(s, msg.platform, msg.platform_msg_id)
        return Accepted(known.id, known.status), False
    return Accepted(new_id, values["status"]), True


class _Pending:
    __slots__ = ("values", "priority", "new_id", "error", "done", "request_id")

    def __init__(self, values: dict, priority: bool):
        self.values, self.priority = values, priority
        self.request_id = current_request_id()  # its job is tagged with it, whichever thread enqueues
        self.new_id: int | None = None
        self.error: BaseException | None = None
        self.done = False


class GroupInsert:
    """Group commit of the webhook (one per process): each request thread queues its row; one thread at a time
    leads, writing every row queued so far in ONE INSERT … ON CONFLICT DO NOTHING RETURNING, then wakes the
    requests whose rows it wrote (they answer at once) and, after handing the lead on, pushes the batch onto
    the inbox in ONE RPUSH. Under load N concurrent callbacks cost one round trip to each store instead of N.
    Nothing is answered before its row is committed; a failed INSERT fails every request of that batch (503,
    WeCom retries); a failed push leaves the rows `received` for the catch-up cron.
    """

    MAX_BATCH = 200

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._conn = None  # this process's own psycopg connection (flushes are one at a time), made on first use
        self._pid = os.getpid()
        self._pending: list[_Pending] = []
        self._cond = threading.Condition()  # guards _pending and _leading
        self._leading = False  # one request thread at a time writes batches

    def submit(self, values: dict, priority: bool) -> int | None:
        """Store one row; its new id, or None when the platform message id is known."""
        item = _Pending(values, priority)
        with self._cond:
            self._pending.append(item)
            while not item.done and self._leading:  # a leader is writing: ours goes in its next batch
                self._cond.wait()
            if item.done:
                return self._result(item)
            self._leading = True
        fresh: list[_Pending] = []
        try:
            while not item.done:
                with self._cond:
                    batch, self._pending = self._pending[:self.MAX_BATCH], self._pending[self.MAX_BATCH:]
                fresh += self._flush(batch)
                with self._cond:
                    self._cond.notify_all()  # their rows are committed: those requests answer now
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()  # a waiting request whose row is not written yet leads next
        if fresh:  # after handing over the lead: the next INSERT need not wait for this round trip
            try:
                push(self.rt, [entry(p.new_id, p.priority, p.request_id, p.values["text"]) for p in fresh])
            except Exception:  # queue down: the messages are stored; catch_up_inbound queues them
                log.warning("could not enqueue %d inbound messages", len(fresh), exc_info=True)
        return self._result(item)

    @staticmethod
    def _result(item: _Pending) -> int | None:
        if item.error is not None:
            raise item.error
        return item.new_id

    def _flush(self, batch: list[_Pending]) -> list[_Pending]:
        """Write one batch and mark its requests done; the rows that were new and are to be processed."""
        try:
            ids = self._insert([item.values for item in batch])
        except Exception as exc:
            for item in batch:
                item.error, item.done = exc, True
            return []
        seen: set[tuple[str, str]] = set()
        fresh: list[_Pending] = []
        for item in batch:
            key = (item.values["platform"], item.values["platform_msg_id"])
            if key not in seen:  # the same message twice in one batch: only the first is new
                seen.add(key)
                item.new_id = ids.get(key)
                if item.new_id is not None and item.values["status"] == "received":
                    fresh.append(item)
            item.done = True
        return fresh

    def _insert(self, rows: list[dict]) -> dict[tuple[str, str], int]:
        """On a connection of its own (taken out of the engine's pool, so it has the engine's settings):
        no pool check-out per flush. A failed connection is dropped; the next flush makes a new one."""
        if self._pid != os.getpid():  # forked: the parent's socket is not ours to use or close
            self._conn, self._pid = None, os.getpid()
        if self._conn is None:
            pooled = self.rt.engine.raw_connection()
            conn = pooled.driver_connection
            pooled.detach()
            conn.autocommit = True
            self._conn = conn
        try:
            return _insert_many_postgres(self._conn, rows)
        except Exception:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except Exception:
                pass
            raise


def _hand_over(rt: Runtime, inbound_id: int, priority: bool, text: str) -> None:
    """To the dispatcher's inbox (one RPUSH); inline (tests, `make run` without Redis' worker), run it now."""
    from bot.jobs import process_inbound

    if not rt.queue.is_async:
        rt.enqueue(process_inbound, inbound_id, priority=priority or is_command(rt, text), result_ttl=0)
        return
    push(rt, [entry(inbound_id, priority, current_request_id(), text)])


def reply_of(rt: Runtime, inbound_id: int) -> str:
    """The reply text stored for a message ('' while none)."""
    with new_session(rt.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        return row.reply_text if row else ""
