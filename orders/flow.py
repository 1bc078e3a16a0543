"""The one transition table of the order status flow, and the pure checks on it.

Each row says: from which status, to which status, by which command, who may make
the move, what it needs, and which domain event it raises. README shows the same
table; tests walk every allowed and every forbidden pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from orders import events as ev
from orders import texts
from orders.exceptions import IllegalTransition, MissingField, NotAllowed
from orders.roles import OVERRIDE_ROLES, ROLE_LABELS, Role
from orders.status import Status

S = Status
R = Role


@dataclass(frozen=True)
class Transition:
    """One allowed move of the status flow."""

    frm: Status
    to: Status
    command: str
    roles: frozenset[Role]
    needs: tuple[str, ...]
    event: type[ev.StatusChanged]


def _t(frm, to, command, roles, event, needs=()):
    return Transition(frm, to, command, frozenset(roles), tuple(needs), event)


PLAN = (R.PLANNER,)
CANCELLERS = (R.SALES,)
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.PENDING_REVIEW, S.PENDING_SCHEDULE, "approve", PLAN, ev.OrderApproved),
    _t(S.PENDING_REVIEW, S.PENDING_PURCHASE, "approve", PLAN, ev.PurchaseRequested),
    _t(S.PENDING_REVIEW, S.PENDING_OUTSOURCE, "approve", PLAN, ev.OutsourceRequested),
    _t(S.PENDING_REVIEW, S.CANCELLED, "cancel", CANCELLERS, ev.OrderCancelled, ["reason"]),
    _t(S.PENDING_SCHEDULE, S.SCHEDULED, "schedule", PLAN, ev.OrderScheduled, ["date"]),
    _t(S.PENDING_SCHEDULE, S.PENDING_PURCHASE, "request_purchase", (R.PLANNER, R.PURCHASING),
       ev.PurchaseRequested),
    _t(S.PENDING_SCHEDULE, S.PENDING_OUTSOURCE, "outsource", (R.PLANNER, R.PURCHASING),
       ev.OutsourceRequested),
    _t(S.PENDING_SCHEDULE, S.CANCELLED, "cancel", CANCELLERS, ev.OrderCancelled, ["reason"]),
    _t(S.PENDING_PURCHASE, S.PENDING_SCHEDULE, "materials_ready", (R.PURCHASING, R.PLANNER, R.WAREHOUSE),
       ev.MaterialsReady),
    _t(S.PENDING_PURCHASE, S.CANCELLED, "cancel", CANCELLERS, ev.OrderCancelled, ["reason"]),
    _t(S.PENDING_OUTSOURCE, S.PENDING_QC, "outsource_returned", (R.PURCHASING, R.WAREHOUSE, R.QC),
       ev.OutsourceReturned),
    _t(S.PENDING_OUTSOURCE, S.CANCELLED, "cancel", CANCELLERS, ev.OrderCancelled, ["reason"]),
    _t(S.SCHEDULED, S.IN_PRODUCTION, "start_production", (R.PRODUCTION, R.PLANNER), ev.ProductionStarted),
    _t(S.SCHEDULED, S.PENDING_SCHEDULE, "unschedule", PLAN, ev.OrderUnscheduled),
    _t(S.SCHEDULED, S.CANCELLED, "cancel", CANCELLERS, ev.OrderCancelled, ["reason"]),
    _t(S.IN_PRODUCTION, S.PENDING_QC, "finish_production", (R.PRODUCTION, R.PLANNER), ev.ProductionFinished),
    _t(S.IN_PRODUCTION, S.PENDING_OUTSOURCE, "outsource", (R.PLANNER, R.PURCHASING), ev.OutsourceRequested),
    _t(S.PENDING_QC, S.IN_STOCK, "stock_in", (R.WAREHOUSE,), ev.OrderStockedIn, ["qc_passed"]),
    _t(S.PENDING_QC, S.REWORK, "qc_fail", (R.QC,), ev.QcFailed, ["reason"]),
    _t(S.REWORK, S.IN_PRODUCTION, "start_production", (R.PRODUCTION, R.PLANNER), ev.ProductionStarted),
    _t(S.REWORK, S.PENDING_QC, "rework_done", (R.PRODUCTION,), ev.ReworkDone),
    _t(S.IN_STOCK, S.SHIPPED, "ship", (R.WAREHOUSE, R.LOGISTICS, R.SALES), ev.OrderShipped, ["carrier"]),
    _t(S.SHIPPED, S.IN_TRANSIT, "pickup", (R.LOGISTICS, R.WAREHOUSE, R.SYSTEM), ev.OrderPickedUp),
    _t(S.SHIPPED, S.DELIVERED, "deliver", (R.LOGISTICS, R.SALES, R.WAREHOUSE, R.SYSTEM), ev.OrderDelivered),
    _t(S.IN_TRANSIT, S.DELIVERED, "deliver", (R.LOGISTICS, R.SALES, R.WAREHOUSE, R.SYSTEM), ev.OrderDelivered),
    _t(S.DELIVERED, S.COMPLETED, "complete", (R.FINANCE, R.SALES), ev.OrderCompleted),
)

# The Chinese names of commands and needs live in orders.texts; pages read them from here too.
COMMAND_LABELS = texts.COMMAND_LABELS
NEED_LABELS = texts.NEED_LABELS

SELF_PICKUP = "自提"
OWN_DELIVERY = "送货"
NO_WAYBILL = frozenset({SELF_PICKUP, OWN_DELIVERY})  # shipped without a carrier's waybill
WAYBILL_LATER = "waybill_later"  # a ship field: the carrier and waybill follow in a later message


def moves_from(status: Status) -> list[Transition]:
    """Every allowed move out of a status, in table order."""
    return [t for t in TRANSITIONS if t.frm == status]


def allowed_text(status: Status) -> str:
    """Chinese list of the next steps from a status, e.g. '排产→已排产、取消→已取消'."""
    moves = moves_from(status)
    if not moves:
        return texts.NO_NEXT_STEP
    return "、".join(texts.move_text(COMMAND_LABELS[t.command], t.to.label) for t in moves)


def find_transition(order_no: str, current: Status, *, to: Status | None = None,
                    command: str | None = None) -> Transition:
    """The move from `current` named by target status and/or command, or IllegalTransition."""
    for t in moves_from(current):
        if (to is None or t.to == to) and (command is None or t.command == command):
            return t
    wanted = to.label if to else COMMAND_LABELS.get(command or "", command)
    raise IllegalTransition(
        texts.illegal_move(order_no, current.label, wanted, to is not None, allowed_text(current)),
        current_status=current.value,
        allowed=[t.to.value for t in moves_from(current)],
    )


def check_roles(order_no: str, t: Transition, roles: Iterable[Role]) -> None:
    """Raise NotAllowed unless one of `roles` may make move `t`."""
    roles = set(roles)
    if roles & (t.roles | OVERRIDE_ROLES):
        return
    who = [ROLE_LABELS[r] for r in sorted(t.roles) if r != Role.SYSTEM]
    raise NotAllowed(
        texts.not_allowed(order_no, COMMAND_LABELS[t.command], who),
        needed_roles=sorted(r.value for r in t.roles),
    )


def check_needs(order_no: str, t: Transition, fields: dict) -> None:
    """Raise MissingField when the move lacks what it needs (a ship marked WAYBILL_LATER needs no carrier yet)."""
    later = t.command == "ship" and bool(fields.get(WAYBILL_LATER)) and not fields.get("carrier")
    for need in t.needs:
        if later and need == "carrier":
            continue
        if not fields.get(need):
            raise MissingField(
                texts.missing_need(order_no, COMMAND_LABELS[t.command], need),
                field=need,
            )
    if t.command == "ship" and not later and fields.get("carrier") not in NO_WAYBILL and not fields.get("tracking_no"):
        raise MissingField(
            texts.missing_tracking_no(order_no),
            field="tracking_no",
        )
