"""Order status codes (CONTRACT §4) and their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an order stands; values are the contract's status codes."""

    PENDING_REVIEW = "pending_review"
    PENDING_SCHEDULE = "pending_schedule"
    PENDING_PURCHASE = "pending_purchase"
    PENDING_OUTSOURCE = "pending_outsource"
    SCHEDULED = "scheduled"
    IN_PRODUCTION = "in_production"
    PENDING_QC = "pending_qc"
    REWORK = "rework"
    IN_STOCK = "in_stock"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[Status, str] = {
    Status.PENDING_REVIEW: "待审核",
    Status.PENDING_SCHEDULE: "待排产",
    Status.PENDING_PURCHASE: "待采购",
    Status.PENDING_OUTSOURCE: "待委外",
    Status.SCHEDULED: "已排产",
    Status.IN_PRODUCTION: "加工中",
    Status.PENDING_QC: "待质检",
    Status.REWORK: "待返工",
    Status.IN_STOCK: "已入库",
    Status.SHIPPED: "已发货",
    Status.IN_TRANSIT: "运输中",
    Status.DELIVERED: "已签收",
    Status.COMPLETED: "已完成",
    Status.CANCELLED: "已取消",
}

OPEN_STATUSES = frozenset(Status) - {Status.COMPLETED, Status.CANCELLED}
TERMINAL_STATUSES = frozenset({Status.COMPLETED, Status.CANCELLED})


def parse_status(value: str) -> Status | None:
    """A Status from its code or its Chinese label, or None."""
    value = (value or "").strip()
    try:
        return Status(value)
    except ValueError:
        for status, label in LABELS.items():
            if label == value:
                return status
    return None
