"""Shared helpers of the nlu tests: where the corpora live, how a labelled case is checked."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from nlu import STATE_CHANGING, parse

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
SHARED_EXAMPLES = SHARED / "examples" / "nlu_examples.jsonl"
SHARED_EXAMPLES_MORE = SHARED / "examples" / "nlu_examples_more.jsonl"
SCORER = SHARED / "tools" / "nlu_score.py"
OWN_CASES = Path(__file__).resolve().parent / "cases.jsonl"
_SCORE_LINE = re.compile(r"accuracy=([0-9.]+) \((\d+)/(\d+)\) false_state_changes=(\d+)")


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Labelled cases of a JSON-lines corpus."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def case_errors(case: dict[str, Any]) -> list[str]:
    """What parse() gets wrong on one labelled case, judged as the shared scorer judges it."""
    exp = case["expect"]
    got = parse(case["text"], datetime.fromisoformat(case["now"])).to_contract_dict()
    errors = []
    if got["intent"] not in exp["accept"]:
        errors.append(f"intent {got['intent']} not in {exp['accept']}")
    if "orders" in exp and sorted(got["orders"]) != sorted(exp["orders"]):
        errors.append(f"orders {got['orders']} != {exp['orders']}")
    for key in ("carrier", "tracking_no", "date", "process"):
        if key in exp and got[key] != exp[key]:
            errors.append(f"{key} {got[key]!r} != {exp[key]!r}")
    if "percent" in exp and (got["percent"] is None or float(got["percent"]) != float(exp["percent"])):
        errors.append(f"percent {got['percent']!r} != {exp['percent']!r}")
    if "quantity" in exp and (got["quantity"] is None or float(got["quantity"]) != float(exp["quantity"])):
        errors.append(f"quantity {got['quantity']!r} != {exp['quantity']!r}")
    if "reason_contains" in exp and exp["reason_contains"] not in (got["reason"] or ""):
        errors.append(f"reason {got['reason']!r} lacks {exp['reason_contains']!r}")
    if got["intent"] in STATE_CHANGING and not set(exp["accept"]) & STATE_CHANGING:
        errors.append("FALSE STATE CHANGE")
    return errors


def run_scorer(corpus: Path) -> tuple[float, int, int, int, str]:
    """Run the shared scorer on a corpus; returns accuracy, right, total, false state changes, output."""
    proc = subprocess.run(
        [sys.executable, str(SCORER), str(corpus), sys.executable],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    match = _SCORE_LINE.search(proc.stdout)
    assert proc.returncode == 0 and match, f"scorer failed: {output[-2000:]}"
    return float(match.group(1)), int(match.group(2)), int(match.group(3)), int(match.group(4)), output
