"""Wiring of next-step rules."""

from __future__ import annotations

from functools import partial

from orders import events as ev

MODELS = ["nextsteps.models"]


def register(bus, runtime) -> None:
    from nextsteps.handlers import plan_on_schedule, tell_next_person

    bus.register(ev.OrderScheduled, partial(plan_on_schedule, rt=runtime))
    bus.register(ev.OrderEvent, partial(tell_next_person, rt=runtime))
    from orders import seed as demo_seed

    if seed not in demo_seed.SEED_EXTENSIONS:
        demo_seed.SEED_EXTENSIONS.append(seed)


def seed(session, created: dict) -> None:
    """Demo factory: the default rules."""
    from nextsteps.rules import ensure_default_rules

    ensure_default_rules(session)
