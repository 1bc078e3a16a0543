"""Text normalisation: width, case, mentions, punctuation, clauses."""

from __future__ import annotations

import re
import unicodedata

# Punctuation NFKC leaves alone, mapped to the ASCII forms the rest of the parser expects.
# The enumeration comma 、 joins list items ("SO-A、SO-B"), so it becomes a space, not a clause break.
_PUNCT = str.maketrans(
    {
        "。": ",",
        "．": ".",
        "、": " ",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "【": "[",
        "】": "]",
        "〔": "[",
        "〕": "]",
        "《": "<",
        "》": ">",
        "—": "-",
        "–": "-",
        "―": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "〜": "~",
        "·": " ",
        "•": " ",
    }
)
_PUNCT_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _PUNCT) + "]")
_ASCII_UPPER = re.compile("[A-Z]+")
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufe0e\ufe0f\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_UNTIDY_SPACES = re.compile(r"[\t\r\f\v]|  ")  # what _SPACES would change
_NEWLINES = re.compile(r"\s*\n\s*")
# An @mention runs to the next space (WeCom inserts U+2005 after it); it never swallows an order number.
_MENTION = re.compile(r"@(?:(?![sS][oO0][\s_-]{0,3}20[0-9]{6})[^\s@,;:!?])*")
# A contrast (但是, 可是 …) also starts a new clause, even without a comma before it.
_CLAUSE_BREAK = re.compile(r"[,;!?\n]|(?<![0-9])\.|\.(?![0-9])|(?=但是|可是|不过|然而|但(?!愿|凡))")


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def normalize_text(text: str) -> str:
    """Return the text NFKC-normalised, punctuation unified, mentions removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    # Each step runs only where it can change something: str.translate alone costs a dict look-up a character.
    if _PUNCT_CHARS.search(text):
        text = text.translate(_PUNCT)
    text = _INVISIBLE.sub(" ", text)
    text = _PRIVATE_USE.sub(" ", text)  # the pipeline marks found entities with private-use characters
    if "@" in text:
        text = _MENTION.sub(" ", text)
    if _UNTIDY_SPACES.search(text):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES.sub("\n", text)
    return text.strip()


def lower_ascii(text: str) -> str:
    """Lower-case ASCII letters only, so that every index stays aligned with the input."""
    return _ASCII_UPPER.sub(_lower, text)


def _lower(run: re.Match[str]) -> str:
    return run.group().lower()  # a run of A-Z: str.lower() gives exactly a-z


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Split text into clause spans at sentence punctuation (a decimal point is not a break)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans
