"""Validly signed payloads of every odd shape (wrong types, lone surrogates, NUL, NaN, deep nesting, huge
numbers, missing keys) to the robot, app, bridge and Kuaidi100 endpoints: never a 5xx, never stored twice.

A 5xx to WeCom or Kuaidi100 means "try again", and a signed message that cannot be read never becomes
readable: each would start a retry storm.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.models import InboundMessage
from core.db import new_session
from logistics.kuaidi100 import sign_of
from tests.integration.bot.wecom_client import (
    APP_AES_KEY,
    APP_TOKEN,
    BOT_AES_KEY,
    BOT_TOKEN,
    CORP_ID,
    bridge_headers,
    encrypt,
    signed_query,
)

SALT = "kd100-fuzz-salt"
FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
ODD_CHARS = st.sampled_from(["\ud800", "\udfff", "\x00", "\x07", "\u202e", "\ufffd", "订", "SO", " ", "\n", "&", "<"])
TEXT = st.one_of(st.text(max_size=30), st.lists(st.one_of(ODD_CHARS, st.text(max_size=3)), max_size=12).map("".join))
NUMBER = st.one_of(st.integers(), st.integers(min_value=10**18, max_value=10**300), st.floats(),
                   st.just(-(2**63) - 1))
SCALAR = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
JSONISH = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
MSG_IDS = st.one_of(st.sampled_from(["m-1", "m-2", "\ud800", "x" * 200, ""]), st.integers(0, 3), JSONISH)
DEEP = st.integers(30, 5000).map(  # JSON text nested n deep
    lambda n: '{"msgid": "m-deep", "msg_id": "b-deep", "text": NEST, "lastResult": NEST}'.replace("NEST", "[" * n + "]" * n))


def shaped(documented: dict) -> st.SearchStrategy[dict]:
    """Each key of a documented payload: as documented, of another JSON type, or missing."""
    parts = {k: st.one_of(st.just(v), JSONISH, st.just(KeyError)) for k, v in documented.items()}
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not KeyError})


ROBOT = shaped({"msgid": "m-robot", "aibotid": "aibot-1", "chattype": "group", "chatid": "grp",
                "from": {"userid": "t.warehouse"}, "response_url": "http://127.0.0.1:9/none", "msgtype": "text",
                "text": {"content": "@订单助手 帮助"}, "mixed": {"msg_item": [{"msgtype": "text",
                                                                             "text": {"content": "查询"}}]}})
BRIDGE = shaped({"msg_id": "b-1", "chat_id": "wx-g", "chat_name": "群", "sender_id": "wxid_a", "sender_name": "小王",
                 "text": "帮助", "sent_at": 1764000000})
LAST_RESULT = shaped({"nu": "SF1402938475621", "com": "shunfeng", "state": "1", "ischeck": "0", "message": "ok",
                      "data": [{"context": "已揽收", "ftime": "2026-11-21 08:00:00", "areaName": "杭州", "status": "揽收"}]})
KD100 = st.one_of(shaped({"status": "polling", "message": "", "comNew": "", "nu": "SF1"}), st.just({})).flatmap(
    lambda top: st.one_of(LAST_RESULT, JSONISH).map(lambda last: {**top, "lastResult": last}))


def count(rt) -> int:
    with new_session(rt.engine) as s:
        return s.exec(select(func.count()).select_from(InboundMessage)).one()


def twice(post, rt) -> list[int]:
    """POST the same signed payload twice (WeCom's retry); at most one row may appear."""
    before = count(rt)
    codes = [post().status_code for _ in range(2)]
    assert all(code < 500 for code in codes), codes
    assert count(rt) - before <= 1
    return codes


def test_signed_robot_payloads_of_any_shape(bot_app, rt, factory):
    client = bot_app.test_client()

    @FUZZ
    @given(body=st.one_of(ROBOT, DEEP), msgid=MSG_IDS)
    def run(body, msgid):
        if isinstance(body, dict) and "msgid" in body:
            body = {**body, "msgid": msgid}
        plain = body if isinstance(body, str) else json.dumps(body)  # ASCII JSON: WeCom escapes surrogates
        ciphertext = encrypt(BOT_AES_KEY, plain, "")

        def post():
            return client.post("/wecom/bot", query_string=signed_query(BOT_TOKEN, ciphertext),
                               json={"encrypt": ciphertext})

        assert twice(post, rt) in ([200, 200], [400, 400])

    run()


def _xml_value(value) -> str:
    """A value as WeCom would put it in the XML: text escaped, anything unencodable as a character reference."""
    text = value if isinstance(value, str) else json.dumps(value)
    return "".join(f"&#x{ord(c):X};" if "\ud800" <= c <= "\udfff" or c < " " else c for c in escape(text))


def test_signed_app_payloads_of_any_shape(bot_app, rt, factory):
    client = bot_app.test_client()
    documented = {"ToUserName": CORP_ID, "FromUserName": "t.warehouse", "CreateTime": 1764000000, "MsgType": "text",
                  "Content": "帮助", "MsgId": "123456789", "AgentID": 1000002}

    @FUZZ
    @given(fields=shaped(documented))
    def run(fields):
        inner = "<xml>" + "".join(f"<{k}>{_xml_value(v)}</{k}>" for k, v in fields.items()) + "</xml>"
        ciphertext = encrypt(APP_AES_KEY, inner, CORP_ID)
        body = f"<xml><ToUserName>{CORP_ID}</ToUserName><Encrypt>{ciphertext}</Encrypt></xml>"

        def post():
            return client.post("/wecom/callback", query_string=signed_query(APP_TOKEN, ciphertext), data=body,
                               content_type="text/xml")

        assert twice(post, rt) == [200, 200]

    run()


def test_signed_bridge_payloads_of_any_shape(bot_app, rt, factory):
    client = bot_app.test_client()

    @FUZZ
    @given(data=st.one_of(BRIDGE, JSONISH, DEEP), msg_id=MSG_IDS)
    def run(data, msg_id):
        if isinstance(data, dict) and "msg_id" in data:
            data = {**data, "msg_id": msg_id}
        raw = (data if isinstance(data, str) else json.dumps(data)).encode()

        def post():
            return client.post("/bridge/messages", data=raw, headers=bridge_headers(raw))

        codes = twice(post, rt)
        assert codes[0] == codes[1] and codes[0] in (200, 400)

    run()


def test_signed_kuaidi100_pushes_of_any_shape(db_url, tmp_path):
    from tests.integration.notices.notices_env import notice_app, seed_shop

    app = notice_app(db_url, tmp_path, logistics={"kuaidi100_salt": SALT})
    seed_shop(app, bridge=False)
    client = app.test_client()

    @FUZZ
    @given(param=st.one_of(KD100, JSONISH, DEEP))
    def run(param):
        text = param if isinstance(param, str) else json.dumps(param)
        r = client.post("/logistics/kuaidi100", data={"param": text, "sign": sign_of(text, SALT)})
        assert r.status_code == 200 and isinstance(r.json["result"], bool), r.get_data()[:200]

    try:
        run()
    finally:
        app.extensions["ops"].engine.dispose()
