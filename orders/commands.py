"""The one table of domain commands: name → use case, who may run it, the fields it needs and reads,
its Chinese label. Chat (bot/commands.py), scanners (devices/service.py) and the API (api/orders.py)
all run a command through `run`, so a new command is added here once.

The status moves come from the transition table (orders.flow): one row per command named there, its
roles and needs the union of its transitions'. Two commands are not moves: `qc_pass` records an
inspection (the order stays in 待质检) and `report` records progress (and may start or finish
production on the way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.bus import UnitOfWork
from orders import purchasing, service, texts
from orders.actor import Actor, Trace
from orders.editing import EDIT_ROLES, edit_order
from orders.exceptions import InvalidInput, VersionConflict
from orders.flow import TRANSITIONS, find_transition
from orders.models import Order
from orders.roles import Role
from orders.status import Status, parse_status
from orders.undo import undo_last
from orders.waybill import set_waybill, waybill_roles

# The use case behind a command: (uow, order ref, actor, fields, trace, target, expected version).
UseCase = Callable[[UnitOfWork, str, Actor, dict, Trace, Status | None, int | None], Order]


@dataclass(frozen=True)
class OrderCommand:
    """One domain command: what it is called, what runs it, who may, what it needs and reads."""

    name: str
    label: str
    use_case: UseCase
    roles: frozenset[Role]
    needs: tuple[str, ...] = ()  # fields it cannot go without
    accepts: tuple[str, ...] = ()  # optional fields it reads


def _move(command: str) -> UseCase:
    def use_case(uow, ref, actor, fields, trace, to, expected_version):
        return service.change_status(uow, ref, actor=actor, command=command, to=to, fields=fields, trace=trace,
                                     expected_version=expected_version)

    return use_case


def _qc_pass(uow, ref, actor, fields, trace, to, expected_version):
    return service.record_qc_pass(uow, ref, actor=actor, defects=str(fields.get("defects") or ""),
                                  material_batch=fields.get("material_batch") or "", trace=trace,
                                  defect_category=str(fields.get("defect_category") or ""))


def _report(uow, ref, actor, fields, trace, to, expected_version):
    return service.report_progress(uow, ref, process=fields.get("process"), percent=fields.get("percent"),
                                   actor=actor, trace=trace)


def _waybill(uow, ref, actor, fields, trace, to, expected_version):
    return set_waybill(uow, ref, actor=actor, carrier=fields.get("carrier"), tracking_no=fields.get("tracking_no"),
                       trace=trace, expected_version=expected_version)


# `correct` names the field; the new value is in the field of that name (CONTRACT §5).
_EDITED = {"date": "promised_date", "quantity": "quantity"}


def _correct(uow, ref, actor, fields, trace, to, expected_version):
    which = fields.get("field")
    if which in ("tracking_no", "carrier"):
        return set_waybill(uow, ref, actor=actor, carrier=fields.get("carrier"),
                           tracking_no=fields.get("tracking_no"), trace=trace, expected_version=expected_version,
                           command="correct")
    if which in _EDITED and fields.get(which) not in (None, ""):
        return edit_order(uow, ref, actor=actor, changes={_EDITED[which]: fields[which]}, trace=trace,
                          expected_version=expected_version)
    raise InvalidInput(texts.CORRECT_WHAT, field="field")


def _undo(uow, ref, actor, fields, trace, to, expected_version):
    return undo_last(uow, ref, actor=actor, trace=trace)[0]


# Optional fields a command reads beyond those it needs (chat takes both from the parse result).
ACCEPTS: dict[str, tuple[str, ...]] = {
    "ship": ("tracking_no", "eta"),  # a tracking number is needed unless the carrier is 自提
    "schedule": ("line", "end_date"),
    "qc_fail": ("material_batch", "defect_category"),
    "qc_pass": ("defects", "material_batch", "defect_category"),
    "report": ("process",),  # needed when the product's route has several steps
    "ship_later": ("carrier", "tracking_no", "eta", "waybill_later"),
    "waybill": ("carrier", "tracking_no"),
    "correct": ("tracking_no", "carrier", "date", "quantity"),
}
STAFF = frozenset(Role) - {Role.SYSTEM}


def _roles_of(*commands: str) -> frozenset[Role]:
    return frozenset(r for t in TRANSITIONS if t.command in commands for r in t.roles)


def _build() -> dict[str, OrderCommand]:
    table: dict[str, OrderCommand] = {}
    for t in TRANSITIONS:
        known = table.get(t.command)
        needs = tuple(dict.fromkeys((*(known.needs if known else ()), *t.needs)))
        table[t.command] = OrderCommand(t.command, texts.COMMAND_LABELS[t.command], _move(t.command),
                                        _roles_of(t.command), needs, ACCEPTS.get(t.command, ()))
    # The people who may fail QC may pass it; whoever may start or finish production reports progress.
    table["qc_pass"] = OrderCommand("qc_pass", texts.COMMAND_LABELS["qc_pass"], _qc_pass, _roles_of("qc_fail"),
                                    accepts=ACCEPTS["qc_pass"])
    table["report"] = OrderCommand("report", texts.COMMAND_LABELS["report"], _report,
                                   _roles_of("start_production", "finish_production"), ("percent",),
                                   ACCEPTS["report"])
    # Chat: ship now, the waybill later (`waybill` fills it in); corrections by field; undo one's own change.
    ship = table["ship"]
    table["ship_later"] = OrderCommand("ship_later", ship.label, ship.use_case, ship.roles,
                                       accepts=ACCEPTS["ship_later"])
    table["waybill"] = OrderCommand("waybill", texts.COMMAND_LABELS["waybill"], _waybill, waybill_roles(),
                                    accepts=ACCEPTS["waybill"])
    table["correct"] = OrderCommand("correct", texts.COMMAND_LABELS["correct"], _correct,
                                    waybill_roles() | EDIT_ROLES, ("field",), ACCEPTS["correct"])
    table["undo"] = OrderCommand("undo", texts.COMMAND_LABELS["undo"], _undo, STAFF)
    return table


COMMANDS: dict[str, OrderCommand] = _build()


def run(uow: UnitOfWork, name: str, ref: str, *, actor: Actor, fields: dict | None = None,
        trace: Trace | None = None, to: Status | None = None, expected_version: int | None = None) -> Order:
    """Run command `name` on one order; the use case checks the flow, roles and needs."""
    return COMMANDS[name].use_case(uow, ref, actor, dict(fields or {}), trace or Trace(), to, expected_version)


# Commands on a purchase line rather than an order (a scanner's `receive`): name -> (label, use case).
LineUseCase = Callable[[UnitOfWork, Actor, dict, Trace], object]


def _receive(uow: UnitOfWork, actor: Actor, fields: dict, trace: Trace):
    line = purchasing.find_open_line(uow, str(fields.get("po_no") or ""), str(fields.get("material") or ""))
    return purchasing.receive_purchase_line(uow, line.id, quantity=fields.get("quantity"),
                                            batch=str(fields.get("batch") or ""), actor=actor,
                                            tz=uow.runtime.settings.tz, trace=trace)


LINE_COMMANDS: dict[str, tuple[str, LineUseCase]] = {"receive": (texts.COMMAND_LABELS["receive"], _receive)}


def run_line(uow: UnitOfWork, name: str, *, actor: Actor, fields: dict, trace: Trace | None = None):
    """Run purchase-line command `name` (fields name the line: po_no and material)."""
    return LINE_COMMANDS[name][1](uow, actor, dict(fields), trace or Trace())


def move_to(uow: UnitOfWork, ref: str, to: str | Status, *, actor: Actor, fields: dict | None = None,
            trace: Trace | None = None, expected_version: int | None = None) -> Order:
    """Move an order to a target status by running the command of the transition that reaches it."""
    order = service.find_order(uow, ref)
    target = to if isinstance(to, Status) else parse_status(to)
    if target is None:
        raise InvalidInput(texts.unknown_status(to), field="to")
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(texts.version_conflict(order.order_no, order.version), current_version=order.version)
    move = find_transition(order.order_no, Status(order.status), to=target)
    return run(uow, move.command, order.order_no, actor=actor, fields=fields, trace=trace, to=target,
               expected_version=expected_version)
