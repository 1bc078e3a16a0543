"""Drill-down lists behind the dashboard figures: the orders, alerts, messages a figure counted."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session, select

from alerts.models import Alert
from bot.models import InboundMessage
from insight import kpis, lineload, texts
from insight.dwell import ended_in
from insight.models import InsightStay
from insight.period import Period
from notify.models import Notification
from orders.models import Customer, Order, QcInspection, StatusEvent
from orders.status import LABELS, Status
from workcal.calendar import Calendar
from workcal.lines import Lines

LIMIT = 300
ALERT_LEVELS = {"yellow": "黄色", "orange": "橙色", "red": "红色"}
ALERT_STATUS = {"open": "待确认", "acked": "已确认", "resolved": "已解除"}


def _fmt(dt, period: Period) -> str:
    return dt.astimezone(period.tz).strftime("%Y-%m-%d %H:%M") if dt else ""


def _order_rows(session: Session, stmt, period: Period) -> list[dict]:
    rows = session.execute(stmt.add_columns(Customer.name).join(Customer, Customer.id == Order.customer_id)
                        .order_by(Order.promised_date).limit(LIMIT)).all()
    return [{"order_no": o.order_no, "cells": [o.order_no, name, LABELS[Status(o.status)],
                                               o.promised_date.isoformat(), _fmt(o.delivered_at, period)]}
            for o, name in rows]


ORDER_COLUMNS = ["订单号", "客户", "状态", "承诺交期", "签收时间"]


def late(session, period, cal):
    return ORDER_COLUMNS, _order_rows(session, kpis.late_query(period), period)


def at_risk(session, period, cal):
    return ORDER_COLUMNS, _order_rows(session, kpis.at_risk_query(period, cal), period)


def delivered_late(session, period, cal):
    # three columns, not whole orders: the period's delivered orders run to tens of thousands
    late_ids = [oid for oid, at, promised in kpis.delivered_rows(session, period, with_created=False)
                if not kpis.is_on_time(at, promised, period)]
    return ORDER_COLUMNS, _order_rows(session, select(Order).where(Order.id.in_(late_ids[:LIMIT])), period)


def delivered(session, period, cal):
    # the orders the on-time rate and lead time count, longest lead time first (the p90 tail on top)
    rows = sorted(kpis.delivered_rows(session, period), key=lambda r: (r[1] - r[2], r[0]))[:LIMIT]
    found = {o.id: (o, name) for o, name in session.execute(
        select(Order, Customer.name).join(Customer, Customer.id == Order.customer_id)
        .where(Order.id.in_([r[0] for r in rows]))).all()} if rows else {}
    out = []
    for oid, created, at, promised in rows:
        o, name = found[oid]
        out.append({"order_no": o.order_no, "cells": [
            o.order_no, name, _fmt(created, period), _fmt(at, period), f"{(at - created).total_seconds() / 86400:.1f}",
            promised.isoformat(), "准时" if kpis.is_on_time(at, promised, period) else "迟交"]})
    return ["订单号", "客户", "下单时间", "签收时间", "周期（天）", "承诺交期", "准时"], out


def status_orders(session, period, cal, status):
    return ORDER_COLUMNS, _order_rows(session, kpis._orders(select(Order).where(Order.status == status), period),
                                      period)


def stays(session, period, cal, status):
    # the stays the dwell figure counts (the stays summary), longest first
    stay = InsightStay.__table__
    stmt = (select(Order.order_no, Customer.name, stay.c.entered_at, stay.c.left_at, stay.c.seconds)
            .join(Order, Order.id == stay.c.order_id).join(Customer, Customer.id == Order.customer_id)
            .where(stay.c.status == status, *ended_in(period)).order_by(stay.c.seconds.desc(), stay.c.event_id)
            .limit(LIMIT))
    return (["订单号", "客户", "进入", "离开", "停留（小时）"],
            [{"order_no": no, "cells": [no, name, _fmt(entered, period), _fmt(left, period), f"{seconds / 3600:.1f}"]}
             for no, name, entered, left, seconds in session.execute(stmt).all()])


def qc_failed(session, period, cal):
    rows = session.exec(select(QcInspection, Order.order_no).join(Order, Order.id == QcInspection.order_id)
                        .where(QcInspection.order_id.in_(kpis.first_inspected_orders(period)),
                               QcInspection.result == "fail").order_by(QcInspection.at.desc()).limit(LIMIT)).all()
    return (["订单号", "时间", "不良", "物料批次", "质检员"],
            [{"order_no": no, "cells": [no, _fmt(q.at, period), q.defects, q.material_batch, q.inspector]}
             for q, no in rows])


def alerts(session, period, cal):
    stmt = kpis._for_orders(select(Alert).where(Alert.raised_at >= period.start, Alert.raised_at < period.end),
                              period, Alert.order_id)
    rows = session.exec(stmt.order_by(Alert.raised_at.desc()).limit(LIMIT)).all()
    return (["订单号", "级别", "状态", "产生", "确认", "升级层级", "说明"],
            [{"order_no": a.order_no, "cells": [a.order_no, ALERT_LEVELS.get(a.level, "其他"),
                                                ALERT_STATUS.get(a.status, "其他"), _fmt(a.raised_at, period),
                                                _fmt(a.acked_at, period), str(a.escalation_level), a.detail]}
             for a in rows])


def sources(session, period, cal):
    stmt = kpis._for_orders(select(StatusEvent, Order.order_no).join(Order, Order.id == StatusEvent.order_id)
                              .where(StatusEvent.at >= period.start, StatusEvent.at < period.end),
                              period, StatusEvent.order_id)
    rows = session.exec(stmt.order_by(StatusEvent.at.desc()).limit(LIMIT)).all()
    return (["订单号", "时间", "来源", "操作人", "变为"],
            [{"order_no": no, "cells": [no, _fmt(e.at, period), texts.SOURCE_LABELS.get(e.source, "其他"), e.actor,
                                        LABELS[Status(e.to_status)]]} for e, no in rows])


def notifications_failed(session, period, cal):
    stmt = kpis._for_orders(select(Notification).where(
        Notification.created_at >= period.start, Notification.created_at < period.end,
        Notification.status == "failed"), period, Notification.order_id)
    rows = session.exec(stmt.order_by(Notification.created_at.desc()).limit(LIMIT)).all()
    return (["创建时间", "收件人", "标题", "原因"],
            [{"order_no": None, "cells": [_fmt(n.created_at, period), n.recipient_name or "", n.subject,
                                          n.last_error[:120]]} for n in rows])


def chat_help(session, period, cal):
    # no order filter applies: a chat message belongs to no order (insight.filters.UNFILTERED)
    rows = session.exec(select(InboundMessage).where(
        InboundMessage.received_at >= period.start, InboundMessage.received_at < period.end,
        InboundMessage.status == "ignored").order_by(InboundMessage.received_at.desc()).limit(LIMIT)).all()
    return (["收到时间", "发送人", "群", "内容"],
            [{"order_no": None, "cells": [_fmt(m.received_at, period), m.sender_name, m.chat_name, m.text[:200]]}
             for m in rows])


def line_load(session, period, cal, lines):
    return (["订单号", "客户", "产线", "工序", "首个计划日", "末个计划日", "窗口内工时", "承诺交期"],
            lineload.planned_orders(session, period, lines, LIMIT))


LISTS = {
    "late": ("已逾期订单", late), "at_risk": ("交期风险订单", at_risk),
    "delivered_late": ("周期内迟交的订单", delivered_late), "delivered": ("周期内签收的订单（周期最长在前）", delivered), "qc_failed": ("首检周期内有不合格的订单", qc_failed),
    "alerts": ("周期内产生的预警", alerts), "sources": ("周期内的状态记录", sources),
    "notifications_failed": ("发送失败的通知", notifications_failed), "chat_help": ("未被理解的聊天消息", chat_help),
    "line_load": ("未来工作日各产线已排的订单", line_load),
}
NEEDS_LINES = ("line_load",)
# lists of one status, named <prefix><status code>: dwell_in_production, status_pending_qc …
PER_STATUS = {"dwell_": ("周期内结束的「{label}」停留（最长在前）", stays), "status_": ("当前「{label}」的订单", status_orders)}


def _find(name: str):
    """(title, function) of a list name, the per-status ones included; None for an unknown name."""
    if name in LISTS:
        return LISTS[name]
    for prefix, (title, fn) in PER_STATUS.items():
        code = name.removeprefix(prefix)
        if name.startswith(prefix) and code in kpis.ORDER_STATUS:
            return title.format(label=LABELS[Status(code)]), partial(fn, status=code)
    return None


def drill_list(session: Session, name: str, period: Period, cal: Calendar, lines: Lines | None = None) -> dict | None:
    """{title, columns, rows} of one drill-down list, None for an unknown name; the line-load list needs the
    production lines (`nextsteps.planning.lines_for`)."""
    found = _find(name)
    if found is None:
        return None
    title, fn = found
    if name in NEEDS_LINES:
        if lines is None:
            raise ValueError(f"the {name} list needs the production lines")
        columns, rows = fn(session, period, cal, lines)
    else:
        columns, rows = fn(session, period, cal)
    return {"name": name, "title": title, "columns": columns, "rows": rows}
