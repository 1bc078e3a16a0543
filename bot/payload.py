"""Hygiene for decoded chat payloads: every value a platform sends becomes storable text or is dropped.

A signed payload is authentic but its shape is not guaranteed (a field may be a list, a lone UTF-16
surrogate, NaN, nesting a thousand deep). PostgreSQL and SQLite must be able to store what we keep,
so strings lose lone surrogates and NUL, non-finite numbers become null, and deep nesting is cut.
"""

from __future__ import annotations

import json
import math
import re

MAX_ID = 128  # message, chat and user ids longer than this are not ids (and would not fit an index)
MAX_DEPTH = 20
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")


class NotAnObject(ValueError):
    """The text is not a JSON object (bad JSON, too deep, or another JSON type)."""


def clean_text(value: str) -> str:
    """`value` with lone surrogates and NUL replaced by U+FFFD, so any database accepts it."""
    return _UNSTORABLE.sub("\ufffd", value)


def scrub(value, depth: int = 0):
    """A copy of decoded JSON that any database stores: clean strings, finite numbers, bounded depth."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {clean_text(str(k)): scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, depth + 1) for v in value]
    return value


def json_object(data: bytes | str) -> dict:
    """The scrubbed JSON object in `data`; NotAnObject for anything else."""
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):  # also numbers past int's digit limit
        raise NotAnObject("not JSON") from None
    if not isinstance(obj, dict):
        raise NotAnObject("JSON is not an object")
    return scrub(obj)


def text_field(value, limit: int = 100_000) -> str:
    """A text field: strings (and plain numbers) as clean text cut to `limit`; anything else ''.

    The default limit is far above what screening accepts, so an over-long message is still seen as one.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return clean_text(str(value))[:limit]


def id_field(value) -> str | None:
    """An id: a non-empty string or an integer of at most MAX_ID characters, else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = clean_text(str(value)).strip()
    return text if 0 < len(text) <= MAX_ID else None
