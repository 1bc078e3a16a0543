"""Expected arrival: shipped date + the carrier's typical days to the customer's region."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from core.db import insert_defaults
from logistics.models import CarrierEta

# Typical calendar days from Ningbo (Zhejiang). Rows are data, editable in the table.
NEAR = ("浙江", "上海", "江苏", "安徽")
FAR = ("新疆", "西藏", "青海", "内蒙古", "黑龙江", "吉林", "甘肃", "宁夏", "海南", "云南")
EXPRESS = ("顺丰", "京东", "EMS")
GROUND = ("中通", "圆通", "申通", "韵达", "极兔")
DEFAULTS: list[tuple[str, str, int]] = (
    [("*", "*", 4), ("自提", "*", 0), ("德邦", "*", 4), ("跨越", "*", 2)]
    + [(c, "*", 2) for c in EXPRESS] + [(c, r, 1) for c in EXPRESS for r in NEAR]
    + [(c, r, 3) for c in EXPRESS for r in FAR]
    + [(c, "*", 3) for c in GROUND] + [(c, r, 2) for c in GROUND for r in NEAR]
    + [(c, r, 5) for c in GROUND for r in FAR]
)


def seed_carrier_eta(session: Session) -> int:
    """Fill the table with DEFAULTS when it is empty; returns rows added. Two first shipments at once (two
    workers) both find it empty: the second meets the first's rows and keeps them (core.db.insert_defaults)."""
    if session.exec(select(func.count()).select_from(CarrierEta)).one():
        return 0
    return insert_defaults(session, [CarrierEta(carrier=c, region=r, days=d) for c, r, d in DEFAULTS])


def typical_days(session: Session, carrier: str | None, region: str | None) -> int:
    """Days for (carrier, region), falling back to (carrier, *), (*, region), (*, *)."""
    carrier, region = (carrier or "*").strip(), _province(region)
    rows = session.exec(select(CarrierEta).where(CarrierEta.carrier.in_((carrier, "*")),
                                                 CarrierEta.region.in_((region, "*")))).all()
    table = {(r.carrier, r.region): r.days for r in rows}
    for key in ((carrier, region), (carrier, "*"), ("*", region), ("*", "*")):
        if key in table:
            return table[key]
    return dict(((c, r), d) for c, r, d in DEFAULTS).get((carrier, "*"), 4)


def _province(region: str | None) -> str:
    """'浙江省宁波市' -> '浙江'; unknown -> '*'."""
    region = (region or "").strip()
    for p in NEAR + FAR + ("北京", "天津", "河北", "山西", "辽宁", "福建", "江西", "山东", "河南", "湖北",
                           "湖南", "广东", "广西", "重庆", "四川", "贵州", "陕西", "香港", "澳门", "台湾"):
        if region.startswith(p):
            return p
    return region or "*"


def default_eta(session: Session, carrier: str | None, region: str | None, shipped_at: datetime,
                tz: ZoneInfo) -> date:
    """Shipped business date + typical days."""
    return shipped_at.astimezone(tz).date() + timedelta(days=typical_days(session, carrier, region))
