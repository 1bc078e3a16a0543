"""Chat replies of the bot (bot/): short, polite zh-CN text in the chat the message came from."""

from __future__ import annotations

from collections.abc import Iterable

# --- who may do what ---------------------------------------------------------------------
NOT_STAFF = "抱歉，您还不是系统里登记的员工，不能修改订单。请联系管理员登记您的账号。"
NOT_STAFF_QUERY = "抱歉，您还不是系统里登记的员工，暂时不能查询订单。请联系管理员登记您的账号。"
CUSTOMER_READ_ONLY = "您好，客户群里只能查询本公司的订单进度，如需修改请联系您的销售负责人。"

# --- hints ---------------------------------------------------------------------------------
NOT_A_COMMAND_HINT = "没看懂这条消息。发送“帮助”查看可以用的指令，例如：SO20261120-0042 进度"
NEED_ORDER = "请写上订单号，例如：{example}"
INTERNAL_ERROR = "处理这条消息时出错了（编号 {ref}），已记录，请稍后再试或联系管理员。"
HELP_TITLE = "可以在群里@我，或单聊发送："
HELP_LINE = "· {text}"


def need_order(example: str) -> str:
    """Ask for an order number, with an example of the command."""
    return NEED_ORDER.format(example=example)


def internal_error(ref: str) -> str:
    return INTERNAL_ERROR.format(ref=ref)


def help_text(lines: Iterable[str]) -> str:
    """The help answer: one line per command with an example."""
    return "\n".join([HELP_TITLE, *(HELP_LINE.format(text=line) for line in lines)])


# --- references ----------------------------------------------------------------------------
def short_ref_unknown(ref: str) -> str:
    return f"没有找到尾号为“{ref}”的未完成订单，请写完整订单号。"


# --- results -------------------------------------------------------------------------------
def moved(order_no: str, status_label: str, detail: str = "") -> str:
    """An order was moved: '✅ SO… 已发货（顺丰 SF…）'."""
    return f"✅ {order_no} 已改为「{status_label}」" + (f"（{detail}）" if detail else "")


def shipped_detail(carrier: str | None, tracking_no: str | None) -> str:
    return " ".join(x for x in (carrier, tracking_no) if x)


def scheduled_detail(day: str | None, line: str | None) -> str:
    return "，".join(x for x in (f"开工 {day}" if day else "", line or "") if x)


def scheduled_plan(order_no: str, status_label: str, plan: str) -> str:
    return f"✅ {order_no} 已改为「{status_label}」\n{plan}"


def scheduled_late(order_no: str, status_label: str, plan: str) -> str:
    """A plan that ends after the promise: no ✅, the warning and the way back."""
    return f"{order_no} 已改为「{status_label}」，但计划赶不上交期：\n{plan}"


def qc_passed(order_no: str) -> str:
    return f"✅ {order_no} 质检合格已登记，等待仓库入库。"


def qc_failed_detail(reason: str | None) -> str:
    return f"原因：{reason}" if reason else ""


def qc_category_line(category: str, choices: list[str]) -> str:
    """The defect category the failure was filed under, or the list to pick from."""
    if category:
        return f"缺陷类别：{category}"
    return "缺陷类别：未识别（可写：" + "、".join(choices) + "）"


def qc_batch_line(batch: str, sources: list[tuple[str, str, str]]) -> str:
    """One material batch: the purchase lines (PO, supplier, material) that received it, or not found."""
    if not sources:
        return f"批次 {batch}：收货记录中没有这个批次（已照登记，请核对批次号）"
    found = "；".join(f"{supplier or '供应商未填'} · {material} · 采购单 {po}" for po, supplier, material in sources)
    return f"批次 {batch}：{found}"


def progress(order_no: str, process: str, percent: float, status_label: str) -> str:
    return f"✅ {order_no} {process} 进度 {percent:g}% 已登记，当前「{status_label}」。"


def acked(order_no: str, count: int) -> str:
    if count <= 0:
        return f"{order_no} 目前没有待确认的预警。"
    return f"✅ 已确认 {order_no} 的 {count} 条预警，谢谢跟进。"


def order_status(order_no: str, label: str, next_steps: str, promised: str, owner: str | None,
                 extra: str = "") -> str:
    """Answer to a query: status, next step, promised date, owner."""
    lines = [f"📦 {order_no}：{label}" + (f"（{extra}）" if extra else ""),
             f"下一步：{next_steps}", f"交期：{promised}", f"负责人：{owner or '未指定'}"]
    return "\n".join(lines)


def shipping_extra(carrier: str | None, tracking_no: str | None) -> str:
    return " ".join(x for x in (carrier, tracking_no) if x)



def order_not_found(ref: str) -> str:
    return f"没有找到订单 {ref}"


# --- bridge endpoint errors (JSON `message`) ---------------------------------------------------
BRIDGE_OFF = "消息桥未开启（未设置 BRIDGE_SECRET）。"
BRIDGE_FORBIDDEN = "签名不正确或时间戳已过期。"
BRIDGE_BAD_JSON = "请求内容必须是 JSON：{msg_id, chat_id, chat_name, sender_id, sender_name, text, sent_at}。"
BRIDGE_UNAVAILABLE = "暂时无法处理，请稍后重试。"


# --- chat v2: never silent, new commands --------------------------------------------------------
MAX_SHOWN = 5  # candidates listed when a short reference stays ambiguous
ONE_LINE_HELP = "没看懂这条消息，订单没有改动。可以发：SO20261120-0042 进度 / SO20261120-0042 已发货 顺丰 SF…；发“帮助”看全部指令。"
PERCENT_RANGE = "进度必须在 0–100% 之间，订单没有改动。例如：SO20261120-0042 CNC加工 完成80%"
CUSTOMER_NO_LIST = "抱歉，客户群里不能列出订单清单，请直接发订单号查询进度。"
VOICE_HEARD = "🎤 听到：「{text}」"
STAFF_ONLY = "抱歉，只有登记的员工可以使用这个指令。"

# --- photos of waybill labels -------------------------------------------------------------------
PHOTO_NO_CODE = ("📷 照片里没有识别到运单条码，订单没有改动。请拍清楚面单上的条码再发，"
                 "或直接输入：SO20261120-0042 已发货 顺丰 SF1402938475621")
PHOTO_UNREADABLE = ("📷 照片没能下载或解密（链接过期或内容被改动），订单没有改动。请重新发送照片，"
                    "或直接输入：SO20261120-0042 已发货 顺丰 SF1402938475621")
PHOTO_READ = "📷 照片识别到运单号：{number}{carrier}"


def photo_read(number: str, carrier: str | None) -> str:
    """The first reply line when a waybill number was read off a photo."""
    return PHOTO_READ.format(number=number, carrier=f"（{carrier}）" if carrier else "")


def photo_many(numbers: list[str]) -> str:
    """Several different waybill numbers in the photos: ask instead of guessing."""
    return (f"📷 照片里有多个运单号：{'、'.join(numbers[:MAX_SHOWN])}，订单没有改动。"
            "请直接输入要登记的那一个，例如：SO20261120-0042 已发货 顺丰 SF1402938475621")


def photo_need_order(number: str, carrier: str | None) -> str:
    """A waybill was read but no order named: say what to type (or quote)."""
    return (photo_read(number, carrier) + "\n请同时写上订单号（或引用提到订单的那条消息），"
            f"例如：SO20261120-0042 已发货 {number}")


def not_understood(order_nos: list[str]) -> str:
    """An order was named but no command understood: say nothing changed, and what to type."""
    no = order_nos[0]
    return (f"没看懂要对 {no} 做什么，订单没有改动。可以发：{no} 进度 / {no} 已发货 顺丰 SF… / "
            f"{no} 开工；发“帮助”看全部指令。")


def reported_speech(order_no: str | None) -> str:
    """Someone else's words (老王说…): only first-hand reports change an order."""
    no = order_no or "SO20261120-0042"
    return (f"这条是转述别人的话，订单没有改动：机器人只登记本人的汇报。"
            f"请经手人自己发，例如：{no} 已发货 顺丰 SF… / {no} 开工 / {no} 完工")


def plan_not_done(order_no: str) -> str:
    """快发货了, 明天开工: a plan or something about to happen is not applied."""
    return (f"这是计划或即将要做的事，订单没有改动：做完后再发，例如 {order_no} 已发货 / {order_no} 完工；"
            f"查看现状请发：{order_no} 进度")


def which_of(ref: str, candidates: list[str]) -> str:
    """Still ambiguous after preferring legal and own orders: list at most MAX_SHOWN."""
    shown = "、".join(candidates[:MAX_SHOWN])
    more = f" 等 {len(candidates)} 个" if len(candidates) > MAX_SHOWN else ""
    return f"“{ref}”对应多个订单：{shown}{more}。请写完整订单号。"


def need_reason(order_no: str) -> str:
    return f"请写上取消 {order_no} 的原因，例如：{order_no} 取消 客户撤单"


def ship_waybill_later(order_no: str) -> str:
    return (f"✅ {order_no} 已改为「已发货」。请补发承运商和运单号，例如：{order_no} 顺丰 SF1402938475621"
            f"（自提或自己送货请回复：{order_no} 自提 / {order_no} 送货）；客户发货通知在运单登记后发出。")


def waybill_set(order_no: str, note: str) -> str:
    return f"✅ {order_no} 运单已登记（{note}），发货通知将发给客户。"


def corrected(order_no: str, note: str) -> str:
    return f"✅ {order_no} 已更正：{note}"


def undone(order_no: str, what: str, status_label: str, minutes: int) -> str:
    return (f"↩️ 已撤回 {order_no} 的「{what}」，当前「{status_label}」。"
            f"（只能撤回您自己 {minutes} 分钟内对该订单的最后一次修改）")


# --- lists -----------------------------------------------------------------------------------
LIST_MAX = 8
LIST_TITLES = {"ship_soon": "今明两天要发的订单（已入库）", "mine": "您的待办", "overdue": "逾期未发货的订单",
               "this_week": "本周交货的订单"}
LIST_WHICH = "想看哪个清单？可以发：今天要发哪些 / 我的待办 / 逾期的 / 本周交货"


def list_text(kind: str, lines: list[str], total: int, link: str) -> str:
    """At most LIST_MAX orders, then a link to the admin for the rest."""
    if total == 0:
        return f"{LIST_TITLES[kind]}：没有。"
    out = [f"{LIST_TITLES[kind]}（共 {total} 个）：", *lines]
    if total > len(lines):
        out.append(f"还有 {total - len(lines)} 个，全部见：{link}")
    return "\n".join(out)


def list_line(order_no: str, customer: str, product: str, quantity: int, promised: str, status: str) -> str:
    return f"· {order_no} {customer} {product}×{quantity} 交期{promised}「{status}」"


def todo_line(order_no: str, step: str, customer: str, product: str, quantity: int, due_label: str, due: str,
              countdown: str, red_flag: bool) -> str:
    """One line of 我的待办: the step, the order, and when it is due."""
    flag = "🚩" if red_flag else ""
    return f"· {flag}{order_no}「{step}」{customer} {product}×{quantity} {due_label}{due}（{countdown}）"


# --- creating an order ----------------------------------------------------------------------------
CREATE_NOT_ALLOWED = "抱歉，只有销售（或经理）可以在群里新建订单。"
CREATE_NEEDS = "新建订单还缺：{missing}。例如：新订单 华东机械 P-100 200件 12月10日交"
CREATE_FIELD_LABELS = {"customer": "客户", "product": "产品", "quantity": "数量", "date": "交期"}


def create_ambiguous(label: str, written: str, names: list[str]) -> str:
    shown = "、".join(names[:MAX_SHOWN])
    more = f" 等 {len(names)} 个" if len(names) > MAX_SHOWN else ""
    return f"{label}“{written}”对应多个：{shown}{more}。请写完整名称，订单没有新建。"


def create_unknown(label: str, written: str) -> str:
    return f"没有找到{label}“{written}”，请核对后重发（写主数据里的名称或编码），订单没有新建。"


def created(order_no: str, customer: str, product: str, quantity: int, promised: str) -> str:
    return (f"✅ 已新建订单 {order_no}：客户 {customer}，产品 {product}，数量 {quantity}，交期 {promised}，"
            f"状态「待审核」。如有不对请回复更正，例如：{order_no} 数量改为 {quantity}")


SCREENED_EXAMPLE = "例如：SO20261120-0042 已发货 顺丰 SF1402938475621"
SCREENED_REPLIES = {
    "unsupported msgtype": "这类消息（文件、视频、链接等）我读不了，订单没有改动。请发文字指令，",
    "empty text": "没有看到或听清内容，订单没有改动。请再发一次文字指令，",
    "text longer": "消息太长了（超过 2000 字），订单没有改动。请一条消息只发一个指令，",
    "binary junk": "消息里有无法识别的乱码，订单没有改动。请重新输入文字指令，",
}


def screened(reason: str) -> str:
    """The answer to a message that could not be read (reason as bot.inbound.screen gives it)."""
    head = next((text for key, text in SCREENED_REPLIES.items() if reason.startswith(key)),
                "这条消息读不了，订单没有改动。请发文字指令，")
    return head + SCREENED_EXAMPLE
