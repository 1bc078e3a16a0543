"""WeCom robot and app callbacks end to end: real crypto from a test-side client, jobs inline,
replies through the outbox to the WeCom stand-in."""

from __future__ import annotations

import json
import time

from bot.models import InboundMessage
from notify.models import Notification
from orders.models import StatusEvent
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import (
    APP_AES_KEY,
    APP_TOKEN,
    BOT_AES_KEY,
    BOT_TOKEN,
    CORP_ID,
    app_post,
    app_xml,
    encrypt,
    robot_message,
    robot_post,
    signed_query,
)

SHIP = "{no} 已发货 顺丰 SF1402938475621"


def test_robot_group_message_ships_the_order_and_replies_to_the_response_url(bot_app, rt, wecom, make_order):
    no = make_order(Status.IN_STOCK)
    url = wecom.response_url("code-ship-1")
    r = robot_post(bot_app.test_client(), robot_message(SHIP.format(no=no), msgid="m-ship-1", response_url=url))
    assert r.status_code == 200
    order = order_of(rt, no)
    assert order.status == "shipped" and order.carrier == "顺丰" and order.tracking_no == "SF1402938475621"
    inbound = rows(rt, InboundMessage, InboundMessage.platform_msg_id == "m-ship-1")[0]
    assert inbound.status == "processed" and inbound.chat_type == "group" and inbound.sender_id == "t.warehouse"
    event = rows(rt, StatusEvent, StatusEvent.order_id == order.id, StatusEvent.to_status == "shipped")[0]
    assert (event.actor, event.source, event.inbound_message_id) == ("warehouse员", "chat", inbound.id)
    reply = rows(rt, Notification, Notification.dedupe_key == f"reply:{inbound.id}")[0]
    assert (reply.kind, reply.channel, reply.recipient) == ("reply", "bot_response", url)
    assert no in reply.body and "已发货" in reply.body
    assert reply.status == "sent"  # delivered by the bot_response channel, recorded by the stand-in
    assert [code for code, _ in wecom.bot_responses] == ["code-ship-1"]
    assert no in json.dumps(wecom.bot_responses[0][1], ensure_ascii=False)


def test_app_one_to_one_message_ships_and_replies_to_the_sender(bot_app, rt, wecom, make_order):
    no = make_order(Status.IN_STOCK)
    r = app_post(bot_app.test_client(), app_xml(SHIP.format(no=no), msgid="7001"))
    assert r.status_code == 200 and r.data == b""
    assert order_of(rt, no).status == "shipped"
    inbound = rows(rt, InboundMessage, InboundMessage.platform == "wecom_app")[0]
    assert inbound.platform_msg_id == "7001" and inbound.chat_type == "single"
    event = rows(rt, StatusEvent, StatusEvent.to_status == "shipped")[0]
    assert (event.source, event.inbound_message_id) == ("chat", inbound.id)
    reply = rows(rt, Notification, Notification.kind == "reply")[0]
    assert (reply.channel, reply.recipient) == ("wecom_app", "t.warehouse")
    assert reply.status == "sent"
    assert any(no in json.dumps(m, ensure_ascii=False) for m in wecom.app_messages)


def test_the_same_msgid_three_times_is_applied_once(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    client = bot_app.test_client()
    body = robot_message(SHIP.format(no=no), msgid="m-repeat")
    answers = [robot_post(client, body).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert len(rows(rt, InboundMessage)) == 1
    assert len(rows(rt, StatusEvent, StatusEvent.to_status == "shipped")) == 1
    assert len(rows(rt, Notification, Notification.kind == "reply")) == 1


def test_bad_signature_is_refused_and_nothing_is_stored(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    client = bot_app.test_client()
    assert robot_post(client, robot_message(SHIP.format(no=no)), bad=True).status_code == 403
    assert app_post(client, app_xml(SHIP.format(no=no)), bad=True).status_code == 403
    assert rows(rt, InboundMessage) == []
    assert order_of(rt, no).status == "in_stock"


def test_old_timestamp_is_refused_as_a_replay(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    old = int(time.time()) - 301
    client = bot_app.test_client()
    assert robot_post(client, robot_message(SHIP.format(no=no)), timestamp=old).status_code == 403
    assert app_post(client, app_xml(SHIP.format(no=no)), timestamp=old).status_code == 403
    assert rows(rt, InboundMessage) == []


def test_app_message_encrypted_for_another_corp_is_refused(bot_app, rt):
    ciphertext = encrypt(APP_AES_KEY, app_xml("帮助"), "ww_other")
    q = signed_query(APP_TOKEN, ciphertext)
    r = bot_app.test_client().post("/wecom/callback", query_string=q,
                                   data=f"<xml><Encrypt>{ciphertext}</Encrypt></xml>")
    assert r.status_code == 403
    assert rows(rt, InboundMessage) == []


def test_url_verification_answers_the_raw_decrypted_echostr(bot_app):
    client = bot_app.test_client()
    for path, token, key, receive_id in (("/wecom/callback", APP_TOKEN, APP_AES_KEY, CORP_ID),
                                         ("/wecom/bot", BOT_TOKEN, BOT_AES_KEY, "")):
        echostr = encrypt(key, "echo-1234567890", receive_id)
        r = client.get(path, query_string={**signed_query(token, echostr), "echostr": echostr})
        assert r.status_code == 200 and r.data == b"echo-1234567890"
        bad = client.get(path, query_string={**signed_query(token, echostr, bad=True), "echostr": echostr})
        assert bad.status_code == 403


def test_junk_never_crashes_and_changes_nothing(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    client = bot_app.test_client()
    long_text = SHIP.format(no=no) + " " + "很" * 2100
    assert robot_post(client, robot_message(long_text, msgid="m-long")).status_code == 200
    assert robot_post(client, robot_message("", msgid="m-img", msgtype="image")).status_code == 200
    assert robot_post(client, robot_message("\x00\x01\x02\x03 SO\x07\x08", msgid="m-bin")).status_code == 200
    garbage = "QUJD" * 11
    q = signed_query(BOT_TOKEN, garbage)
    assert client.post("/wecom/bot", query_string=q, json={"encrypt": garbage}).status_code == 400
    assert client.post("/wecom/bot", query_string=q, data=b"\xff\xfe not json").status_code == 400
    assert client.post("/wecom/callback", query_string=q, data=b"<xml><Encrypt>").status_code == 400
    assert client.post("/wecom/callback", query_string=q, data=b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>"
                       ).status_code == 400
    assert order_of(rt, no).status == "in_stock"
    stored = {m.platform_msg_id: m.status for m in rows(rt, InboundMessage)}
    assert stored == {"m-long": "ignored", "m-img": "ignored", "m-bin": "ignored"}
    # never silent (issue #14): each @-message is answered with what was wrong; none changed anything
    replies = rows(rt, Notification, Notification.kind == "reply")
    assert len(replies) == 3 and all("订单没有改动" in r.body for r in replies)


def test_chatter_to_the_robot_and_in_a_one_to_one_chat_gets_a_hint_never_silence(bot_app, rt, factory):
    client = bot_app.test_client()  # only @-mentions reach the robot: each is answered (issue #14)
    assert robot_post(client, robot_message("下班了兄弟们", msgid="m-chat")).status_code == 200
    [robot_hint] = rows(rt, Notification, Notification.kind == "reply")
    assert "帮助" in robot_hint.body and "没有改动" in robot_hint.body
    assert app_post(client, app_xml("下班了兄弟们")).status_code == 200
    hint = [n for n in rows(rt, Notification, Notification.kind == "reply") if n.id != robot_hint.id][0]
    assert hint.recipient == "t.warehouse" and "帮助" in hint.body
    assert {m.status for m in rows(rt, InboundMessage)} == {"ignored"}


def test_illegal_move_answers_current_status_and_next_steps(bot_app, rt, make_order):
    no = make_order(Status.PENDING_QC)
    robot_post(bot_app.test_client(), robot_message(SHIP.format(no=no), msgid="m-illegal"))
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    assert "待质检" in reply.body and "可以" in reply.body
    assert order_of(rt, no).status == "pending_qc"


def test_unknown_order_answers_not_found(bot_app, rt, factory):
    robot_post(bot_app.test_client(), robot_message(SHIP.format(no="SO20200101-0999"), msgid="m-unknown"))
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    assert "没有找到订单 SO20200101-0999" in reply.body


def test_several_orders_in_one_message_are_each_reported(bot_app, rt, make_order):
    ok, early = make_order(Status.IN_STOCK), make_order(Status.SCHEDULED)
    robot_post(bot_app.test_client(), robot_message(f"{ok} {early} 都已发货 顺丰 SF1402938475621"))
    assert order_of(rt, ok).status == "shipped"
    assert order_of(rt, early).status == "scheduled"
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    first, second = reply.body.splitlines()[:2]
    assert ok in first and "已发货" in first
    assert early in second and "已排产" in second
