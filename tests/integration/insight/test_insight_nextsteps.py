"""The planning head's 待审核 message carries insight's suggested delivery buffer for the customer:
数据不足 for a customer with too few deliveries, the working-day suggestion once there is a record."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from core.types import utcnow
from insight import buffer_for
from insight.buffer import MIN_ORDERS
from nextsteps.rules import ensure_default_rules
from notify.models import Notification
from orders import service
from orders.models import Order
from tests.factories import actor_of, basic_factory


def _submit(rt, actor) -> str:
    with rt.uow() as uow:
        order = service.create_order(uow, customer="测试机械", product="SH-100", quantity=10,
                                     promised_date=date.today() + timedelta(days=30),
                                     actor=actor, tz=rt.settings.tz)
        uow.commit()
        no = order.order_no
    with rt.uow() as uow:
        body = uow.session.exec(select(Notification.body).where(Notification.kind == "next_step")
                                .order_by(Notification.id.desc())).first()
    assert body.startswith("【待审核】") and no in body
    return body


def test_submitted_message_carries_the_customer_buffer(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        w = basic_factory(uow)
        ensure_default_rules(uow.session)
        uow.commit()
        customer_id, product_id, sales = w["customer"].id, w["product"].id, actor_of(w["people"]["sales"])
    body = _submit(rt, sales)
    assert "交期缓冲" in body and "数据不足" in body

    now = utcnow()
    with rt.uow() as uow:  # a delivery record: every order delivered 3 calendar weeks after its promise
        for k in range(MIN_ORDERS):
            uow.session.add(Order(order_no=f"SO-H{k}", customer_id=customer_id, product_id=product_id,
                                  quantity=1, status="completed", promised_date=(now - timedelta(days=30)).date(),
                                  delivered_at=now - timedelta(days=9), version=1))
        uow.commit()
    with rt.uow() as uow:
        expected = buffer_for(uow.session, customer_id, settings=rt.settings)
    assert expected.enough_data and expected.suggested_days >= 10
    body = _submit(rt, sales)
    assert expected.text in body and "数据不足" not in body
    assert f"加 {expected.suggested_days} 个工作日" in body
    with rt.uow() as uow:  # the product now belongs to a product line: its buffers join the customer's
        from orders.models import Product

        uow.session.get(Product, product_id).product_line = "外壳"
        uow.commit()
    with rt.uow() as uow:
        per_line = buffer_for(uow.session, customer_id, settings=rt.settings, product_line="外壳")
        overall = buffer_for(uow.session, None, settings=rt.settings, product_line="外壳")
    body = _submit(rt, sales)
    assert expected.text in body and per_line.text in body and overall.text in body
    assert "该客户·产品线 外壳" in per_line.text and "全部客户" in overall.text
