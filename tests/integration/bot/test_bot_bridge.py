"""`/bridge/messages`: HMAC-signed JSON from personal-WeChat group bridges; the reply is in the answer."""

from __future__ import annotations

import json
import time

from bot.models import ChatIdentity, InboundMessage
from orders.models import StatusEvent
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import bridge_headers


def _link(rt, factory, role: str, external_id: str) -> None:
    with rt.uow() as uow:
        uow.session.add(ChatIdentity(platform="bridge", external_id=external_id,
                                     staff_id=factory["people"][role].id))
        uow.commit()


def _message(text: str, *, msg_id: str = "b-1", sender_id: str = "wxid_clerk", chat_id: str = "wx-group-ops") -> bytes:
    return json.dumps({"msg_id": msg_id, "chat_id": chat_id, "chat_name": "生产群", "sender_id": sender_id,
                       "sender_name": "小王", "text": text, "sent_at": int(time.time())},
                      ensure_ascii=False).encode()


def test_signed_bridge_message_is_applied_and_the_reply_is_in_the_answer(bot_app, rt, factory, make_order):
    _link(rt, factory, "warehouse", "wxid_clerk")
    no = make_order(Status.IN_STOCK)
    body = _message(f"{no} 已发货 顺丰 SF1402938475621")
    r = bot_app.test_client().post("/bridge/messages", data=body, headers=bridge_headers(body))
    assert r.status_code == 200
    assert no in r.json["reply"] and "已发货" in r.json["reply"]
    assert order_of(rt, no).status == "shipped"
    inbound = rows(rt, InboundMessage)[0]
    assert (inbound.platform, inbound.status, inbound.reply_text) == ("bridge", "processed", r.json["reply"])
    event = rows(rt, StatusEvent, StatusEvent.to_status == "shipped")[0]
    assert (event.actor, event.source, event.inbound_message_id) == ("warehouse员", "chat", inbound.id)


def test_a_repeated_bridge_message_gets_the_same_reply_and_is_applied_once(bot_app, rt, factory, make_order):
    _link(rt, factory, "warehouse", "wxid_clerk")
    no = make_order(Status.IN_STOCK)
    body = _message(f"{no} 已发货 顺丰 SF1402938475621", msg_id="b-dup")
    client = bot_app.test_client()
    replies = [client.post("/bridge/messages", data=body, headers=bridge_headers(body)).json["reply"]
               for _ in range(2)]
    assert replies[0] == replies[1] and no in replies[0]
    assert len(rows(rt, StatusEvent, StatusEvent.to_status == "shipped")) == 1


def test_bad_hmac_and_old_timestamp_are_refused(bot_app, rt, factory):
    body = _message("帮助")
    client = bot_app.test_client()
    wrong = client.post("/bridge/messages", data=body, headers=bridge_headers(body, secret="guess"))
    assert wrong.status_code == 403 and wrong.json["error"] == "forbidden" and wrong.json["message"]
    old = client.post("/bridge/messages", data=body, headers=bridge_headers(body, timestamp=int(time.time()) - 301))
    assert old.status_code == 403
    unsigned = client.post("/bridge/messages", data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 403
    assert rows(rt, InboundMessage) == []


def test_malformed_json_answers_400_json(bot_app, rt):
    client = bot_app.test_client()
    for body in (b"{not json", b"[1, 2]", json.dumps({"text": "no id"}).encode()):
        r = client.post("/bridge/messages", data=body, headers=bridge_headers(body))
        assert r.status_code == 400
        assert r.json["error"] == "bad_request" and r.json["message"]
    assert rows(rt, InboundMessage) == []


def test_demo_seed_maps_bridge_ids_to_demo_staff(rt):
    from bot.seed import seed_chat_identities
    from orders.models import Staff

    with rt.uow() as uow:
        uow.session.add(Staff(name="演示仓库", userid="demo.warehouse", roles="warehouse"))
        uow.session.flush()
        assert seed_chat_identities(uow.session, {}) == 1
        assert seed_chat_identities(uow.session, {}) == 0
        uow.commit()
    [link] = rows(rt, ChatIdentity)
    assert (link.platform, link.external_id) == ("bridge", "wxid_demo_warehouse")
