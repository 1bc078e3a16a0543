"""Texts of custgroups: what the group owner, their manager and the admin read."""

from __future__ import annotations

GROUPSEND_OFF = "未配置企业微信应用（WECOM_CORP_ID / WECOM_SECRET / WECOM_AGENT_ID），客户群群发关闭"
NO_GROUPS = "群发任务没有群主或客户群"
NO_MSGID = "企业微信没有返回群发任务 msgid：{answer}"

ROUTE_LABELS = {"group": "客户群群发（群主一键确认）", "bridge": "个人微信桥接群", "manual": "业务员手动转发"}
RESULT_LABELS = {"unconfirmed": "待群主确认", "sent": "已发送", "failed": "发送失败"}
FAIL_REASONS = {2: "客户不是好友，发送失败", 3: "该群已达群发接收上限，发送失败"}

# The text that goes into the customer groups with the notice image.
OTHER_SEND = "下单二维码"  # what a task with no order carries (shop's ordering-link QR card)
GROUP_TEXT = "{customer}，您的订单 {order_no} 已发货（{carrier} {tracking_no}），详情见图片，扫码可查看物流进度。"


def tap_to_confirm(order_no: str, customer: str, groups: list[str]) -> str:
    """App message to the group owner when a shipment's tasks are created (one task per group)."""
    names = "、".join(groups[:5]) + ("等" if len(groups) > 5 else "")
    if len(groups) == 1:
        return (f"订单 {order_no}（{customer}）已发货，发货通知已生成客户群群发任务：{names}。"
                f"请在企业微信「工作台 → 客户群群发」（或群发助手的通知）中一键确认发送。")
    return (f"订单 {order_no}（{customer}）已发货，发货通知已按客户群各生成一条群发任务：{names}，"
            f"共 {len(groups)} 个客户群，各需一键确认。"
            f"请在企业微信「工作台 → 客户群群发」（或群发助手的通知）中逐个确认发送。")


def remind_owner(order_no: str, groups: int, hours: float) -> str:
    """Reminder to the owner: their tasks of one order (or one task with no order) wait for them."""
    what = f"订单 {order_no} 的发货通知" if order_no else f"{OTHER_SEND}的"
    each = "，各需一键确认" if groups > 1 and order_no else ""
    return (f"提醒：{what}客户群群发已等待 {hours:g} 小时，还有 {groups} 个客户群未发送{each}。"
            f"请在企业微信「客户群群发」中一键确认。")


def escalate_manager(owner: str, order_no: str, groups: int, hours: float) -> str:
    """To the owner's manager when the reminder did not help (one per order and owner)."""
    what = f"订单 {order_no} 发货通知" if order_no else OTHER_SEND
    return (f"{owner} 的客户群群发（{what}）已超过 {hours:g} 小时未确认，"
            f"还有 {groups} 个客户群未发送，请跟进。")


def forward_instead(order_no: str, reason: str, groups: list[str]) -> str:
    """To the owner when the group-send task could not be created: forward the image by hand."""
    what, image = (f"订单 {order_no} 的", "发货通知图片") if order_no else (f"{OTHER_SEND}的", "图片")
    return (f"{what}客户群群发未能创建（{reason[:120]}）。请把{image}手动转发到客户群："
            f"{'、'.join(groups[:5])}{'等' if len(groups) > 5 else ''}。")


def forward_failed_groups(order_no: str, groups: list[tuple[str, str]]) -> str:
    """To the owner when WeCom did not deliver a confirmed group send to some groups: forward by hand there."""
    shown = "；".join(f"{name}（{reason}）" for name, reason in groups[:5]) + ("等" if len(groups) > 5 else "")
    return f"订单 {order_no} 的发货通知未能群发到以下客户群：{shown}。请把发货通知图片手动转发到这些客户群。"


# ----- admin -------------------------------------------------------------------------------
SYNC_DONE = "已同步客户群：{owners} 位群主，{groups} 个群（新增 {added}）"
SYNC_STARTED = "已开始同步客户群，稍后刷新本页查看结果"
SYNC_OFF = "未配置企业微信应用，无法同步客户群"
SYNC_FAILED = "同步客户群失败：{detail}"
LINK_SAVED = "已将客户群「{group}」关联到客户「{customer}」"
LINK_REMOVED = "已取消客户群「{group}」与客户「{customer}」的关联"
LINK_EXISTS = "客户群「{group}」已关联客户「{customer}」"
LINK_BAD = "请选择有效的客户和客户群"
ROUTE_SAVED = "已将客户「{customer}」的发货通知方式设为「{route}」"
ROUTE_BAD = "无效的通知方式"
