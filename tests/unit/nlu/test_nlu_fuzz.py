"""Property tests: whatever arrives, parse() answers, and it never invents a state change."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu import CONTRACT_KEYS, INTENTS, STATE_CHANGING, ParseResult, parse
from nlu.intents import BARE_INTENTS

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=8)))
STATE_WORDS = [
    "已发货", "发货了", "已发出", "寄出", "交给顺丰", "已揽收", "取件", "司机拉走了", "签收", "已送达", "客户收到货",
    "审核通过", "同意", "批准", "排产", "排到", "焊接完成80%", "做完了", "进度60%", "质检OK", "质检合格", "QC pass",
    "质检不合格", "NG", "返工", "不良", "已入库", "入仓", "收到预警", "收到", "知道了", "马上处理", "顺丰", "中通",
    "自提", "明天", "下周一", "3月5日", "1号线", "A线", "百分之八十", "一半", "吗", "？", "没", "不", "了", "已",
]  # fmt: skip
NOISE = [
    "😀",
    "🚚",
    "✅",
    "❌",
    "\u3000",
    "\u2005",
    "\u200b",
    "@订单助手 ",
    "，",
    "。",
    "\n",
    " ",
    "ＳＯ",
    "－",
    "#",
    "%",
]
FULL_WIDTH_DIGITS = st.text(alphabet="０１２３４５６７８９", min_size=1, max_size=16)
# Digits and SO-like letters are left out, so no order reference can appear by chance.
NO_REF_ALPHABET = st.characters(blacklist_categories=("Nd", "No", "Cs"), blacklist_characters="sSoO0")


def _fragments(refs: bool) -> st.SearchStrategy[str]:
    parts = [st.sampled_from(STATE_WORDS), st.sampled_from(NOISE), st.text(NO_REF_ALPHABET, max_size=6)]
    if refs:
        parts += [
            FULL_WIDTH_DIGITS,
            st.text(max_size=8),
            st.sampled_from(["SF1288001122334", "773100200300", "SO2026"]),
        ]
    return st.lists(st.one_of(*parts), max_size=20).map("".join)


def _reference_in(text: str, result: ParseResult) -> bool:
    """True when some order number or short reference of the result can be read in the text."""
    flat = re.sub(r"[\s_\-—–]", "", unicodedata.normalize("NFKC", text)).upper()
    numbers = [o.replace("-", "") for o in result.orders] + [o.replace("-", "")[2:] for o in result.orders]
    return any(n in flat for n in numbers) or any(r.lstrip("0") in flat for r in result.short_refs)


def _check_bare_command(text: str, result: ParseResult) -> None:
    """Without an order, only a bare command (开工了, 发货了) changes state: no other words around it."""
    assert result.intent in BARE_INTENTS, (text, result)
    words = [n for n in NOISE if not n.startswith("@") and re.search(r"[\u4e00-\u9fffA-Za-z]", n)]
    assert not any(n.strip() in text for n in words), (text, result)


def _check_shape(result: ParseResult) -> None:
    assert result.intent in INTENTS
    assert list(result.to_contract_dict()) == list(CONTRACT_KEYS)
    assert all(re.fullmatch(r"SO20\d{6}-\d{4}", o) for o in result.orders)
    assert result.percent is None or 0 <= result.percent  # above 100 is kept for the bot to refuse


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_unicode_never_raises(text: str) -> None:
    _check_shape(parse(text, NOW))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_fragments(refs=True))
def test_state_change_only_with_an_order_reference_in_the_text(text: str) -> None:
    result = parse(text, NOW)
    _check_shape(result)
    if result.orders or result.short_refs:
        assert _reference_in(text, result), (text, result)
    elif result.intent in STATE_CHANGING:
        _check_bare_command(text, result)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_fragments(refs=False))
def test_state_words_without_any_order_change_state_only_as_a_bare_command(text: str) -> None:
    result = parse(text, NOW)
    if result.intent in STATE_CHANGING:
        _check_bare_command(text, result)
    assert result.orders == [] and result.short_refs == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(st.one_of(st.sampled_from(STATE_WORDS + NOISE), FULL_WIDTH_DIGITS), min_size=1, max_size=40))
def test_ten_kilobyte_messages_are_parsed(parts: list[str]) -> None:
    text = ("".join(parts) * (10_240 // max(1, len("".join(parts))) + 1))[:10_240]
    _check_shape(parse(text, NOW))


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from(["已发货 顺丰 SF1288001122334", "已入库", "质检合格", "已签收", "发货了吗"]),
    st.sampled_from(NOISE),
)
def test_full_width_order_numbers_are_read_like_half_width(words: str, noise: str) -> None:
    half = parse(f"SO20261120-0042 {words}{noise}", NOW)
    full = parse(f"ＳＯ２０２６１１２０－００４２ {words}{noise}", NOW)
    assert (full.intent, full.orders) == (half.intent, half.orders) == (half.intent, ["SO20261120-0042"])


def test_non_string_input_is_treated_as_text() -> None:
    assert parse(None, NOW).intent == "none"  # type: ignore[arg-type]
    assert parse(12345, NOW).intent == "none"  # type: ignore[arg-type]


def test_private_use_characters_are_not_taken_for_order_marks() -> None:
    # found by hypothesis: the pipeline marks entities with U+E000/U+E001 internally
    for text in ("交给顺丰\ue000", "\ue000 已发货 顺丰 SF1402938475621", "\ue001\ue000 入库"):
        assert parse(text, NOW).orders == [], text
