"""Intent classification: keep only state words no guard objects to, then pick the most advanced one."""

from __future__ import annotations

import re

from . import guards as g
from .context import (
    Context,
    about_material,
    about_other_object,
    ack_has_object,
    condition_start,
    contradicted,
    dated,
    denied_later,
    followed_by,
    is_done,
    loose_bare_prefix,
    neg_region,
    undone_after,
)
from .lexicon import CARRIER_NAMES, HELP_PHRASES, STATUS_WORDS
from .triggers import Hit

STATE_CHANGING = frozenset(
    {"ship", "pickup", "deliver", "approve", "schedule", "report", "qc_pass", "qc_fail", "stock_in", "ack",
     "start", "finish", "rework_done", "cancel", "materials_ready", "outsource", "outsource_returned",
     "create", "correct", "undo"}
)  # fmt: skip
# The most advanced state wins; taking something back (cancel, undo) outranks any progress.
_RANK = {"ack": 0, "approve": 1, "materials_ready": 1.5, "schedule": 2, "start": 2.5, "outsource": 2.6,
         "outsource_returned": 2.7, "report": 3, "finish": 3.5, "rework_done": 3.8, "qc_fail": 4, "qc_pass": 4,
         "stock_in": 5, "ship": 6, "pickup": 7, "deliver": 8, "cancel": 9, "undo": 10}  # fmt: skip
# Guards each intent answers to (see blocked_by); a verdict (合格) has no tense, an action (发货) has.
_ACTION = set("neg cond hedge request imperative plan time dated adjacent suffix bare".split())
_LOGISTICS = _ACTION | {"object", "material", "partial"}
_VERDICT = {"neg", "cond", "hedge", "request", "pending", "inprocess", "partial", "verdict_suffix"}
_PROFILES: dict[str, frozenset[str]] = {
    "ship": frozenset(_LOGISTICS | {"money", "ship_suffix"}),
    "pickup": frozenset(_LOGISTICS),
    "deliver": frozenset(_LOGISTICS | {"money"}),
    "stock_in": frozenset(_LOGISTICS),
    "approve": frozenset(_ACTION | {"object", "customer"}),
    "report": frozenset(_ACTION),
    "finish": frozenset(_ACTION),
    "start": frozenset(_ACTION | {"material"}),
    "rework_done": frozenset(_ACTION),
    "materials_ready": frozenset(_ACTION),
    "outsource": frozenset(_ACTION | {"object"}),
    "outsource_returned": frozenset(_ACTION | {"object"}),
    "cancel": frozenset(_ACTION | {"object", "cancel_suffix"}),
    # Asking the bot to undo is the command itself (请撤回), so requests and imperatives stand.
    "undo": frozenset("neg cond hedge plan time dated adjacent cancel_suffix".split()),
    "schedule": frozenset("neg cond hedge request tentative pending sched_suffix".split()),
    "qc_pass": frozenset(_VERDICT),
    "qc_fail": frozenset(_VERDICT | {"approval", "rule"}),
    "ack": frozenset("neg cond hedge request object money material ack_suffix ack_object".split()),
}
_SUFFIX = frozenset(
    "单 人 地址 通知 计划 安排 数量 记录 信息 状态 进度 要求 方式 费 运费 清单 明细 情况 问题 前 之前 后 之后 以后 再 "
    "再说 才 率 量 员 区 位 处 口 证 报告 流程 标准 环节 中 码 表 申请 不 没 暂停 取消 失败 异常 错 漏 少 多了 一下 "
    "一部分 部分 一半 吗 么 能 可以 时 检验 质检 检 会议 会 就".split()
)
_SUFFIX_BLOCK: dict[str, tuple[frozenset[str], bool]] = {  # words, and whether an attributive 的 blocks
    "suffix": (_SUFFIX | {"时间", "日期", "延迟", "推迟", "改期", "待定", "hold"}, True),
    "sched_suffix": (_SUFFIX, True),  # 排产日期 3月5日 states the schedule
    "ship_suffix": (frozenset("我 给我 过来 来 个 张 份 一份 群 到群 邮箱 微信 下".split()), False),
    "ack_suffix": (frozenset("下 一下 货 款 钱 吗".split()), False),
    "verdict_suffix": (
        frozenset("率 证 品 后 之后 以后 前 之前 再 才 就 单 报告 标准 要求 吗".split()),
        True,
    ),
}
_REWORK_SUFFIX = frozenset("完成 好了 完了 结束 完毕 ok 合格 中 单 品 的 后 前".split())
# 取消发货, 撤回消息: the word takes back something other than the order (or the sender's last change).
_CANCEL_OBJECT = re.compile(
    r"(?!一下)[\u4e00-\u9fff](?<![了啦吧掉的呀啊哈])"
    r"|\s*(?:发货|排产|预警|提醒|会议|开会|加班|审核|质检|入库|委外|消息|订阅|申请|报价|那条消息)"
)
_REWORK_END = re.compile(r"完成|做完|做好|搞定|结束")  # 返工明天完成: about the rework's end, not a verdict
_RESULT = re.compile(r"[发寄送]出|[发寄]走|发掉|交")
_HELP = re.compile(
    r"^(?:订单助手|机器人|小助手|这个机器人|这个|请问)?\s*(?:"
    + "|".join(re.escape(p) for p in HELP_PHRASES)
    + r")\s*(?:呢|啊|呀|一下)?[\s?!.~,]*$|^[\s?]+$"
)
_NOT_JUNK = re.compile(r"[^\s\ue000\ue001,;!?.~:#()\[\]<>\"'\-订单号这个查看]")
_STATUS = re.compile("|".join(re.escape(w) for w in STATUS_WORDS))
_JUNK = re.compile(r"[\s\ue000\ue001,;!?.~:#()\[\]<>\"'-]|订单号?|单号|这单|这个|查|看")


_REWORK_REQUESTS = g.REQUESTS - {"需要", "需", "得", "要求"}
_PROFILE_ORDER = {intent: tuple(sorted(names)) for intent, names in _PROFILES.items()}


def is_help(low: str) -> bool:
    """True for 帮助 / 使用说明 / help / a lone question mark."""
    return _HELP.match(low.strip()) is not None


class _Guards:
    """The guards of one hit, each a method named as in the profiles: True when it blocks the hit.
    Methods rather than a dict of closures: only the guards of the hit's profile are ever built."""

    __slots__ = ("hit", "ctx", "cond_from", "idx", "cs", "ce", "prefix", "words", "clause_words", "_neutral")

    def __init__(self, hit: Hit, ctx: Context, cond_from: int):
        self.hit, self.ctx, self.cond_from = hit, ctx, cond_from
        self.idx = ctx.clause_of(hit.start)
        self.cs, self.ce = ctx.clauses[self.idx]
        self.prefix = ctx.low[self.cs : hit.start]
        self.words = ctx.tokens.between(self.cs, hit.start)
        self.clause_words = ctx.tokens.between(self.cs, self.ce)
        self._neutral: str | None = None

    def _before(self, group: frozenset[str]) -> bool:
        if self._neutral is None:  # once for every guard that reads the words before the hit
            self._neutral = g.neutralise(self.prefix)
        return g.has_any(self.words, group, self._neutral, neutral=True)

    def neg(self) -> bool:
        hit, ctx = self.hit, self.ctx
        if ctx.several_orders:
            neg_words, neg_prefix = neg_region(hit, self.clause_words, ctx.low[self.cs : self.ce])
        else:
            neg_words, neg_prefix = neg_region(hit, self.words, self.prefix)
        return g.has_negation(neg_words, neg_prefix) or undone_after(hit, ctx, self.ce)

    def cond(self) -> bool:
        return self.hit.start >= self.cond_from

    def hedge(self) -> bool:
        return self._before(g.HEDGES)

    def request(self) -> bool:
        return self._before(_REWORK_REQUESTS if self.hit.rework else g.REQUESTS)

    def imperative(self) -> bool:
        return g.has_any(self.words, g.IMPERATIVES) and not is_done(self.hit, self.ctx)

    def plan(self) -> bool:
        return self._before(g.PLANS) or self._before(g.TENTATIVE)

    def time(self) -> bool:
        return (self._before(g.AMBIGUOUS_TIMES) or g.has_clock_time(self.prefix)) and not is_done(self.hit, self.ctx)

    def tentative(self) -> bool:
        return self._before(g.TENTATIVE)

    def dated(self) -> bool:
        return dated(self.hit, self.ctx, self.cs)

    def adjacent(self) -> bool:
        return bool(self.words) and self.words[-1] in g.ADJACENT

    def partial(self) -> bool:
        return self._before(g.PARTIAL)

    def ack_object(self) -> bool:
        return ack_has_object(self.hit, self.ctx, self.ce)

    def pending(self) -> bool:
        return g.has_any(self.words, g.PENDING)

    def inprocess(self) -> bool:
        return g.has_any(self.clause_words, g.INPROCESS_QC, self.ctx.low[self.cs : self.ce])

    def object(self) -> bool:
        return about_other_object(self.hit, self.ctx, self.idx)

    def approval(self) -> bool:
        return self._before(g.APPROVAL_CONTEXT)

    def bare(self) -> bool:
        return loose_bare_prefix(self.hit, self.ctx, self.cs)

    def rule(self) -> bool:
        return self.hit.rework and bool(self.words) and self.words[-1] == "的"  # 不合格的返工: a rule, not news

    def customer(self) -> bool:
        return self._before(g.CUSTOMERS)

    def material(self) -> bool:
        return about_material(self.ctx, self.idx)

    def money(self) -> bool:
        return not g.MONEY_WORDS.isdisjoint(self.clause_words)

    def cancel_suffix(self) -> bool:
        return _CANCEL_OBJECT.match(self.ctx.low, self.hit.end) is not None


def blocked_by(hit: Hit, ctx: Context, cond_from: int) -> str | None:
    """Name of the first guard that blocks this hit, or None when it stands."""
    guards = _Guards(hit, ctx, cond_from)
    ce = guards.ce
    for name in _PROFILE_ORDER[hit.intent]:
        if name in _SUFFIX_BLOCK:
            if followed_by(ctx, hit.end, ce, *_SUFFIX_BLOCK[name]):
                return name
        elif getattr(guards, name)():
            return name
    if hit.rework and (followed_by(ctx, hit.end, ce, _REWORK_SUFFIX) or _REWORK_END.search(ctx.low, hit.end, ce)):
        return "rework_suffix"
    return None


def _valid(hit: Hit, ctx: Context, facts: dict[str, bool]) -> bool:
    """Fields the command needs: a carrier or tracking number to ship, a date or line to schedule."""
    if hit.intent == "ship":
        if is_done(hit, ctx):
            return True  # 已发货 with no waybill: the bot asks for it
        if _RESULT.search(hit.word):
            return facts["carrier"] or facts["tracking"]
        return facts["tracking"] and not g.has_any(
            ctx.tokens.between(ctx.clauses[ctx.clause_of(hit.start)][0], hit.start), g.AMBIGUOUS_TIMES
        )
    if hit.intent == "schedule":
        return facts["date"] or facts["line"]
    return True


def standing_hits(hits: list[Hit], ctx: Context, facts: dict[str, bool]) -> list[Hit]:
    """State words that no guard blocks and whose command has the fields it needs."""
    if ctx.question or ctx.test_or_joke or ctx.reported or contradicted(ctx, hits):
        return []
    cond_from = condition_start(ctx)
    quoted = ctx.quoted
    return [
        h for h in hits
        if not any(qs <= h.start < qe for qs, qe in quoted)
        and blocked_by(h, ctx, cond_from) is None and _valid(h, ctx, facts) and not denied_later(h, ctx)
    ]  # fmt: skip


def message_guard(ctx: Context) -> str | None:
    """The guard that makes the whole message no command, whatever it names (a test, a quote, reported
    speech, a question, a condition, a negation, a plan): the bot must not read it as one either.
    Read off the text, not the words, so a message with no state word is still never segmented."""
    if ctx.test_or_joke:
        return "test"
    if ctx.quoted:
        return "quote"
    if ctx.reported:
        return "reported"
    if ctx.question:
        return "question"
    if condition_start(ctx) <= len(ctx.low):
        return "condition"
    if _ANY_NEGATION.search(g.INNOCENT.sub(" ", ctx.low)):
        return "negation"
    if g.has_any([], _WHOLE_PLANS, ctx.low) or _ABOUT_TO.search(ctx.low):
        return "plan"
    if ctx.today and any(d > ctx.today for _, d in ctx.dates):
        return "plan"
    return None


# Plan words that say "later" wherever they stand (not 要, 会, 后 …, which are parts of many phrases).
_WHOLE_PLANS = frozenset(w for w in g.PLANS if len(w) > 1 and not w.isascii())
_ABOUT_TO = re.compile(r"快(?![递运件速点])")
_ANY_NEGATION = re.compile(r"[不没未别勿莫甭无非]|取消|拦截|作废|暂停|暂缓|撤回|撤销")


def _is_bare_reference(low: str) -> bool:
    """True when the message is nothing but order references (a request to look them up)."""
    if ("\ue000" not in low and "\ue001" not in low) or _NOT_JUNK.search(low):
        return False  # a character no junk word holds stays whatever _JUNK takes away
    return not _JUNK.sub("", low)


def _mixed(winner: str, standing: list[Hit], ctx: Context, ref_positions: list[int]) -> bool:
    """With several orders, every order's clause must carry the winning statement, or nothing is applied."""
    if len(ref_positions) < 2:
        return False
    good = {ctx.clause_of(h.start) for h in standing if h.intent == winner}
    for pos in ref_positions:
        idx = ctx.clause_of(pos)
        while idx not in good and idx + 1 < len(ctx.clauses):
            start, end = ctx.clauses[idx]
            if _JUNK.sub("", re.sub("和|及|与|跟|还有|以及|and|&", "", ctx.low[start:end])):
                break
            idx += 1
        if idx not in good:
            return True
    return False


# With no order named, a message stands as a command (the bot takes the order from the chat's context)
# only when it is nothing but the state word and these fillers: 开工了, 今天开始做了, 发货了.
BARE_INTENTS = frozenset(
    "start finish rework_done materials_ready outsource outsource_returned ship stock_in report undo".split()
)
_FILLER = re.compile(
    r"(?:已经|已|刚刚|刚才|刚|都|全部|今天|今日|上午|下午|我们|我这边|这边|这单|这批|货|订单|的|了|啦|哈|"
    r"[\s,.!~\ue001]|[\u2600-\u27bf]|[\U0001f300-\U0001faff])+"
)


def _bare_command(hits: list[Hit], ctx: Context, facts: dict[str, bool]) -> list[Hit]:
    """The one state word of a message that names no order, when nothing else is said."""
    if not hits or len({h.intent for h in hits}) != 1 or hits[0].intent not in BARE_INTENTS:
        return []
    hit = hits[0]
    rest = ctx.low[: min(h.start for h in hits)] + " " + ctx.low[max(h.end for h in hits) :]
    if hit.intent == "ship" or hit.intent == "report":
        rest = rest.replace("\ue001", " ")  # the carrier and waybill may come along
        for name, _ in CARRIER_NAMES:
            rest = rest.replace(name, " ")
        rest = re.sub(r"[0-9.]+\s*%", " ", rest)
    if _FILLER.sub("", rest):
        return []
    return standing_hits(hits, ctx, facts)


def classify(
    hits: list[Hit], ctx: Context, facts: dict[str, bool], ref_positions: list[int]
) -> tuple[str, Hit | None]:
    """Return the intent and the hit it rests on (None for query, help and none)."""
    has_ref = bool(ref_positions)
    if not has_ref and is_help(ctx.low):
        return "help", None
    standing = standing_hits(hits, ctx, facts) if has_ref else _bare_command(hits, ctx, facts)
    if standing:
        top = max(_RANK[h.intent] for h in standing)
        best = [h for h in standing if _RANK[h.intent] == top]
        intents = {h.intent for h in best}
        if len(intents) == 1 and not _mixed(best[0].intent, standing, ctx, ref_positions):
            return best[0].intent, best[0]
        return ("query" if ctx.question else "none"), None
    topic = bool(hits) or has_ref or facts["tracking"] or _STATUS.search(ctx.low) is not None
    if ctx.question:
        return ("query" if topic else "none"), None
    if (has_ref or facts["tracking"]) and (
        _STATUS.search(ctx.low) is not None or _is_bare_reference(ctx.low)
    ):
        return "query", None
    return "none", None
