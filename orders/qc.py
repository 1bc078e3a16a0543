"""What a QC inspection records beside its verdict: the defect category (from the editable list in
`defect_category`) and the material batches used, traced to the purchase lines that received them.

Batches are kept on the inspection as written (upper case, comma-separated) even when no purchase
line received them: the inspection still counts, and the reply says the batch is not in the
receiving records."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from core.db import insert_defaults
from orders.models import DefectCategory, Material, PurchaseLine, QcInspection

# The defaults a fresh database starts with: name -> other words for it.
DEFAULT_CATEGORIES: dict[str, str] = {
    "毛刺": "披锋 飞边 批锋",
    "尺寸超差": "尺寸不良 尺寸不对 超差 尺寸偏大 尺寸偏小",
    "螺纹不良": "螺纹 牙不良 滑牙 烂牙",
    "划伤": "划痕 刮伤 擦伤 碰伤",
    "变形": "弯曲 翘曲",
    "表面处理不良": "电镀不良 氧化不良 喷涂不良 色差 生锈 锈蚀",
    "焊接不良": "虚焊 漏焊 焊缝 气孔",
    "材料缺陷": "裂纹 砂眼 夹杂 材质不良",
    "装配不良": "漏装 错装",
    "其他": "",
}
_SPLIT = re.compile(r"[\s,，、;；/]+")
MAX_BATCHES = 10


def ensure_defaults(session: Session) -> None:
    """Fill an empty category table with the defaults (a fresh database gets them on first use)."""
    if session.exec(select(DefectCategory.id).limit(1)).first() is not None:
        return
    insert_defaults(session, [DefectCategory(name=name, words=words, seq=seq)
                              for seq, (name, words) in enumerate(DEFAULT_CATEGORIES.items(), 1)])


def categories(session: Session) -> list[DefectCategory]:
    """The editable list, in its order."""
    ensure_defaults(session)
    return list(session.exec(select(DefectCategory).order_by(DefectCategory.seq, DefectCategory.id)).all())


def match_category(session: Session, text: str | None) -> str:
    """The category a defect description names (its name or one of its words; the longest match wins),
    or "" when it names none."""
    norm = unicodedata.normalize("NFKC", text or "").lower()
    if not norm.strip():
        return ""
    best, best_len = "", 0
    for cat in categories(session):
        for word in [cat.name, *(w for w in _SPLIT.split(cat.words) if w)]:
            w = unicodedata.normalize("NFKC", word).lower()
            if w and w in norm and len(w) > best_len:
                best, best_len = cat.name, len(w)
    return best


def known_category(session: Session, name: str) -> str:
    """`name` when it is on the list (exact), else ""."""
    return name if name and any(c.name == name for c in categories(session)) else ""


def split_batches(value) -> list[str]:
    """Batch numbers from a list or a text ("B2311, B2312"), upper case, without repeats."""
    items = value if isinstance(value, list | tuple) else _SPLIT.split(str(value or ""))
    out: list[str] = []
    for item in items:
        b = unicodedata.normalize("NFKC", str(item or "")).strip().upper()
        if b and b not in out:
            out.append(b[:40])
    return out[:MAX_BATCHES]


@dataclass(frozen=True)
class BatchSource:
    """A purchase line that received a batch."""

    po_no: str
    supplier: str
    material: str


def batch_sources(session: Session, batches: list[str]) -> dict[str, list[BatchSource]]:
    """batch -> the purchase lines that received it (case-insensitive); a batch no line received is absent."""
    if not batches:
        return {}
    rows = session.exec(select(PurchaseLine.batch_no, PurchaseLine.po_no, PurchaseLine.supplier, Material.name)
                        .join(Material, Material.id == PurchaseLine.material_id)
                        .where(func.upper(PurchaseLine.batch_no).in_([b.upper() for b in batches]))
                        .order_by(PurchaseLine.id)).all()
    out: dict[str, list[BatchSource]] = {}
    for batch, po, supplier, material in rows:
        out.setdefault(batch.upper(), []).append(BatchSource(po, supplier or "", material))
    return out


def new_inspection(session: Session, *, order_id: int, result: str, defects: str, category: str,
                   batches, inspector: str, at) -> QcInspection:
    """An inspection row with its category (named, or matched from the defect text) and batches."""
    category = known_category(session, category) or match_category(session, defects)
    insp = QcInspection(order_id=order_id, result=result, defects=defects, defect_category=category,
                        material_batch=",".join(split_batches(batches)), inspector=inspector, at=at)
    session.add(insp)
    return insp


def latest_inspection(session: Session, order_id: int) -> QcInspection | None:
    """The order's most recent inspection."""
    return session.exec(select(QcInspection).where(QcInspection.order_id == order_id)
                        .order_by(QcInspection.at.desc(), QcInspection.id.desc())).first()
