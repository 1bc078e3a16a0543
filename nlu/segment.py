"""jieba segmentation: one tokenizer per process, loaded lazily with the domain dictionary."""

from __future__ import annotations

import bisect
import logging
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .normalize import lower_ascii

# Frequency given to domain words, so that 入库单 stays one word in 入库单发我 (jieba's own dictionary
# would cut it 入库/单发/我); words jieba already knows better keep their own frequency.
DOMAIN_WORD_FREQ = 3000
_lock = threading.Lock()
_state: dict[str, Any] = {"tokenizer": None, "added": set()}


def build_user_dict(extra_words: Iterable[str] = ()) -> list[str]:
    """Return the words of the domain dictionary (carriers, processes, status, trigger and guard words)."""
    from . import guards, lexicon, triggers

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


@dataclass(frozen=True)
class Tokens:
    """Segmentation of one text: words with their offsets."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def aligned(self, start: int, end: int) -> bool:
        """True when [start, end) begins and ends on word boundaries."""
        i = bisect.bisect_left(self.starts, start)
        if i >= len(self.starts) or self.starts[i] != start:
            return False
        j = bisect.bisect_left(self.ends, end)
        return j < len(self.ends) and self.ends[j] == end

    def word_at(self, pos: int) -> str | None:
        """The word containing position pos (None in a gap such as a space)."""
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and self.starts[i] <= pos < self.ends[i]:
            return self.words[i]
        return None

    def cuts_only(self, start: int, end: int, tolerated: frozenset[str]) -> bool:
        """True when [start, end) cuts no word, except words in `tolerated`."""
        for pos in (start, end):
            inside = self.word_at(pos)
            if inside is not None and not self._boundary(pos) and inside not in tolerated:
                return False
        return True

    def _boundary(self, pos: int) -> bool:
        """True when a word starts or ends at pos."""
        i = bisect.bisect_left(self.starts, pos)
        return (i < len(self.starts) and self.starts[i] == pos) or self.ends_at(pos)

    def ends_at(self, pos: int) -> bool:
        """True when a word ends exactly at pos."""
        j = bisect.bisect_left(self.ends, pos)
        return j < len(self.ends) and self.ends[j] == pos

    def following(self, pos: int, end: int, n: int) -> list[tuple[str, int]]:
        """Up to n words starting at or after pos and ending by end, with their offsets."""
        i = bisect.bisect_left(self.starts, pos)
        out = []
        while i < len(self.starts) and len(out) < n and self.ends[i] <= end:
            out.append((self.words[i], self.starts[i]))
            i += 1
        return out

    def between(self, start: int, end: int) -> list[str]:
        """Words lying wholly inside [start, end)."""
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.starts) and self.ends[i] <= end:
            out.append(self.words[i])
            i += 1
        return out


def segment(text: str, extra_words: Iterable[str] = ()) -> Tokens:
    """Segment text (no HMM, so unknown runs stay single characters) and keep offsets."""
    tokenizer = get_tokenizer(extra_words)
    words, starts, ends = [], [], []
    for word, start, end in tokenizer.tokenize(text, HMM=False):
        if word.strip():
            words.append(word)
            starts.append(start)
            ends.append(end)
    return Tokens(tuple(words), tuple(starts), tuple(ends))
