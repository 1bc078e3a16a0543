"""The words a date or percentage pattern needs are in every match of it, so skipping the pattern on a text
without them changes nothing: checked on the corpora, on random mixes of the patterns' own characters and on
texts generated from the patterns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_trigger_gates import texts

from nlu import dates, measures
from nlu.normalize import lower_ascii, normalize_text

_PERCENTS = (measures._PCT_NUMBER, measures._PCT_CN, measures._PCT_TENTHS, measures._PCT_HALF)
ALPHABET = sorted({ch for _, p, _ in dates._PATTERNS for ch in p.pattern if ord(ch) > 0x2e80}
                  | {ch for p in _PERCENTS for ch in p.pattern if ord(ch) > 0x2e80}
                  | set("0123456789-/.:% 年月日号周天后底"))


def _unneeded_matches(text: str) -> list[str]:
    """Matches of a pattern in a text that holds none of the words the pattern is said to need."""
    bad = []
    for needs, pattern, _ in dates._PATTERNS:
        if not any(word in text for word in needs):
            bad += [m.group() for m in pattern.finditer(text)]
    if measures._PCT_ANY.search(text) is None:
        bad += [m.group() for p in _PERCENTS for m in p.finditer(text)]
    return bad


def test_date_and_percent_gates_hold_on_the_corpora() -> None:
    for text in texts():
        assert _unneeded_matches(lower_ascii(normalize_text(text))) == [], text


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=14).map("".join))
def test_date_and_percent_gates_hold_on_random_mixes(text: str) -> None:
    assert _unneeded_matches(text) == []


# Texts holding a match of each pattern, written by hypothesis from the pattern itself.
_MATCHING = st.one_of(*(st.from_regex(p) for _, p, _ in dates._PATTERNS), *(st.from_regex(p) for p in _PERCENTS))


@settings(max_examples=1000, deadline=None)
@given(_MATCHING)
def test_date_and_percent_gates_hold_on_texts_written_from_the_patterns(text: str) -> None:
    assert _unneeded_matches(text) == []
