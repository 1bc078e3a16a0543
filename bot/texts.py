"""Chat replies of the bot (bot/): short, polite zh-CN text in the chat the message came from."""

from __future__ import annotations

from collections.abc import Iterable

MAX_CANDIDATES = 8

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
def which_one(ref: str, candidates: list[str]) -> str:
    """A short reference matches several open orders: list them."""
    shown = "、".join(candidates[:MAX_CANDIDATES])
    more = f" 等 {len(candidates)} 个" if len(candidates) > MAX_CANDIDATES else ""
    return f"“{ref}”对应多个未完成订单：{shown}{more}。请写完整订单号。"


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


def qc_passed(order_no: str) -> str:
    return f"✅ {order_no} 质检合格已登记，等待仓库入库。"


def qc_failed_detail(reason: str | None) -> str:
    return f"原因：{reason}" if reason else ""


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
