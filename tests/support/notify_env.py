"""Helpers of the notify integration tests: a runtime without the web, rows, clean Redis keys."""

from __future__ import annotations

import time
import uuid

from flask import Flask
from sqlmodel import SQLModel

from bootstrap import build_runtime, load_models
from config import from_env

REDIS_15 = "redis://127.0.0.1:6379/15"


def notify_app(db_url: str, **overrides) -> Flask:
    """A Flask app holding a full runtime (every feature's handlers) on `db_url`; jobs inline by default."""
    settings = from_env(env={"SECRET_KEY": "notify-test", "DATABASE_URL": db_url}).replace(
        **{"run_jobs_inline": True, **overrides})
    app = Flask("notify-test")
    app.extensions["ops"] = build_runtime(settings)
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def unique(prefix: str) -> str:
    """A name no other test (or helper working in parallel) uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def wecom_settings(wecom, agent_id: int = 1000002) -> dict:
    """Settings overrides that point the WeCom app at a stand-in."""
    return {"wecom_api_base": wecom.base_url, "wecom_corp_id": wecom.corp_id, "wecom_secret": wecom.secret,
            "wecom_agent_id": agent_id}


def forget_keys(conn, *fragments: str) -> None:
    """Delete the Redis keys of this test (token cache, locks, rate windows) and nothing else."""
    for fragment in fragments:
        for key in conn.scan_iter(match=f"ops:*{fragment}*"):
            conn.delete(key)


class StepClock:
    """A clock that real time drives and a test can move forward (shared with a stand-in)."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def queue(app: Flask, channel: str, recipient: str, body: str = "测试通知", **fields) -> int:
    """Queue one notification (delivered at once when jobs run inline); returns its id."""
    from notify.outbox import queue_notification

    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        n = queue_notification(uow, kind="test", channel=channel, recipient=recipient, body=body,
                               dedupe_key=fields.pop("dedupe_key", unique("dk-")), **fields)
        uow.commit()
        return n.id


def row(app: Flask, notification_id: int):
    """The outbox row as stored now."""
    from core.db import new_session
    from notify.models import Notification

    with new_session(app.extensions["ops"].engine) as s:
        return s.get(Notification, notification_id)


def make_due(app: Flask, notification_id: int) -> None:
    """Move a retrying row's not_before into the past (instead of sleeping)."""
    from datetime import timedelta

    from sqlalchemy import update

    from core.types import utcnow
    from notify.models import Notification

    with app.extensions["ops"].engine.begin() as conn:
        conn.execute(update(Notification).where(Notification.id == notification_id)
                     .values(not_before=utcnow() - timedelta(seconds=1)))


def deliver_again(app: Flask, notification_id: int) -> str:
    """Run the deliver job for a row now (what the scheduled retry or catch-up would do)."""
    from notify.outbox import deliver

    make_due(app, notification_id)
    with app.app_context():
        return deliver(notification_id)
