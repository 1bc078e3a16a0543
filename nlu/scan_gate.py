"""A cheap first-character test in front of a regex that starts with optional parts or a look-behind.

Python's regex engine skips ahead to candidate positions only when a pattern opens with a literal or a
character class. A pattern such as `(?:已经?)?\\s*(?:签收|妥投)` or `(?<![a-z])sf` opens with neither, so
the engine tries every alternative at every position of the text. `(?=[已\\s签妥])` in front, the set of
characters any match can start with, read off the pattern itself, fails most positions at once and
changes no match: every match starts with one of those characters.
"""

from __future__ import annotations

import re

try:  # the parser behind re.compile (Python 3.11+); without it patterns stay as they are
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover
    _c = _p = None


# (plain, gated) of every pattern gated(), for the tests that check both find the same matches.
PAIRS: list[tuple[re.Pattern[str], re.Pattern[str]]] = []


class _Unknown(Exception):
    """A construct whose first characters are not read here (the pattern is left as it is)."""


def gated(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern with a look-ahead for its possible first characters; itself when they cannot be read."""
    if _p is None or pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return pattern
    try:
        parsed = _p.parse(pattern.pattern, pattern.flags)
        if _opens_plainly(parsed):  # the engine skips ahead by itself: a look-ahead would only cost
            return pattern
        items, nullable = _first(parsed)
        if nullable or not items:  # a match may be empty: no character is certain
            return pattern
        fast = re.compile(f"(?=[{''.join(dict.fromkeys(items))}])(?:{pattern.pattern})", pattern.flags)
    except (_Unknown, re.error, TypeError, ValueError):
        return pattern
    PAIRS.append((pattern, fast))
    return fast


def _opens_plainly(seq: list) -> bool:
    """True when the pattern opens with a literal or a class, or alternatives that each open with a literal."""
    if not seq:
        return False
    op, av = seq[0]
    if op is _c.SUBPATTERN:
        return _opens_plainly(av[3])
    if op is _c.BRANCH:
        return all(alternative and alternative[0][0] is _c.LITERAL for alternative in av[1])
    return op in (_c.LITERAL, _c.IN)


def _first(seq: list) -> tuple[list[str], bool]:
    """Class items for the characters a sequence can start with, and whether it can match empty."""
    items: list[str] = []
    for op, av in seq:
        first, nullable = _first_of(op, av)
        items += first
        if not nullable:
            return items, False
    return items, True


_CATEGORIES = {"CATEGORY_SPACE": r"\s", "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_DIGIT": r"\d",
               "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}  # fmt: skip


def _first_of(op: object, av: object) -> tuple[list[str], bool]:
    """Class items and emptiness of one parsed element."""
    if op is _c.LITERAL:
        return [re.escape(chr(av))], False
    if op is _c.IN:
        return [_class_item(o, a) for o, a in av], False
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unknown(op)
        return _first(sub)
    if op is _c.BRANCH:
        items: list[str] = []
        nullable = False
        for alternative in av[1]:
            first, empty = _first(alternative)
            items += first
            nullable = nullable or empty
        return items, nullable
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        first, empty = _first(sub)
        return first, empty or low == 0
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _first(av)
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):  # zero-width: the next element gives the character
        return [], True
    raise _Unknown(op)


def _class_item(op: object, av: object) -> str:
    """One member of a character class, written back as class syntax."""
    if op is _c.LITERAL:
        return re.escape(chr(av))
    if op is _c.RANGE:
        return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
    if op is _c.CATEGORY and str(av) in _CATEGORIES:
        return _CATEGORIES[str(av)]
    raise _Unknown(op)
