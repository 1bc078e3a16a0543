"""The stand-ins themselves enforce WeCom's rules (so channel tests can trust them)."""

from __future__ import annotations

import base64
import hashlib
import io
import smtplib
from email.message import EmailMessage

import requests

from tests.support.sms_standin import SmsStandin
from tests.support.smtp_standin import SmtpStandin
from tests.support.wecom_standin import RESPONSE_CODE_USED, WeComStandin

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _token(w: WeComStandin) -> str:
    r = requests.get(f"{w.base_url}/cgi-bin/gettoken", params={"corpid": w.corp_id, "corpsecret": w.secret})
    return r.json()["access_token"]


def _app(w: WeComStandin, body: dict, token: str) -> dict:
    return requests.post(f"{w.base_url}/cgi-bin/message/send", params={"access_token": token}, json=body).json()


def _robot(w: WeComStandin, key: str, body: dict) -> dict:
    return requests.post(f"{w.base_url}/cgi-bin/webhook/send", params={"key": key}, json=body).json()


def text(content: str, to: str = "u1") -> dict:
    return {"touser": to, "msgtype": "text", "agentid": 1000002, "text": {"content": content}}


def test_gettoken_checks_corp_id_and_secret():
    with WeComStandin(corp_id="ww_a", secret="s") as w:
        url = f"{w.base_url}/cgi-bin/gettoken"
        assert requests.get(url, params={"corpid": "ww_b", "corpsecret": "s"}).json()["errcode"] == 40013
        assert requests.get(url, params={"corpid": "ww_a", "corpsecret": "x"}).json()["errcode"] == 40001
        good = requests.get(url, params={"corpid": "ww_a", "corpsecret": "s"}).json()
        assert good["errcode"] == 0 and good["expires_in"] == 7200
        assert w.token_fetches == 3


def test_unknown_and_expired_tokens_are_refused():
    with WeComStandin() as w:
        assert _app(w, text("hi"), "nope")["errcode"] == 40014
        token = _token(w)
        assert _app(w, text("hi"), token)["errcode"] == 0
        w.expire_tokens()
        assert _app(w, text("hi again"), token)["errcode"] == 42001
        assert len(w.app_messages) == 1


def test_app_message_rules_invalid_users_and_length():
    with WeComStandin() as w:
        token = _token(w)
        w.valid_userids = {"u1"}
        assert _app(w, text("hi", to="ghost"), token) == {
            "errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": "ghost"}
        partly = _app(w, text("hi", to="u1|ghost"), token)
        assert partly["errcode"] == 0 and partly["invaliduser"] == "ghost"
        assert _app(w, text("字" * 683), token)["errcode"] == 40058  # 2049 bytes
        assert len(w.app_messages) == 1


def test_app_duplicate_check_and_silent_drop_over_30_a_minute():
    with WeComStandin() as w:
        token = _token(w)
        dup = {**text("同一条"), "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
        assert _app(w, dup, token)["msgid"] == _app(w, dup, token)["msgid"]
        assert w.duplicates == 1
        for i in range(31):
            assert _app(w, text(f"m{i}", to="u2"), token)["errcode"] == 0
        assert w.dropped == 1 and len([b for b in w.app_messages if b["touser"] == "u2"]) == 30
        w.advance(61)
        _app(w, text("later", to="u2"), token)
        assert w.app_messages[-1]["text"]["content"] == "later"


def test_app_image_needs_an_uploaded_media_id():
    with WeComStandin() as w:
        token = _token(w)
        body = {"touser": "u1", "msgtype": "image", "agentid": 1, "image": {"media_id": "made-up"}}
        assert _app(w, body, token)["errcode"] == 40007
        up = requests.post(f"{w.base_url}/cgi-bin/media/upload", params={"access_token": token, "type": "image"},
                           files={"media": ("n.png", io.BytesIO(PNG), "image/png")}).json()
        assert up["errcode"] == 0 and w.uploads[0]["size"] == len(PNG)
        body["image"]["media_id"] = up["media_id"]
        assert _app(w, body, token)["errcode"] == 0


def test_robot_webhook_rules():
    with WeComStandin() as w:
        w.valid_webhook_keys.add("k1")
        assert _robot(w, "nope", {"msgtype": "text", "text": {"content": "x"}})["errcode"] == 93000
        assert _robot(w, "k1", {"msgtype": "markdown", "markdown": {"content": "x" * 4097}})["errcode"] == 40058
        b64 = base64.b64encode(PNG).decode()
        assert _robot(w, "k1", {"msgtype": "image", "image": {"base64": b64, "md5": "0" * 32}})["errcode"] == 40009
        gif = base64.b64encode(b"GIF89a").decode()
        assert _robot(w, "k1", {"msgtype": "image", "image": {"base64": gif,
                                                            "md5": hashlib.md5(b"GIF89a").hexdigest()}})["errcode"] == 40009
        ok = {"msgtype": "image", "image": {"base64": b64, "md5": hashlib.md5(PNG).hexdigest()}}
        assert _robot(w, "k1", ok)["errcode"] == 0
        for _ in range(19):
            _robot(w, "k1", {"msgtype": "text", "text": {"content": "x"}})
        assert _robot(w, "k1", {"msgtype": "text", "text": {"content": "21st"}})["errcode"] == 45009
        assert len(w.webhook_messages) == 20 and w.throttled == 1


def test_bot_response_url_works_once_and_faults_can_be_injected():
    with WeComStandin() as w:
        url = w.response_url("rc-1")
        body = {"msgtype": "markdown", "markdown": {"content": "好的"}}
        assert requests.post(url, json=body).json()["errcode"] == 0
        assert requests.post(url, json=body).json()["errcode"] == RESPONSE_CODE_USED
        late = w.response_url("rc-2")
        w.advance(3601)
        assert requests.post(late, json=body).json()["errcode"] == RESPONSE_CODE_USED
        w.fail_next(1, status=502)
        assert requests.post(w.response_url("rc-3"), json=body).status_code == 502
        assert w.bot_responses == [("rc-1", body)]


def test_sms_standin_records_and_fails_on_demand():
    with SmsStandin() as sms:
        sms.fail_next(1, status=503)
        assert requests.post(sms.url, json={"mobile": "13800000000", "content": "x"}).status_code == 503
        assert requests.post(sms.url, json={"mobile": "12", "content": "x"}).status_code == 400
        assert requests.post(sms.url, json={"mobile": "13800000000", "content": "到货"}).json()["code"] == 0
        assert sms.messages == [{"mobile": "13800000000", "content": "到货"}]


def test_smtp_standin_decodes_chinese_subject_and_checks_login():
    with SmtpStandin(login=("ops", "pw")) as smtp:
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = "订单已发货", "ops@example.com", "a@example.com"
        msg.set_content("您好，订单已发货。")
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=5) as c:
            c.login("ops", "pw")
            c.send_message(msg)
        assert smtp.messages[0]["subject"] == "订单已发货"
        assert smtp.messages[0]["body"].strip() == "您好，订单已发货。"
        assert smtp.messages[0]["to"] == ["a@example.com"] and smtp.logins == ["ops"]
