"""Wiring of next-step rules: every order event may tell the next person; scheduling plans tasks."""

from __future__ import annotations

from sqlmodel import Session

from core.feature import Feature
from nextsteps import models
from nextsteps.handlers import plan_on_schedule, tell_next_person
from nextsteps.rules import ensure_default_rules
from orders import events as ev


def seed(session: Session, created: dict) -> None:
    """Demo factory: the default rules."""
    ensure_default_rules(session)


FEATURE = Feature(
    name="nextsteps",
    models=[models],
    handlers={ev.OrderScheduled: [plan_on_schedule], ev.OrderEvent: [tell_next_person]},
    seed=seed,
)
