"""Demo devices of the seeded factory (CONTRACT §4): a scanner and a sensor in one zone."""

from __future__ import annotations

from sqlmodel import Session, select

from devices.registry import register_device
from orders.models import Staff

DEMO_ZONE = "成品仓A区"
DEMO_OWNER = "demo.warehouse"


def seed_demo_devices(session: Session, created: dict) -> None:
    """Register `wh-scan-01` and `wh-env-01` in 成品仓A区, owned by the demo warehouse keeper."""
    owner = session.exec(select(Staff).where(Staff.userid == DEMO_OWNER)).first()
    register_device(session, "wh-scan-01", kind="scanner", zone=DEMO_ZONE, name="成品仓入口扫码枪",
                    location="成品仓A区 入口", owner=owner)
    register_device(session, "wh-env-01", kind="sensor", zone=DEMO_ZONE, name="成品仓温湿度传感器",
                    location="成品仓A区 3号货架", owner=owner)
