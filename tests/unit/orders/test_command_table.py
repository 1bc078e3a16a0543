"""The one command table: every move, scan action and chat verb that changes an order is a row of it."""

from __future__ import annotations

from orders.commands import COMMANDS
from orders.flow import TRANSITIONS
from orders.roles import Role


def test_every_command_of_the_transition_table_is_a_row_with_its_roles_and_needs():
    for t in TRANSITIONS:
        row = COMMANDS[t.command]
        assert t.roles <= row.roles and set(t.needs) <= set(row.needs)
        assert row.label and not row.label.isascii()


def test_qc_pass_and_report_are_rows_though_they_are_not_moves():
    assert COMMANDS["qc_pass"].roles == frozenset({Role.QC})
    assert COMMANDS["report"].roles == frozenset({Role.PRODUCTION, Role.PLANNER})
    assert COMMANDS["report"].needs == ("percent",) and "process" in COMMANDS["report"].accepts


def test_every_scan_action_and_every_changing_chat_verb_runs_a_row():
    from bot.commands import COMMANDS as CHAT
    from bot.commands_flow import DOMAIN_COMMAND
    from devices.payloads import ACTIONS
    from orders.commands import LINE_COMMANDS

    assert set(ACTIONS) <= set(COMMANDS) | set(LINE_COMMANDS)  # `receive` acts on a purchase line
    assert not set(COMMANDS) & set(LINE_COMMANDS)
    # ack changes alerts, create makes a new order (orders.service.create_order): neither is an order's command
    changing = {DOMAIN_COMMAND.get(name, name) for name, c in CHAT.items() if c.changes and name not in ("ack", "create")}
    assert changing <= set(COMMANDS)
