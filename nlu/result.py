"""The parser's answer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

INTENTS = (
    "ship", "pickup", "deliver", "query", "approve", "schedule", "report",
    "qc_pass", "qc_fail", "stock_in", "ack", "help", "none",
    "start", "finish", "rework_done", "cancel", "materials_ready", "outsource", "outsource_returned",
    "create", "correct", "undo", "list",
)  # fmt: skip
CONTRACT_KEYS = (
    "intent", "orders", "carrier", "tracking_no", "date", "line", "process", "percent", "reason",
    "customer", "product", "quantity", "field",
)  # fmt: skip


@dataclass(frozen=True)
class ParseResult:
    """A parsed chat message: the contract's keys plus what the caller needs to ask back."""

    intent: str = "none"
    orders: list[str] = dataclasses.field(default_factory=list)
    carrier: str | None = None
    tracking_no: str | None = None
    date: str | None = None
    line: str | None = None
    process: str | None = None
    percent: float | int | None = None
    reason: str | None = None
    customer: str | None = None
    product: str | None = None
    quantity: float | int | None = None
    field: str | None = None
    batches: list[str] = dataclasses.field(default_factory=list)  # material batches of a QC verdict
    short_refs: list[str] = dataclasses.field(default_factory=list)
    alias_hits: list[str] = dataclasses.field(default_factory=list)
    # Internal (not a contract key): for a message that is no command, the guard that makes it none
    # ("test", "quote", "reported", "question", "condition", "negation", "plan"); None when nothing
    # objects, so the caller may read the message's order and waybill as a fill-in.
    guard: str | None = None

    def to_contract_dict(self) -> dict[str, Any]:
        """Exactly the contract keys, as `python -m nlu` prints them."""
        return {key: (list(self.orders) if key == "orders" else getattr(self, key)) for key in CONTRACT_KEYS}

    @property
    def changes_state(self) -> bool:
        """True for an intent that changes an order (or an alert)."""
        return self.intent not in ("query", "help", "none", "list")
