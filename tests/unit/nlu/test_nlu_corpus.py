"""Our own labelled corpus of factory group-chat messages (tests/unit/nlu/cases.jsonl)."""

from __future__ import annotations

import pytest
from nlu_testkit import OWN_CASES, SCORER, case_errors, load_cases, run_scorer

from nlu import STATE_CHANGING

_CASES = load_cases(OWN_CASES)
_STATE_WORDS = (
    "发",
    "寄",
    "出库",
    "签收",
    "收到",
    "到货",
    "送达",
    "入库",
    "审",
    "批",
    "同意",
    "排",
    "完成",
    "完工",
    "做完",
    "合格",
    "检",
    "返工",
    "ng",
    "NG",
    "揽",
    "取件",
    "提货",
    "拉走",
    "预警",
    "%",
)


def test_corpus_is_large_and_mostly_negative() -> None:
    negatives = [c for c in _CASES if not set(c["expect"]["accept"]) & STATE_CHANGING]
    with_state_words = [c for c in negatives if any(w in c["text"] for w in _STATE_WORDS)]
    assert len(_CASES) >= 250
    assert len(negatives) / len(_CASES) >= 0.40
    assert len(with_state_words) / len(_CASES) >= 0.40


def test_corpus_texts_are_unique() -> None:
    texts = [c["text"] for c in _CASES]
    assert len(texts) == len(set(texts))


def test_every_intent_is_covered() -> None:
    accepted = {intent for c in _CASES for intent in c["expect"]["accept"] if len(c["expect"]["accept"]) == 1}
    assert accepted >= STATE_CHANGING | {"query", "help", "none"}


@pytest.mark.parametrize("case", _CASES, ids=[c["text"][:40] for c in _CASES])
def test_corpus_message_is_parsed_as_labelled(case: dict) -> None:
    assert case_errors(case) == [], case["text"]


@pytest.mark.skipif(not SCORER.exists(), reason=f"shared scorer not found at {SCORER}")
def test_shared_scorer_on_own_corpus_gives_full_accuracy_and_no_false_state_change() -> None:
    accuracy, right, total, false_changes, output = run_scorer(OWN_CASES)
    assert (accuracy, false_changes) == (1.0, 0), output
    assert right == total == len(_CASES)
