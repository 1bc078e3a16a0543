"""Production details: line, process name, percentage and the reason of a QC failure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .entities import Found
from .lexicon import PROCESSES
from .normalize import lower_ascii
from .numerals import NUM, cn_to_int
from .tokens import Tokens

_LINE_NUMBER = re.compile(
    r"(?<![0-9a-z\ue000\ue001])([0-9]{1,2}|[一二三四五六七八九十]{1,3}|[a-z])\s*(?:号|#)?\s*(?:生产|产)?线"
    r"(?!路|上|下|索|圈|条|性|员|城市|缆|头|材)"
)
_LINE_AFTER = re.compile(r"(?:产线|生产线|线体)\s*#?\s*([0-9]{1,2}|[a-z])(?![0-9a-z])")
_PCT_NUMBER = re.compile(r"(?<![0-9.])([0-9]{1,3}(?:\.[0-9]+)?)\s*%")
_PCT_CN = re.compile(rf"百分之\s*({NUM})")
_PCT_TENTHS = re.compile(
    r"(?<![0-9.])([0-9]|[一二三四五六七八九十])\s*成(?!品|本|功|型|员|交|熟|立|绩|都|为|了解|本)"
)
_PCT_HALF = re.compile(r"一半|过半")
_PCT_ANY = re.compile(r"%|百分之|成|半")  # every percentage pattern above needs one of these
_NOT_PROGRESS = re.compile(
    r"(良率|合格率|不良率|直通率|废品率|报废率|返修率|税率|税|预付|支付|付款|付了|款|定金|订金|湿度|温度|打折|折扣|扣款|扣除|利润|毛利|涨|降|电量|"
    r"优惠|占比|比例|概率|负荷|利用率|损耗|可能|剩余|剩|还差|差)[^,;!?]{0,3}$"
)
_QC_VERDICT = re.compile(
    r"(质检|检验|品检|qc|oqc|fqc|抽检|全检|终检|复检|判定|判为)?\s*"
    r"(不合格(?!品)|不通过|未通过|没通过|不达标|(?<![a-z])ng(?![a-z])|(?<![a-z])fail(?:ed)?(?![a-z]))",
    re.IGNORECASE,
)
_REWORK = re.compile(
    r"(需要|需|要|安排|退回|拿回去|拉回去)?\s*返工(处理)?|原因\s*(是|为)?\s*:?", re.IGNORECASE
)
_SEPARATORS = re.compile(r"[,;!?\n]+")


def find_line(low: str) -> str | None:
    """First production line named, canonical: 1号线, A线."""
    candidates = [(m.start(), m.group(1)) for m in _LINE_NUMBER.finditer(low)]
    candidates += [(m.start(), m.group(1)) for m in _LINE_AFTER.finditer(low)]
    for _, raw in sorted(candidates):
        if raw.isascii() and raw.isalpha():
            return f"{raw.upper()}线"
        number = cn_to_int(raw)
        if number and number < 100:
            return f"{number}号线"
    return None


@lru_cache(maxsize=64)
def _process_pattern(extra: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """Alternation of all process names, longest first, with a map back to their written form."""
    names = {lower_ascii(p): p for p in PROCESSES}
    names.update({lower_ascii(p): p for p in extra if p and p.strip()})
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered)), names


def find_processes(low: str, tokens: Tokens, extra: Iterable[str] = ()) -> list[Found]:
    """Process names as whole words (包装 but not 包装箱), in order of appearance."""
    pattern, names = _process_pattern(tuple(sorted({p.strip() for p in extra if p and p.strip()})))
    found = []
    for m in pattern.finditer(low):
        if tokens.aligned(m.start(), m.end()) or m.group().isascii():
            found.append(Found(m.start(), m.end(), names[m.group()], m.group()))
    return found


def find_percents(low: str) -> list[tuple[int, float]]:
    """Percentages (80%, 百分之八十, 8成, 一半) outside money and yield contexts, as written."""
    found: list[tuple[int, float]] = []
    if _PCT_ANY.search(low) is None:
        return found
    for m in _PCT_NUMBER.finditer(low):
        found.append((m.start(), float(m.group(1))))
    for m in _PCT_CN.finditer(low):
        value = cn_to_int(m.group(1))
        if value is not None:
            found.append((m.start(), float(value)))
    for m in _PCT_TENTHS.finditer(low):
        value = cn_to_int(m.group(1))
        if value is not None:
            found.append((m.start(), float(value * 10)))
    found += [(m.start(), 50.0) for m in _PCT_HALF.finditer(low)]
    # Above 100 is kept (焊接完成 120%): the caller refuses it rather than the parser guessing.
    return sorted((pos, v) for pos, v in found if 0 <= v and not _NOT_PROGRESS.search(low[:pos]))


def tidy_number(value: float | None) -> float | int | None:
    """80.0 -> 80, 12.5 stays."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# 批次B2311 / 批号: B2311、B2312 / 材料批次 B2311 和 B2312 / 用的批次是B2311: a batch has a digit in it.
_BATCH_ID = r"[a-z0-9][a-z0-9\-_.]{2,39}"
_BATCH_HEAD = re.compile(
    r"(?:用的|使用的?|所用)?\s*(?:材料|物料|原料|原材料|来料)?\s*(?:批次号?|批号|炉号)\s*(?:号|是|为|:)?\s*"
    rf"({_BATCH_ID}(?:\s*(?:,|、|/|;|和|及|与|跟|\s)\s*{_BATCH_ID})*)",
    re.IGNORECASE,
)
_BATCH_SPLIT = re.compile(r"\s*(?:,|、|/|;|和|及|与|跟|\s)\s*")


def find_batches(text: str) -> tuple[list[str], str]:
    """Material batch numbers named after 批次/批号 (upper case, in order) and the text without them."""
    found: list[str] = []
    spans = []
    for m in _BATCH_HEAD.finditer(text):
        items = [b.upper() for b in _BATCH_SPLIT.split(m.group(1)) if any(c.isdigit() for c in b)]
        if not items:
            continue
        found.extend(b for b in items if b not in found)
        spans.append(m.span())
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return found, text


def qc_reason(text: str) -> str | None:
    """Free text of a QC failure: the message without order numbers, batches, verdict words and 返工."""
    text = find_batches(text)[1]
    text = re.sub("[\ue000\ue001]+", " ", text)
    text = _QC_VERDICT.sub(" ", text)
    text = _REWORK.sub(" ", text)
    parts = [re.sub(r"\s+", " ", p).strip(" :-~.'\"[]()") for p in _SEPARATORS.split(text)]
    reason = ",".join(p for p in parts if p)
    return reason or None


_CANCEL_LABEL = re.compile(r"原因\s*(?:是|为)?\s*:?|因为|由于|订单|该单|这单|此单|所以|已经?|被")


def cancel_reason(text: str, start: int, end: int) -> str | None:
    """Why an order is cancelled: the message without order numbers and the cancel word itself."""
    text = text[:start] + " " + text[end:]
    text = re.sub("[\ue000\ue001]+", " ", text)
    text = _CANCEL_LABEL.sub(" ", text)
    parts = [re.sub(r"\s+", " ", p).strip(" :-~.'\"[]()") for p in _SEPARATORS.split(text)]
    reason = ",".join(p for p in parts if p)
    return reason or None
