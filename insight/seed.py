"""Insight's part of the demo factory: every QC inspection names a batch that a purchase line brought
in, and one supplier (慈溪恒昌) delivered a bad aluminium batch that most failed inspections used, so
the supplier report has something to find; and the accuracy audit of the month with the most
deliveries, drawn and half checked (two status histories found wrong), so the audit page shows a rate."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from insight import audit
from insight.models import AccuracyAuditItem
from orders.models import BomLine, Material, Order, PurchaseLine, QcInspection

BAD_SUPPLIER = "慈溪市恒昌金属材料有限公司"
BAD_MATERIAL = "RM-AL6063"
BAD_FAILS, BAD_PASSES = 6, 2


def bad_batch_no(created: dict) -> str:
    """The number of the demo's bad batch (dated a month before the seed's now)."""
    day = (created["now"] - timedelta(days=30)).astimezone(created["tz"]).date()
    return f"B{day:%y%m%d}-HC"


def _batch_for(s: Session, insp: QcInspection, rng: random.Random) -> str | None:
    """A batch that really fed the order: its own purchase line, else stock of its main material."""
    own = s.exec(select(PurchaseLine.batch_no).where(PurchaseLine.order_id == insp.order_id,
                                                     PurchaseLine.batch_no != "")).first()
    if own:
        return own
    product_id = s.exec(select(Order.product_id).where(Order.id == insp.order_id)).one()
    material_id = s.exec(select(BomLine.material_id).where(BomLine.product_id == product_id)
                         .order_by(BomLine.id)).first()
    stock = s.exec(select(PurchaseLine.batch_no).where(PurchaseLine.material_id == material_id,
                                                       PurchaseLine.batch_no != "")
                   .order_by(PurchaseLine.id)).all()
    return rng.choice(stock) if stock else None


def seed_quality_batches(s: Session, created: dict) -> None:
    """Trace inspections to purchase-line batches and plant one bad batch of one supplier."""
    rng = random.Random(2311)
    inspections = s.exec(select(QcInspection).order_by(QcInspection.at, QcInspection.id)).all()
    for insp in inspections:
        batch = _batch_for(s, insp, rng)
        if batch:
            insp.material_batch = batch
            s.add(insp)
    material = s.exec(select(Material).where(Material.code == BAD_MATERIAL)).first()
    if material is None:
        return
    bad = bad_batch_no(created)
    arrived = (created["now"] - timedelta(days=30)).astimezone(created["tz"]).date()
    s.add(PurchaseLine(material_id=material.id, quantity=500, arrived_quantity=500, expected_on=arrived,
                       arrived_on=arrived, batch_no=bad, supplier=BAD_SUPPLIER))
    fails = [i for i in inspections if i.result == "fail"][:BAD_FAILS]
    passes = [i for i in inspections if i.result == "pass"][:BAD_PASSES]
    for insp in fails + passes:
        insp.material_batch = bad
        s.add(insp)
    s.flush()


AUDIT_SEED = 1611
AUDIT_CHECKED = 40  # of the sample, in draw order
AUDIT_WRONG = {7: "签收时间比实际晚一天：司机次日才在群里报签收", 23: "漏记了一次返工（质检不合格后直接入库）"}


def seed_accuracy_audit(s: Session, created: dict) -> None:
    """Draw the audit of the month (this or the last) with the most deliveries and check its first orders."""
    now, tz = created["now"], created["tz"]
    this = now.astimezone(tz).replace(day=1)
    months = [f"{this:%Y-%m}", f"{this - timedelta(days=1):%Y-%m}"]
    sizes = {m: len(audit.delivered_ids(s, *audit.parse_month(m, tz, now))) for m in months}
    month = max(months, key=lambda m: sizes[m])
    if not sizes[month] or audit.audit_of(s, month) is not None:  # a forced re-seed keeps the audit it has
        return
    manager = created["staff"].get("demo.manager")
    who = manager.name if manager is not None else "demo.manager"
    found = audit.new_audit(s, month, tz, who, seed=AUDIT_SEED, now=now - timedelta(hours=30))
    items = s.exec(select(AccuracyAuditItem).where(AccuracyAuditItem.audit_id == found.id)
                   .order_by(AccuracyAuditItem.position).limit(AUDIT_CHECKED)).all()
    for item in items:
        at = now - timedelta(hours=28) + timedelta(minutes=3 * item.position)
        note = AUDIT_WRONG.get(item.position, "")
        audit.record_verdict(s, item, "wrong" if note else "correct", note, who, at)
    s.flush()


def seed_insight(s: Session, created: dict) -> None:
    """Insight's demo rows: traced QC batches, then the accuracy audit."""
    seed_quality_batches(s, created)
    seed_accuracy_audit(s, created)
