"""jieba segmentation: one tokenizer per process, loaded lazily with the domain dictionary."""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterable
from math import log
from typing import Any

from . import guards, lexicon, triggers
from .normalize import lower_ascii
from .tokens import Tokens

# Frequency given to domain words, so that 入库单 stays one word in 入库单发我 (jieba's own dictionary
# would cut it 入库/单发/我); words jieba already knows better keep their own frequency.
DOMAIN_WORD_FREQ = 3000
# jieba's re_han_default (the runs it segments with its dictionary) and re_eng (what it glues back).
_HAN = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
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
    """Words and offsets, exactly as jieba's lcut(text, HMM=False) cuts them, less runs of white space.

    jieba's own cut runs a generator per block and per word and builds a dict DAG; this walks the same
    prefix dictionary with the same arithmetic (so the same words win every tie) in one pass per block."""
    words: list[str] = []
    starts: list[int] = []
    pos = 0
    for m in _HAN.finditer(text):
        start = m.start()
        for i in range(pos, start):  # outside blocks jieba yields each character; white space is dropped
            if not text[i].isspace():
                words.append(text[i])
                starts.append(i)
        _cut_block(tokenizer, m.group(), start, words, starts)
        pos = m.end()
    for i in range(pos, len(text)):
        if not text[i].isspace():
            words.append(text[i])
            starts.append(i)
    ends = [s + len(w) for w, s in zip(words, starts, strict=True)]
    return tuple(words), tuple(starts), tuple(ends)


def _cut_block(tokenizer: Any, block: str, offset: int, words: list[str], starts: list[int]) -> None:
    """jieba's __cut_DAG_NO_HMM on one block: the most probable route through the prefix dictionary,
    single ASCII letters and digits glued back together."""
    freq = tokenizer.FREQ
    logtotal = log(tokenizer.total)
    n = len(block)
    best = [0.0] * (n + 1)  # log probability of the best route from each position to the end
    step = [0] * n  # last character of the first word of that route
    for k in range(n - 1, -1, -1):
        top, top_x = None, k
        i, frag = k, block[k]
        f = freq.get(frag)
        while f is not None:  # every prefix-dictionary entry starting at k, as get_DAG walks them
            if f:
                p = log(f) - logtotal + best[i + 1]
                if top is None or p >= top:  # max() over (p, x): ties go to the later end
                    top, top_x = p, i
            i += 1
            if i >= n:
                break
            frag = block[k : i + 1]
            f = freq.get(frag)
        if top is None:  # no word starts here: the character alone
            top = log(freq.get(block[k]) or 1) - logtotal + best[k + 1]
        best[k], step[k] = top, top_x
    x = 0
    glued = -1  # start of a run of single ASCII letters or digits
    while x < n:
        y = step[x] + 1
        if y - x == 1 and block[x] in _ASCII_ALNUM:
            if glued < 0:
                glued = x
        else:
            if glued >= 0:
                words.append(block[glued:x])
                starts.append(offset + glued)
                glued = -1
            words.append(block[x:y])
            starts.append(offset + x)
        x = y
    if glued >= 0:
        words.append(block[glued:])
        starts.append(offset + glued)
