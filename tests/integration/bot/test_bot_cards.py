"""Alerts and next steps as WeCom template cards: sent through the stand-in, clicked back through the app
callback (encrypted as WeCom does), applied once, the card updated, escalation stopped."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import select

from alerts.models import Alert
from alerts.sweep import run_sweep
from bot.models import InboundMessage
from core.db import new_session
from notify.models import Notification
from orders import editing
from orders.models import StatusEvent
from orders.status import Status
from tests.conftest import make_app
from tests.factories import admin_actor, basic_factory, order_in, staff
from tests.integration.bot.conftest import order_of
from tests.integration.bot.wecom_client import app_post, bot_settings

SH = ZoneInfo("Asia/Shanghai")


def local(*a) -> datetime:
    return datetime(*a, tzinfo=SH)


@pytest.fixture
def card_app(db_url, wecom):
    app = make_app(db_url, **bot_settings(wecom.base_url), notify={"wecom_cards": True})
    yield app
    app.extensions["ops"].engine.dispose()


def _rows(app, model, *where):
    with new_session(app.extensions["ops"].engine) as s:
        return list(s.exec(select(model).where(*where)).all())


def _alert_raised(app) -> Alert:
    """promise_unscheduled for the planner (cc 王总, escalating to 董事长): an order not scheduled 5 working
    days before its date."""
    rt = app.extensions["ops"]
    with freeze_time(local(2026, 12, 1, 9)), rt.uow() as uow:
        made = basic_factory(uow)
        chairman = staff(uow, "董事长", "manager", userid="chairman", email="chairman@example.com")
        made["people"]["manager"].manager_id = chairman.id  # a rung above the cc'd manager to escalate to
        uow.session.add(made["people"]["manager"])
        order = order_in(uow, Status.PENDING_SCHEDULE, promised_date=date(2026, 12, 11))
        uow.commit()
    with app.app_context():
        run_sweep(now=local(2026, 12, 7, 9))
    [alert] = _rows(app, Alert, Alert.order_no == order.order_no)
    return alert


def _escalations(app, alert_id: int) -> list[Notification]:
    return [n for n in _rows(app, Notification, Notification.alert_id == alert_id)
            if n.kind == "alert" and not n.dedupe_key.endswith(":0") and ":0cc" not in n.dedupe_key]


def _click(app, wecom, userid: str, key: str, *, task_id: str | None = None):
    client = app.test_client()
    card = wecom.card_for(userid)
    event = wecom.click(task_id or card["body"]["template_card"]["task_id"], userid, key)
    xml = wecom.card_event_xml(event)
    assert app_post(client, xml).status_code == 200
    return client, xml, event


def test_an_alert_goes_out_as_a_card_with_ack_and_go_buttons(card_app, wecom):
    alert = _alert_raised(card_app)
    card = wecom.card_for("t.planner")["body"]
    assert card["msgtype"] == "template_card"
    tc = card["template_card"]
    assert tc["card_type"] == "button_interaction" and alert.order_no in tc["main_title"]["title"]
    keys = {b.get("key"): b["text"] for b in tc["button_list"] if not b.get("type")}
    assert keys == {"ack": "确认收到"}
    [go] = [b for b in tc["button_list"] if b.get("type") == 1]
    assert go["text"] == "去处理" and go["url"].endswith(f"/admin/orders/{alert.order_no}")


def test_a_card_click_acks_the_alert_once_updates_the_card_and_stops_escalation(card_app, wecom):
    alert = _alert_raised(card_app)
    client, xml, event = _click(card_app, wecom, "t.planner", "ack")
    [acked] = _rows(card_app, Alert, Alert.id == alert.id)
    assert acked.status == "acked" and acked.acked_by == "planner员" and acked.next_action_at is None
    [update] = wecom.card_updates
    assert update["response_code"] == event["ResponseCode"] and update["userids"] == ["t.planner"]
    hhmm = acked.acked_at.astimezone(SH).strftime("%H:%M")
    assert update["button"]["replace_name"] == f"已由 planner员 确认 {hhmm}"
    # WeCom retries the same event: stored once, applied once
    assert app_post(client, xml).status_code == 200
    # a later click event on the same card (another CreateTime) does nothing either
    again = wecom.card_event_xml({**event, "CreateTime": str(int(event["CreateTime"]) + 7)})
    assert app_post(client, again).status_code == 200
    assert len(wecom.card_updates) == 1
    assert _rows(card_app, Alert, Alert.id == alert.id)[0].acked_at == acked.acked_at
    clicks = _rows(card_app, InboundMessage, InboundMessage.msgtype == "template_card_event")
    assert sorted(c.status for c in clicks) == ["ignored", "processed"]
    with card_app.app_context():
        run_sweep(now=local(2026, 12, 9, 9))  # long past the 4-hour ack window
    assert _escalations(card_app, alert.id) == []
    with pytest.raises(AssertionError, match="greyed out"):  # WeCom itself greys the buttons out
        wecom.click(event["TaskId"], "t.planner", "ack")


def test_without_the_click_the_same_sweep_escalates(card_app, wecom):
    alert = _alert_raised(card_app)
    with card_app.app_context():
        run_sweep(now=local(2026, 12, 9, 9))
    assert _escalations(card_app, alert.id) and _rows(card_app, Alert, Alert.id == alert.id)[0].status == "open"


def test_only_the_alerts_people_may_ack_by_card(card_app, wecom):
    """The card went to the planner; a click forged for the sales person's id is not applied."""
    alert = _alert_raised(card_app)
    card = wecom.card_for("t.planner")["body"]["template_card"]
    forged = {"FromUserName": "t.sales", "CreateTime": "1790000000", "EventKey": "ack",
              "TaskId": card["task_id"], "CardType": "button_interaction", "ResponseCode": "rc-x", "AgentID": "1000002"}
    assert app_post(card_app.test_client(), wecom.card_event_xml(forged), ).status_code == 200
    assert _rows(card_app, Alert, Alert.id == alert.id)[0].status == "open" and wecom.card_updates == []


def _new_order(app) -> str:
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:  # the next-step card is delivered by the inline job
        basic_factory(uow)
        no = order_in(uow, Status.PENDING_REVIEW).order_no
        uow.commit()
    return no


def _reviewer(wecom) -> str:
    [userid] = {u for u, body in wecom.app_deliveries if body["msgtype"] == "template_card"}
    return userid


def test_approve_on_a_next_step_card_moves_the_order_with_source_card(card_app, wecom):
    no = _new_order(card_app)
    who = _reviewer(wecom)
    tc = wecom.card_for(who)["body"]["template_card"]
    assert [b["key"] for b in tc["button_list"] if not b.get("type")] == ["approve", "seen"]
    _click(card_app, wecom, who, "approve")
    [event] = _rows(card_app, StatusEvent, StatusEvent.command == "approve")
    assert event.source == "card" and event.from_status == "pending_review"
    assert order_of(card_app.extensions["ops"], no).status == event.to_status != "pending_review"
    assert wecom.card_updates[-1]["button"]["replace_name"].startswith("已由 ")
    assert "审核通过" in wecom.card_updates[-1]["button"]["replace_name"]


def test_approve_on_a_card_of_an_order_that_changed_since_is_refused(card_app, wecom):
    no = _new_order(card_app)
    who = _reviewer(wecom)
    with card_app.app_context(), card_app.extensions["ops"].uow() as uow:
        editing.edit_order(uow, no, actor=admin_actor(), changes={"quantity": 120})
        uow.commit()
    _click(card_app, wecom, who, "approve")
    assert _rows(card_app, StatusEvent, StatusEvent.command == "approve") == []
    assert wecom.card_updates[-1]["button"]["replace_name"] == "已失效：订单或预警已变化"


def test_with_cards_off_alerts_stay_plain_text(db_url, wecom):
    app = make_app(db_url, **bot_settings(wecom.base_url))
    _alert_raised(app)
    kinds = {body["msgtype"] for u, body in wecom.app_deliveries if u == "t.planner"}
    assert kinds == {"text"}
    app.extensions["ops"].engine.dispose()


def test_a_click_closes_the_other_cards_of_the_alert_too(card_app, wecom):
    alert = _alert_raised(card_app)
    with card_app.app_context():
        run_sweep(now=local(2026, 12, 9, 9))  # escalated: 董事长 got a card as well
    chairman_card = wecom.card_for("chairman")
    assert chairman_card is not None
    _, _, event = _click(card_app, wecom, "t.planner", "ack")
    by_user = {u["userids"][0]: u for u in wecom.card_updates}
    assert set(by_user) == {"t.planner", "chairman"}
    assert by_user["chairman"]["button"]["replace_name"] == by_user["t.planner"]["button"]["replace_name"]
    assert by_user["chairman"]["response_code"] != event["ResponseCode"]  # the code its send answered
    assert _rows(card_app, Alert, Alert.id == alert.id)[0].acked_by == "planner员"


def test_an_ack_in_chat_closes_the_card(card_app, wecom):
    from tests.integration.bot.wecom_client import app_xml

    alert = _alert_raised(card_app)
    assert app_post(card_app.test_client(), app_xml(f"收到 {alert.order_no}", userid="t.planner")).status_code == 200
    assert _rows(card_app, Alert, Alert.id == alert.id)[0].status == "acked"
    [update] = wecom.card_updates
    assert update["userids"] == ["t.planner"] and update["button"]["replace_name"].startswith("已由 planner员 确认 ")
    task_id = wecom.card_for("t.planner")["body"]["template_card"]["task_id"]
    with pytest.raises(AssertionError, match="greyed out"):
        wecom.click(task_id, "t.planner", "ack")
