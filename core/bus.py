"""Unit of work and the table of event handlers.

Handlers run inside the transaction that raised the event, so what they write (an
outbox row, a production task) commits or rolls back with the change itself. Work
that must wait for the commit (enqueueing a job, publishing to a board) is handed to
`uow.after_commit`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import new_session
from core.events import Event

if TYPE_CHECKING:
    from core.runtime import Runtime

log = logging.getLogger(__name__)

# A handler gets the event and the unit of work (`uow.runtime` is the process's Runtime).
Handler = Callable[[Event, "UnitOfWork"], None]


class MessageBus:
    """Maps event classes to handlers; a handler of a base class sees its subclasses."""

    def __init__(self, handlers: dict[type[Event], list[Handler]] | None = None):
        self.handlers: dict[type[Event], list[Handler]] = defaultdict(list)
        for event_type, hs in (handlers or {}).items():
            self.handlers[event_type].extend(hs)

    def register(self, event_type: type[Event], handler: Handler) -> None:
        self.handlers[event_type].append(handler)

    def handlers_for(self, event: Event) -> list[Handler]:
        found: list[Handler] = []
        for cls in type(event).__mro__:
            found.extend(self.handlers.get(cls, ()))
        return found


class UnitOfWork:
    """One database transaction plus the events it raised."""

    def __init__(self, engine: Engine, bus: MessageBus | None = None, runtime: Runtime | None = None):
        self.engine = engine
        self.bus = bus or MessageBus()
        self.runtime = runtime  # handlers and after-commit work reach settings, Redis, the queue here
        self.session: Session
        self.events: list[Event] = []
        self._after: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = new_session(self.engine)
        self.events = []
        self._after = []
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def record(self, event: Event) -> None:
        self.events.append(event)

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after.append(fn)

    def commit(self) -> None:
        """Run handlers for recorded events, commit, then the after-commit work."""
        handled = 0
        while handled < len(self.events):
            event = self.events[handled]
            handled += 1
            for handler in self.bus.handlers_for(event):
                handler(event, self)
        self.session.commit()
        after, self._after, self.events = self._after, [], []
        for fn in after:
            try:
                fn()
            except Exception:  # the change is committed; a failed fan-out must not undo it
                log.exception("after-commit step failed")

    def rollback(self) -> None:
        self.session.rollback()
        self.events = []
        self._after = []
