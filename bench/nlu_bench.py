"""Throughput of nlu.parse over the labelled corpus, repeated to about 20,000 messages, next to bare
jieba.lcut on the same messages in the same run (the parser's cost relative to segmentation alone).

usage: python bench/nlu_bench.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
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
    """Warm jieba up, then time parse() over the corpus repeated to the requested size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from nlu import parse

    corpus = load_messages(CORPUS)
    batch = (corpus * (args.messages // len(corpus) + 1))[: args.messages]
    started = time.perf_counter()
    parse("SO20260226-0018 已发货 顺丰 SF1288001122334", corpus[0][1])
    warm_up = time.perf_counter() - started
    started = time.perf_counter()
    for text, now in batch:
        parse(text, now)
    elapsed = time.perf_counter() - started
    import jieba

    jieba.lcut("热身")
    started = time.perf_counter()
    for text, _ in batch:
        jieba.lcut(text)
    bare = time.perf_counter() - started
    per_parse, per_lcut = elapsed / len(batch) * 1e6, bare / len(batch) * 1e6
    print(f"jieba warm-up {warm_up:.2f}s; {len(batch)} messages ({len(corpus)} distinct) in {elapsed:.2f}s")
    print(f"{len(batch) / elapsed:.0f} messages/s")
    print(f"parse {per_parse:.0f} µs/message; bare jieba.lcut {per_lcut:.0f} µs/message; "
          f"ratio {per_parse / per_lcut:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
