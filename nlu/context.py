"""What the guards look at (a message's words, clauses and dates) and the checks that span clauses."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from . import guards as g
from .lexicon import CARRIER_NAMES, PROCESSES
from .tokens import Tokens
from .triggers import Hit

_NEG_MARKS = frozenset("❌ ✖ 🚫 ⛔".split())
_DONE_AFTER = frozenset("了 完毕 完成 成功 过 过了 好了".split())
_VERDICT_WORDS = ("不合格品", "不良品", "不合格", "不通过", "未通过", "没通过", "不达标", "不良", "ng")
_CONTRAST = re.compile(r"^\s*(?:但是?|可是|不过|然而|却|只是|实际上?|其实|结果)")
_ACK_NEXT = frozenset(
    "了 啦 哈 谢谢 马上 立即 立刻 正在 在 我 我们 好的 预警 提醒 通知 告警 报警 的 已 ok 好".split()
)
# Where the customer's word counts: 送到了，对方说不要了 takes a delivery back.
_RECEIVER_INTENTS = ("ship", "pickup", "deliver")
GOODS = re.compile(r"货|东西|包裹|快递|产品|成品")
# The parties and places a contrast may name: 但客户没收到, 实际还在仓库.
_WHERE = re.compile(r"客户|仓库|车间|厂里")
KNOWN_NOUNS = frozenset([name for name, _ in CARRIER_NAMES] + list(PROCESSES))


@dataclass(frozen=True)
class Context:
    """What the guards look at: the masked lower-case text, its words and clauses."""

    low: str
    tokens: Tokens
    clauses: tuple[tuple[int, int], ...]
    dates: tuple[tuple[int, date], ...] = ()
    today: date | None = None
    several_orders: bool = False
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # answers already worked out

    # Whole-message checks several steps ask about: each is worked out once per message.
    @cached_property
    def question(self) -> bool:
        """True when the message asks something."""
        return g.is_question(self.low)

    @cached_property
    def test_or_joke(self) -> bool:
        """True for a message marked as a test or a joke."""
        return g.is_test_or_joke(self.low)

    @cached_property
    def reported(self) -> bool:
        """True when what the message says is attributed to someone else (老王说…, 据说…)."""
        return g.is_reported(self.low)

    @cached_property
    def quoted(self) -> list[tuple[int, int]]:
        """Spans of quoted speech."""
        return g.quoted_spans(self.low)

    def clause_of(self, pos: int) -> int:
        """Index of the clause holding position pos."""
        for i, (start, end) in enumerate(self.clauses):
            if start <= pos <= end:
                return i
        return len(self.clauses) - 1


def followed_by(ctx: Context, pos: int, end: int, words: frozenset[str], attributive: bool = False) -> bool:
    """True when the next word (or two or three, joined) after pos is one of words: 后 but not 后天.
    With attributive, also 的 followed by more words (已发货的订单)."""
    nxt = ctx.tokens.following(pos, end, 3)
    if not nxt or nxt[0][1] > pos and ctx.low[pos : nxt[0][1]].strip():
        return False
    joined = {"".join(w for w, _ in nxt[:k]) for k in range(1, len(nxt) + 1)}
    if joined & words:
        return True
    return attributive and nxt[0][0] == "的" and len(nxt) > 1 and nxt[1][1] == nxt[0][1] + 1


def is_done(hit: Hit, ctx: Context) -> bool:
    """True when the words say it already happened (已, 了, 刚, 昨天 …); several guards ask, once is worked out."""
    key = ("done", hit.intent, hit.start, hit.end)
    done = ctx.memo.get(key)
    if done is None:
        done = ctx.memo[key] = _is_done(hit, ctx)
    return done


def _is_done(hit: Hit, ctx: Context) -> bool:
    start, end = ctx.clauses[ctx.clause_of(hit.start)]
    if "已" in hit.word or hit.word.endswith("了") or followed_by(ctx, hit.end, end, _DONE_AFTER):
        return True
    # 已/昨天 counts only when nothing but nouns stands between it and the verb:
    # 已经跟仓库说了发顺丰 reports an instruction, not a shipment.
    for word in reversed(ctx.tokens.between(start, hit.start)):
        if word in g.DONE_MARKERS or word.startswith("已"):
            return True
        if not (_is_plain(word) or word in g.AMBIGUOUS_TIMES or word in g.DONE_SCAN_SKIP):
            return False
    return False


def _is_plain(word: str) -> bool:
    """A noun, number, name or mark that says nothing about time, mood or negation."""
    if word in g.BARE_PREFIX_WORDS or word in KNOWN_NOUNS or not word.strip("\ue000\ue001"):
        return True
    if word.isascii():
        return word not in g.PLANS
    return re.search(r"[\u4e00-\u9fff]", word) is None


def neg_region(hit: Hit, words: list[str], prefix: str) -> tuple[list[str], str]:
    """For a QC failure, its own verdict words are not negations."""
    if hit.intent != "qc_fail":
        return words, prefix
    for v in _VERDICT_WORDS:
        prefix = prefix.replace(v, " " * len(v))
    return [w for w in words if w not in _VERDICT_WORDS], prefix


def undone_after(hit: Hit, ctx: Context, ce: int) -> bool:
    """发不了, 发货被拦截, 入库失败: the rest of the clause undoes the state word."""
    nxt = [w for w, _ in ctx.tokens.following(hit.end, ce, 2)]
    if nxt and nxt[0] == "了":
        nxt = nxt[1:]
    if nxt and (nxt[0] in _NEG_MARKS or g.has_negation(nxt[:1], "")):
        return True
    if hit.intent in ("qc_pass", "qc_fail"):
        return False  # what follows a verdict describes the parts (颜色不对), it does not undo it
    rest = ctx.low[hit.end : ce]
    if hit.intent == "schedule" and g.has_negation(ctx.tokens.between(hit.end, ce), rest):
        return True  # 排到下周都排不上: what follows a schedule word is only its date and line
    undo = g.UNDONE_AFTER + (g.UNSETTLED_AFTER if hit.intent == "schedule" else g.RESCHEDULED_AFTER)
    return any(w in rest for w in undo)


def dated(hit: Hit, ctx: Context, cs: int) -> bool:
    """A date before the state word in its clause: a future one is a plan, today's needs 已/了."""
    before = [d for pos, d in ctx.dates if cs <= pos < hit.start]
    if not before or ctx.today is None:
        return False
    latest = max(before)
    return latest > ctx.today or (latest == ctx.today and not is_done(hit, ctx))


def ack_has_object(hit: Hit, ctx: Context, ce: int) -> bool:
    """收到 followed by a thing (收到客户投诉, 收到样品) is not acknowledging an alert."""
    if not hit.word.rstrip("了").endswith("收到"):
        return False
    nxt = ctx.tokens.between(hit.end, ce)
    if not nxt:
        return False
    word = nxt[0]
    return bool(re.match(r"[\u4e00-\u9fff]", word)) and word not in _ACK_NEXT


def about_other_object(hit: Hit, ctx: Context, idx: int) -> bool:
    """An invoice, drawing, sample … before the state word, or after it with no verb of its own;
    or in the clause before when this one names no goods."""
    objects = g.OBJECTS - g.PLACES if hit.intent == "stock_in" else g.OBJECTS
    cs, ce = ctx.clauses[idx]
    before = objects | g.NUMBERS_SENT if hit.intent == "ship" else objects
    if any(w in before for w in ctx.tokens.between(cs, hit.start)):
        return True
    after = ctx.tokens.between(hit.end, ce)
    for i, word in enumerate(after):
        if word in objects:
            return not any(g.family_of(w) in g.FAMILIES[hit.intent] for w in after[i + 1 :])
    if idx == 0 or GOODS.search(ctx.low[cs:ce]):
        return False
    return any(w in objects for w in ctx.tokens.between(*ctx.clauses[idx - 1]))


def loose_bare_prefix(hit: Hit, ctx: Context, cs: int) -> bool:
    """A bare state verb (not 已…, not …了) with anything but plain nouns before it: maybe a plan."""
    if is_done(hit, ctx):
        return False
    return not all(_is_plain(word) for word in ctx.tokens.between(cs, hit.start))


def about_material(ctx: Context, idx: int) -> bool:
    """Raw material, returns, suppliers … in this clause, or the one before when this one names no goods."""
    cs, ce = ctx.clauses[idx]
    if any(w in g.MATERIAL_WORDS for w in ctx.tokens.between(cs, ce)):
        return True
    if idx == 0 or GOODS.search(ctx.low[cs:ce]):
        return False
    return any(w in g.MATERIAL_WORDS for w in ctx.tokens.between(*ctx.clauses[idx - 1]))


def condition_start(ctx: Context) -> int:
    """Offset where the message turns hypothetical (如果…, 等…): everything after it is.
    A trailing 的话 makes its whole clause hypothetical."""
    for start, end in ctx.clauses:
        raw = ctx.low[start:end]
        if _ANY_CONDITION.search(raw) is None:  # no condition word is written here, so no word below is one
            continue
        text = g.neutralise(raw)
        if "的话" in text:
            return start
        m = _MULTI_CONDITION.search(text)  # the leftmost of the multi-character condition words
        positions = [start + m.start()] if m else []
        i = bisect.bisect_left(ctx.tokens.starts, start)
        j = bisect.bisect_right(ctx.tokens.ends, end)
        for word, word_start in zip(ctx.tokens.words[i:j], ctx.tokens.starts[i:j], strict=True):
            if word in g.CONDITIONS:
                positions.append(word_start)
                break
        if positions:
            return min(positions)
    return len(ctx.low) + 1


_ANY_CONDITION = re.compile("|".join(re.escape(w) for w in sorted(g.CONDITIONS, key=len, reverse=True)))
_MULTI_CONDITION = re.compile(
    "|".join(re.escape(w) for w in sorted((w for w in g.CONDITIONS if len(w) > 1), key=len, reverse=True)))


def contradicted(ctx: Context, hits: list[Hit]) -> bool:
    """A later 但/可是 clause that negates something about the goods voids the whole message."""
    for i, (start, end) in enumerate(ctx.clauses):
        text = ctx.low[start:end]
        if i == 0 or not _CONTRAST.match(text):
            continue
        if g.has_negation(ctx.tokens.between(start, end), text):
            if GOODS.search(text) or _WHERE.search(text) or any(start <= h.start < end for h in hits):
                return True
    return False


def denied_later(hit: Hit, ctx: Context) -> bool:
    """A later clause negating the same verb (已发顺丰, 到现在还没发) takes the statement back."""
    family = g.FAMILIES[hit.intent]
    for start, end in ctx.clauses[ctx.clause_of(hit.start) + 1 :]:
        words = ctx.tokens.between(start, end)
        text = ctx.low[start:end]
        verbs = {g.family_of(w) for w in words}
        about_it = family & verbs or (hit.intent in _RECEIVER_INTENTS and g.has_any(words, g.CUSTOMERS))
        if about_it and (g.has_negation(words, text) or g.has_any(words, g.PARTIAL, text)):
            return True
    return False
