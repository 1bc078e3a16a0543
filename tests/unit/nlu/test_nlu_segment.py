"""jieba: loaded once per process, quietly, with the domain dictionary."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import build_user_dict, parse
from nlu.normalize import lower_ascii, normalize_text
from nlu.segment import get_tokenizer, segment

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_tokenizer_is_loaded_once_and_shared() -> None:
    assert get_tokenizer() is get_tokenizer()


def test_user_dictionary_holds_carriers_processes_and_status_words() -> None:
    words = set(build_user_dict(["真空钎焊"]))
    assert {"顺丰速运", "热处理", "阳极氧化", "已入库", "签收单", "发货单", "真空钎焊", "不合格"} <= words


def test_documents_stay_whole_words_so_their_parts_do_not_count() -> None:
    assert "入库单" in segment("入库单发我").words
    assert "发票" in segment("发票已寄出").words


def test_extra_words_become_whole_words() -> None:
    assert "钛合金焊接" in segment("钛合金焊接完成", ["钛合金焊接"]).words


def test_loading_prints_nothing() -> None:
    code = (
        "from datetime import datetime\nfrom nlu import parse\nparse('SO20260226-0018 入库', datetime.now())"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == ""


def test_parallel_parsing_gives_the_same_answers() -> None:
    texts = [f"SO20260226-{i:04d} 已入库" for i in range(1, 41)] + ["SO20260226-0018 发货了吗"] * 10
    expected = [parse(t, NOW, extra_words=["特殊工艺"]) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda t: parse(t, NOW, extra_words=[f"词{len(t)}"]), texts))
    assert [(g.intent, g.orders) for g in got] == [(e.intent, e.orders) for e in expected]


def _jieba_words(text: str) -> tuple[list[str], list[int]]:
    """What jieba's own lcut(HMM=False) gives, with offsets, runs of white space left out."""
    words, starts, pos = [], [], 0
    for word in get_tokenizer().lcut(text, HMM=False):
        if not word.isspace():
            words.append(word)
            starts.append(pos)
        pos += len(word)
    return words, starts


def _segments(text: str) -> tuple[list[str], list[int]]:
    tokens = segment(text)
    assert list(tokens.ends) == [s + len(w) for w, s in zip(tokens.words, tokens.starts, strict=True)]
    return list(tokens.words), list(tokens.starts)


def test_segment_cuts_the_corpus_exactly_as_jieba_does() -> None:
    corpus = REPO / "tests" / "unit" / "nlu" / "cases.jsonl"
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(texts) > 1000
    for text in texts:
        low = lower_ascii(normalize_text(text))
        assert _segments(low) == _jieba_words(low), low
        assert _segments(text) == _jieba_words(text), text


# Dictionary words, ASCII runs, jieba's block punctuation (+#&._%-), white space of every kind, masks.
_SEGMENT_ALPHABET = list("发货已入库质检合格不没了吗顺丰速运焊接热处理收到货签收单") + list(
    "abcSFjd0123456789+#&._%- \t\n\r\u3000\u2005,，?!😀\ue000\ue001"
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SEGMENT_ALPHABET), max_size=30).map("".join))
def test_segment_cuts_random_mixes_exactly_as_jieba_does(text: str) -> None:
    assert _segments(text) == _jieba_words(text)
