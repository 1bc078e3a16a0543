"""A test-side WeCom: encrypts and signs callbacks per doc 91144 with `cryptography` directly
(never with our code), so the tests check our crypto against the documented wire format."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import time
import uuid

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CORP_ID = "ww_test"
APP_TOKEN = "app-token-123"
APP_AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
BOT_TOKEN = "bot-token-456"
BOT_AES_KEY = base64.b64encode(bytes(range(100, 132))).decode().rstrip("=")
BRIDGE_SECRET = "bridge-secret-789"


def encrypt(aes_key: str, message: str, receive_id: str) -> str:
    """AES-256-CBC, key = b64decode(aes_key + '='), IV = key[:16], PKCS#7 to 32 bytes."""
    key = base64.b64decode(aes_key + "=")
    body = message.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def decrypt(aes_key: str, ciphertext: str) -> tuple[str, str]:
    """(message, receive id) of a ciphertext."""
    key = base64.b64decode(aes_key + "=")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(ciphertext)) + dec.finalize()
    plain = plain[:-plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20:20 + length].decode(), plain[20 + length:].decode()


def signature(token: str, timestamp: str, nonce: str, encrypt_text: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt_text])).encode()).hexdigest()


def signed_query(token: str, ciphertext: str, *, timestamp: int | None = None, nonce: str | None = None,
                 bad: bool = False) -> dict:
    """The query string WeCom puts on a callback."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:10]
    sig = signature(token, ts, nonce, ciphertext)
    if bad:
        sig = ("0" if sig[0] != "0" else "1") + sig[1:]
    return {"msg_signature": sig, "timestamp": ts, "nonce": nonce}


def robot_message(text: str, *, msgid: str | None = None, userid: str = "t.warehouse", chatid: str = "grp-ops",
                  chattype: str = "group", response_url: str = "http://127.0.0.1:9/none",
                  msgtype: str = "text") -> dict:
    """A decrypted robot callback as documented (docs 100719/101031)."""
    body = {"msgid": msgid or uuid.uuid4().hex, "aibotid": "aibot-1", "chattype": chattype,
            "from": {"userid": userid}, "response_url": response_url, "msgtype": msgtype}
    if chattype == "group":
        body["chatid"] = chatid
    if msgtype == "text":
        body["text"] = {"content": f"@订单助手 {text}"}
    return body


def robot_post(client, body: dict, *, timestamp: int | None = None, bad: bool = False, nonce: str | None = None):
    """POST an encrypted robot message to /wecom/bot with the Flask test client."""
    ciphertext = encrypt(BOT_AES_KEY, json.dumps(body, ensure_ascii=False), "")
    query = signed_query(BOT_TOKEN, ciphertext, timestamp=timestamp, bad=bad, nonce=nonce)
    return client.post("/wecom/bot", query_string=query, json={"encrypt": ciphertext})


def app_xml(text: str, *, msgid: str | None = None, userid: str = "t.warehouse", msgtype: str = "text") -> str:
    """A decrypted app message (docs 90238/90930)."""
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{userid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msgtype}]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msgid or uuid.uuid4().int % 10**18}</MsgId>"
            f"<AgentID>1000002</AgentID></xml>")


def app_post(client, inner_xml: str, *, timestamp: int | None = None, bad: bool = False):
    """POST an encrypted app message to /wecom/callback."""
    ciphertext = encrypt(APP_AES_KEY, inner_xml, CORP_ID)
    query = signed_query(APP_TOKEN, ciphertext, timestamp=timestamp, bad=bad)
    body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{ciphertext}]]></Encrypt>"
            f"<AgentID><![CDATA[1000002]]></AgentID></xml>")
    return client.post("/wecom/callback", query_string=query, data=body, content_type="text/xml")


def bridge_headers(body: bytes, *, timestamp: int | None = None, secret: str = BRIDGE_SECRET) -> dict:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Timestamp": ts, "X-Signature": sig, "Content-Type": "application/json"}


def bot_settings(api_base: str, **more) -> dict:
    """make_app overrides that switch on the app callback, the robot and the bridge."""
    return {"wecom_bot_token": BOT_TOKEN, "wecom_bot_aes_key": BOT_AES_KEY, "wecom_corp_id": CORP_ID,
            "wecom_secret": "s3cret", "wecom_agent_id": 1000002, "wecom_token": APP_TOKEN,
            "wecom_aes_key": APP_AES_KEY, "wecom_api_base": api_base, "bridge_secret": BRIDGE_SECRET, **more}
