"""Texts of logistics: what a shipping notice shows and says, the customer tracking page, Kuaidi100
answers and logistics alerts (zh-CN). The notice image's own labels live in notify.texts."""

from __future__ import annotations

from notify import texts as notify_texts

# ---------------------------------------------------------------- values shown on the notice image
DEFAULT_COMPANY = "宁波精密金属制品有限公司"
NONE_TEXT = notify_texts.NONE_TEXT  # the image and the values it shows use one placeholder
SELF_PICKUP_TEXT = "自提（无运单号）"


def quantity_text(quantity: int, unit: str = "件") -> str:
    """'1,200 件'."""
    return f"{quantity:,} {unit}"


# ---------------------------------------------------------------- messages that carry the notice
def forward_line(order_no: str, carrier: str | None, tracking_no: str | None, url: str | None) -> str:
    """The one line the salesperson forwards to the customer group with the image."""
    waybill = f"{carrier or ''} {tracking_no or ''}".strip() or "自提"
    where = f"扫描图片二维码或打开 {url}" if url else "扫描图片中的二维码"
    return f"您好，订单 {order_no} 已发货（{waybill}），{where}可查看物流进度。"


def salesperson_text(order_no: str, customer: str, forward: str) -> str:
    """App message to the salesperson: what to forward, and how."""
    return (f"订单 {order_no}（{customer}）已发货，发货通知图片见上一条消息。\n"
            f"一键转发到客户群：长按图片转发，并附上这句话：\n{forward}")


def ops_group_text(order_no: str, customer: str, sales: str | None) -> str:
    """Caption for the internal ops group (sent as text next to the image)."""
    who = f"，请销售 {sales} 转发到客户群" if sales else ""
    return f"订单 {order_no}（{customer}）发货通知已生成{who}。"


# ---------------------------------------------------------------- tracking page
MILESTONES = ("下单", "排产", "生产", "质检", "入库", "发货", "运输中", "签收")
# Customer-facing milestone of each status: internal detours (purchase, outsourcing,
# rework) show as the milestone the customer understands.
MILESTONE_OF_STATUS = {
    "pending_review": 0, "pending_schedule": 0, "pending_purchase": 0, "pending_outsource": 2,
    "scheduled": 1, "in_production": 2, "rework": 2, "pending_qc": 3, "in_stock": 4,
    "shipped": 5, "in_transit": 6, "delivered": 7, "completed": 7, "cancelled": -1,
}
PAGE_TITLE = "订单进度"
CANCELLED_TEXT = "该订单已取消，如有疑问请联系您的销售顾问。"
NOT_FOUND_TITLE = "链接无效"
NOT_FOUND_TEXT = "该查询链接无效或已过期，请联系您的销售顾问获取新的链接。"
TOO_MANY_TITLE = "访问太频繁"
TOO_MANY_TEXT = "访问太频繁，请稍后再试。"
NO_TRACES_TEXT = "暂无物流动态，承运商揽收后将在此显示。"

# ---------------------------------------------------------------- Kuaidi100 and logistics alerts
KD100_OK = "成功"
KD100_BAD_SIGN = "签名错误"
KD100_NOT_CONFIGURED = "未配置签名密钥"
KD100_BAD_PARAM = "参数错误"
KD100_FAILED = "处理失败，请稍后重试"

STATE_LABELS = {
    "0": "在途", "1": "揽收", "2": "疑难", "3": "签收", "4": "退签", "5": "派件", "6": "退回",
    "7": "转投", "8": "清关", "10": "待清关", "11": "清关中", "12": "已清关", "13": "清关异常", "14": "拒签",
}


def exception_text(order_no: str, customer: str, carrier: str | None, tracking_no: str, state_label: str,
                   latest: str) -> str:
    """Alert to the salesperson: the parcel is refused, returned or stuck."""
    return (f"【物流异常】订单 {order_no}（{customer}）{carrier or ''} {tracking_no} 状态：{state_label}。\n"
            f"最新动态：{latest or '无'}\n请尽快联系客户和承运商处理。")


def abort_text(order_no: str, tracking_no: str, message: str, new_carrier: str | None) -> str:
    """Alert: Kuaidi100 stopped tracking the waybill (no records, or no change for 60 days)."""
    fix = f"快递100 已将承运商编码更正为 {new_carrier} 并重新跟踪。" if new_carrier else "请核对承运商和运单号。"
    return f"【物流跟踪中止】订单 {order_no} 运单 {tracking_no}：{message or '跟踪中止'}。{fix}"


# ---------------------------------------------------------------- API messages
NOTICE_NOT_READY = "订单 {order_no} 尚未发货，没有发货通知。"
TRACE_ADDED = "已添加物流记录。"

# ---- the ship form and waybill corrections (logistics/waybill_format.py, logistics/correction.py) ----
CARRIER_UNKNOWN = "承运商「{carrier}」不在列表里，请从下拉框选择：{choices}。"
TRACKING_MISSING = "请填写运单号（只有自提可以不填）。"
TRACKING_BAD = ("运单号「{number}」看起来不对：应为 8–40 位字母、数字或短横线，且至少含 6 位数字。")
TRACKING_FORMAT = ("运单号「{number}」不符合{carrier}的格式（{hint}）。请核对；确实无误请勾选“格式不同也使用”。")
CORRECT_NOT_SHIPPED = "订单 {order_no} 还没有发货，没有可更正的物流信息。"
CORRECT_NOT_ALLOWED = "您的角色不能更正订单 {order_no} 的物流信息。"
CORRECT_NOTHING = "承运商和运单号都没有变化。"
CORRECTED = "订单 {order_no} 的物流信息已更正：{changes}；已重新发送发货通知。"
CORRECT_LABELS = {"carrier": "承运商", "tracking_no": "运单号"}
