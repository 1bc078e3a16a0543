"""Material coverage of an order: BOM × quantity against stock and open purchase lines."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from orders.models import BomLine, Material, Order, Product, PurchaseLine


@dataclass(frozen=True)
class Shortage:
    """One material the order needs more of than stock plus open purchases can give."""

    code: str
    name: str
    unit: str
    need: float
    on_hand: float
    on_order: float

    @property
    def missing(self) -> float:
        return round(self.need - self.on_hand - self.on_order, 3)


def open_purchase_qty(session: Session, material_id: int) -> float:
    """Quantity still to arrive on purchase lines that are not fully received."""
    remaining = func.coalesce(func.sum(PurchaseLine.quantity - PurchaseLine.arrived_quantity), 0)
    return float(session.exec(select(remaining).where(PurchaseLine.material_id == material_id,
                                                      PurchaseLine.arrived_on.is_(None))).one())


def shortages(session: Session, order: Order) -> list[Shortage]:
    """Materials of the order's BOM not covered; exactly enough counts as covered."""
    rows = session.exec(select(BomLine, Material).join(Material, Material.id == BomLine.material_id)
                        .where(BomLine.product_id == order.product_id)).all()
    short = []
    for bom, material in rows:
        need = need_of(bom, order.quantity)
        on_order = open_purchase_qty(session, material.id)
        if need > material.stock_on_hand + on_order + 1e-9:
            short.append(Shortage(material.code, material.name, material.unit, need, material.stock_on_hand, on_order))
    return short


def need_of(bom: BomLine, quantity: float) -> float:
    """What `quantity` pieces take of one BOM line's material, scrap allowance included."""
    return round(bom.qty_per_unit * quantity * (1 + (bom.scrap_pct or 0) / 100), 3)


def needs(session: Session, order: Order) -> dict[int, float]:
    """Material id -> quantity the order needs (its BOM × quantity, scrap included)."""
    out: dict[int, float] = {}
    for bom in session.exec(select(BomLine).where(BomLine.product_id == order.product_id)).all():
        out[bom.material_id] = round(out.get(bom.material_id, 0) + need_of(bom, order.quantity), 3)
    return out


def whole_units(amount: float) -> int:
    """Packaging is counted in whole boxes/pallets: round up (0.3 of a pallet is still a pallet).

    Rounded to 6 places first, so 0.1 × 30 (= 3.0000000000000004 in floats) stays 3."""
    return max(0, math.ceil(round(amount, 6)))


def packaging_need(session: Session, order: Order) -> tuple[Material, int] | None:
    """The packaging material of the order's product and how many whole units of it the order needs."""
    product = session.get(Product, order.product_id)
    if not product or not product.packaging_material_id:
        return None
    material = session.get(Material, product.packaging_material_id)
    return material, whole_units(product.packaging_per_unit * order.quantity)
