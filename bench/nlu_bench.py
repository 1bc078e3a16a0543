"""Throughput of nlu.parse over the labelled corpus, repeated to about 20,000 messages, next to bare
jieba.lcut on the same messages in the same run (the parser's cost relative to segmentation alone).
The two alternate in rounds (parse a slice, then lcut the same slice), so a noisy machine slows both alike.

usage: python bench/nlu_bench.py [--messages N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "unit" / "nlu" / "cases.jsonl"


def load_messages(path: Path) -> list[tuple[str, datetime]]:
    """(text, now) of every case in the corpus."""
    with path.open(encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    return [(c["text"], datetime.fromisoformat(c["now"])) for c in cases]


def main() -> int:
    """Warm both up, then time parse() and bare jieba.lcut in alternating rounds over the same messages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10,
                        help="alternate parse and lcut this many times, so load drift hits both alike")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from nlu import parse

    corpus = load_messages(CORPUS)
    batch = (corpus * (args.messages // len(corpus) + 1))[: args.messages]
    started = time.perf_counter()
    parse("SO20260226-0018 已发货 顺丰 SF1288001122334", corpus[0][1])
    warm_up = time.perf_counter() - started
    import jieba

    jieba.lcut("热身")
    size = max(1, len(batch) // max(1, args.rounds))
    elapsed = bare = 0.0
    ratios = []
    for i in range(0, len(batch), size):
        part = batch[i : i + size]
        started = time.perf_counter()
        for text, now in part:
            parse(text, now)
        spent = time.perf_counter() - started
        started = time.perf_counter()
        for text, _ in part:
            jieba.lcut(text)
        floor = time.perf_counter() - started
        elapsed, bare = elapsed + spent, bare + floor
        ratios.append(spent / floor)
    per_parse, per_lcut = elapsed / len(batch) * 1e6, bare / len(batch) * 1e6
    print(f"jieba warm-up {warm_up:.2f}s; {len(batch)} messages ({len(corpus)} distinct) in {elapsed:.2f}s")
    print(f"{len(batch) / elapsed:.0f} messages/s")
    print(f"parse {per_parse:.0f} µs/message; bare jieba.lcut {per_lcut:.0f} µs/message; "
          f"ratio {per_parse / per_lcut:.2f}x (median of {len(ratios)} alternating rounds "
          f"{statistics.median(ratios):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
