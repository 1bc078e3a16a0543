"""State words: where a message says an order was shipped, picked up, delivered, checked …"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import Found
from .lexicon import CARRIER_NAMES
from .scan_gate import gated
from .tokens import Tokens

_CARRIER = (
    "|".join(re.escape(n) for n, _ in CARRIER_NAMES if not n.isascii()) + r"|sf|jd|ems|快递|物流|快递员|司机"
)
_QC = r"(?:质检|检验|品检|qc|oqc|fqc|抽检|全检|终检|复检|出货检验|成品检验|最终检验|验货|检测|测试|品质|品管|验收)"

_RAW: dict[str, tuple[str, ...]] = {
    "ship": (
        r"已\s*经?\s*(?:全部|都)?\s*(?:出库)?\s*(?:发货|发出|寄出|发走|寄走|出货|出库|送出|发|寄|出)(?:出去|去)?了?",
        r"(?:发货|发出|寄出|发走|寄走|出货|出库|送出|发掉|寄|发)(?:出去|去)?了",
        r"(?:出库发货|发出|寄出|发走|寄走)",
        rf"交\s*(?:给|付)?\s*(?:{_CARRIER})",
        rf"给\s*(?:{_CARRIER})\s*了",
        rf"发\s*(?:{_CARRIER})",
        r"发货|出货|出库",
        r"货\s*(?:已经?|都|也)?\s*走了",
        r"(?<![a-z])shipped(?![a-z])",
    ),
    "pickup": (
        r"(?:已经?|被)?\s*(?:揽收|揽件|揽|取件|收件|取走|拉走|提货|提走|拿走|收走|接走)了?",
        r"(?:已经?)?发车了?",
    ),
    "deliver": (
        r"(?:已经?)?\s*(?:签收|妥投|送达)了?",
        r"(?:已经?)?\s*送到(?:了|客户|对方)",
        r"(?:已经?)?\s*到货了?",
        r"货\s*(?:已经?|都|也)?\s*(?:到了|已到)",
        r"(?:货物|货|包裹|快递|东西|产品)\s*(?:已经?|都|也)?\s*收到了?",
        r"收到[\s\ue000]*了?\s*的?\s*(?:货物|货|包裹|快递|东西|产品)",
        r"(?:已经?)?\s*(?:确认)?收货了?",
        r"(?:客户|对方|收货人|买家|甲方)\s*(?:那边|那里)?\s*(?:已经?|都|也)?\s*(?:收到|收了|签了|拿到|已收)了?",
        r"(?<![a-z])delivered(?![a-z])",
    ),
    "stock_in": (r"(?:已经?)?\s*(?:成品)?\s*(?:入库|入仓|进仓|进库|入成品仓|交仓)了?",),
    "approve": (
        r"(?:审核|审批|评审|复核)\s*(?:已经?)?\s*(?:通过|ok|完成|完毕|同意|批准)了?",
        r"通过了?\s*(?:审核|审批|评审)",
        r"已\s*经?\s*(?:审核|审批|批准|核准)",
        r"(?:审核|审批|审)\s*已?\s*过了?|审完了?|批过了?|(?:批准|核准)了?|已批|批了",
        r"同意了?(?=\s*(?:$|[,;!.?]))|同意(?:生产|下单|接单)",
        r"(?<![\u4e00-\u9fff])通过了?(?=\s*(?:$|[,;!.]))",
        r"(?<![a-z])approved(?![a-z])",
    ),
    "schedule": (
        r"(?:已经?)?\s*(?:排产|排单|排期|排到|排在|排进|排上|排至|排好|安排生产|安排在|安排到|安排上|改排|重排)",
        r"排(?=\s*[0-9一二三四五六七八九十下本这周星礼明后今大a-z])",
        r"安排[^,;!?]{0,12}?(?:生产|上线|开工)",
        r"(?:调|转|换|改|挪)到(?=\s*(?:[0-9一二三四五六七八九十]{1,2}\s*号?|[a-z])\s*线)",
    ),
    "finish": (
        r"(?:已经?|全部|都)?\s*(?:完工|生产完成|生产完毕|生产完了|全部做完|做完了|做好了|已下线|下线了|全部完成|"
        r"加工完成|加工完毕|生产结束)了?",
    ),
    "start": (
        r"(?:已经?)?\s*(?:开工|开始生产|开始加工|开始做|开做|开干|投产|上线生产)了?",
    ),
    "rework_done": (
        r"(?:返工|返修)\s*(?:已经?|都|全部)?\s*(?:完成|做完|做好|好了|完毕|结束|搞定|ok)了?",
    ),
    "cancel": (
        r"(?:已经?|被)?\s*(?:取消|撤单|砍单|作废)(?:订单|该单|这单|此单|了)*",
        r"(?:订单|该单|这单|此单)\s*(?:已经?|被)?\s*撤销了?",
        r"撤销(?:订单|该单|这单|此单)",
    ),
    "materials_ready": (
        r"(?:物料|材料|原材料|原料|来料|料)\s*(?:已经?|都|全部|均|也)?\s*"
        r"(?:到齐|齐了|齐套|备齐|备好|到位|已齐|齐全|全到|都到)了?",
        r"齐料了?|(?:物料|材料)齐套",
    ),
    "outsource": (
        r"(?:已经?)?\s*(?:转|转为|改为|改|走)\s*(?:委外|外协|外发)(?:加工|处理)?了?",
        r"(?:已经?)?\s*(?:委外|外协|外发)(?:加工|处理)?(?:出去)?了",
        r"已\s*经?\s*(?:委外|外协|外发)",
        r"(?:发|送)(?:去|到)?(?:外协|委外)(?:厂)?了?",
    ),
    "outsource_returned": (
        r"(?:委外|外协|外发)(?:件|加工件|的货|的件|厂)?\s*(?:已经?|都|全部)?\s*"
        r"(?:回厂|回来|返厂|到厂|收回|送回|拉回)了?",
        r"(?:已经?)?\s*从?(?:委外|外协)(?:厂)?\s*(?:回厂|回来|拉回来|收回)了?",
    ),
    "undo": (r"撤回|撤销|回退|撤掉(?:刚才|上一?条)?",),
    "qc_pass": (
        rf"{_QC}\s*(?:结果)?\s*:?\s*(?:已经?|都|全部|均|也)?\s*(?:合格|ok|通过|pass(?:ed)?|没问题|无问题|无异常|正常)了?",
        r"(?<![不未没])(?:判定|判为|全部|均|都)?合格(?!率|证|品|供应商|与否)了?",
        r"(?<![a-z])qc\s*:?\s*(?:pass(?:ed)?|ok)(?![a-z])",
    ),
    "qc_fail": (
        rf"{_QC}\s*(?:结果)?\s*:?\s*(?:不合格|不通过|未通过|没通过|ng|fail(?:ed)?|不达标|超差|有问题|异常)",
        r"(?:判定|判为)?不合格(?!率|品|证)",
        r"(?<![a-z])ng(?![a-z])|不达标|判退|不通过|不良(?!率|品)",
        r"返工",
    ),
    "ack": (
        r"(?:已\s*)?收到了?\s*(?:预警|提醒|通知|告警|报警)?",
        r"(?:预警|提醒|告警|报警)\s*(?:已经?)?\s*(?:收到了?|已读|已阅|已确认)",
        r"知道了|已知悉|知悉|已阅|明白了?|了解了?|收悉|确认收到",
        r"(?:马上|立即|立刻|这就|现在)\s*(?:处理|跟进|安排处理)",
        r"(?:正在|在)\s*(?:处理|跟进)|处理中|跟进中|我来(?:处理|跟进)|我去(?:处理|跟进)",
    ),
}
_PATTERNS = {intent: gated(re.compile("|".join(f"(?:{p})" for p in pats))) for intent, pats in _RAW.items()}
# Every match of an intent's pattern holds one of its gate characters or ASCII words (read off the
# alternatives above; tests/unit/nlu/test_trigger_gates.py checks it). A message holding none of them
# skips that intent's regex: most of the parser's regex time went to scanning for words not there.
_GATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ship": ("发寄出交给货", ("shipped",)),
    "pickup": ("揽取收拉提拿接发", ()),
    "deliver": ("签妥送到货收拿", ("delivered",)),
    "stock_in": ("入进交", ()),
    "approve": ("审评复通批核同", ("approved",)),
    "schedule": ("排安调转换改挪", ()),
    "finish": ("完好下结", ()),
    "start": ("开投上", ()),
    "rework_done": ("返", ()),
    "cancel": ("取撤砍作", ()),
    "materials_ready": ("料", ()),
    "outsource": ("外", ()),
    "outsource_returned": ("外", ()),
    "undo": ("撤回", ()),
    "qc_pass": ("合通问异常", ("ok", "pass", "qc")),
    "qc_fail": ("合通达差问异退良返", ("ng", "fail")),
    "ack": ("收读阅确知明解悉处跟", ()),
}
_GATE_CHARS = {intent: frozenset(chars) for intent, (chars, _) in _GATES.items()}
# Intents in scanning order; finish is scanned with the reports
_SCANNED = tuple(i for i in _PATTERNS if i != "finish")
# Each gate character and word with the intents it opens: one scan for the characters and a few substring
# tests name the intents worth scanning for (a set test per intent cost more than the regexes it spared).
_OPENED_BY: dict[str, frozenset[str]] = {
    key: frozenset(i for i, (chars, words) in _GATES.items() if key in chars or key in words)
    for chars, words in _GATES.values() for key in (*chars, *words)
}  # fmt: skip
_GATE_CHAR = re.compile("[" + "".join(re.escape(k) for k in _OPENED_BY if len(k) == 1) + "]")
_GATE_WORDS = tuple((k, v) for k, v in _OPENED_BY.items() if len(k) > 1)


def _opened(low: str) -> set[str]:
    """Intents whose pattern may match the text: it holds one of their gate characters or words."""
    opened: set[str] = set()
    for ch in set(_GATE_CHAR.findall(low)):
        opened |= _OPENED_BY[ch]
    for word, intents in _GATE_WORDS:
        if word in low:
            opened |= intents
    return opened


def may_match(intent: str, low: str, chars: frozenset[str]) -> bool:
    """False when the text (whose characters are `chars`) cannot hold a match of the intent's pattern."""
    if not _GATE_CHARS[intent].isdisjoint(chars):
        return True
    return any(word in low for word in _GATES[intent][1])
_DONE_AFTER_PROCESS = re.compile(
    r"\s*(?:工序|工艺)?\s*(?:已经?|都|全部|已全部|也)?\s*"
    r"(?:完成|做完|完工|结束|搞定|好了|做好|ok|完毕|弄完|完了|干完)了?"
)
_PROGRESS_BEFORE = re.compile(
    r"(?:进度|完成率|完成度|进展|已完成|完成了|完成|做了|做到|干了|完工)\s*(?:了|到|为|是|:)?\s*$"
)
_CLAUSE_END = re.compile(r"[,;!?\n]")
_QUANTITY = re.compile(
    r"\s*[0-9一二三四五六七八九十百千两]+\s*(?:件|个|套|台|只|箱|pcs|片|支|根|批|托|kg|吨|米)"
)


@dataclass(frozen=True)
class Hit:
    """One state word in the text."""

    intent: str
    start: int
    end: int
    word: str = ""
    process: str | None = None
    percent: float | None = None

    @property
    def rework(self) -> bool:
        """True for a 返工 hit (its guards differ: 需要返工 is not a plan)."""
        return self.intent == "qc_fail" and "返工" in self.word


_NEW_WORDS = (
    "开工 开始生产 开始加工 投产 返工完成 返修完成 撤单 砍单 到齐 齐套 备齐 物料到齐 委外 外协 外发 回厂 转委外 撤回 "
    "撤销 回退 完工"
).split()


def trigger_words() -> list[str]:
    """Fixed state words to keep whole in the segmenter."""
    return (
        "已发货 发货 发出 已发出 寄出 已寄 发走 出货 出库 出库发货 揽收 已揽收 揽件 取件 取走 拉走 提货 提走 "
        "签收 已签收 妥投 送达 到货 收货 入库 已入库 入仓 进仓 成品入库 审核通过 审批通过 评审通过 批准 排产 "
        "排单 排期 排到 安排生产 完工 做完 质检 检验 抽检 全检 终检 复检 合格 不合格 不通过 未通过 没通过 不达标 "
        "返工 预警 收到 已收到 知悉 已知悉 处理中 跟进中 发车 交仓 超差 判退 合格率 不良率 良率 合格证 合格品 "
        "不合格品 发货单 签收单 入库单 出库单 送货单 收货地址 收货人 发货人 签收人 取件码 收到货"
    ).split() + _NEW_WORDS


# State words that may overlap each other (收/到货 inside 收到货): cutting one of them does not void a hit.
_TOLERATED = frozenset(
    w for w in trigger_words() if w not in _NEW_WORDS and not w.endswith(("单", "地址", "人", "码", "率", "证", "品"))
)


def _aligned_hits(intent: str, low: str, tokens: Tokens, chars: frozenset[str] | None = None) -> list[Hit]:
    """Regex matches of one intent that start and end on word boundaries."""
    hits: list[Hit] = []
    if chars is not None and not may_match(intent, low, chars):
        return hits
    for m in _PATTERNS[intent].finditer(low):
        start, end = m.start(), m.end()
        while start < end and low[start].isspace():
            start += 1
        while end > start and low[end - 1].isspace():
            end -= 1
        if tokens.cuts_only(start, end, _TOLERATED) or low[start:end].isascii():
            hits.append(Hit(intent, start, end, low[start:end]))
    return hits


def _clause_end(low: str, pos: int) -> int:
    """Offset of the end of the clause holding pos."""
    m = _CLAUSE_END.search(low, pos)
    return m.start() if m else len(low)


def _report_hits(
    low: str, tokens: Tokens, processes: list[Found], percents: list[tuple[int, float]], finish: bool = True
) -> list[Hit]:
    """Progress reports: <process> 完成 / <process> 80% / 进度 80% / 完工 (`finish`: the text may hold 完工)."""
    hits = [Hit("finish", h.start, h.end, h.word) for h in _aligned_hits("finish", low, tokens)] if finish else []
    for proc in processes:
        limit = _clause_end(low, proc.end)
        done = _DONE_AFTER_PROCESS.match(low, proc.end, limit)
        pct = next((v for pos, v in percents if proc.end <= pos <= min(limit, proc.end + 10)), None)
        if pct is not None:
            hits.append(Hit("report", proc.start, proc.end, low[proc.start : proc.end], proc.value, pct))
        elif done:
            counted = _QUANTITY.match(low, done.end()) is not None  # 焊接完成80件: a count, not 100 %
            word = low[proc.start : done.end()]
            hits.append(Hit("report", proc.start, done.end(), word, proc.value, None if counted else 100.0))
    for pos, value in percents:
        before = _PROGRESS_BEFORE.search(low, max(0, pos - 8), pos)
        if before:
            hits.append(Hit("report", before.start(), pos, low[before.start() : pos], None, value))
    return hits


# Intents whose words contain older ones (返工完成 holds 返工, 外发了 holds 发了): the longer word wins.
NEWER = frozenset("start finish rework_done cancel materials_ready outsource outsource_returned undo".split())
_FAMILY = {"finish": "report"}


def _same_family(outer: Hit, inner: Hit) -> bool:
    """True when the longer hit outer makes inner void."""
    if _FAMILY.get(outer.intent, outer.intent) == _FAMILY.get(inner.intent, inner.intent):
        return True
    return outer.intent in NEWER


def find_hits(
    low: str, tokens: Tokens, processes: list[Found], percents: list[tuple[int, float]]
) -> list[Hit]:
    """Every state word in the text, longest first where one contains another of the same intent."""
    hits: list[Hit] = []
    opened = _opened(low)
    for intent in _SCANNED:
        if intent in opened:
            hits += _aligned_hits(intent, low, tokens)
    hits += _report_hits(low, tokens, processes, percents, "finish" in opened)
    kept = [
        h for h in hits
        if not any(o is not h and _same_family(o, h) and o.start <= h.start and h.end <= o.end
                   and (o.end - o.start) > (h.end - h.start) for o in hits)
    ]  # fmt: skip
    return sorted(kept, key=lambda h: (h.start, h.intent))
