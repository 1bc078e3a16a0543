"""The segmentation of one text as a value: words with their offsets (what the matchers look at)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


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
        j = bisect.bisect_right(self.ends, end)  # words do not overlap: ends ascend with starts
        return list(self.words[i:j]) if j > i else []
