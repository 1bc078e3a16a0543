"""The 可发货 message counts packaging in whole units and says it rounded up (no more "需 67.5个")."""

from __future__ import annotations

from sqlmodel import select

from nextsteps.rules import ensure_default_rules
from notify.models import Notification
from orders.models import Product
from orders.status import Status
from tests.factories import basic_factory, order_in


def test_ready_to_ship_message_rounds_packaging_up_to_whole_units(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        world = basic_factory(uow)
        ensure_default_rules(uow.session)
        prod = uow.session.get(Product, world["product"].id)
        prod.packaging_per_unit = 0.675  # 100 pieces: 67.5 boxes
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    with rt.uow() as uow:
        bodies = [n.body for n in uow.session.exec(select(Notification).where(
            Notification.order_id == order.id, Notification.kind == "next_step")).all() if "【可发货】" in n.body]
    assert bodies and all("需 68个（按整个向上取整）" in b and "67.5" not in b for b in bodies)


def test_ready_to_ship_message_counts_stock_in_whole_units_too(app):
    """A fraction of a box on hand packs nothing: stock 67.9 is 67 boxes, short of the 68 needed."""
    from orders.models import Material

    rt = app.extensions["ops"]
    with rt.uow() as uow:
        world = basic_factory(uow)
        ensure_default_rules(uow.session)
        prod = uow.session.get(Product, world["product"].id)
        prod.packaging_per_unit = 0.675
        box = uow.session.get(Material, prod.packaging_material_id)
        box.stock_on_hand = 67.9
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    with rt.uow() as uow:
        bodies = [n.body for n in uow.session.exec(select(Notification).where(
            Notification.order_id == order.id, Notification.kind == "next_step")).all() if "【可发货】" in n.body]
    assert bodies and all(f"库存 67{box.unit}（⚠️ 不足）" in b and "67.9" not in b for b in bodies), bodies
