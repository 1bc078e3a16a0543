"""Shipping notices into WeCom customer groups, through the WeCom stand-in: groups synced per
salesperson, one group-send task per mapped group (sender = its owner) with the notice image, each
task's one-tap confirmation seen by polling, one reminder per order to the owner and later their
manager, media reuse for 3 days."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from accounts.service import create_user
from bootstrap import cron_entries
from core.db import new_session
from core.types import utcnow
from custgroups import wecom as wecom_calls
from custgroups.channel import GroupSendChannel, MediaStore
from custgroups.models import CustomerGroup, GroupSendResult, GroupSendTask
from custgroups.poll import poll_group_sends
from custgroups.service import link_group, set_route
from custgroups.sync import sync_customer_groups
from logistics.jobs import resend_notice
from logistics.models import BridgeNotice, TrackingToken
from notify.adapters import wecom_client
from notify.models import Notification
from notify.wecom_api import WeComApiError
from orders.models import Order
from tests.factories import staff
from tests.integration.notices.notices_env import api_token, app_messages_to, notice_app, seed_shop, ship
from tests.support.notify_env import StepClock
from tests.support.wecom_groups_standin import CHINA, NOT_GROUP_OWNER
from tests.support.wecom_standin import WeComStandin

GROUPS = {"wrA": ("测试机械采购群", "t.sales"), "wrB": ("测试机械售后群", "t.sales"),
          "wrC": ("测试机械华东项目群", "t.sales2"), "wrX": ("别家公司客户群", "t.sales")}
DAY = 86400


@pytest.fixture
def wecom():
    with WeComStandin() as standin:
        for chat_id, (name, owner) in GROUPS.items():
            standin.add_customer_group(chat_id, name, owner)
        yield standin


@pytest.fixture
def clock():
    return StepClock()


@pytest.fixture
def shop(db_url, tmp_path, wecom, clock):
    """A customer whose notices go by group send, mapped to three groups of two salespeople."""
    app = notice_app(db_url, tmp_path, wecom)
    data = seed_shop(app, bridge=False)
    rt = app.extensions["ops"]
    client = wecom_client(rt.settings, rt.redis, clock=clock)
    rt.channels["wecom_groupsend"] = GroupSendChannel(client, MediaStore(rt.engine, client, clock))
    with app.app_context(), rt.uow() as uow:
        staff(uow, "第二业务员", "sales", userid="t.sales2", manager=data["people"]["manager"])
        uow.commit()
    with app.app_context():
        assert sync_customer_groups()["groups"] == 4
    with new_session(rt.engine) as s:
        for chat_id in ("wrA", "wrB", "wrC"):
            group = s.exec(select(CustomerGroup).where(CustomerGroup.chat_id == chat_id)).one()
            link_group(s, data["customer"].id, group.id, by="王总")
        set_route(s, data["customer"].id, "group")
        s.commit()
    data["client"] = client
    yield app, data
    rt.engine.dispose()


def _rows(app, model, *where):
    with new_session(app.extensions["ops"].engine) as s:
        return list(s.exec(select(model).where(*where)).all())


def _tasks_by_chat(wecom) -> dict[str, dict]:
    """chat id -> the stand-in's task for it (every task holds exactly one group)."""
    out = {}
    for msgid, t in wecom.group_send_tasks.items():
        [chat_id] = t["chat_ids"]
        out[chat_id] = {"msgid": msgid, **t}
    return out


def _image_uploads(wecom) -> list[dict]:
    return [u for u in wecom.uploads if u["type"] == "image"]


def _results(app) -> dict[str, str]:
    return {r.chat_id: r.state for r in _rows(app, GroupSendResult)}


def _poll(app, now=None) -> dict:
    with app.app_context():
        return poll_group_sends(now)


def _texts_to(wecom, userid: str, needle: str) -> list[str]:
    return [m["text"]["content"] for m in app_messages_to(wecom, userid, "text") if needle in m["text"]["content"]]


def test_a_shipped_order_makes_one_group_send_task_per_mapped_group_with_the_notice_image(shop, wecom):
    app, d = shop
    assert ship(app.test_client(), api_token(app), d["order_no"]).status_code == 200

    tasks = _tasks_by_chat(wecom)
    assert len(wecom.group_send_tasks) == 3
    assert {c: t["sender"] for c, t in tasks.items()} == {"wrA": "t.sales", "wrB": "t.sales", "wrC": "t.sales2"}
    [upload] = _image_uploads(wecom)
    [token] = _rows(app, TrackingToken, TrackingToken.order_id == d["order_id"])
    assert upload["md5"] == hashlib.md5(Path(token.notice_path).read_bytes()).hexdigest()
    for chat_id, task in tasks.items():
        body = task["body"]
        assert body["chat_type"] == "group" and body["sender"] == task["sender"]
        assert body["chat_id_list"] == [chat_id]
        assert body["attachments"] == [{"msgtype": "image", "image": {"media_id": upload["media_id"]}}]
        assert d["order_no"] in body["text"]["content"]
    rows = _rows(app, Notification, Notification.channel == "wecom_groupsend")
    assert {(n.recipient, n.payload["chat_id_list"][0], n.status, n.provider_msgid) for n in rows} == {
        (t["sender"], c, "sent", t["msgid"]) for c, t in tasks.items()}
    assert {(t.sender, tuple(t.chat_ids)) for t in _rows(app, GroupSendTask)} == {
        ("t.sales", ("wrA",)), ("t.sales", ("wrB",)), ("t.sales2", ("wrC",))}
    [tap] = _texts_to(wecom, "t.sales", "一键确认")
    assert d["order_no"] in tap and "测试机械采购群" in tap and "测试机械售后群" in tap
    assert "共 2 个客户群，各需一键确认" in tap, "one message per owner, saying each group is confirmed"
    [tap2] = _texts_to(wecom, "t.sales2", "一键确认")
    assert d["order_no"] in tap2 and "测试机械华东项目群" in tap2
    assert not _texts_to(wecom, "t.sales", "一键转发到客户群"), "group send replaces the manual forward"
    assert _results(app) == {"wrA": "unconfirmed", "wrB": "unconfirmed", "wrC": "unconfirmed"}


def test_each_groups_confirmation_shows_in_the_notification_log_after_polling(shop, wecom):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    client = _admin(app)
    before = client.get("/admin/logs/notifications").get_data(as_text=True)
    assert "测试机械采购群：待群主确认" in before

    msgid = _tasks_by_chat(wecom)["wrA"]["msgid"]
    assert wecom.confirm_group_send(msgid) is True
    assert wecom.confirm_group_send(msgid) is False, "a task is confirmed once"
    assert _poll(app)["done"] == 1

    assert _results(app) == {"wrA": "sent", "wrB": "unconfirmed", "wrC": "unconfirmed"}
    states = {t.chat_ids[0]: t.state for t in _rows(app, GroupSendTask)}
    assert states == {"wrA": "done", "wrB": "open", "wrC": "open"}, "the owner's other group waits for its own tap"
    html = client.get("/admin/logs/notifications").get_data(as_text=True)
    assert "测试机械采购群：已发送" in html and "测试机械售后群：待群主确认" in html
    assert "测试机械华东项目群：待群主确认" in html

    wecom.confirm_group_send(_tasks_by_chat(wecom)["wrB"]["msgid"])
    assert _poll(app)["done"] == 1
    assert _results(app) == {"wrA": "sent", "wrB": "sent", "wrC": "unconfirmed"}
    html = client.get("/admin/logs/notifications").get_data(as_text=True)
    assert "测试机械售后群：已发送" in html


def test_unconfirmed_tasks_remind_the_owner_once_per_order_after_n_hours_and_later_their_manager(shop, wecom):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    hours = app.extensions["ops"].settings.notify
    _poll(app)
    assert not _texts_to(wecom, "t.sales", "提醒："), "no reminder before the time is up"

    wecom.confirm_group_send(_tasks_by_chat(wecom)["wrC"]["msgid"])
    later = utcnow() + timedelta(hours=hours.groupsend_remind_hours, minutes=1)
    assert _poll(app, later)["reminded"] == 1, "two waiting groups of one order and owner: one reminder"
    [reminder] = _texts_to(wecom, "t.sales", "提醒：")
    assert d["order_no"] in reminder and "2 个客户群" in reminder and "各需一键确认" in reminder
    assert all(t.reminded_at is not None for t in _rows(app, GroupSendTask, GroupSendTask.sender == "t.sales"))
    assert not _texts_to(wecom, "t.sales2", "提醒："), "a confirmed task reminds nobody"
    assert not _texts_to(wecom, "boss", "未确认")
    assert _poll(app, later)["reminded"] == 0, "one reminder per task"

    much_later = utcnow() + timedelta(hours=hours.groupsend_escalate_hours, minutes=1)
    assert _poll(app, much_later)["escalated"] == 1
    [escalation] = _texts_to(wecom, "boss", "未确认")
    assert d["people"]["sales"].name in escalation and d["order_no"] in escalation and "2 个客户群" in escalation
    assert _poll(app, much_later)["escalated"] == 0
    assert len(_texts_to(wecom, "t.sales", "提醒：")) == 1


def test_the_reminder_counts_only_the_owners_groups_still_waiting(shop, wecom):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    tasks = _tasks_by_chat(wecom)
    wecom.confirm_group_send(tasks["wrA"]["msgid"])
    wecom.confirm_group_send(tasks["wrC"]["msgid"])
    later = utcnow() + timedelta(hours=app.extensions["ops"].settings.notify.groupsend_remind_hours, minutes=1)
    assert _poll(app, later)["reminded"] == 1
    [reminder] = _texts_to(wecom, "t.sales", "提醒：")
    assert "1 个客户群" in reminder and "各需" not in reminder


def test_the_image_is_uploaded_once_and_reused_for_three_days_then_uploaded_again(shop, wecom, clock):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    [first] = _image_uploads(wecom)
    _resend(app, d["order_id"])
    assert len(wecom.group_send_tasks) == 6, "a re-send makes new tasks, one per group"
    assert len(_image_uploads(wecom)) == 1, "the image is reused within its validity"
    assert {t["body"]["attachments"][0]["image"]["media_id"] for t in wecom.group_send_tasks.values()} == {
        first["media_id"]}

    clock.advance(3 * DAY)
    wecom.advance(3 * DAY)
    with pytest.raises(WeComApiError) as refused:
        wecom_calls.create_group_send(d["client"], sender="t.sales", chat_ids=["wrA"], media_id=first["media_id"])
    assert refused.value.errcode == 40007, "the stand-in forgets media after 3 days, like WeCom"
    _resend(app, d["order_id"])
    uploads = _image_uploads(wecom)
    assert len(uploads) == 2 and uploads[1]["md5"] == first["md5"]
    newest = [t for t in wecom.group_send_tasks.values() if t["created_at"] >= wecom.now() - 60]
    assert len(newest) == 3
    assert {t["body"]["attachments"][0]["image"]["media_id"] for t in newest} == {uploads[1]["media_id"]}


def test_the_standin_refuses_a_sender_who_does_not_own_the_group(shop, wecom):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    media_id = _image_uploads(wecom)[0]["media_id"]
    with pytest.raises(WeComApiError) as refused:
        wecom_calls.create_group_send(d["client"], sender="t.sales2", chat_ids=["wrA"], media_id=media_id)
    assert refused.value.errcode == NOT_GROUP_OWNER


def _to_china_noon(wecom) -> None:
    """Move the stand-in's clock to the next noon in China time (its caps count calendar days there)."""
    now = datetime.fromtimestamp(wecom.now(), CHINA)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    wecom.advance(((noon - now).total_seconds()) % DAY)


def test_a_group_over_its_daily_cap_is_shown_as_failed_and_its_owner_forwards_by_hand(shop, wecom):
    app, d = shop
    wecom.group_send_rule = "day"
    _to_china_noon(wecom)
    ship(app.test_client(), api_token(app), d["order_no"])
    wecom.confirm_group_send(_tasks_by_chat(wecom)["wrC"]["msgid"])
    _resend(app, d["order_id"])
    [again] = [m for m, t in wecom.group_send_tasks.items()
               if t["sender"] == "t.sales2" and t["confirmed_at"] is None]
    wecom.confirm_group_send(again)
    _poll(app)
    with new_session(app.extensions["ops"].engine) as s:
        rows = s.exec(select(GroupSendResult, GroupSendTask).join(GroupSendTask)
                      .where(GroupSendResult.chat_id == "wrC").order_by(GroupSendResult.id)).all()
    assert [(r.state, "上限" in r.detail) for r, _t in rows] == [("sent", False), ("failed", True)]
    [forward] = _texts_to(wecom, "t.sales2", "未能群发到以下客户群")
    assert "测试机械华东项目群" in forward and "上限" in forward and d["order_no"] in forward
    assert len(app_messages_to(wecom, "t.sales2", "image")) == 1, "the image to forward comes with it"
    _poll(app)
    assert len(_texts_to(wecom, "t.sales2", "未能群发到以下客户群")) == 1, "told once"


def test_the_daily_cap_counts_calendar_days_in_china_time(shop, wecom):
    app, d = shop
    wecom.group_send_rule = "day"
    _to_china_noon(wecom)
    ship(app.test_client(), api_token(app), d["order_no"])
    wecom.confirm_group_send(_tasks_by_chat(wecom)["wrC"]["msgid"])
    wecom.advance(DAY)  # the next day at noon: wrC may receive one again
    _resend(app, d["order_id"])
    [again] = [m for m, t in wecom.group_send_tasks.items()
               if t["sender"] == "t.sales2" and t["confirmed_at"] is None]
    wecom.confirm_group_send(again)
    _poll(app)
    assert [r.state for r in _rows(app, GroupSendResult, GroupSendResult.chat_id == "wrC")] == ["sent", "sent"]
    assert not _texts_to(wecom, "t.sales2", "未能群发到以下客户群")


def test_the_standin_takes_at_most_2000_groups_in_one_task(shop, wecom):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    media_id = _image_uploads(wecom)[0]["media_id"]
    with pytest.raises(WeComApiError) as refused:
        wecom_calls.create_group_send(d["client"], sender="t.sales", chat_ids=["wrA"] * 2001, media_id=media_id)
    assert refused.value.errcode == 40058


def test_sync_follows_the_cursor_and_marks_groups_that_are_gone(shop, wecom):
    app, _d = shop
    wecom.list_page_cap = 1
    del wecom.customer_groups["wrX"]
    with app.app_context():
        counts = sync_customer_groups()
    assert counts["groups"] == 3 and counts["gone"] == 1
    rows = {g.chat_id: g for g in _rows(app, CustomerGroup)}
    assert rows["wrX"].gone and not rows["wrA"].gone
    assert (rows["wrC"].owner_userid, rows["wrC"].name, rows["wrC"].member_count) == ("t.sales2", "测试机械华东项目群", 3)


def test_groups_are_synced_on_a_schedule_and_open_tasks_polled():
    jobs = {e.func: e for e in cron_entries()}
    assert jobs[sync_customer_groups].cron == "7 * * * *"  # hourly; the admin button syncs at once
    assert jobs[poll_group_sends].interval == 300


def test_a_customer_without_mapped_groups_falls_back_to_the_salespersons_forward(db_url, tmp_path, wecom):
    app = notice_app(db_url, tmp_path, wecom)
    d = seed_shop(app, bridge=False)
    with new_session(app.extensions["ops"].engine) as s:
        set_route(s, d["customer"].id, "group")
        s.commit()
    ship(app.test_client(), api_token(app), d["order_no"])
    assert wecom.group_send_tasks == {}
    assert _texts_to(wecom, d["sales"], "一键转发到客户群")
    app.extensions["ops"].engine.dispose()


def _resend(app, order_id: int) -> None:
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        resend_notice(uow, rt, uow.session.get(Order, order_id))
        uow.commit()


def _admin(app):
    with new_session(app.extensions["ops"].engine) as s:
        create_user(s, "cg_admin", "admin", "pass-1234")
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/admin/login", data={"username": "cg_admin", "password": "pass-1234", "csrf_token": token})
    assert r.status_code == 302
    return client



def test_a_bridge_customer_gets_the_notice_by_the_bridge_without_a_forward_for_the_salesperson(db_url, tmp_path,
                                                                                               wecom):
    app = notice_app(db_url, tmp_path, wecom)
    d = seed_shop(app, bridge=True)
    with new_session(app.extensions["ops"].engine) as s:
        set_route(s, d["customer"].id, "bridge")
        s.commit()
    ship(app.test_client(), api_token(app), d["order_no"])
    assert len(_rows(app, BridgeNotice, BridgeNotice.order_id == d["order_id"])) == 1
    assert not _texts_to(wecom, d["sales"], "一键转发到客户群")
    assert wecom.group_send_tasks == {}
    app.extensions["ops"].engine.dispose()


def test_media_that_wecom_forgot_early_is_uploaded_again_and_the_task_still_goes_out(shop, wecom):
    app, d = shop
    ship(app.test_client(), api_token(app), d["order_no"])
    wecom.advance(3 * DAY + 60)  # WeCom's clock only: our store still believes the media fresh
    _resend(app, d["order_id"])
    uploads = _image_uploads(wecom)
    assert len(uploads) == 2
    rows = _rows(app, Notification, Notification.channel == "wecom_groupsend")
    assert [n.status for n in rows] == ["sent"] * 6
    assert 40007 in [code for path, code in wecom.calls if path.endswith("add_msg_template")]


def test_a_task_wecom_refuses_falls_back_to_the_owner_forwarding_by_hand(shop, wecom):
    app, d = shop
    wecom.customer_groups["wrC"]["owner"] = "t.sales"  # the group changed hands since the last sync
    ship(app.test_client(), api_token(app), d["order_no"])
    failed = _rows(app, Notification, Notification.channel == "wecom_groupsend", Notification.status == "failed")
    assert [n.recipient for n in failed] == ["t.sales2"] and str(NOT_GROUP_OWNER) in failed[0].last_error
    _poll(app)
    assert _results(app)["wrC"] == "failed"
    [fallback] = _texts_to(wecom, "t.sales2", "手动转发")
    assert "测试机械华东项目群" in fallback and d["order_no"] in fallback
    assert app_messages_to(wecom, "t.sales2", "image"), "the image comes with it"


def test_the_admin_button_syncs_the_groups_now(shop, wecom):
    app, _d = shop
    wecom.add_customer_group("wrNew", "测试机械新项目群", "t.sales2")
    client = _admin(app)
    page = client.get("/admin/customer-groups").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/admin/customer-groups/sync", data={"csrf_token": token}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已同步客户群：2 位群主，5 个群（新增 1）" in html
    suggested = html.split('id="suggestions"')[1].split("</table>")[0]
    assert "测试机械新项目群" in suggested and "宁波测试机械有限公司" in suggested
