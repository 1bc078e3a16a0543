"""Production lines as scheduling sees them: each line's calendar, capacity and the processes it can do.

A line's calendar is the factory's (holidays, 调休, shift hours) with that line's own date overrides on
top (`LineDayOverride`: a line may work a Saturday). Its capacity is standard hours per working day:
the line's row under 产线与产能, else OPS_LINE_DAY_HOURS. A line with no row and no route naming it is
unknown: it may do any process (factories that never set lines up keep working as before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from workcal.calendar import Calendar
from workcal.models import LineDayOverride, ProductionLine
from workcal.service import load_overrides, shift_hours

OUTSOURCE_NAMES = frozenset({"委外", "外协"})
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def split_processes(text: str) -> frozenset[str]:
    """'车削、CNC加工' -> {'车削', 'CNC加工'}."""
    return frozenset(p for p in _SEPARATORS.split(text or "") if p)


@dataclass
class Line:
    """One line's capacity, calendar and abilities."""

    name: str
    day_hours: float
    calendar: Calendar
    processes: frozenset[str] = frozenset()  # empty: can do anything (unknown line)
    outsourced: bool = False
    lead_days: int = 3
    configured: bool = False  # has a row under 产线与产能

    def can_do(self, process: str) -> bool:
        return not self.processes or process in self.processes

    @property
    def shift_hours(self) -> float:
        return self.calendar.shift_length().total_seconds() / 3600


@dataclass
class Lines:
    """Every line the factory knows, built once per request or scheduling run."""

    by_name: dict[str, Line]
    factory_calendar: Calendar
    default_hours: float
    configured: bool = False  # the admin has set up at least one line
    _made: dict[str, Line] = field(default_factory=dict)

    def get(self, name: str) -> Line:
        """The line of that name; an unknown name gets the factory calendar and the default capacity."""
        hit = self.by_name.get(name) or self._made.get(name)
        if hit is None:
            hit = Line(name, self.default_hours, self.factory_calendar, outsourced=name in OUTSOURCE_NAMES)
            self._made[name] = hit
        return hit

    def known(self, name: str) -> bool:
        return name in self.by_name

    def names(self) -> list[str]:
        return sorted(self.by_name)


def load_lines(session: Session, settings, route_lines: Iterable[tuple[str, str]] = ()) -> Lines:
    """Lines from the admin's rows, plus those the routes name; `route_lines` are (process, line) pairs."""
    start, end = shift_hours(session, settings)
    overrides, notice_years = load_overrides(session)
    factory = Calendar(overrides, settings.tz, start, end, notice_years=notice_years)
    own: dict[str, dict] = {}
    for row in session.exec(select(LineDayOverride)).all():
        own.setdefault(row.line, {})[row.day] = row.is_workday
    default_hours = settings.planning.line_day_hours
    from_routes: dict[str, set[str]] = {}
    for process, line in route_lines:
        if line:
            from_routes.setdefault(line, set()).add(process)
    rows = session.exec(select(ProductionLine)).all()
    by_name: dict[str, Line] = {}

    def calendar(name: str) -> Calendar:
        if name not in own:
            return factory
        return Calendar({**overrides, **own[name]}, settings.tz, start, end, notice_years=notice_years)

    for row in rows:
        processes = split_processes(row.processes) or frozenset(from_routes.get(row.name, ()))
        by_name[row.name] = Line(row.name, row.day_hours if row.day_hours > 0 else default_hours, calendar(row.name),
                                 processes, row.outsourced or row.name in OUTSOURCE_NAMES, max(0, row.lead_days),
                                 configured=True)
    for name, processes in from_routes.items():
        if name not in by_name:
            by_name[name] = Line(name, default_hours, calendar(name), frozenset(processes),
                                 name in OUTSOURCE_NAMES)
    return Lines(by_name, factory, default_hours, configured=bool(rows))
