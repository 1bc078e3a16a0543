"""Demo data of the calendar: the demo factory's lines with their capacity and processes, and one line
working the coming Saturday (a per-line calendar override)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from workcal import texts
from workcal.models import LineDayOverride, ProductionLine

# (name, standard hours per working day, processes it can do, outsourced, lead days, note)
DEMO_LINES = (
    ("1号线", 80.0, "CNC加工、铣削、车削", False, 0, "加工中心 8 台"),
    ("2号线", 80.0, "车削、CNC加工、铣削", False, 0, "数控车床 8 台，另有 2 台加工中心"),
    ("3号线", 60.0, "下料、折弯、焊接", False, 0, "下料、折弯、焊接"),
    ("4号线", 80.0, "钻孔、攻丝、清洗、包装", False, 0, "钻攻、清洗、包装"),
    ("委外", 0.0, "阳极氧化、喷涂、热处理", True, 3, "外协厂加工，按 3 个工作日回厂计"),
)
SATURDAY_LINE = "1号线"


def seed_lines(session: Session, created: dict | None = None) -> int:
    """The demo lines (idempotent) and a Saturday shift of 1号线 in the demo's week; how many lines were added."""
    known = set(session.exec(select(ProductionLine.name)).all())
    added = 0
    for name, hours, processes, outsourced, lead, note in DEMO_LINES:
        if name in known:
            continue
        session.add(ProductionLine(name=name, day_hours=hours, processes=processes, outsourced=outsourced,
                                   lead_days=lead, note=note))
        added += 1
    now = (created or {}).get("now")
    tz = (created or {}).get("tz")
    if isinstance(now, datetime) and tz is not None:
        today = now.astimezone(tz).date()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        exists = session.exec(select(LineDayOverride).where(LineDayOverride.line == SATURDAY_LINE,
                                                            LineDayOverride.day == saturday)).first()
        if exists is None:
            session.add(LineDayOverride(line=SATURDAY_LINE, day=saturday, is_workday=True,
                                        note=texts.DEMO_SATURDAY_NOTE))
    session.flush()
    return added
