"""The editable ERP status-mapping table: which ERP word imports as which status code.

Our own Chinese labels (CONTRACT §4) and the codes themselves always map to their status,
whatever the table says; the table adds the ERP's words. A word in neither is reported by
the importer, never guessed.
"""

from __future__ import annotations

import unicodedata

from sqlmodel import Session, select

from core.db import insert_defaults
from core.types import utcnow
from orders.models import StatusMapping
from orders.status import LABELS, Status

# Common ERP words (Kingdee, Yonyou and home-grown systems) and what they mean here.
DEFAULT_WORDS: dict[str, Status] = {
    **{label: status for status, label in LABELS.items()},
    "待审": Status.PENDING_REVIEW, "未审核": Status.PENDING_REVIEW, "新建": Status.PENDING_REVIEW,
    "已审核": Status.PENDING_SCHEDULE, "审核通过": Status.PENDING_SCHEDULE, "已确认": Status.PENDING_SCHEDULE,
    "待采购": Status.PENDING_PURCHASE, "缺料": Status.PENDING_PURCHASE,
    "委外中": Status.PENDING_OUTSOURCE,
    "已排产": Status.SCHEDULED, "已下达": Status.SCHEDULED,
    "生产中": Status.IN_PRODUCTION, "在制": Status.IN_PRODUCTION,
    "待检": Status.PENDING_QC, "返工": Status.REWORK,
    "已入库": Status.IN_STOCK, "完工入库": Status.IN_STOCK,
    "已出库": Status.SHIPPED, "已发货": Status.SHIPPED,
    "已签收": Status.DELIVERED,
    "已关闭": Status.COMPLETED, "已完成": Status.COMPLETED, "已结案": Status.COMPLETED,
    "作废": Status.CANCELLED, "已作废": Status.CANCELLED, "已取消": Status.CANCELLED,
}


def normal_word(word: str) -> str:
    """The form a word is stored and looked up in: NFKC, no spaces, lower case."""
    return unicodedata.normalize("NFKC", word or "").strip().replace(" ", "").lower()


def ensure_defaults(session: Session) -> None:
    """Fill an empty table with the default words (a fresh database gets them on first use)."""
    if session.exec(select(StatusMapping.id).limit(1)).first() is not None:
        return
    insert_defaults(session, [StatusMapping(erp_word=normal_word(word), status=status.value, updated_by="default")
                              for word, status in DEFAULT_WORDS.items()])


def load_mapping(session: Session) -> dict[str, Status]:
    """Normalised ERP word → Status: the table, then our labels and codes on top (they always win)."""
    ensure_defaults(session)
    mapping: dict[str, Status] = {}
    for row in session.exec(select(StatusMapping)).all():
        try:
            mapping[row.erp_word] = Status(row.status)
        except ValueError:  # a code that no longer exists maps nothing
            continue
    for status, label in LABELS.items():
        mapping[normal_word(label)] = status
        mapping[status.value] = status
    return mapping


def set_word(session: Session, word: str, status: Status, *, by: str) -> StatusMapping:
    """Add or change one word's status."""
    key = normal_word(word)
    row = session.exec(select(StatusMapping).where(StatusMapping.erp_word == key)).first()
    if row is None:
        row = StatusMapping(erp_word=key, status=status.value)
        session.add(row)
    row.status, row.updated_at, row.updated_by = status.value, utcnow(), by
    session.flush()
    return row


def delete_word(session: Session, word: str) -> bool:
    """Remove one word; our own labels keep mapping whatever the table holds."""
    row = session.exec(select(StatusMapping).where(StatusMapping.erp_word == normal_word(word))).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
