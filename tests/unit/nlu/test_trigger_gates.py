"""The state-word gates of nlu.triggers skip an intent's regex only where it cannot match: on every text of
the project's corpus and the shared examples, and on random mixes of the patterns' own characters, the
gated scan finds exactly the hits of the full scan."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import triggers
from nlu.normalize import lower_ascii, normalize_text
from nlu.segment import segment

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "tests" / "unit" / "nlu" / "cases.jsonl",
           ROOT.parent / "shared" / "examples" / "nlu_examples.jsonl",
           ROOT.parent / "shared" / "examples" / "nlu_examples_more.jsonl"]
# Every character the trigger patterns spell, plus ASCII letters, digits and separators.
ALPHABET = sorted({ch for pats in triggers._RAW.values() for p in pats for ch in p if ord(ch) > 0x2e80}
                  | set("abcdefghijklmnopqrstuvwxyz0123456789 ,.!?:"))


def texts() -> list[str]:
    out = []
    for path in SOURCES:
        if path.exists():
            out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def both_scans(low: str) -> tuple[list, list]:
    tokens = segment(low)
    chars = frozenset(low)
    full = [triggers._aligned_hits(i, low, tokens) for i in triggers._PATTERNS]
    gated = [triggers._aligned_hits(i, low, tokens, chars) for i in triggers._PATTERNS]
    return full, gated


def test_every_intent_has_a_gate():
    assert set(triggers._GATES) == set(triggers._PATTERNS)


def test_gated_scan_equals_full_scan_on_the_corpora():
    corpus = texts()
    assert len(corpus) > 1000
    for text in corpus:
        full, gated = both_scans(lower_ascii(normalize_text(text)))
        assert gated == full, text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=14).map("".join))
def test_gated_scan_equals_full_scan_on_random_mixes(text):
    full, gated = both_scans(text)
    assert gated == full


def _gate_by_gate(low: str) -> set[str]:
    return {i for i in triggers._PATTERNS if triggers.may_match(i, low, frozenset(low))}


def test_one_scan_opens_the_intents_their_gates_open_on_the_corpora():
    for text in texts():
        low = lower_ascii(normalize_text(text))
        assert triggers._opened(low) == _gate_by_gate(low), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET + ["shipped", "delivered", "approved", "pass", "fail"]), min_size=1,
                max_size=14).map("".join))
def test_one_scan_opens_the_intents_their_gates_open_on_random_mixes(text):
    assert triggers._opened(text) == _gate_by_gate(text)
