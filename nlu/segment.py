"""jieba segmentation: one tokenizer per process, loaded lazily with the domain dictionary."""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from . import guards, lexicon, triggers
from .normalize import lower_ascii
from .tokens import Tokens

# Frequency given to domain words, so that 入库单 stays one word in 入库单发我 (jieba's own dictionary
# would cut it 入库/单发/我); words jieba already knows better keep their own frequency.
DOMAIN_WORD_FREQ = 3000
_SPACE = re.compile(r"\s")
_lock = threading.Lock()
_state: dict[str, Any] = {"tokenizer": None, "added": set()}


def build_user_dict(extra_words: Iterable[str] = ()) -> list[str]:
    """Return the words of the domain dictionary (carriers, processes, status, trigger and guard words)."""
    words = lexicon.domain_words() + guards.guard_words() + triggers.trigger_words()
    words += [w for w in extra_words if w]
    return list(dict.fromkeys(words))


def _new_tokenizer() -> Any:
    """Create a jieba tokenizer with its log quiet and the domain words added."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    words = [lower_ascii(w) for w in build_user_dict()]  # the text is segmented in lower case
    for word in words:
        _add_word(tokenizer, word)
    _state["added"] = set(words)
    return tokenizer


def _add_word(tokenizer: Any, word: str) -> None:
    """Add a word with at least the domain frequency."""
    freq = max(tokenizer.FREQ.get(word) or 0, tokenizer.suggest_freq(word, False), DOMAIN_WORD_FREQ)
    tokenizer.add_word(word, freq)


def get_tokenizer(extra_words: Iterable[str] = ()) -> Any:
    """Return the shared tokenizer, loading it on first use and adding any new extra words."""
    tokenizer = _state["tokenizer"]
    if tokenizer is None:
        with _lock:
            if _state["tokenizer"] is None:
                _state["tokenizer"] = _new_tokenizer()
            tokenizer = _state["tokenizer"]
    new = [w for w in extra_words if w and w not in _state["added"]]
    if new:
        with _lock:
            for word in new:
                if word not in _state["added"]:
                    _add_word(tokenizer, word)
                    _state["added"].add(word)
    return tokenizer


def segment(text: str, extra_words: Iterable[str] = ()) -> Tokens:
    """Segment text (no HMM, so unknown runs stay single characters) and keep offsets; jieba runs on
    the first look at the words."""
    tokenizer = get_tokenizer(extra_words)
    return Tokens(make=lambda: _cut(tokenizer, text))


def _cut(tokenizer: Any, text: str) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    """lcut and running offsets: what jieba's tokenize() yields, without a generator step per word."""
    cut = tokenizer.lcut(text, HMM=False)
    offsets = tuple(accumulate(map(len, cut), initial=0))
    if _SPACE.search(text) is None:
        return tuple(cut), offsets[:-1], offsets[1:]
    # jieba yields runs of spaces as words: drop them
    kept = [(w, a, b) for w, a, b in zip(cut, offsets, offsets[1:]) if not w.isspace()]  # noqa: B905
    if not kept:
        return (), (), ()
    words, starts, ends = zip(*kept, strict=True)
    return words, starts, ends
