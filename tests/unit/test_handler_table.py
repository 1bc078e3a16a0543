"""`ops handlers` prints the one handler table exactly as the features declare it."""

from __future__ import annotations

from click.testing import CliRunner

import bootstrap
from cli import cli
from orders import events as ev


def _printed() -> dict[str, list[str]]:
    result = CliRunner().invoke(cli, ["handlers"])
    assert result.exit_code == 0, result.output
    table: dict[str, list[str]] = {}
    current = None
    for line in result.output.splitlines():
        if line and not line.startswith(" "):
            current = line.strip()
            table[current] = []
        elif line.strip() and line.strip() != "(no handlers)":
            table[current].append(line.strip())
    return table


def _declared_for(event_type: type) -> list[str]:
    declared = []
    for cls in event_type.__mro__:
        for feature in bootstrap.FEATURES:
            for handler in feature.handlers.get(cls, ()):
                declared.append(f"{handler.__module__}.{handler.__qualname__}")
    return declared


def test_every_order_event_is_listed_with_the_declared_handlers_in_run_order():
    printed = _printed()
    events = [c for c in vars(ev).values() if isinstance(c, type) and c.__module__ == ev.__name__]
    assert events
    for event_type in events:
        assert printed[event_type.__name__] == _declared_for(event_type), event_type.__name__


def test_shipping_runs_the_notice_handler_before_next_steps_and_the_board_update():
    shipped = _printed()["OrderShipped"]
    assert shipped.index("logistics.jobs.on_order_shipped") < shipped.index("nextsteps.handlers.tell_next_person")
    assert "web.live.publish_order_change" in shipped


def test_the_bus_of_a_runtime_runs_what_the_table_prints(app):
    bus = app.extensions["ops"].bus
    for name, handlers in _printed().items():
        event_type = getattr(ev, name, None)
        if event_type is None:
            continue
        found = [h for cls in event_type.__mro__ for h in bus.handlers.get(cls, ())]
        assert [f"{h.__module__}.{h.__qualname__}" for h in found] == handlers
