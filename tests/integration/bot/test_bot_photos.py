"""Photos of waybill labels sent to the robot (issue #14): signed robot callbacks carry image and mixed
messages whose pictures the WeCom stand-in serves encrypted, as WeCom does (docs 100719); the job
downloads, decrypts and reads the barcode, and the order ships with the number on the label."""

from __future__ import annotations

import hashlib

import pytest

from bot.models import InboundMessage
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import BOT_AES_KEY, robot_message, robot_post
from tests.support.label_photo import photo_of_nothing, waybill_label_photo

SF = "SF1402938475621"


def mixed(text: str, url: str, **kw) -> dict:
    """A group @-message mixing text and one picture (图文混排)."""
    body = robot_message(text, msgtype="mixed", **kw)
    body["mixed"] = {"msg_item": [{"msgtype": "text", "text": {"content": f"@订单助手 {text}"}},
                                  {"msgtype": "image", "image": {"url": url}}]}
    return body


def image(url: str, **kw) -> dict:
    """A one-to-one picture message (WeCom sends pictures alone in single chats)."""
    body = robot_message("", msgtype="image", chattype="single", **kw)
    body["image"] = {"url": url}
    return body


def only_message(rt) -> InboundMessage:
    [msg] = rows(rt, InboundMessage)
    return msg


def test_a_label_photo_with_the_order_and_shipped_ships_it_with_the_number_on_the_label(bot_app, rt, wecom,
                                                                                       make_order):
    no = make_order(Status.IN_STOCK)
    photo = waybill_label_photo(SF, angle=6, scale=0.7, quality=60)
    assert robot_post(bot_app.test_client(), mixed(f"{no} 已发货", wecom.serve_media(photo, BOT_AES_KEY))).status_code == 200
    order = order_of(rt, no)
    assert (order.status, order.tracking_no, order.carrier) == ("shipped", SF, "顺丰")
    msg = only_message(rt)
    assert msg.reply_text.startswith(f"📷 照片识别到运单号：{SF}（顺丰）") and "✅" in msg.reply_text
    [record] = msg.photos  # the photo reference stays on the message
    assert record["sha256"] == hashlib.sha256(photo).hexdigest() and SF in record["codes"]
    assert wecom.media_fetches == 1


def test_a_photo_quoting_the_shipped_message_fills_in_the_waybill(bot_app, rt, wecom, make_order):
    no = make_order(Status.IN_STOCK)
    client = bot_app.test_client()
    robot_post(client, robot_message(f"{no} 已发货"))
    assert order_of(rt, no).status == "shipped" and not order_of(rt, no).tracking_no
    body = image(wecom.serve_media(waybill_label_photo(SF, angle=-90, scale=0.9), BOT_AES_KEY))
    body["quote"] = {"msgtype": "text", "text": {"content": f"{no} 已发货"}}
    robot_post(client, body)
    order = order_of(rt, no)
    assert (order.status, order.tracking_no, order.carrier) == ("shipped", SF, "顺丰")


def test_a_photo_alone_names_no_order_so_it_asks_for_one(bot_app, rt, wecom):
    robot_post(bot_app.test_client(), image(wecom.serve_media(waybill_label_photo(SF), BOT_AES_KEY)))
    reply = only_message(rt).reply_text
    assert SF in reply and "订单号" in reply


def test_a_photo_of_nothing_gets_a_hint_and_changes_nothing(bot_app, rt, wecom, make_order):
    no = make_order(Status.IN_STOCK)
    robot_post(bot_app.test_client(), mixed(f"{no} 已发货", wecom.serve_media(photo_of_nothing(), BOT_AES_KEY)))
    assert order_of(rt, no).status == "in_stock"
    msg = only_message(rt)
    assert "没有识别到运单条码" in msg.reply_text and "已发货 顺丰" in msg.reply_text
    assert msg.photos[0]["codes"] == []


@pytest.mark.parametrize("spoil", ["tampered", "expired", "wrong key"])
def test_a_download_that_does_not_decrypt_changes_nothing_and_says_so(bot_app, rt, wecom, make_order, spoil):
    no = make_order(Status.IN_STOCK)
    photo = waybill_label_photo(SF)
    other_key = "x" * 43
    url = wecom.serve_media(photo, other_key if spoil == "wrong key" else BOT_AES_KEY, tamper=spoil == "tampered")
    if spoil == "expired":
        wecom.advance(301)  # the link is valid for five minutes
    robot_post(bot_app.test_client(), mixed(f"{no} 已发货", url))
    assert order_of(rt, no).status == "in_stock"
    msg = only_message(rt)
    assert "没能下载或解密" in msg.reply_text
    assert msg.photos[0]["error"] in {"bad_padding", "http_404", "not_an_image"}


def test_a_number_typed_in_the_text_wins_over_the_photo(bot_app, rt, wecom, make_order):
    no = make_order(Status.IN_STOCK)
    url = wecom.serve_media(waybill_label_photo(SF), BOT_AES_KEY)
    robot_post(bot_app.test_client(), mixed(f"{no} 已发货 顺丰 SF1288001122334", url))
    assert order_of(rt, no).tracking_no == "SF1288001122334"


def test_the_long_connection_key_of_the_message_decrypts_its_picture(bot_app, rt, wecom, make_order):
    """Long-connection messages carry a per-link aeskey (base64 of 32 bytes) instead of the robot's key."""
    import base64

    no = make_order(Status.IN_STOCK)
    link_key = base64.b64encode(bytes(range(7, 39))).decode()
    body = mixed(f"{no} 已发货", wecom.serve_media(waybill_label_photo(SF), link_key))
    body["mixed"]["msg_item"][1]["image"]["aeskey"] = link_key
    robot_post(bot_app.test_client(), body)
    assert order_of(rt, no).tracking_no == SF
