"""The project's shared labelled examples (both files), through parse() and through the shared scorer."""

from __future__ import annotations

import pytest
from nlu_testkit import SCORER, SHARED_EXAMPLES, SHARED_EXAMPLES_MORE, case_errors, load_cases, run_scorer

_MISSING = not SHARED_EXAMPLES.exists()
_CASES = [] if _MISSING else load_cases(SHARED_EXAMPLES)


@pytest.mark.skipif(_MISSING, reason=f"shared examples not found at {SHARED_EXAMPLES}")
@pytest.mark.parametrize("case", _CASES, ids=[c["text"][:40] for c in _CASES])
def test_shared_example_is_parsed_as_labelled(case: dict) -> None:
    assert case_errors(case) == [], case["text"]


@pytest.mark.skipif(
    _MISSING or not SCORER.exists(), reason="shared examples or scorer not found under ../shared"
)
def test_shared_scorer_gives_full_accuracy_and_no_false_state_change() -> None:
    accuracy, right, total, false_changes, output = run_scorer(SHARED_EXAMPLES)
    assert (accuracy, false_changes) == (1.0, 0), output
    assert right == total == len(_CASES)


_MORE_MISSING = not SHARED_EXAMPLES_MORE.exists()
_MORE = [] if _MORE_MISSING else load_cases(SHARED_EXAMPLES_MORE)


@pytest.mark.skipif(_MORE_MISSING, reason=f"shared examples not found at {SHARED_EXAMPLES_MORE}")
@pytest.mark.parametrize("case", _MORE, ids=[c["text"][:40] for c in _MORE])
def test_more_shared_example_is_parsed_as_labelled(case: dict) -> None:
    assert case_errors(case) == [], case["text"]


@pytest.mark.skipif(
    _MORE_MISSING or not SCORER.exists(), reason="more shared examples or scorer not found under ../shared"
)
def test_shared_scorer_on_more_examples_gives_full_accuracy_and_no_false_state_change() -> None:
    accuracy, right, total, false_changes, output = run_scorer(SHARED_EXAMPLES_MORE)
    assert (accuracy, false_changes) == (1.0, 0), output
    assert right == total == len(_MORE)
