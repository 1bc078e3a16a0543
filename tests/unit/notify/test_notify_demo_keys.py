"""The demo factory's placeholder robot keys are recorded as skipped, never posted."""

from __future__ import annotations

from sqlmodel import select

from notify.models import Notification
from notify.outbox import queue_notification


def test_demo_robot_key_is_skipped_with_the_reason(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        queue_notification(uow, kind="notice", channel="wecom_robot", recipient="demo-ops-robot-key",
                           body="测试", dedupe_key="demo-key-test")
        uow.commit()
    with rt.uow() as uow:
        n = uow.session.exec(select(Notification).where(Notification.dedupe_key == "demo-key-test")).one()
        assert (n.status, "演示数据" in n.last_error) == ("skipped", True)
