"""Rate limits: ours keep WeCom from dropping or refusing; WeCom's 45009 and outages only delay."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import update

from core.types import utcnow
from notify.adapters import build_channels
from notify.models import Notification
from notify.outbox import catch_up
from tests.support.notify_env import (
    REDIS_15,
    StepClock,
    deliver_again,
    forget_keys,
    notify_app,
    queue,
    row,
    unique,
    wecom_settings,
)
from tests.support.wecom_standin import WeComStandin


@pytest.fixture
def wecom():
    with WeComStandin(corp_id=unique("ww"), secret="s3cret") as w:
        yield w


@pytest.fixture
def clock():
    return StepClock()


@pytest.fixture
def app(wecom, clock, sqlite_url):
    application = notify_app(sqlite_url, redis_url=REDIS_15, **wecom_settings(wecom))
    rt = application.extensions["ops"]
    rt.channels.update(build_channels(rt.settings, rt.redis, clock=clock))
    yield application
    forget_keys(rt.redis, wecom.corp_id, "robot:")
    rt.engine.dispose()


@pytest.fixture
def robot_key(wecom):
    key = unique("robot-")
    wecom.valid_webhook_keys.add(key)
    return key


def later(wecom, clock, seconds: float = 61) -> None:
    """A minute passes, for WeCom and for us."""
    wecom.advance(seconds)
    clock.advance(seconds)


def test_robot_stays_under_20_a_minute_and_sends_the_rest_later(app, wecom, clock, robot_key):
    ids = [queue(app, "wecom_robot", robot_key, f"第{i}条") for i in range(25)]
    statuses = [row(app, i).status for i in ids]
    assert statuses.count("sent") == 20 and statuses.count("retrying") == 5
    held = row(app, ids[-1])
    assert held.attempts == 0 and "20 条" in held.last_error
    assert held.not_before > utcnow() + timedelta(seconds=30)  # rescheduled for when a slot frees up
    assert wecom.throttled == 0 and len(wecom.webhook_messages) == 20
    later(wecom, clock)
    assert [deliver_again(app, i) for i in ids[20:]] == ["sent"] * 5
    assert [b["text"]["content"] for _, b in wecom.webhook_messages] == [f"第{i}条" for i in range(25)]
    assert wecom.throttled == 0


def test_app_stays_under_30_a_minute_per_member_so_wecom_drops_nothing(app, wecom, clock):
    ids = [queue(app, "wecom_app", "t.warehouse", f"入库提醒 {i}") for i in range(35)]
    ids.append(queue(app, "wecom_app", "t.qc", "另一个人不受影响"))
    assert [row(app, i).status for i in ids].count("retrying") == 5
    assert row(app, ids[-1]).status == "sent"
    later(wecom, clock)
    for i in ids[30:35]:
        assert deliver_again(app, i) == "sent"
    assert wecom.dropped == 0
    assert len([u for u, _ in wecom.app_deliveries if u == "t.warehouse"]) == 35


def test_wecom_45009_means_retry_later_and_the_message_is_not_lost(app, wecom, clock, robot_key):
    for i in range(20):  # another system used up this robot's minute
        requests.post(f"{wecom.base_url}/cgi-bin/webhook/send", params={"key": robot_key},
                      json={"msgtype": "text", "text": {"content": f"别的系统 {i}"}})
    nid = queue(app, "wecom_robot", robot_key, "我们的消息")
    n = row(app, nid)
    assert n.status == "retrying" and "45009" in n.last_error and n.attempts == 0
    assert wecom.throttled == 1
    later(wecom, clock)
    assert deliver_again(app, nid) == "sent"
    assert wecom.webhook_messages[-1][1]["text"]["content"] == "我们的消息"


@pytest.mark.parametrize("channel", ["wecom_robot", "wecom_app"])
def test_provider_down_then_up_is_retried_until_sent(app, wecom, robot_key, channel):
    recipient = robot_key if channel == "wecom_robot" else "t.sales"
    wecom.fail_next(3, status=500)
    nid = queue(app, channel, recipient, "服务恢复后送达")
    results = [row(app, nid).status] + [deliver_again(app, nid) for _ in range(3)]
    assert results.count("retrying") >= 1 and results[-1] == "sent"
    n = row(app, nid)
    assert n.status == "sent" and n.last_error == "" and n.attempts == len(results)
    sent = wecom.webhook_messages if channel == "wecom_robot" else [(None, b) for b in wecom.app_messages]
    assert len(sent) == 1


def test_catch_up_resends_a_row_whose_job_was_lost(app, wecom, robot_key):
    wecom.fail_next(1, status=502)
    nid = queue(app, "wecom_robot", robot_key, "补发")
    assert row(app, nid).status == "retrying"
    with app.extensions["ops"].engine.begin() as conn:
        conn.execute(update(Notification).where(Notification.id == nid).values(
            created_at=utcnow() - timedelta(minutes=5), not_before=utcnow() - timedelta(seconds=1)))
    with app.app_context():
        assert catch_up() >= 1
    assert row(app, nid).status == "sent" and len(wecom.webhook_messages) == 1
