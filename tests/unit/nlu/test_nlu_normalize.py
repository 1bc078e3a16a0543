"""normalize_text and lower_ascii skip the steps that cannot change a text; they answer as the plain
pipeline (every step on every text) does."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from test_trigger_gates import texts

from nlu import normalize as nz
from nlu.normalize import lower_ascii, normalize_text


def plain_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(nz._PUNCT)
    text = nz._PRIVATE_USE.sub(" ", nz._INVISIBLE.sub(" ", text))
    text = nz._NEWLINES.sub("\n", nz._SPACES.sub(" ", nz._MENTION.sub(" ", text)))
    return text.strip()


def plain_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


# Mentions, every kind of space and line break, the punctuation table, particles, letters, masks.
_ALPHABET = (list("@发货已入库SOso2026-0042 \t\r\n\f\v\u3000\u2005\u200b\ue000,，?") + list("".join(map(chr, nz._PUNCT)))
             + list("ABCXYZabcxyzÀÉ") + ["@订单助手 ", "SO20261120-0042", "  "])


def test_the_corpora_are_normalised_as_by_the_plain_pipeline() -> None:
    for text in texts():
        assert normalize_text(text) == plain_normalize(text), text
        assert lower_ascii(text) == plain_lower(text), text


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=24).map("".join))
def test_random_mixes_are_normalised_as_by_the_plain_pipeline(text: str) -> None:
    assert normalize_text(text) == plain_normalize(text)
    assert lower_ascii(text) == plain_lower(text)
