"""Use cases of the calendar: build one from the database, import a notice, report warnings."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from core.db import new_session
from core.types import utcnow
from workcal import texts
from workcal.calendar import DEFAULT_SHIFT, Calendar, parse_hhmm
from workcal.models import HolidayOverride, WorkSettings

log = logging.getLogger(__name__)

# Years a calendar had to guess in another process (the sweep in the worker), for /healthz.
USED_YEARS_KEY = "ops:workcal:fallback-years"
LOOKAHEAD = timedelta(days=45)

_LINE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*[:：,，]?\s*(\S+)\s*(.*)$")
WORK_WORDS = {"班", "上班", "工作日", "补班", "work", "workday"}
OFF_WORDS = {"休", "放假", "休息", "假", "off", "holiday"}


def load_overrides(session: Session) -> tuple[dict[date, bool], set[int]]:
    """Every override as {date: is_workday}, and the years covered by an imported notice."""
    rows = session.exec(select(HolidayOverride.day, HolidayOverride.is_workday, HolidayOverride.source)).all()
    return {d: bool(w) for d, w, _ in rows}, {d.year for d, _, src in rows if src == "notice"}


def shift_hours(session: Session | None, settings=None) -> tuple[str, str]:
    """Shift start and end as 'HH:MM': the WorkSettings row, else OPS_SHIFT_START/END (08:00–17:30)."""
    row = session.exec(select(WorkSettings).order_by(WorkSettings.id)).first() if session is not None else None
    if row is not None:
        return row.shift_start, row.shift_end
    if settings is None:
        return DEFAULT_SHIFT[0].strftime("%H:%M"), DEFAULT_SHIFT[1].strftime("%H:%M")
    return settings.planning.shift_start, settings.planning.shift_end


def calendar_for(session: Session, settings) -> Calendar:
    """The calendar of this factory: overrides and shift hours from the database, zone from settings."""
    start, end = shift_hours(session, settings)
    overrides, notice_years = load_overrides(session)
    return Calendar(overrides, settings.tz, start, end, notice_years=notice_years)


def set_shift_hours(session: Session, start: str, end: str) -> WorkSettings:
    """Store new shift hours (validated); raises ValueError with the Chinese text on bad input."""
    for value in (start, end):
        try:
            parse_hhmm(value)
        except (ValueError, TypeError):
            raise ValueError(texts.bad_shift(value)) from None
    if parse_hhmm(end) <= parse_hhmm(start):
        raise ValueError(texts.bad_shift(f"{start}–{end}"))
    row = session.exec(select(WorkSettings).order_by(WorkSettings.id)).first() or WorkSettings()
    row.shift_start, row.shift_end, row.updated_at = start, end, utcnow()
    session.add(row)
    session.commit()
    return row


@dataclass
class ImportResult:
    """What an import changed, and the lines it could not read (Chinese texts)."""

    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return texts.import_summary(self.added, self.updated, len(self.errors))


def parse_override_line(line: str) -> tuple[date, bool, str] | None:
    """('2027-02-06 休 春节') -> (date, False, '春节'); None when the line is not understood."""
    m = _LINE.match(line)
    if not m:
        return None
    y, mo, d, word, note = m.groups()
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if word in WORK_WORDS:
        return day, True, note.strip()
    if word in OFF_WORDS:
        return day, False, note.strip()
    return None


def import_overrides(session: Session, lines: Iterable[str], *, source: str = "notice") -> ImportResult:
    """Import lines like '2027-02-06 休' / '2027-02-14 班'; blank and '#' lines are skipped; commits."""
    result = ImportResult()
    parsed: dict[date, tuple[bool, str]] = {}
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        hit = parse_override_line(line)
        if hit is None:
            result.errors.append(texts.bad_override_line(lineno, line))
            continue
        parsed[hit[0]] = (hit[1], hit[2])
    existing = {r.day: r for r in session.exec(
        select(HolidayOverride).where(HolidayOverride.day.in_(list(parsed)))).all()} if parsed else {}
    now = utcnow()
    for day, (is_workday, note) in sorted(parsed.items()):
        row = existing.get(day)
        if row is None:
            session.add(HolidayOverride(day=day, is_workday=is_workday, note=note, source=source, updated_at=now))
            result.added += 1
        else:
            row.is_workday, row.note, row.source, row.updated_at = is_workday, note or row.note, source, now
            session.add(row)
            result.updated += 1
    session.commit()
    return result


def remember_fallback_years(runtime, years: Iterable[int]) -> None:
    """Note in Redis the years a calendar guessed, so the web process can warn; never fails."""
    years = list(years)
    if not years:
        return
    try:
        runtime.redis.sadd(USED_YEARS_KEY, *years)
        runtime.redis.expire(USED_YEARS_KEY, 2 * 24 * 3600)
    except Exception:
        log.warning("could not record calendar fallback years", exc_info=True)


def _years_used_elsewhere(runtime) -> set[int]:
    try:
        return {int(y) for y in runtime.redis.smembers(USED_YEARS_KEY)}
    except Exception:
        return set()


def fallback_warnings(session: Session, settings, *, now: datetime | None = None, runtime=None) -> list[str]:
    """Warning texts for the admin: years in use (now, the coming weeks, the sweep's) with no official data."""
    now = now or utcnow()
    today = now.astimezone(settings.tz).date()
    years = {today.year, (today + LOOKAHEAD).year}
    if runtime is not None:
        years |= _years_used_elsewhere(runtime)
    cal = calendar_for(session, settings)
    return [texts.fallback_warning(y) for y in sorted(years) if cal.year_source(y) == "fallback"]


def fallback_warning_text(session: Session, settings, *, now: datetime | None = None, runtime=None) -> str | None:
    """The admin's warning as one text, or None when every year in use has official data."""
    warnings = fallback_warnings(session, settings, now=now, runtime=runtime)
    return "\n".join(warnings) if warnings else None


def health_check(runtime) -> dict:
    """/healthz entry: ok stays true (a guessed year is a warning, not an outage) with the warnings."""
    with new_session(runtime.engine) as s:
        warnings = fallback_warnings(s, runtime.settings, runtime=runtime)
    return {"ok": True, "status": "warning" if warnings else "ok", "warnings": warnings}
