"""The segmentation of one text as a value: words with their offsets (what the matchers look at)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable


class Tokens:
    """Segmentation of one text: words with their offsets.

    Built by `segment()` lazily: jieba runs when a matcher first asks for word boundaries, so a message
    with no state word, process or guard to check is never segmented at all."""

    __slots__ = ("_words", "_starts", "_ends", "_make")

    def __init__(self, words: Iterable[str] = (), starts: Iterable[int] = (), ends: Iterable[int] = (), *,
                 make: Callable[[], tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]] | None = None):
        self._words, self._starts, self._ends = tuple(words), tuple(starts), tuple(ends)
        self._make = make

    def _fill(self) -> None:
        make, self._make = self._make, None
        self._words, self._starts, self._ends = make()

    @property
    def words(self) -> tuple[str, ...]:
        if self._make is not None:
            self._fill()
        return self._words

    @property
    def starts(self) -> tuple[int, ...]:
        if self._make is not None:
            self._fill()
        return self._starts

    @property
    def ends(self) -> tuple[int, ...]:
        if self._make is not None:
            self._fill()
        return self._ends

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tokens):
            return NotImplemented
        return (self.words, self.starts, self.ends) == (other.words, other.starts, other.ends)

    def __hash__(self) -> int:
        return hash((self.words, self.starts, self.ends))

    def __repr__(self) -> str:
        return f"Tokens(words={self.words!r}, starts={self.starts!r}, ends={self.ends!r})"

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
        j = bisect.bisect_right(self.ends, end)  # words do not overlap: ends ascend with starts
        return list(self.words[i:j]) if j > i else []
