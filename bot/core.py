"""The bot's core: parse one stored message, check who may do it, run the command, return the reply.

Never silent (issue #14): a robot message (only @-mentions reach the robot) and a one-to-one chat
always get an answer; a bridged group message gets one when it names an order or a state word. A
quoted message lends its order numbers when the new text names none (收到/好的 on a quoted alert
acks it); a voice message is parsed from WeCom's transcription and the reply quotes what was heard.
A photo (image or mixed robot message) is downloaded, decrypted and its barcodes read here in the job
(bot/photos.py); a waybill number read off it fills the tracking number when the text has none.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from bot import texts
from bot.commands import COMMANDS, Command, CommandContext
from bot.commands_flow import legal_now
from bot.identity import Sender, identify
from bot.lookup import lookup_cache, rank_candidates, short_candidates
from bot.models import SCREENED, InboundMessage
from bot.photos import PhotoReading, image_refs, read_photos
from bot.quotes import ack_words_only, quoted_text
from core.db import new_session
from core.runtime import Runtime
from nlu import parse
from nlu.result import ParseResult
from orders.flow import COMMAND_LABELS
from orders.status import LABELS

log = logging.getLogger(__name__)

STATE_WORDS = tuple(sorted({*LABELS.values(), *COMMAND_LABELS.values(), "发货", "发了", "到货", "开工", "完工"}))
_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*[%％]")


@dataclass(frozen=True)
class Outcome:
    """What became of a message: final status, the reply (None = stay silent), the parse result."""

    status: str
    reply: str | None
    parse_result: dict
    error: str = ""
    photos: list | None = None  # what each picture of the message gave (None: it had none)


def parse_message(rt: Runtime, text: str) -> ParseResult:
    """Run the parser with the cached open orders, aliases and processes."""
    lookups = lookup_cache(rt).get(rt.engine)
    return parse(text, datetime.now(rt.settings.tz), open_orders=lookups.open_orders,
                 aliases=lookups.aliases, processes=lookups.processes)


def interpret(rt: Runtime, msg: InboundMessage, text: str | None = None) -> ParseResult:
    """The parse of the text (or of `text`, the message completed by its photos), completed by a quoted
    message and the bot's own follow-ups."""
    text = msg.text if text is None else text
    parsed = parse_message(rt, text)
    quote = quoted_text(msg.raw or {})
    if quote and not parsed.orders and not parsed.short_refs:
        quoted_orders = parse_message(rt, quote).orders
        if quoted_orders and ack_words_only(msg.text):
            parsed = replace(parsed, orders=list(quoted_orders), intent="ack")
        elif quoted_orders:  # read the text as if it named the quoted orders
            again = parse_message(rt, " ".join([*quoted_orders, text]))
            # the guard too: read with the order, 开玩笑的 自提 is still a joke
            parsed = again if again.intent != "none" else replace(parsed, orders=list(quoted_orders),
                                                                   guard=again.guard)
    if is_waybill_fill(parsed, text):
        parsed = replace(parsed, intent="waybill")  # 'SO… 顺丰 SF…' after a 已发货 without the waybill
    return parsed


def is_waybill_fill(parsed: ParseResult, text: str) -> bool:
    """An order with a carrier or tracking number and no command: the waybill of an earlier 已发货 (or a
    corrected one) — only when the parser found nothing that makes the message no command (a test, a
    quote, reported speech, a condition, a question, a negation, a plan)."""
    if parsed.intent != "none" or not parsed.orders or parsed.guard is not None:
        return False
    return bool(parsed.carrier or parsed.tracking_no or "送货" in text)


def handle(rt: Runtime, msg: InboundMessage) -> Outcome:
    """Turn one stored message into its outcome; domain refusals become reply text."""
    if msg.error.startswith(SCREENED):  # unreadable (a file, nothing heard, too long): say so, change nothing
        return Outcome("ignored", texts.screened(msg.error.removeprefix(SCREENED)), {}, error=msg.error)
    reading = message_photos(rt, msg)
    records = reading.records if reading is not None else None
    text, heard = msg.text, None
    if msg.msgtype == "voice":
        heard = texts.VOICE_HEARD.format(text=msg.text.strip())
    if reading is not None and parse_message(rt, msg.text).tracking_no is None:  # the text's own number wins
        refusal = photo_refusal(reading)
        if refusal:
            return Outcome("ignored", refusal, {}, photos=records)
        number, carrier = reading.waybills[0]
        text = " ".join(x for x in (msg.text.strip(), carrier, number) if x)
        heard = texts.photo_read(number, carrier)
    parsed = interpret(rt, msg, text)
    result = as_json(parsed)

    def done(reply: str | None, status: str = "processed") -> Outcome:
        if reply is not None and heard:
            reply = f"{heard}\n{reply}"
        return Outcome(status, reply, result, photos=records)

    if reading is not None and reading.waybills and not parsed.orders and not parsed.short_refs:
        return Outcome("ignored", texts.photo_need_order(*reading.waybills[0]), result, photos=records)
    cmd = COMMANDS.get(parsed.intent)
    if cmd is None:  # not a command: never changes anything
        return done(silence_or_hint(msg, parsed), "ignored")
    if bad_percent(parsed, msg.text):
        return done(texts.PERCENT_RANGE)
    with new_session(rt.engine) as s:
        sender = identify(s, platform=msg.platform, sender_id=msg.sender_id, sender_name=msg.sender_name,
                          chat_id=msg.chat_id)
        refusal = authorise(cmd, sender)
        if refusal:
            return done(refusal)
        orders, notes = resolve_orders(s, parsed, sender)
    if cmd.needs_order and not orders:
        return done("\n".join(notes) or texts.need_order(cmd.example))
    reply = cmd.func(CommandContext(rt, msg, parsed, sender, orders))
    return done("\n".join([*notes, reply]))


def message_photos(rt: Runtime, msg: InboundMessage) -> PhotoReading | None:
    """Download, decrypt and read the pictures of a robot message (None when it has none)."""
    refs = image_refs(msg.raw or {}) if msg.platform == "wecom_bot" else []
    return read_photos(refs, rt.settings.wecom_bot_aes_key) if refs else None


def photo_refusal(reading: PhotoReading) -> str | None:
    """Why the photos cannot fill the waybill (None when exactly one waybill number was read)."""
    if len(reading.waybills) > 1:
        return texts.photo_many([n for n, _ in reading.waybills])
    if not reading.waybills:
        return texts.PHOTO_UNREADABLE if reading.failed else texts.PHOTO_NO_CODE
    return None


def silence_or_hint(msg: InboundMessage, parsed: ParseResult) -> str | None:
    """A robot or one-to-one message always gets a hint; a bridged group message when it names an order
    or a state word; other group chatter stays unanswered."""
    if parsed.guard == "reported" and (parsed.orders or parsed.short_refs or msg.platform == "wecom_bot"
                                       or msg.chat_type == "single" or any(w in msg.text for w in STATE_WORDS)):
        return texts.reported_speech(parsed.orders[0] if parsed.orders else None)
    if parsed.guard == "plan" and parsed.orders:
        return texts.plan_not_done(parsed.orders[0])
    if parsed.orders:
        return texts.not_understood(parsed.orders)
    if msg.platform == "wecom_bot" or msg.chat_type == "single":
        return texts.NOT_A_COMMAND_HINT if msg.chat_type == "single" else texts.ONE_LINE_HELP
    if parsed.short_refs or any(w in msg.text for w in STATE_WORDS):
        return texts.ONE_LINE_HELP
    return None


def bad_percent(parsed: ParseResult, text: str) -> bool:
    """A progress outside 0–100 %, as parsed or as written (the parser may clamp it)."""
    if parsed.percent is not None and not 0 <= float(parsed.percent) <= 100:
        return True
    return parsed.intent == "report" and any(not 0 <= float(v) <= 100 for v in _PERCENT.findall(text))


def authorise(cmd: Command, sender: Sender) -> str | None:
    """The refusal for a sender who may not use this command at all (roles per move are checked later)."""
    if cmd.name == "help" or sender.is_staff:
        return None
    if cmd.changes:
        return texts.CUSTOMER_READ_ONLY if sender.is_customer else texts.NOT_STAFF
    return None if sender.is_customer else texts.NOT_STAFF_QUERY


def resolve_orders(session, parsed: ParseResult, sender: Sender) -> tuple[list[str], list[str]]:
    """Full numbers and aliases as parsed; a short reference (0042, 1121-0005) is matched against open
    orders, else closed ones, narrowed (legal now, the sender's own, most recent) and asked about only
    when still ambiguous."""
    orders = list(dict.fromkeys(parsed.orders))
    notes = []
    customer_id = sender.customer_id if sender.is_customer else None
    staff_id = sender.actor.staff_id if sender.actor else None
    for ref in parsed.short_refs:
        candidates = short_candidates(session, ref, customer_id=customer_id)
        if not candidates:  # a closed order: the command then says its status instead of "not found"
            candidates = short_candidates(session, ref, customer_id=customer_id, closed=True)
        if len(candidates) > 1:
            candidates = rank_candidates(session, candidates, staff_id=staff_id,
                                         legal=lambda st: legal_now(parsed.intent, st))
        if len(candidates) == 1:
            if candidates[0] not in orders:
                orders.append(candidates[0])
        elif candidates:
            notes.append(texts.which_of(ref, candidates))
        else:
            notes.append(texts.short_ref_unknown(ref))
    return orders, notes


def as_json(parsed: ParseResult) -> dict:
    """The parse result as plain JSON (dates as ISO text)."""
    return json.loads(json.dumps(asdict(parsed), ensure_ascii=False, default=str))
