"""Placing work on a line: only on the line's working days, within the capacity left each day."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from nextsteps.planning import day_shares, place
from workcal.calendar import Calendar
from workcal.lines import Line, Lines, split_processes

TZ = ZoneInfo("Asia/Shanghai")
FRIDAY, SATURDAY, MONDAY = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 30)


def line(hours: float = 40, saturday: bool = False, **kw) -> Line:
    cal = Calendar({SATURDAY: True} if saturday else {}, TZ, "08:00", "18:00", today=FRIDAY)
    return Line("1号线", hours, cal, **kw)


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), TZ)


def test_work_that_overflows_friday_continues_on_monday_not_on_the_weekend():
    slot = place(line(40), 60, at(FRIDAY, 8), {})
    assert slot.start == at(FRIDAY, 8) and slot.days == {FRIDAY: 40, MONDAY: 20}
    assert slot.end == at(MONDAY, 13)  # half of Monday's capacity: half of its 10-hour shift


def test_a_line_working_saturday_uses_it():
    slot = place(line(40, saturday=True), 60, at(FRIDAY, 8), {})
    assert slot.days == {FRIDAY: 40, SATURDAY: 20} and slot.end == at(SATURDAY, 13)


def test_work_already_planned_fills_the_day_first():
    load = {("1号线", FRIDAY): 30}
    slot = place(line(40), 20, at(FRIDAY, 8), load)
    assert slot.start == at(FRIDAY, 15, 30) and slot.days == {FRIDAY: 10, MONDAY: 10}
    assert load[("1号线", FRIDAY)] == 40 and load[("1号线", MONDAY)] == 10


def test_an_outsourced_step_takes_its_lead_time_in_working_days_and_no_capacity():
    load: dict = {}
    slot = place(line(0, outsourced=True, lead_days=3), 99, at(FRIDAY, 10), load)
    assert slot.outsourced and slot.start == at(FRIDAY, 10) and slot.end == at(date(2026, 12, 2), 10)
    assert load == {}


def test_work_planned_across_a_weekend_loads_only_working_days():
    shares = day_shares(line().calendar, at(FRIDAY, 13), at(MONDAY, 13))
    assert set(shares) == {FRIDAY, MONDAY} and abs(sum(shares.values()) - 1) < 1e-9


def test_a_named_line_takes_only_the_processes_it_can_do():
    from nextsteps.planning import assign_lines
    from orders.models import RouteStep

    cal = line().calendar
    lines = Lines({"2号线": Line("2号线", 80, cal, split_processes("车削、CNC加工")),
                   "4号线": Line("4号线", 80, cal, split_processes("包装")),
                   "委外": Line("委外", 0, cal, split_processes("阳极氧化"), outsourced=True)}, cal, 24, configured=True)
    route = [RouteStep(product_id=1, seq=1, process="车削", line="2号线"),
             RouteStep(product_id=1, seq=2, process="CNC加工", line="1号线"),
             RouteStep(product_id=1, seq=3, process="阳极氧化", line="委外"),
             RouteStep(product_id=1, seq=4, process="包装", line="4号线")]
    assert assign_lines("SO1", route, "2号线", lines) == ["2号线", "2号线", "委外", "4号线"]
    assert assign_lines("SO1", route, None, lines) == ["2号线", "1号线", "委外", "4号线"]
