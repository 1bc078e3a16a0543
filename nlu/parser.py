"""parse(): normalise → find entities → classify with guards."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from . import commands, dates, entities, measures
from .context import condition_start
from .entities import Found
from .intents import Context, classify, message_guard
from .normalize import clause_spans, lower_ascii, normalize_text
from .result import ParseResult
from .segment import segment
from .triggers import Hit, find_hits

# Sentence-final particles that mean 了 (发啦, 入库咯): one character for one, so offsets stay aligned.
_PARTICLES = str.maketrans({"啦": "了", "咯": "了", "喽": "了", "嘞": "了"})
_PARTICLE = re.compile("[啦咯喽嘞]")
_MASK_RUN = re.compile(f"(?<!{entities.ORDER_MASK}){entities.ORDER_MASK}")  # where each masked reference starts
# Longer input is cut: a chat command never needs more, and the cost of segmenting stays bounded.
MAX_CHARS = 20_000


@dataclass(frozen=True)
class _Refs:
    """Order references found in a message."""

    found: list[Found]
    short_refs: list[str]
    alias_hits: list[str]
    low: str

    @property
    def orders(self) -> list[str]:
        """Canonical order numbers in order of appearance, without repeats."""
        out: list[str] = []
        for f in sorted(self.found, key=lambda f: f.start):
            if f.value not in out:
                out.append(f.value)
        return out


def _find_refs(low: str, open_orders: Iterable[str], aliases: Mapping[str, str]) -> tuple[_Refs, list[Found]]:
    """Orders, aliases, tracking numbers and short references; returns the text with all of them masked."""
    orders = entities.find_orders(low)
    low = entities.mask_spans(low, orders, entities.ORDER_MASK)
    alias_found = entities.find_aliases(low, aliases)
    low = entities.mask_spans(low, alias_found, entities.ORDER_MASK)
    tracking = entities.find_tracking(low)
    low = entities.mask_spans(low, tracking, entities.TRACKING_MASK)
    shorts = entities.find_short_refs(low)
    resolved, unresolved = entities.resolve_short_refs(shorts, open_orders)
    low = entities.mask_spans(low, shorts, entities.ORDER_MASK)
    refs = _Refs(orders + alias_found + resolved, unresolved, [a.written.upper() for a in alias_found], low)
    return refs, tracking


def _ref_positions(refs: _Refs, low: str) -> list[int]:
    """Start of every order reference, resolved or not."""
    positions = [f.start for f in refs.found]
    positions += [m.start() for m in _MASK_RUN.finditer(low)]
    return sorted(set(positions))


def _carrier(named: list[Found], tracking: list[Found]) -> str | None:
    """A carrier named in the text wins over the one implied by a tracking number."""
    if named:
        return named[0].value
    return next((t.written for t in tracking if t.written), None)


def parse(
    text: str,
    now: datetime,
    *,
    open_orders: Iterable[str] = (),
    aliases: Mapping[str, str] | None = None,
    processes: Iterable[str] = (),
    extra_words: Iterable[str] = (),
) -> ParseResult:
    """Parse one chat message into a command (or query / help / none)."""
    norm = normalize_text(str(text or "")[:MAX_CHARS])
    processes = [p for p in processes if isinstance(p, str) and p.strip()]
    low = lower_ascii(norm)
    if _PARTICLE.search(low):
        low = low.translate(_PARTICLES)
    refs, tracking = _find_refs(low, open_orders, aliases or {})
    low = refs.low
    tokens = segment(low, [lower_ascii(w) for w in [*processes, *extra_words] if isinstance(w, str)])
    named = entities.find_carriers(low)
    found_dates = dates.find_dates(low, now.date())
    line = measures.find_line(low)
    procs = measures.find_processes(low, tokens, processes)
    percents = measures.find_percents(low)
    hits = find_hits(low, tokens, procs, percents)
    facts = {
        "carrier": bool(named),
        "tracking": bool(tracking),
        "date": bool(found_dates),
        "line": line is not None,
    }
    positions = _ref_positions(refs, low)
    ctx = Context(low, tokens, tuple(clause_spans(low)), tuple(found_dates), now.date(), len(positions) > 1)
    special = _special(norm, ctx, bool(positions), tracking, named, found_dates, refs)
    if special is not None:
        return special
    intent, hit = classify(hits, ctx, facts, positions)
    result = _result(intent, hit, refs, tracking, named, found_dates, line, procs, percents, norm)
    if intent in ("none", "query") and (positions or tracking or named):
        result = replace(result, guard=message_guard(ctx))  # what a caller must not read as a fill-in
    return result


def _result(
    intent: str,
    hit: Hit | None,
    refs: _Refs,
    tracking: list[Found],
    named: list[Found],
    found_dates: list[tuple[int, date]],
    line: str | None,
    procs: list[Found],
    percents: list[tuple[int, float]],
    norm: str,
) -> ParseResult:
    """Assemble the answer; the process and percent of a report come from its own words."""
    process = hit.process if hit and hit.process else (procs[0].value if procs else None)
    percent = percents[0][1] if percents else None
    if hit and intent == "report":
        percent = hit.percent
    anchor = hit.start if hit and intent == "schedule" else None
    picked = dates.pick_date(found_dates, anchor)
    reason = None
    if intent == "cancel" and hit:
        reason = measures.cancel_reason(_unmasked(refs.low, norm), hit.start, hit.end)
    batches: list[str] = []
    if intent == "qc_fail":
        reason = measures.qc_reason(_unmasked(refs.low, norm))
    if intent in ("qc_fail", "qc_pass"):
        batches = measures.find_batches(_unmasked(refs.low, norm))[0]
    return ParseResult(
        intent=intent,
        orders=refs.orders,
        carrier=_carrier(named, tracking),
        tracking_no=tracking[0].value if tracking else None,
        date=picked.isoformat() if picked else None,
        line=line,
        process=process,
        percent=measures.tidy_number(percent),
        reason=reason,
        batches=batches,
        short_refs=list(refs.short_refs),
        alias_hits=refs.alias_hits,
    )


def _unmasked(low: str, norm: str) -> str:
    """The text as written, with order numbers and tracking numbers still masked."""
    masks = (entities.ORDER_MASK, entities.TRACKING_MASK)
    return "".join(c if c in masks else n for c, n in zip(low, norm, strict=True))


def _special(
    norm: str,
    ctx: Context,
    has_ref: bool,
    tracking: list[Found],
    named: list[Found],
    found_dates: list[tuple[int, date]],
    refs: _Refs,
) -> ParseResult | None:
    """A list request, a new order or a correction; None when the message is none of them."""
    if ctx.test_or_joke or ctx.quoted:
        return None
    low = ctx.low
    if not has_ref and commands.is_list_request(low):
        return ParseResult(intent="list")
    if ctx.reported or condition_start(ctx) <= len(low):
        return None  # 老王说运单号改为…, 如果数量改为…: nobody's correction
    new = None if has_ref else commands.find_new_order(norm, low)
    if new is not None:
        picked = dates.pick_date(found_dates, None)
        return ParseResult(
            intent="create", customer=new.customer, product=new.product, quantity=new.quantity,
            date=picked.isoformat() if picked else None,
        )  # fmt: skip
    fix = commands.find_correction(low)
    if fix is None:
        return None
    after = fix.value_from
    values = {
        "tracking_no": next((t.value for t in tracking if t.start >= after), None),
        "carrier": next((c.value for c in named if c.start >= after), None),
        "date": next((d.isoformat() for pos, d in found_dates if pos >= after), None),
        "quantity": measures.tidy_number(fix.quantity),
    }
    if values[fix.field] is None:
        return None
    tracking_no = values["tracking_no"]
    carrier = values["carrier"] or next((t.written for t in tracking if t.value == tracking_no and t.written), None)
    return ParseResult(
        intent="correct", orders=refs.orders, field=fix.field, tracking_no=tracking_no, carrier=carrier,
        date=values["date"], quantity=values["quantity"], short_refs=list(refs.short_refs),
        alias_hits=refs.alias_hits,
    )  # fmt: skip
