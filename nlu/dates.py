"""Dates written in chat (明天, 下周一, 11月28日, 28号, 12.5 …) resolved against a reference day."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from .numerals import NUM, cn_to_int

_NOT_DATE_AFTER = r"(?!\s*(?:线|单|机|楼|库|仓|车间|门|位|柜|口|工位|产线|拉|件|个|箱|台|套|批|人|次|天|倍|元|块|斤|吨|公斤|小时|分钟))"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_RELATIVE_DAYS = (
    ("大后天", 3), ("后天", 2), ("明天", 1), ("明日", 1), ("明早", 1), ("明晚", 1), ("明儿", 1),
    ("今天", 0), ("今日", 0), ("今早", 0), ("今晚", 0), ("今儿", 0), ("当天", 0), ("昨天", -1),
    ("昨日", -1), ("前天", -2),
)  # fmt: skip

_RELATIVE = re.compile("|".join(word for word, _ in _RELATIVE_DAYS))
_RELATIVE_DELTA = dict(_RELATIVE_DAYS)

# How far back a month/day may lie before it is read as next year's.
_PAST_WINDOW = timedelta(days=90)
_FUTURE_WINDOW = timedelta(days=330)


def _in_year(today: date, month: int, day: int) -> date | None:
    """Month/day in the year that makes sense: next year when long past, last year when far ahead."""
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        return None
    if candidate < today - _PAST_WINDOW:
        return _replace_year(candidate, today.year + 1)
    if candidate > today + _FUTURE_WINDOW:
        return _replace_year(candidate, today.year - 1)
    return candidate


def _replace_year(d: date, year: int) -> date | None:
    """Same month/day in another year, None for 29 February in a common year."""
    try:
        return d.replace(year=year)
    except ValueError:
        return None


def _day_of_month(today: date, day: int, months_ahead: int = 0) -> date | None:
    """Day `day` of this month, or of next month when it passed more than three days ago."""
    year, month = today.year, today.month + months_ahead
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if months_ahead == 0 and day < today.day - 3:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _full(m: re.Match[str], today: date) -> date | None:
    """2026-12-05, 2026/12/5, 2026年12月5日."""
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _month_day(m: re.Match[str], today: date) -> date | None:
    """11月28日, 11-28, 12.5 in the sensible year."""
    month, day = cn_to_int(m.group(1)), cn_to_int(m.group(2))
    if month is None or day is None:
        return None
    return _in_year(today, month, day)


def _next_month_day(m: re.Match[str], today: date) -> date | None:
    """下个月5号 / 本月5号."""
    day = cn_to_int(m.group(2))
    if day is None:
        return None
    return _day_of_month(today, day, 0 if m.group(1) in ("本月", "这个月", "这月") else 1)


def _day_only(m: re.Match[str], today: date) -> date | None:
    """28号: this month, or next month once it has passed."""
    day = cn_to_int(m.group(1))
    return None if day is None else _day_of_month(today, day)


def _weekday(m: re.Match[str], today: date) -> date | None:
    """周三 (this or next occurrence), 下周一, 本周五, 上周二."""
    prefix, target = m.group(1) or "", _WEEKDAYS[m.group(2)]
    monday = today - timedelta(days=today.weekday())
    if prefix in ("下下", "下下个"):
        return monday + timedelta(days=14 + target)
    if prefix in ("下", "下个"):
        return monday + timedelta(days=7 + target)
    if prefix in ("上", "上个"):
        return monday - timedelta(days=7 - target)
    if prefix in ("本", "这", "这个"):
        return monday + timedelta(days=target)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _days_later(m: re.Match[str], today: date) -> date | None:
    """3天后."""
    n = cn_to_int(m.group(1))
    return None if n is None or n > 366 else today + timedelta(days=n)


def _month_end(m: re.Match[str], today: date) -> date | None:
    """月底: the last day of this month."""
    return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])


_B = r"(?<![0-9a-z.:/-])"
_E = r"(?![0-9a-z%:/])"
# (words of which every match holds one, pattern, resolver): a pattern is not run on a text holding none.
_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str], Callable[[re.Match[str], date], date | None]], ...] = (
    (
        ("20",),
        re.compile(_B + r"(20[0-9]{2})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?" + _E),
        _full,
    ),
    (("月",), re.compile(rf"(下个?月|本月|这个?月)\s*({NUM})\s*[号日]" + _NOT_DATE_AFTER), _next_month_day),
    (("月",), re.compile(rf"({NUM})\s*月\s*({NUM})\s*[日号]?" + _NOT_DATE_AFTER), _month_day),
    (
        ("-", "/", "."),
        re.compile(_B + r"([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})(?![0-9a-z%:/.-])" + _NOT_DATE_AFTER),
        _month_day,
    ),
    (("周", "星期", "礼拜"), re.compile(r"(下下个?|下个?|上个?|本|这个?)?\s*(?:周|星期|礼拜)([一二三四五六日天末])"), _weekday),
    (("天",), re.compile(rf"({NUM})\s*天(?:之后|以后|后)"), _days_later),
    (("月底",), re.compile(r"月底"), _month_end),
    (("号", "日"), re.compile(rf"(?<![0-9月])({NUM})\s*[号日]" + _NOT_DATE_AFTER), _day_only),
)


# Every date pattern above (and every relative day word) holds one of these: a text without any has no date.
_DATE_CHARS = frozenset("0123456789月号日周期拜天早晚儿")


def find_dates(text: str, today: date) -> list[tuple[int, date]]:
    """All dates in the (lower-cased, masked) text with their offsets, in order of appearance."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, date]] = []
    if _DATE_CHARS.isdisjoint(text):
        return found
    for m in _RELATIVE.finditer(text):
        taken.append((m.start(), m.end()))
        found.append((m.start(), today + timedelta(days=_RELATIVE_DELTA[m.group()])))
    for needs, pattern, resolve in _PATTERNS:
        if not any(word in text for word in needs):
            continue
        for m in pattern.finditer(text):
            if _overlaps(taken, m.start(), m.end()):
                continue
            value = resolve(m, today)
            if value is not None:
                taken.append((m.start(), m.end()))
                found.append((m.start(), value))
    return sorted(found)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when [start, end) overlaps a span already used by another date."""
    return any(start < e and s < end for s, e in taken)


def pick_date(dates: list[tuple[int, date]], anchor: int | None = None) -> date | None:
    """The date right after the anchor (a 到/改到 target or a schedule word), else the first date."""
    if not dates:
        return None
    if anchor is not None:
        after = [d for pos, d in dates if pos >= anchor]
        if after:
            return after[0]
    return dates[0][1]
