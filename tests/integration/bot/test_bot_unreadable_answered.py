"""Never silent (issue #14): a person's robot @-message or one-to-one app message that cannot be read (a file, a
voice message WeCom heard nothing in, `mixed` in a shape we cannot use, text past 2,000 characters) is still
answered with what was wrong and what to type; it changes nothing. Events (entering the chat, stream refreshes)
stay unanswered."""

from __future__ import annotations

import pytest

from bot.models import InboundMessage
from notify.models import Notification
from orders.models import StatusEvent
from tests.integration.bot.conftest import rows
from tests.integration.bot.wecom_client import app_post, app_xml, robot_message, robot_post


def _robot(bot_app, body: dict) -> InboundMessage:
    assert robot_post(bot_app.test_client(), body).status_code == 200
    [msg] = rows(bot_app.extensions["ops"], InboundMessage, InboundMessage.platform_msg_id == body["msgid"])
    return msg


def _file(body):
    body["file"] = {"url": "https://example.invalid/f"}


def _silent_voice(body):
    body["voice"] = {"content": "  "}


def _mixed_string(body):
    body["mixed"] = "SO20261120-0042 已发货"


def _too_long(body):
    body["text"] = {"content": "@订单助手 " + "今天" * 1100}


@pytest.mark.parametrize(("msgtype", "shape", "says"), [
    ("file", _file, "读不了"),
    ("voice", _silent_voice, "没有看到或听清"),
    ("mixed", _mixed_string, "没有看到或听清"),
    ("text", _too_long, "太长"),
])
def test_an_unreadable_robot_message_is_answered_and_changes_nothing(bot_app, rt, make_order, msgtype, shape, says):
    make_order("in_stock")
    events_before = len(rows(rt, StatusEvent))
    body = robot_message("", msgtype=msgtype, response_url="http://127.0.0.1:9/reply-here")
    shape(body)
    msg = _robot(bot_app, body)
    assert msg.status == "ignored"
    assert says in msg.reply_text and "SO20261120-0042 已发货" in msg.reply_text  # what to type
    assert msg.error.startswith("screened: ")
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    assert reply.recipient == "http://127.0.0.1:9/reply-here" and reply.body == msg.reply_text
    assert len(rows(rt, StatusEvent)) == events_before


@pytest.mark.parametrize("msgtype", ["event", "stream"])
def test_robot_events_stay_unanswered(bot_app, rt, msgtype):
    body = robot_message("", msgtype=msgtype)
    body[msgtype] = {"eventtype": "enter_chat"} if msgtype == "event" else {"id": "stream-1"}
    msg = _robot(bot_app, body)
    assert msg.status == "ignored" and msg.reply_text == ""
    assert rows(rt, Notification, Notification.kind == "reply") == []


def test_an_image_in_a_one_to_one_app_chat_is_answered(bot_app, rt):
    assert app_post(bot_app.test_client(), app_xml("", msgtype="image", userid="t.warehouse")).status_code == 200
    [msg] = rows(rt, InboundMessage)
    assert msg.status == "ignored" and "读不了" in msg.reply_text
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    assert reply.channel == "wecom_app" and reply.recipient == "t.warehouse"
