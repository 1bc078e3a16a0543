"""Order numbers, ERP aliases, short references, tracking numbers and carriers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .lexicon import CARRIER_FALSE_FRIENDS, CARRIER_NAMES
from .scan_gate import gated

ORDER_MASK = "\ue000"
TRACKING_MASK = "\ue001"

_ORDER = re.compile(
    r"(?<![a-z0-9])s[o0][\s_-]{0,2}(20[0-9]{2})([01][0-9])([0-3][0-9])"
    r"(?:[\s_]*-[\s_]*([0-9]{1,4})|[\s_]{1,2}([0-9]{4})|([0-9]{4}))(?![0-9])"
)
_BARE_ORDER = re.compile(r"(?<![a-z0-9-])(20[0-9]{2})([01][0-9])([0-3][0-9])-([0-9]{4})(?![0-9])")
_TRACKING = re.compile(
    r"(?<![a-z0-9])(?:(sf|yt|jt|dpk|kye|ky)[\s-]?([0-9]{10,15})|(ems)([0-9]{9,15})"
    r"|(jd[a-z]{0,3})[\s-]?([0-9]{8,15})((?:-[0-9]{1,3}){0,3}-?)"
    r"|([a-z]{2}[0-9]{9}[a-z]{2})|([0-9]{12,15}))(?![a-z0-9])"
)
_LETTER_CARRIER = {"sf": "顺丰", "yt": "圆通", "jt": "极兔", "dpk": "德邦", "kye": "跨越", "ky": "跨越"}
_UNITS = "件个套台只箱米元块点分秒年月日天周kgm%.:/-"
_NOT_AFTER_REF = rf"(?![0-9a-z%.:/]|\s*[{_UNITS}]|号(?!单)|\s*(?:前|后|左右|开始|之前|以后|准时|到岗|开会))"
# A lone 0042 right after a time word is a clock time (早上0830), not an order.
_TIME_WORDS = (
    "早上",
    "上午",
    "下午",
    "晚上",
    "今天",
    "明天",
    "凌晨",
    "中午",
    "今早",
    "明早",
    "于",
    "在",
    "从",
)
_SHORT_REF = gated(re.compile(
    rf"(?:尾号|单号|订单号?)\s*:?\s*([0-9]{{2,4}}){_NOT_AFTER_REF}|#\s*([0-9]{{4}}){_NOT_AFTER_REF}"
    r"|(?<![0-9a-z./:#-])([0-9]{1,4})\s*号单"
    r"|(?<![0-9a-z./:#-])([01][0-9][0-3][0-9]-[0-9]{4})(?![0-9a-z])"
    rf"|(?<![0-9a-z./:#-])(0[0-9]{{3}}){_NOT_AFTER_REF}"
))
_ALIAS_RUN = re.compile(r"[a-z0-9]+(?:[\s_/-]?[a-z0-9]+){0,5}")
_ALIAS_PIECE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Found:
    """One entity found in the text: its span and canonical value."""

    start: int
    end: int
    value: str
    written: str = ""


def find_orders(low: str) -> list[Found]:
    """Full order numbers in any variant, canonicalised to SOyyyymmdd-NNNN."""
    found = []
    for m in _ORDER.finditer(low):
        year, month, day = m.group(1), m.group(2), m.group(3)
        seq = m.group(4) or m.group(5) or m.group(6)
        if _valid_date(month, day):
            found.append(Found(m.start(), m.end(), f"SO{year}{month}{day}-{int(seq):04d}", m.group()))
    for m in _BARE_ORDER.finditer(low):
        if _valid_date(m.group(2), m.group(3)) and not any(f.start <= m.start() < f.end for f in found):
            value = f"SO{m.group(1)}{m.group(2)}{m.group(3)}-{m.group(4)}"
            found.append(Found(m.start(), m.end(), value, m.group()))
    return sorted(found, key=lambda f: f.start)


def _valid_date(month: str, day: str) -> bool:
    """True for a month 01-12 and a day 01-31."""
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def canonical_order(number: object) -> str:
    """The canonical form of an order number given by the caller (any variant); upper case otherwise."""
    text = str(number).strip()
    found = find_orders(text.lower())
    return found[0].value if found else text.upper()


def _alias_key(text: str) -> str:
    """Compare aliases on their letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def find_aliases(low: str, aliases: Mapping[str, str]) -> list[Found]:
    """ERP alias numbers (any case, with or without separators) resolved to their canonical orders."""
    if not aliases:
        return []
    index = {_alias_key(str(a)): canonical_order(c) for a, c in aliases.items() if _alias_key(str(a))}
    found: list[Found] = []
    for run in _ALIAS_RUN.finditer(low):
        pieces = list(_ALIAS_PIECE.finditer(run.group()))
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                key = "".join(p.group() for p in pieces[i:j]).upper()
                if key in index:
                    start, end = run.start() + pieces[i].start(), run.start() + pieces[j - 1].end()
                    found.append(Found(start, end, index[key], low[start:end]))
                    i = j - 1
                    break
            i += 1
    for alias, canonical in aliases.items():
        if not str(alias).isascii() and str(alias).lower() in low:
            start = low.index(str(alias).lower())
            found.append(Found(start, start + len(str(alias)), canonical_order(canonical), str(alias)))
    return sorted(found, key=lambda f: f.start)


def find_tracking(low: str) -> list[Found]:
    """Tracking numbers, upper-cased; value is the number, written keeps the prefix-inferred carrier."""
    found = []
    for m in _TRACKING.finditer(low):
        if m.group(1):
            number, carrier = m.group(1) + m.group(2), _LETTER_CARRIER[m.group(1)]
        elif m.group(3):
            number, carrier = m.group(3) + m.group(4), "EMS"
        elif m.group(5):
            number, carrier = m.group(5) + m.group(6) + m.group(7), "京东"
        elif m.group(8):
            number, carrier = m.group(8), "EMS"
        else:
            number, carrier = m.group(9), carrier_from_digits(m.group(9))
        found.append(Found(m.start(), m.end(), number.upper(), carrier or ""))
    return found


def carrier_from_digits(number: str) -> str | None:
    """Carrier implied by an all-digit tracking number's prefix and length, when it is distinctive."""
    n = len(number)
    if number.startswith("77"):
        return "申通"
    if number[:2] in ("73", "74", "75", "76", "78"):
        return "中通"
    if number[0] in "34" and n in (13, 15):
        return "韵达"
    if n == 13 and number[:2] in ("10", "11", "12", "50", "51", "52", "95", "97", "98", "99"):
        return "EMS"
    return None


def _carrier_pattern() -> re.Pattern[str]:
    """One alternation of every carrier spelling; ASCII spellings need word boundaries."""
    parts = []
    for name, _ in CARRIER_NAMES:
        esc = re.escape(name)
        parts.append(rf"(?<![a-z0-9&]){esc}(?![a-z0-9&])" if name.isascii() else esc)
    return gated(re.compile("|".join(parts)))


_CARRIER = _carrier_pattern()
_CARRIER_CANON = dict(CARRIER_NAMES)


def find_carriers(low: str) -> list[Found]:
    """Carrier names written in the text, canonicalised, in order of appearance."""
    found = []
    for m in _CARRIER.finditer(low):
        if any(low.startswith(f, m.start()) for f in CARRIER_FALSE_FRIENDS):
            continue
        found.append(Found(m.start(), m.end(), _CARRIER_CANON[m.group()], m.group()))
    return found


def find_short_refs(low: str) -> list[Found]:
    """Short references such as 0042, 42号单, 尾号0042 (value: the zero-padded sequence) and 1121-0005
    (value as written: month, day and sequence of the order number)."""
    found = []
    for m in _SHORT_REF.finditer(low):
        dated = m.group(4)
        if dated:  # 1121-0005: order date's month and day, then the sequence
            if _valid_date(dated[:2], dated[2:4]) and int(dated[5:]) > 0:
                found.append(Found(m.start(), m.end(), dated, m.group()))
            continue
        digits = m.group(1) or m.group(2) or m.group(3) or m.group(5)
        if m.group(5) and low[: m.start()].rstrip().endswith(_TIME_WORDS):
            continue
        if int(digits) > 0:
            found.append(Found(m.start(), m.end(), f"{int(digits):04d}", m.group()))
    return found


def resolve_short_refs(refs: list[Found], open_orders: Iterable[str]) -> tuple[list[Found], list[str]]:
    """Resolve each short reference that matches exactly one open order; return the rest unresolved."""
    if not refs:
        return [], []
    by_seq: dict[str, set[str]] = {}
    for order in open_orders:
        canonical = canonical_order(order)
        by_seq.setdefault(canonical[-4:], set()).add(canonical)
        by_seq.setdefault(canonical[-9:], set()).add(canonical)
    resolved, unresolved = [], []
    for ref in refs:
        matches = by_seq.get(ref.value, set())
        if len(matches) == 1:
            resolved.append(Found(ref.start, ref.end, next(iter(matches)), ref.written))
        elif ref.value not in unresolved:
            unresolved.append(ref.value)
    return resolved, unresolved


def mask_spans(text: str, spans: Iterable[Found], char: str) -> str:
    """Replace each span with a run of `char` of the same length, so offsets stay aligned."""
    for f in spans:  # a span or two in a short text: slicing beats a list of characters
        text = text[: f.start] + char * (f.end - f.start) + text[f.end :]
    return text
