"""Quick exits of the guards (a strong negation must be written before blanking innocent words can leave one;
a character no junk word holds keeps a message from being a bare reference) answer as the full checks do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_trigger_gates import texts

from nlu import guards as g
from nlu import intents
from nlu.normalize import lower_ascii, normalize_text


def plain_negation(words: list[str], region: str) -> bool:
    for w in words:
        if w in g.NOT_NEGATIONS:
            continue
        if w in g.NEGATIONS or (w[0] in g.NEGATION_HEADS and len(w) <= 4 and not w.isascii()):
            return True
    return g._STRONG_NEGATION.search(g._INNOCENT.sub(" ", region)) is not None


def plain_bare_reference(low: str) -> bool:
    return ("\ue000" in low or "\ue001" in low) and not intents._JUNK.sub("", low)


_PIECES = (sorted(g.NOT_NEGATIONS) + ["还没", "尚未", "并未", "暂停", "暂缓", "取消", "无法", "作废", "拦截"]
           + list("订单号这个查看发货了吗 ,?#()-\ue000\ue001"))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_quick_exits_answer_as_the_full_checks_on_random_mixes(text: str) -> None:
    assert g.has_negation([], text) == plain_negation([], text)
    assert intents._is_bare_reference(text) == plain_bare_reference(text)


def test_quick_exits_answer_as_the_full_checks_on_the_corpora() -> None:
    for text in texts():
        low = lower_ascii(normalize_text(text))
        assert g.has_negation([], low) == plain_negation([], low), text
        assert intents._is_bare_reference(low) == plain_bare_reference(low), text
        masked = "\ue000" * 15 + " " + low[:3]
        assert intents._is_bare_reference(masked) == plain_bare_reference(masked), text


# Every character _JUNK can take away, and one it cannot.
_JUNK_PIECES = list(" \t\n\ue000\ue001,;!?.~:#()[]<>\"'-") + ["订单", "订单号", "单号", "这单", "这个", "查", "看", "发"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_JUNK_PIECES), min_size=1, max_size=8).map("".join))
def test_bare_reference_quick_exit_answers_as_the_full_check_on_junk(text: str) -> None:
    assert intents._is_bare_reference(text) == plain_bare_reference(text)
