"""Commands that are not a state word: a correction (运单号改为…), a new order (新订单 …), a list request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import guards as g
from .numerals import cn_to_int
from .scan_gate import gated

# The field a correction names, by the word written before 改为/更正为.
_FIELD_WORDS = (
    ("tracking_no", r"快递单号|物流单号|运单号|单号|运单"),
    ("carrier", r"快递公司|物流公司|承运商|承运人|快递|物流"),
    ("date", r"交货日期|交货期|交期|(?<!发货)(?<!出货)(?<!发)日期|(?<![发出])货期"),
    ("quantity", r"订单数量|数量|件数"),
)
_CHANGE = r"\s*(?:正确的?(?:是|为|应该?是)|应该?是|应为|改为|改成|改到|更正为|更正成|更改为|修改为|变更为|换成|换为|调整为|是|为|:)"
_CORRECT = gated(re.compile(
    r"(?:(?P<word>" + "|".join(f"(?P<{name}>{words})" for name, words in _FIELD_WORDS) + r")"
    r"\s*(?:写错了?|填错了?|错了|有误|不对)?\s*[,]?"
    + r"(?P<verb>" + _CHANGE + r"))"
))
_CORRECT_MARK = re.compile(r"正确的|应为|应该是|更正|纠正|写错|填错|弄错|错了|有误|不对|改为|改成|更改|修改|改一下|换成")
# Someone else's wish is a change request, not a correction of what we recorded.
_NOT_OURS = re.compile(r"客户|对方|甲方|要求|希望|申请|想|能不能|可不可以|是否")
_NUMBER = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?|[零一二两三四五六七八九十百千万]+)\s*(?:件|个|套|台|只|箱|pcs|片|支|根|批|pc)?")

_CREATE = re.compile(r"^\s*(?:新订单|新单|新建订单|新增订单|创建订单|建单|录单|下新单)\s*[:,]?\s*")
_QUANTITY = re.compile(r"(?<![0-9a-z.-])([0-9]+)\s*(?:件|个|套|台|只|箱|pcs|片|支|根|pc)(?![0-9a-z])")
_LABELLED = {
    "customer": re.compile(r"客户\s*[:]?\s*([^\s,;:]+)"),
    "product": re.compile(r"(?:产品|型号|品名|物料|料号)\s*[:]?\s*([^\s,;:]+)"),
    "quantity": re.compile(r"数量\s*[:]?\s*([0-9]+)"),
}
_CODE = re.compile(r"^[a-z0-9][a-z0-9_./-]*[0-9][a-z0-9_./-]*$|^[a-z]+[0-9a-z-]*$")
_CHUNKS = re.compile(r"[^\s,;]+")
_DATE_WORDS = re.compile(r"[0-9]+\s*[月/.-]\s*[0-9]+|[0-9]+\s*[号日]|明天|后天|下周|本周|月底|交货?$|交期|前交")

_LIST = re.compile(
    r"^(?:请|帮我|给我)?\s*(?:列出|看看|看下|查下|查一下|列一下)?\s*(?:"
    r"(?:我的|今天的?|本周的?|这周的?)?待办(?:事项|清单|列表|任务)?|我的(?:任务|订单|单子)(?:列表)?|"
    r"(?:今天|今日|明天|本周|这周|下周|这星期|本月)\s*(?:要|需要|该|得|应该)?\s*"
    r"(?:发|发货|出货|交|交货|交付|到期|完工|排产)(?:的)?(?:哪些|什么|哪几单|几单|订单|单子|清单|列表)?|"
    r"(?:哪些|哪几单)(?:订单|单子|单)?\s*(?:要|该|需要|已经?)?\s*(?:发|发货|交货|逾期|超期|延期|到期)了?|"
    r"(?:已经?)?(?:逾期|超期|延期|过期|拖期)(?:的|了的)?\s*(?:订单|单子|单|有哪些|清单|列表)?"
    r")\s*(?:有哪些|有什么|是哪些|呢|吗|列表|清单)?[\s?!.~]*$"
)


@dataclass(frozen=True)
class Correction:
    """A correction: which field and where its new value starts."""

    field: str
    value_from: int
    quantity: float | None = None


def find_correction(low: str) -> Correction | None:
    """运单号改为 SF…, 交期改成12月20日, 数量应为 300: the field corrected and where its new value is."""
    if not _CORRECT_MARK.search(low) or g.is_question(low):
        return None
    for m in _CORRECT.finditer(low):
        field = next(name for name, _ in _FIELD_WORDS if m.group(name))
        if m.group("verb").strip() in ("是", "为", ":") and not _CORRECT_MARK.search(low[: m.end()]):
            continue  # 单号是 SF… alone states a number; it corrects nothing
        if _NOT_OURS.search(low[: m.start()]) or g.has_negation([], low[: m.start()]):
            return None
        quantity = None
        if field == "quantity":
            n = _NUMBER.match(low, m.end())
            if not n:
                continue
            quantity = float(n.group(1)) if n.group(1)[0].isdigit() else cn_to_int(n.group(1))
            if quantity is None:
                continue
        return Correction(field, m.end(), quantity)
    return None


@dataclass(frozen=True)
class NewOrder:
    """The parts of a 新订单 message, as written."""

    customer: str | None
    product: str | None
    quantity: int | None


def find_new_order(norm: str, low: str) -> NewOrder | None:
    """新订单 <customer> <product> <quantity> <date>, or labelled 客户: … 产品: … 数量: …"""
    head = _CREATE.match(low)
    if not head or g.is_question(low) or g.has_negation([], low[head.end() :]):
        return None
    body, body_low = norm[head.end() :], low[head.end() :]
    values: dict[str, str | None] = {}
    for key, pattern in _LABELLED.items():
        m = pattern.search(body_low)
        values[key] = body[m.start(1) : m.end(1)] if m else None
    quantity = int(values["quantity"]) if values["quantity"] else None
    if quantity is None:
        q = _QUANTITY.search(body_low)
        quantity = int(q.group(1)) if q else None
    if not any(values.values()):
        for chunk in _CHUNKS.finditer(body_low):
            text, written = chunk.group(), body[chunk.start() : chunk.end()]
            if _QUANTITY.fullmatch(text) or _DATE_WORDS.search(text) or text.isdigit():
                continue
            if values.get("product") is None and _CODE.match(text):
                values["product"] = written
            elif values.get("customer") is None and not text.isascii():
                values["customer"] = written
            elif values.get("product") is None:
                values["product"] = written
    if quantity is None or not (values.get("customer") or values.get("product")):
        return None
    return NewOrder(values.get("customer"), values.get("product"), quantity)


def is_list_request(low: str) -> bool:
    """今天要发哪些, 我的待办, 逾期的, 本周交货: a request for a list of orders."""
    return _LIST.match(low.strip()) is not None
