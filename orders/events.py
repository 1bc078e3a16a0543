"""Domain events: what happened to an order, in the past tense.

The domain records them; the handlers the features declare (`Feature.handlers`, gathered
into one table by bootstrap.py) act on them. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.events import Event


@dataclass(frozen=True)
class OrderEvent(Event):
    """Something happened to one order."""

    order_id: int
    order_no: str
    actor: str
    source: str
    at: datetime
    actor_staff_id: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class OrderCreated(OrderEvent):
    pass


@dataclass(frozen=True)
class StatusChanged(OrderEvent):
    """The base of every status move: a move records exactly one event, of the subclass below that
    names it (the transition table's `event`); handlers of StatusChanged see every move, as the bus
    dispatches along the class hierarchy."""

    from_status: str = ""
    to_status: str = ""
    command: str = ""
    status_event_id: int | None = None
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OrderApproved(StatusChanged):
    pass


@dataclass(frozen=True)
class PurchaseRequested(StatusChanged):
    pass


@dataclass(frozen=True)
class MaterialsReady(StatusChanged):
    pass


@dataclass(frozen=True)
class OutsourceRequested(StatusChanged):
    pass


@dataclass(frozen=True)
class OutsourceReturned(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderScheduled(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderUnscheduled(StatusChanged):
    pass


@dataclass(frozen=True)
class ProductionStarted(StatusChanged):
    pass


@dataclass(frozen=True)
class ProductionFinished(StatusChanged):
    pass


@dataclass(frozen=True)
class QcFailed(StatusChanged):
    pass


@dataclass(frozen=True)
class ReworkDone(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderStockedIn(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderShipped(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderPickedUp(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderDelivered(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderCompleted(StatusChanged):
    pass


@dataclass(frozen=True)
class OrderCancelled(StatusChanged):
    pass


@dataclass(frozen=True)
class QcPassed(OrderEvent):
    """QC passed; the order waits in 待质检 for the warehouse to stock it in."""

    inspection_id: int | None = None


@dataclass(frozen=True)
class ProgressReported(OrderEvent):
    """A process reported progress (the status may not change)."""

    process: str = ""
    percent: float = 0.0


@dataclass(frozen=True)
class OrderEdited(OrderEvent):
    """Promised date, quantity, priority or note changed (field -> [old, new])."""

    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PurchaseReceived(Event):
    """Goods arrived against one purchase line (stock raised; covered 待采购 orders released)."""

    purchase_line_id: int
    po_no: str
    material_code: str
    quantity: float
    batch_no: str
    actor: str
    source: str
    at: datetime
    device_id: str | None = None
    released: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaybillChanged(OrderEvent):
    """A shipped order's carrier or waybill number was filled in or corrected (field -> [old, new])."""

    changes: dict = field(default_factory=dict)
    status_event_id: int | None = None
