"""Defects traced to material batches and suppliers: each QC inspection names the material batch it
used; purchase lines name the batch's supplier. Ranked by the Wilson 95 % lower bound of the defect
rate, only with at least `MIN_SAMPLE` inspections."""

from __future__ import annotations

from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from insight import texts
from insight.filters import restrict_by_order
from insight.period import Period
from insight.stats import rate, wilson
from orders.models import Customer, Order, QcInspection
from orders.qc import batch_sources, split_batches

MIN_SAMPLE = 5


def _row(name: str, fails: int, n: int) -> dict:
    low, high = wilson(fails, n)
    return {"name": name, "inspections": n, "failed": fails, "defect_rate": rate(fails, n),
            "ci_low": low, "ci_high": high, "ranked": n >= MIN_SAMPLE}


def _rank(rows: list[dict]) -> list[dict]:
    """Ranked rows first (lower bound, then rate, high to low), then the ones with too few inspections."""
    rows.sort(key=lambda r: (not r["ranked"], -r["ci_low"], -(r["defect_rate"] or 0), r["name"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i if r["ranked"] else None
    return rows


def batch_suppliers(session: Session, batches: list[str]) -> dict[str, tuple[str, str]]:
    """batch number -> (supplier, material name) from the purchase lines that brought it in."""
    if not batches:
        return {}
    found = batch_sources(session, batches)
    return {b: (found[b.upper()][0].supplier or texts.UNKNOWN_SUPPLIER, found[b.upper()][0].material)
            for b in batches if b.upper() in found}


def supplier_report(session: Session, period: Period) -> dict:
    """Suppliers and batches ranked by defect rate over the period's inspections."""
    failed = func.sum(case((QcInspection.result == "fail", 1), else_=0))
    stmt = (select(QcInspection.material_batch, failed, func.count())
            .where(QcInspection.material_batch != "", QcInspection.at >= period.start, QcInspection.at < period.end)
            .group_by(QcInspection.material_batch))
    stmt = restrict_by_order(stmt, period, QcInspection.order_id)
    counts: dict[str, list[int]] = {}
    for written, f, n in session.exec(stmt).all():  # an inspection counts once for each batch it used
        for b in split_batches(written):
            agg = counts.setdefault(b, [0, 0])
            agg[0] += int(f or 0)
            agg[1] += int(n)
    per_batch = [(b, f, n) for b, (f, n) in counts.items()]
    owners = batch_suppliers(session, [b for b, _, _ in per_batch])
    batches, by_supplier = [], {}
    for batch, fails, n in per_batch:
        supplier, material = owners.get(batch, (texts.UNKNOWN_SUPPLIER, ""))
        batches.append({**_row(batch, fails, n), "supplier": supplier, "material": material})
        agg = by_supplier.setdefault(supplier, [0, 0, 0])
        agg[0] += fails
        agg[1] += n
        agg[2] += 1
    suppliers = [{**_row(name, f, n), "batches": k} for name, (f, n, k) in by_supplier.items()]
    return {"min_sample": MIN_SAMPLE, "rule": texts.SUPPLIER_RULE.format(min_n=MIN_SAMPLE),
            "suppliers": _rank(suppliers), "batches": _rank(batches)}


def batch_inspections(session: Session, batch: str, limit: int = 500) -> list[dict]:
    """Every inspection that used `batch`, newest first, with its order and customer."""
    rows = session.exec(select(QcInspection, Order.order_no, Customer.name)
                        .join(Order, Order.id == QcInspection.order_id)
                        .join(Customer, Customer.id == Order.customer_id)
                        .where(or_(QcInspection.material_batch == batch,
                                   QcInspection.material_batch.like(f"{batch},%"),
                                   QcInspection.material_batch.like(f"%,{batch}"),
                                   QcInspection.material_batch.like(f"%,{batch},%")))
                        .order_by(QcInspection.at.desc()).limit(limit)).all()
    return [{"id": q.id, "order_no": no, "customer": cust, "result": q.result,
             "result_label": "合格" if q.result == "pass" else "不合格", "defects": q.defects,
             "inspector": q.inspector, "at": q.at} for q, no, cust in rows]
