"""The first-character look-ahead of nlu.scan_gate changes no match: on every text of the corpora and on random
mixes of the patterns' own characters, each gated pattern finds exactly what the plain one finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_trigger_gates import texts

import nlu  # noqa: F401  (builds every gated pattern)
from nlu import triggers
from nlu.normalize import lower_ascii, normalize_text
from nlu.scan_gate import PAIRS, gated

ALPHABET = sorted({ch for plain, _ in PAIRS for ch in plain.pattern if ord(ch) > 0x2e80}
                  | set("abcdefghijklmnopqrstuvwxyz0123456789 ,.!?:()\"\n\ue000\ue001"))


def _matches(pattern: re.Pattern[str], text: str) -> list:
    found = [(m.span(), m.groups()) for m in pattern.finditer(text)]
    at_each = [bool(pattern.match(text, i)) for i in range(len(text) + 1)]
    return [found, at_each]


def test_the_slow_patterns_are_gated() -> None:
    gated_ones = {id(fast) for _, fast in PAIRS}
    assert id(triggers._PATTERNS["deliver"]) in gated_ones and len(PAIRS) >= 15


def test_gated_patterns_find_what_the_plain_ones_find_on_the_corpora() -> None:
    corpus = texts()
    assert len(corpus) > 1000
    for text in corpus:
        low = lower_ascii(normalize_text(text))
        for plain, fast in PAIRS:
            assert _matches(fast, low) == _matches(plain, low), (plain.pattern[:40], text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=16).map("".join))
def test_gated_patterns_find_what_the_plain_ones_find_on_random_mixes(text: str) -> None:
    for plain, fast in PAIRS:
        assert _matches(fast, text) == _matches(plain, text), plain.pattern[:40]


def test_gate_is_read_off_the_pattern() -> None:
    assert gated(re.compile(r"(?:已经?)?\s*(?:签收|妥投)")).pattern == r"(?=[已\s签妥])(?:(?:已经?)?\s*(?:签收|妥投))"
    assert gated(re.compile(r"(?<![a-z])sf")).pattern == r"(?=[s])(?:(?<![a-z])sf)"
    assert gated(re.compile(r"\bq|[0-9]+号")).pattern == r"(?=[q0-9])(?:\bq|[0-9]+号)"


def test_patterns_without_a_certain_first_character_are_left_alone() -> None:
    for source in (r"a?", r"[^x]b", r".x", r"(?:x|)y?", r"签收|妥投", r"[0-9]号"):
        pattern = re.compile(source)
        assert gated(pattern) is pattern, source
    folded = re.compile(r"(?:qc)?ok", re.IGNORECASE)
    assert gated(folded) is folded
