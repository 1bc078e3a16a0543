"""Platform-neutral inbound messages: screen, store once (unique per platform message id), hand to a job.

The webhook path is kept to one database statement (INSERT … ON CONFLICT DO NOTHING RETURNING id) and
one Redis enqueue. State-changing commands go to the priority queue, which every worker serves first,
so a command never waits behind chit-chat; the router is the pure parser, without the storage lookups
(open orders, ERP aliases) that would cost the request another round trip.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from bot.models import InboundMessage
from core.db import new_session
from core.runtime import Runtime
from nlu import STATE_CHANGING, parse

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_RAW = 20000  # characters of the raw payload kept
TEXT_TYPES = ("text", "mixed", "voice")  # voice: WeCom's transcription


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
    if msg.msgtype not in TEXT_TYPES:
        return f"unsupported msgtype {msg.msgtype!r}"
    if not msg.text.strip():
        return "empty text"
    if len(msg.text) > MAX_TEXT:
        return f"text longer than {MAX_TEXT} characters ({len(msg.text)})"
    if looks_binary(msg.text):
        return "binary junk"
    return ""


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


def _row(msg: Incoming, reason: str) -> InboundMessage:
    raw = msg.raw if len(json.dumps(msg.raw, ensure_ascii=False, default=str)) <= MAX_RAW else {"truncated": True}
    data = asdict(msg) | {"raw": json.loads(json.dumps(raw, ensure_ascii=False, default=str))}
    data["text"] = msg.text[:MAX_TEXT]
    return InboundMessage(**_storable(data), status="ignored" if reason else "received", error=reason)


def store(rt: Runtime, msg: Incoming) -> tuple[InboundMessage, bool]:
    """Insert the message unless its platform id is known; returns (row, is_new). Safe under races."""
    reason = screen(msg)
    if reason:
        log.info("ignoring %s message %s from %s: %s", msg.platform, msg.platform_msg_id, msg.sender_id, reason)
    row = _row(msg, reason)
    values = row.model_dump(exclude={"id"})
    new_id = _insert_once(rt, values)
    if new_id is None:  # a repeat (WeCom retries, or a concurrent copy got there first)
        with new_session(rt.engine) as s:
            return _find(s, msg.platform, msg.platform_msg_id), False
    row.id = new_id
    return row, True


def _insert_once(rt: Runtime, values: dict) -> int | None:
    """One statement: INSERT … ON CONFLICT DO NOTHING RETURNING id; None when the message is known."""
    engine = rt.engine
    table = InboundMessage.__table__
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(table).values(**values)
            .on_conflict_do_nothing(index_elements=["platform", "platform_msg_id"])
            .returning(table.c.id))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":  # autocommit: no BEGIN/COMMIT round trips
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        new_id = conn.execute(stmt).scalar()
        conn.commit()
    return new_id


def _find(session, platform: str, platform_msg_id: str) -> InboundMessage | None:
    return session.exec(select(InboundMessage).where(InboundMessage.platform == platform,
                                                     InboundMessage.platform_msg_id == platform_msg_id)).first()


def is_command(rt: Runtime, text: str) -> bool:
    """True when the parser reads a state-changing command (routing only; the job parses again)."""
    try:
        return parse(text, datetime.now(rt.settings.tz)).intent in STATE_CHANGING
    except Exception:  # the parser is pure and total; routing must never lose a message anyway
        log.warning("routing parse failed; treating as chit-chat", exc_info=True)
        return False


def accept(rt: Runtime, msg: Incoming, *, inline: bool = False) -> tuple[InboundMessage, bool]:
    """Store, then process in a job (or right here for the bridge); a repeat is never applied twice."""
    from bot.jobs import run_inbound

    row, is_new = store(rt, msg)
    if is_new and row.status == "received":
        if inline:
            outcome = run_inbound(rt, row.id)
            if outcome is not None:
                row.status, row.reply_text = outcome.status, outcome.reply or ""
        else:
            try:
                _enqueue_in_one_trip(rt, row.id, is_command(rt, row.text))
            except Exception:  # queue down: the message is stored; catch_up_inbound retries it
                log.warning("could not enqueue inbound message %s", row.id, exc_info=True)
    return row, is_new


def _enqueue_in_one_trip(rt: Runtime, inbound_id: int, priority: bool) -> None:
    """RQ's enqueue without a pipeline makes two Redis round trips; in our own pipeline it makes one."""
    from bot.jobs import process_inbound

    if not rt.queue.is_async:  # inline (tests, `make run` without a worker): run it now
        rt.enqueue(process_inbound, inbound_id, priority=priority, result_ttl=0)
        return
    with rt.redis.pipeline() as pipe:
        rt.enqueue(process_inbound, inbound_id, priority=priority, result_ttl=0, pipeline=pipe)
        pipe.execute()


def reply_of(rt: Runtime, inbound_id: int) -> str:
    """The reply text stored for a message ('' while none)."""
    with new_session(rt.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        return row.reply_text if row else ""
