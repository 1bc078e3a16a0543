"""The bot's core: parse one stored message, check who may do it, run the command, return the reply."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from bot import texts
from bot.commands import COMMANDS, Command, CommandContext
from bot.identity import Sender, identify
from bot.lookup import lookup_cache, short_candidates
from bot.models import InboundMessage
from core.db import new_session
from core.runtime import Runtime
from nlu import parse
from nlu.result import ParseResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of a message: final status, the reply (None = stay silent), the parse result."""

    status: str
    reply: str | None
    parse_result: dict
    error: str = ""


def parse_message(rt: Runtime, text: str) -> ParseResult:
    """Run the parser with the cached open orders, aliases and processes."""
    lookups = lookup_cache(rt).get(rt.engine)
    return parse(text, datetime.now(rt.settings.tz), open_orders=lookups.open_orders,
                 aliases=lookups.aliases, processes=lookups.processes)


def handle(rt: Runtime, msg: InboundMessage) -> Outcome:
    """Turn one stored message into its outcome; domain refusals become reply text."""
    parsed = parse_message(rt, msg.text)
    result = as_json(parsed)
    cmd = COMMANDS.get(parsed.intent)
    if cmd is None:  # not a command: never changes anything, silent in groups
        return Outcome("ignored", texts.NOT_A_COMMAND_HINT if msg.chat_type == "single" else None, result)
    with new_session(rt.engine) as s:
        sender = identify(s, platform=msg.platform, sender_id=msg.sender_id, sender_name=msg.sender_name,
                          chat_id=msg.chat_id)
        refusal = authorise(cmd, sender)
        if refusal:
            return Outcome("processed", refusal, result)
        orders, notes = resolve_orders(s, parsed, sender)
    if cmd.needs_order and not orders:
        return Outcome("processed", "\n".join(notes) or texts.need_order(cmd.example), result)
    reply = cmd.func(CommandContext(rt, msg, parsed, sender, orders))
    return Outcome("processed", "\n".join([*notes, reply]), result)


def authorise(cmd: Command, sender: Sender) -> str | None:
    """The refusal for a sender who may not use this command at all (roles per move are checked later)."""
    if cmd.name == "help" or sender.is_staff:
        return None
    if cmd.changes:
        return texts.CUSTOMER_READ_ONLY if sender.is_customer else texts.NOT_STAFF
    return None if sender.is_customer else texts.NOT_STAFF_QUERY


def resolve_orders(session, parsed: ParseResult, sender: Sender) -> tuple[list[str], list[str]]:
    """Full numbers and aliases as parsed; short references when unique among open orders, else a question."""
    orders = list(dict.fromkeys(parsed.orders))
    notes = []
    customer_id = sender.customer_id if sender.is_customer else None
    for ref in parsed.short_refs:
        candidates = short_candidates(session, ref, customer_id=customer_id)
        if len(candidates) == 1:
            if candidates[0] not in orders:
                orders.append(candidates[0])
        elif candidates:
            notes.append(texts.which_one(ref, candidates))
        else:
            notes.append(texts.short_ref_unknown(ref))
    return orders, notes


def as_json(parsed: ParseResult) -> dict:
    """The parse result as plain JSON (dates as ISO text)."""
    return json.loads(json.dumps(asdict(parsed), ensure_ascii=False, default=str))
