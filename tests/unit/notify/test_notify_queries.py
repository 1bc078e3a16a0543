"""The admin's log of notifications, resending, and the outbox's handling of throttling."""

from __future__ import annotations

import pytest

from core.db import new_session
from notify.channels import ChannelError, RecordingChannel
from notify.exceptions import NotificationNotFound, NotResendable
from notify.outbox import lease_of
from notify.queries import notification_log, resend
from tests.support.notify_env import notify_app, queue, row


@pytest.fixture
def app(sqlite_url):
    application = notify_app(sqlite_url)
    yield application
    application.extensions["ops"].engine.dispose()


def test_log_lists_newest_first_and_filters_by_status(app):
    first = queue(app, "email", "a@example.com", "一")  # email is off: skipped
    app.extensions["ops"].channels["email"] = RecordingChannel("email")
    second = queue(app, "email", "b@example.com", "二")
    with new_session(app.extensions["ops"].engine) as s:
        assert [n.id for n in notification_log(s)] == [second, first]
        assert [n.id for n in notification_log(s, status="skipped")] == [first]
        assert [n.id for n in notification_log(s, limit=1)] == [second]


def test_resend_requeues_a_skipped_row_and_it_is_delivered(app):
    nid = queue(app, "sms", "13800000000", "到货提醒")
    assert row(app, nid).status == "skipped"
    sms = app.extensions["ops"].channels["sms"] = RecordingChannel("sms")
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        resend(uow, nid)
        uow.commit()
    n = row(app, nid)
    assert (n.status, n.attempts, n.last_error) == ("sent", 1, "")
    assert [m.body for m in sms.sent] == ["到货提醒"]


def test_resend_refuses_sent_rows_and_unknown_ids_in_chinese(app):
    rt = app.extensions["ops"]
    rt.channels["sms"] = RecordingChannel("sms")
    nid = queue(app, "sms", "13800000000", "x")
    with app.app_context(), rt.uow() as uow:
        with pytest.raises(NotResendable) as err:
            resend(uow, nid)
        assert "已发送" in err.value.message
        with pytest.raises(NotificationNotFound):
            resend(uow, 999_999)


def test_throttled_sends_do_not_use_up_attempts(app):
    rt = app.extensions["ops"]
    rt.channels["sms"] = RecordingChannel("sms", fail_with=ChannelError("慢点", retry_after=60,
                                                                                  deferred=True))
    from tests.support.notify_env import deliver_again

    nid = queue(app, "sms", "13800000000", "x")
    for _ in range(10):  # more than MAX_ATTEMPTS deferrals
        deliver_again(app, nid)
    n = row(app, nid)
    assert (n.status, n.attempts) == ("retrying", 0)


def test_lease_is_configurable_per_runtime(app, sqlite_url):
    from datetime import timedelta

    assert lease_of(app.extensions["ops"]) == timedelta(minutes=2)
    short = notify_app(sqlite_url, notify={"outbox_lease_seconds": 5})
    assert lease_of(short.extensions["ops"]) == timedelta(seconds=5)
