"""A small hand-built factory history for the insight tests: orders with known delivery dates,
status histories, inspections, alerts, notifications and chat messages, all in March 2026
(no Chinese holiday), so every figure can be recomputed by hand or by SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alerts.models import Alert, AlertRule
from bot.models import InboundMessage
from notify.models import Notification
from orders.models import Customer, Material, Order, Product, PurchaseLine, QcInspection, StatusEvent

NOW = datetime(2026, 3, 31, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Tuesday


def at(day: int, hour: int = 2) -> datetime:
    """A UTC time on a March 2026 day (hour 2 UTC = 10:00 Shanghai)."""
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


# (promised day, delivered day or None, status) — promised Mondays/Fridays, delays in working days:
# delivered 10th for promised 9th = 1 working day late; 13th for 9th = 4; 16th (Mon) for 13th (Fri) = 1.
DELIVERIES = [
    (9, 6, "delivered"), (9, 9, "completed"), (10, 10, "delivered"), (9, 10, "delivered"),
    (9, 13, "completed"), (13, 16, "delivered"), (20, 19, "delivered"),
]
OPEN = [  # (promised day, status): late ones are before the 31st, at-risk within 2 working days
    (27, "in_production"), (30, "in_stock"), (31, "scheduled"), (31, "shipped"), (25, "cancelled"),
]


def build(s) -> dict:
    """Write the dataset; returns the customers {'late': id, 'new': id}."""
    late_c, new_c = Customer(name="迟交客户有限公司"), Customer(name="新客户有限公司")
    prod = Product(code="P-1", name="外壳")
    alu = Material(code="AL", name="铝棒")
    s.add_all([late_c, new_c, prod, alu])
    s.flush()
    orders = []
    for i, (promised, delivered, status) in enumerate(DELIVERIES):
        orders.append(Order(order_no=f"SO-D{i}", customer_id=late_c.id, product_id=prod.id, quantity=10,
                            promised_date=date(2026, 3, promised), status=status, created_at=at(1 + i),
                            delivered_at=at(delivered), version=1))
    for i, (promised, status) in enumerate(OPEN):
        orders.append(Order(order_no=f"SO-O{i}", customer_id=late_c.id, product_id=prod.id, quantity=10,
                            promised_date=date(2026, 3, promised), status=status, created_at=at(2), version=1))
    s.add_all(orders)
    s.flush()
    chain = ["pending_review", "pending_schedule", "scheduled", "in_production", "pending_qc", "in_stock"]
    for k, o in enumerate(orders[:6]):
        t = at(2 + k)
        prev = None
        for j, st in enumerate(chain):
            t = t + timedelta(hours=3 + 2 * j + k)
            s.add(StatusEvent(order_id=o.id, from_status=prev, to_status=st, at=t,
                              source=["chat", "web", "scan", "api"][(j + k) % 4]))
            if st == "pending_qc":
                s.add(StatusEvent(order_id=o.id, from_status=st, to_status=st, command="qc_pass",
                                  at=t + timedelta(minutes=30), source="web"))
            prev = st
    s.add(PurchaseLine(material_id=alu.id, quantity=1, batch_no="BAD-1", supplier="坏供应商"))
    s.add(PurchaseLine(material_id=alu.id, quantity=1, batch_no="OK-1", supplier="好供应商"))
    results = [("fail", "BAD-1"), ("pass", "BAD-1"), ("pass", "OK-1"), ("fail", "BAD-1"), ("pass", "OK-1"),
               ("pass", "OK-1")]
    for k, (result, batch) in enumerate(results):
        s.add(QcInspection(order_id=orders[k].id, result=result, material_batch=batch, at=at(10 + k)))
    s.add(QcInspection(order_id=orders[0].id, result="pass", material_batch="BAD-1", at=at(18)))
    for k in range(4):
        s.add(QcInspection(order_id=orders[7 + k % 3].id, result="fail" if k < 3 else "pass",
                           material_batch="BAD-1", at=at(20 + k)))
    rule = AlertRule(code="r1", kind="promise_unscheduled")
    s.add(rule)
    s.flush()
    for k in range(3):
        s.add(Alert(rule_id=rule.id, order_id=orders[k].id, order_no=orders[k].order_no, level="yellow",
                    raised_at=at(20 + k), acked_at=at(20 + k, 2 + 3 * k) if k < 2 else None,
                    escalation_level=k, status="acked" if k < 2 else "open"))
    for k, st in enumerate(["sent", "sent", "sent", "failed", "skipped"]):
        s.add(Notification(kind="reply", channel="email", recipient="x", dedupe_key=f"n{k}", status=st,
                           created_at=at(25)))
    for k, st in enumerate(["processed", "processed", "ignored", "failed"]):
        s.add(InboundMessage(platform="bridge", platform_msg_id=f"m{k}", status=st, received_at=at(26)))
    s.commit()
    return {"late": late_c.id, "new": new_c.id}
