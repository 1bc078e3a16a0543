"""Guards: questions, negations, plans, conditions and other reasons a state word is not a state change."""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import MATERIALS, MONEY, OTHER_OBJECTS
from .scan_gate import gated

NEGATIONS = frozenset(
    "不 没 未 别 勿 莫 甭 无 没有 还没 还没有 尚未 并未 从未 不要 不用 不能 不可 不准 不许 不行 不得 无法 无需 "
    "暂停 暂缓 暂不 先不 取消 停止 停发 停 拦截 撤回 撤销 作废 hold 不合格 不良 不通过 未通过 没通过 不达标 不够 "
    "没收到 未收到 不合格品 还在 木有 冇 没得 不了 不到 不出 不是 并非 非 不再 不必 不需要 没必要 不对 不给 不发 "
    "不寄 推翻 驳回 拒绝 算了 not no never cancel cancelled ❌ 🚫 ⛔ ✖".split()
)
# Words that start with a negation character but are not negations.
NOT_NEGATIONS = frozenset(
    "不锈钢 不同 不过 不错 不少 不久 不断 不仅 不但 不管 不论 不止 不好意思 不客气 没问题 没事 没关系 没毛病 "
    "未来 别人 别的 别处 无误 无损 完好无损 无异常 无问题 无尘 无缝 无纺布 非常 莫非 不定期".split()
)
NEGATION_HEADS = "不没未别"
CONDITIONS = frozenset(
    "如果 要是 假如 假设 万一 若 若是 只要 一旦 除非 的话 等到 才能 才可以 才 否则 不然 看情况 视情况 前提 等 等待 待到".split()
)
HEDGES = frozenset(
    "可能 也许 好像 似乎 应该 估计 大概 据说 听说 貌似 不确定 说不定 或许 恐怕 怕是 差不多 感觉 觉得 以为 "
    "应该是 系统显示 大约 不清楚 不知道 也许是 可能是 估摸 大致 基本 基本上 初步 目测 看起来 看着 疑似 似乎是 怀疑".split()
)
REQUESTS = frozenset(
    "请 麻烦 帮忙 帮我 帮 记得 务必 一定要 必须 需要 需 得 要求 让 叫 催 催促 赶紧 尽快 抓紧 快点 赶快 速度 "
    "给我 通知 提醒 申请 提交 去 可以 可 能 能否 想 希望 建议 最好 应当 该 允许 同意 求 拜托 记住 别忘".split()
)
IMPERATIVES = frozenset("把 来 将 就 办理 给".split())
PLANS = frozenset(
    "明天 明日 明早 明晚 后天 大后天 下周 下星期 下礼拜 下个月 下月 待会 待会儿 等下 等一下 等会 等会儿 一会 一会儿 "
    "稍后 晚点 晚些 回头 改天 过两天 过几天 随后 准备 打算 计划 安排 预计 预约 即将 将要 要 会 马上 立刻 立即 延迟 "
    "推迟 延期 改期 再 先 之后 以后 然后 后 正在 待 未来 届时 下次 下回 今后 到时 到时候 约 约了 叫了 排队 约好 "
    "预约好 约定 立马 这就 年前 节前 节后 年后 月初 月中 月底 周末 之内 以内 内 再次 重新 争取 尽量 考虑 初步 暂定 "
    "待定 随时 等着 一早 will tomorrow later plan going".split()
    # 快…了 / 就要…了 is about to happen, not done: 快发货了, 快做完了, 眼看就要完工了.
    + "快 快要 就要 就快 快到 眼看 将会 即刻 马上就".split()
)
TENTATIVE = frozenset("打算 考虑 可能 也许 争取 尽量 估计 应该 大概 看看 试试 想 初步 暂定 待定".split())
# Words right before a verb that make it not (yet) happen: 在发货, 要发货.
ADJACENT = frozenset("在 要 待 去 再 先 将 会 能 可 想 得 少 多 漏 错 补 重".split())
PARTIAL = frozenset("补发 补寄 部分 一部分 部份 分批 剩下 剩余 其余 一半 少量 个别 补 还有 还差 剩 差".split())
# Words after a state word, anywhere in its clause, that undo it: 发货被拦截, 入库失败.
UNDONE_AFTER = (
    "取消",
    "拦截",
    "暂停",
    "失败",
    "退回",
    "撤回",
    "作废",
    "不了",
    "不成",
    "没成功",
    "异常",
    "不对",
)
# A tracking number being sent on (单号已发客户) is information, not goods; only before the verb.
NUMBERS_SENT = frozenset("单号 快递单号 运单号 物流单号".split())
# Places are objects one sends (发个位置) but not things one stores (入库 存放位置A-01).
PLACES = frozenset("位置 地址 定位".split())
RESCHEDULED_AFTER = ("延迟", "推迟", "改期", "延期")
UNSETTLED_AFTER = (
    "还没",
    "未定",
    "待定",
    "没定",
    "不定",
    "再定",
    "待确认",
    "也行",
    "也可以",
    "都行",
    "也好",
    "行不",
)
# Verbs of each intent: a later clause that negates one of them (…到现在还没发) contradicts the state word.
FAMILIES = {
    "ship": frozenset("发 寄 发货 发出 寄出 出货 出库 发走 寄走".split()),
    "pickup": frozenset("揽收 揽件 取件 取 拉 拉走 提货 取走 来拿 拿走".split()),
    "deliver": frozenset("收到 签收 到 收货 到货 送到 送达 收".split()),
    "stock_in": frozenset("入库 入仓 进仓 进库 入".split()),
    "approve": frozenset("审核 审批 批 批准 同意 审".split()),
    "schedule": frozenset("排 排产 排上 排进".split()),
    "report": frozenset("完成 做完 做 完工 做好".split()),
    "qc_pass": frozenset("合格 通过 ok".split()),
    "qc_fail": frozenset(),
    "ack": frozenset(),
    "finish": frozenset("完成 做完 做 完工 做好".split()),
    "start": frozenset("开工 开始 做 开做 投产".split()),
    "rework_done": frozenset("返工 返修".split()),
    "cancel": frozenset("取消 撤单 砍单".split()),
    "materials_ready": frozenset("到齐 齐套 到".split()),
    "outsource": frozenset("委外 外协 外发".split()),
    "outsource_returned": frozenset("回厂 回来".split()),
    "undo": frozenset("撤回 撤销".split()),
}
AMBIGUOUS_TIMES = frozenset(
    "今天 今日 上午 下午 中午 晚上 早上 今晚 今早 傍晚 晚些时候 早晨 夜里 凌晨 白天 这周 本周 周内 这两天 近期 "
    "最近 近两天 这几天 尽早 抽空 有空 当天 今儿".split()
)
DONE_MARKERS = frozenset("已 已经 刚 刚刚 刚才 昨天 前天 早就 之前 都已 均已 已于 昨晚 昨日 上周".split())
INPROCESS_QC = frozenset("首件 首检 巡检 自检 互检 来料 iqc ipqc 过程检 过程检验 来料检验 进料".split())
# 审核不通过 is an approval turned down, not a QC failure.
APPROVAL_CONTEXT = frozenset("审核 审批 评审 申请 方案 报价 付款 合同 复核 批复 流程".split())
# Before a bare state verb (no 已/了), only these words may stand: anything else (下班前, 稍晚, 后面 …)
# may be a time or a plan that no list can foresee, and the guard wins.
BARE_PREFIX_WORDS = frozenset(
    "货 货物 产品 成品 东西 包裹 快递 物流 订单 订单号 单号 运单号 快递单号 物流单号 单 这单 该单 此单 本单 批 这批 本批 "
    "该批 此批 全部 全都 都 均 也 共 一共 合计 总共 件 箱 个 套 台 只 托 卷 根 支 片 批次 客户 对方 收货人 仓库 车间 "
    "质检 检验 合格 通过 审核 审批 老板 领导 经理 和 及 与 跟 的 我们 我 这边 那边 仓 成品仓 货品 整单 所有 "
    "这个 这些 该 此 上述 以上 如下 订单号码 状态 已 以 经 到付 寄付 月结 完工 整体 总体 总 目前 当前 工序 工艺 "
    "打包 装箱 封箱 贴标 清点 点数".split()
)
# Between 已 and its verb these change nothing: 已被德邦提走, 已把货交给顺丰, 跨越已经上门取件, 已按要求发货.
DONE_SCAN_SKIP = frozenset(
    "被 把 将 给 帮 上门 来 过来 按要求 按照要求 根据要求 按计划 按照计划 全 全部 已经".split()
)
# An approval is the factory's own: 客户同意了 agrees to something else (a price, a delay).
CUSTOMERS = frozenset("客户 对方 甲方 买家 客人".split())
PENDING = frozenset("待 等 等待 送检 报检 准备 安排 排队 申请".split())
OBJECTS = frozenset(OTHER_OBJECTS)
MATERIAL_WORDS = frozenset(MATERIALS)
MONEY_WORDS = frozenset(MONEY)
# Words treated as one piece so that their parts do not trigger guards (计划员 is a person, not a plan).
NEUTRAL = ("计划员", "计划部", "现在", "安排人员", "按要求", "按照要求", "根据要求", "按计划", "按照计划")

_QUESTION = gated(re.compile(
    r"[?❓❔🤔]|吗|(?:[么嘛呢吧否不]|没有?|木有|冇|与否)(?=[\s\W]*(?:[,;!.~]|$))|了没|([\u4e00-\u9fff])[没不]\1"
    r"|还是(?!不|没|一样|老样子|有|会|要|得|在)|([\u4e00-\u9fff])[\u4e00-\u9fff]{0,3}还是(?:没|不)有?\2"
    r"|什么|啥|怎么|怎样|咋|如何|是否|能否|可否|有无|有没有|几时|何时|多久|多长时间|哪|谁|为什么|为何|多少"
    r"|(?<![十百千])几(?![十百千万])\s*[天号点个件箱时日月周批次单]|请问|问下|问一下|想问|确认下|确认一下"
    r"|对吧|是吧|何日"
))


def guard_words() -> list[str]:
    """Multi-character guard words, so the segmenter keeps each one whole."""
    words: set[str] = set()
    for group in (
        NEGATIONS,
        NOT_NEGATIONS,
        CONDITIONS,
        HEDGES,
        REQUESTS,
        PLANS,
        TENTATIVE,
        AMBIGUOUS_TIMES,
        DONE_MARKERS,
        INPROCESS_QC,
        PENDING,
        PARTIAL,
        APPROVAL_CONTEXT,
        BARE_PREFIX_WORDS,
        NEUTRAL,
    ):
        words.update(w for w in group if len(w) > 1 and not w.isascii())
    return sorted(words)


_CLOCK = re.compile(r"[0-9一二三四五六七八九十两]{1,3}\s*(?:点|:[0-9]{2})|[0-9]{1,2}\s*时")


def has_clock_time(text: str) -> bool:
    """True for a time of day such as 3点, 10:30, 15时."""
    return _CLOCK.search(text) is not None


def family_of(word: str) -> str:
    """A verb without its negation (没入 -> 入), to compare it with an intent's verbs."""
    return word.lstrip("不没未别") or word


def is_question(text: str) -> bool:
    """True when the (masked, lower-case) message asks something."""
    return _QUESTION.search(text) is not None


_NEUTRAL = re.compile("|".join(NEUTRAL))
_INNOCENT = re.compile("|".join(sorted(NOT_NEGATIONS, key=len, reverse=True)))
INNOCENT = _INNOCENT  # words that start like a negation and are none (不锈钢, 没问题)
_STRONG_NEGATION = re.compile("还没|尚未|并未|暂停|暂缓|取消|无法|作废|拦截")


def neutralise(region: str) -> str:
    """Blank out words whose parts would look like guards (计划员 is a person, not a plan)."""
    return _NEUTRAL.sub(lambda m: " " * len(m.group()), region)


@lru_cache(maxsize=64)
def _multi_char(group: frozenset[str]) -> re.Pattern[str] | None:
    """One regex for the multi-character members of a group."""
    words = sorted((w for w in group if len(w) > 1), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def has_any(words: list[str], group: frozenset[str], region: str = "", *, neutral: bool = False) -> bool:
    """True when a word of the group is one of the tokens, or a multi-character member is in region
    (`neutral`: the region went through neutralise() already)."""
    if not group.isdisjoint(words):
        return True
    if not region:
        return False
    pattern = _multi_char(group)
    return pattern is not None and pattern.search(region if neutral else neutralise(region)) is not None


def has_negation(words: list[str], region: str) -> bool:
    """True for a negation token, or a short word starting with 不/没/未/别 that is not a known innocent."""
    for w in words:
        if w in NOT_NEGATIONS:
            continue
        if w in NEGATIONS or (w[0] in NEGATION_HEADS and len(w) <= 4 and not w.isascii()):
            return True
    if _STRONG_NEGATION.search(region) is None:  # blanking innocent words cannot make one appear
        return False
    return _STRONG_NEGATION.search(_INNOCENT.sub(" ", region)) is not None


# A test, a drill or a joke (测试请忽略, 假的, 开玩笑) changes nothing, whatever else the message says.
_TEST = gated(re.compile(
    r"请忽略|忽略(?:此|这|本|即可|就好)|假的|开玩笑|玩笑|逗你|演示一下|演练|"
    r"测试(?:消息|数据|一下|用|而已|勿|请|,|\)|$)|\(\s*测试|这是测试|只是测试|仅供测试|\btest\b"
))
# Quoted speech: "…", 「…」 (normalised to "), an unclosed quote runs to the end.
_QUOTED = re.compile(r'"[^"]*(?:"|$)')


def is_test_or_joke(text: str) -> bool:
    """True for a message marked as a test or a joke."""
    return _TEST.search(text) is not None


# Reported speech: a state clause attributed to someone else (老王说…, 张工讲…, 听仓库说…, 司机告诉我…, 据说…).
_SAYS = re.compile(r"告诉(?:我们|我|俺)|说|讲|反映|反馈|转告")
_HEARSAY = re.compile(r"听说|据说|听人说|听[\u4e00-\u9fff]{1,6}(?:说|讲)|据[\u4e00-\u9fff]{1,4}(?:说|讲|反映|称)")
# Who speaks: the sender (我说, 我跟老王说) or nobody named (跟客户说一声) is no attribution;
# nor are phrases ending in 说 (再说, 就是说, 比如说) or starting with it (说明, 说好).
_FIRST_PERSON = re.compile(r"^(?:我|咱|俺|本人)|(?:我|我们|咱|咱们|俺)$")
_ADDRESSEE = re.compile(r"[跟和给对向同替与]")
_NOT_SPEAKERS = re.compile(
    r"^(?:请|麻烦|帮忙|帮|记得|务必|让|叫|要|得|需要|别|不要|先|再)|"
    r"(?:再|就是|也就是|比如|譬如|话|所以|老实|不用|怎么|或者|可以|虽|先|要|别|不|没|还没|得|好|难|听|据|"
    r"一|来|按|照|如|所|能|会|想|的)$"
)
_NOT_SAYING_AFTER = re.compile(r"明|好|法|清|声|一声|一下|下|服|话|实话|真的|不定|过了?$")


def is_reported(text: str) -> bool:
    """True when the message attributes what it says to someone other than the sender."""
    if _HEARSAY.search(text):
        return True
    for m in _SAYS.finditer(text):
        if _NOT_SAYING_AFTER.match(text, m.end()):
            continue
        before = re.search(r"[\u4e00-\u9fff]{1,6}$", text[: m.start()])
        if before is None:
            continue  # nobody named right before it (…，说一下): not an attribution
        speaker = before.group()
        addressed = _ADDRESSEE.search(speaker)
        if addressed:  # 老王跟我说: 老王 speaks; 跟客户说: the sender does
            speaker = speaker[: addressed.start()]
        if not speaker or _FIRST_PERSON.search(speaker) or _NOT_SPEAKERS.search(speaker):
            continue
        return True
    return False


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted speech."""
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
