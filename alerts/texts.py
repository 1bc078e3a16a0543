"""Texts of alerts: raised, cc, escalated, repeated, resolved, and rule problems.

Owned by alerts/; every Chinese string of the alert lifecycle lives here (why a recipient spec
reached nobody is worded by orders.texts, next to the shared resolver).
"""

from __future__ import annotations

from datetime import date

LEVEL_LABELS = {"yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}
CHANNEL_LABELS = {"wecom_app": "企业微信", "sms": "短信", "email": "邮件"}
UNIT_LABELS = {"hours": "小时", "working_hours": "工作小时", "days": "天", "working_days": "工作日"}


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


# ---- facts shown in a message ------------------------------------------------------------------
def detail_promise(promised: date, days_left: int) -> str:
    left = f"剩 {days_left} 天" if days_left >= 0 else f"已超期 {-days_left} 天"
    return f"承诺交期 {promised.isoformat()}（{left}）"


def detail_in_status(status_label: str, since: str) -> str:
    return f"{since} 起一直「{status_label}」"


def detail_pickup(carrier: str, since: str) -> str:
    return f"{since} 已发货{f'（{carrier}）' if carrier else ''}，承运商尚未揽收"


def detail_purchase(expected: date, start: date) -> str:
    return f"采购物料预计 {expected.isoformat()} 到货，晚于计划开工 {start.isoformat()}"


# ---- messages ------------------------------------------------------------------------------------
def subject(level: str, rule_name: str, order_no: str) -> str:
    return f"【{level_label(level)}】{order_no} {rule_name}"


def raised(level: str, rule_name: str, order_no: str, detail: str, person: str) -> str:
    return (f"【{level_label(level)}】订单 {order_no}：{rule_name}。{detail}。\n"
            f"{person}，请尽快处理；处理后回复「收到 {order_no}」确认。")


def cc(level: str, rule_name: str, order_no: str, detail: str, person: str) -> str:
    return (f"【{level_label(level)}·抄送】{person} 负责的订单 {order_no}：{rule_name}。{detail}。"
            f"已通知 {person} 处理。")


def escalated(level: str, rule_name: str, order_no: str, detail: str, step: int, waited: str) -> str:
    return (f"【{level_label(level)}·第 {step} 级升级】订单 {order_no}：{rule_name}。{detail}。\n"
            f"负责人 {waited} 内未确认，请督办；回复「收到 {order_no}」确认。")


def repeated(level: str, rule_name: str, order_no: str, detail: str, count: int) -> str:
    return (f"【{level_label(level)}·第 {count + 1} 次提醒】订单 {order_no}：{rule_name}。{detail}。"
            f"仍未确认，回复「收到 {order_no}」确认。")


def resolved(rule_name: str, order_no: str, level: str) -> str:
    return f"【已解除】订单 {order_no} 的{level_label(level)}「{rule_name}」已解除，无需再处理。"


def window_text(minutes: int) -> str:
    return f"{minutes // 60} 小时{f' {minutes % 60} 分钟' if minutes % 60 else ''}" if minutes >= 60 \
        else f"{minutes} 分钟"


# ---- rule problems (admin, /healthz, API errors) -------------------------------------------------
def bad_kind(kind: str) -> str:
    return f"未知的规则类型「{kind}」。"


def bad_unit(unit: str, allowed) -> str:
    return f"阈值单位「{unit}」不适用于此规则，可用：{'、'.join(UNIT_LABELS.get(u, u) for u in allowed)}。"


def bad_threshold(value) -> str:
    return f"阈值「{value}」无效：必须是不小于 0 的数字，且不超过合理范围。"


def bad_statuses(codes) -> str:
    return f"未知的订单状态：{'、'.join(map(str, codes))}。"


def bad_level(level: str) -> str:
    return f"预警级别「{level}」无效，可用：yellow、orange、red。"


def bad_channel(channel: str) -> str:
    return f"通知渠道「{channel}」无效，可用：wecom_app、sms、email。"


def bad_recipient(value: str) -> str:
    return (f"接收人「{value}」无效，请写 owner（订单负责人）、role:角色、head:角色（部门负责人）、"
            "line_lead（产线负责人）或 staff:人员编号。")


def bad_minutes(field: str, value) -> str:
    return f"「{field}」必须是 0 到 43200 之间的分钟数，收到「{value}」。"


def no_recipients(rule_name: str) -> str:
    return f"规则「{rule_name}」没有配置接收人。"


def missing_recipient(rule_name: str, what: str, orders: list[str]) -> str:
    shown = "、".join(orders[:5]) + (f" 等 {len(orders)} 单" if len(orders) > 5 else "")
    return f"规则「{rule_name}」：{what}，订单 {shown} 无人接收预警。"


def missing_address(rule_name: str, person: str, channel: str) -> str:
    what = {"wecom_app": "企业微信账号", "sms": "手机号", "email": "邮箱"}.get(channel, channel)
    return f"规则「{rule_name}」：{person} 没有{what}，无法通过{CHANNEL_LABELS.get(channel, channel)}通知。"


def rule_crashed(rule_name: str, ref: str) -> str:
    return f"规则「{rule_name}」运行出错（编号 {ref}），其他规则照常运行。"


def rule_not_found(rule_id) -> str:
    return f"没有找到预警规则 {rule_id}。"


def alert_not_found(alert_id) -> str:
    return f"没有找到预警 {alert_id}。"


def ack_not_yours(order_no) -> str:
    return f"订单 {order_no} 的预警只能由接收人、其上级或管理员确认。"


def alert_already_resolved(alert_id) -> str:
    return f"预警 {alert_id} 已解除，无需确认。"
