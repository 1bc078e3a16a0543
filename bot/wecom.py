"""WeCom entry points: the self-built app callback (encrypted XML, one-to-one chats) and the
intelligent robot callback (encrypted JSON, group @-messages). Verify, store, enqueue, answer at once.

WeCom retries anything but a 200. So a message that decrypts (it is WeCom's) but has an odd shape is
stored as ignored, or dropped when it has no usable id, and answered 200: retrying cannot fix it.
Only what does not verify or decrypt gets 403/400, and only a storage failure gets 503.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from http import HTTPStatus
from urllib.parse import parse_qsl

from defusedxml import ElementTree
from flask import Blueprint, Response, abort, request

from bot.cards import CARD_EVENT, card_event_id
from bot.crypto import CallbackCrypto
from bot.exceptions import BadPayload, BadSignature, StaleRequest
from bot.inbound import Incoming, accept
from bot.payload import NotAnObject, clean_text, id_field, json_object, scrub, text_field
from bot.quotes import item_text
from core.logs import REQUEST_ID, new_request_id
from core.metrics import count_request
from core.runtime import Runtime, current_runtime

log = logging.getLogger(__name__)
request_log = logging.getLogger("ops.request")  # the line web/observability.py writes for every request

bp = Blueprint("bot_wecom", __name__)


def app_crypto(rt: Runtime) -> CallbackCrypto | None:
    """Crypto of the self-built app callback (receive id = CorpID), or None when not configured."""
    s = rt.settings
    if not s.wecom_callback_enabled:
        return None
    if "bot.crypto.app" not in rt.extras:
        rt.extras["bot.crypto.app"] = CallbackCrypto(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id)
    return rt.extras["bot.crypto.app"]


def robot_crypto(rt: Runtime) -> CallbackCrypto | None:
    """Crypto of the robot callback (receive id empty), or None when not configured."""
    s = rt.settings
    if not (s.wecom_bot_token and s.wecom_bot_aes_key):
        return None
    if "bot.crypto.robot" not in rt.extras:
        rt.extras["bot.crypto.robot"] = CallbackCrypto(s.wecom_bot_token, s.wecom_bot_aes_key, "")
    return rt.extras["bot.crypto.robot"]


def parse_xml(data: bytes | str) -> dict:
    """The child elements of a flat WeCom XML document as a dict (defusedxml: no entities, no DTD)."""
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # ParseError, DefusedXmlException, bad encoding
        raise BadPayload(f"not XML: {type(exc).__name__}") from None
    return {clean_text(str(child.tag)): clean_text(child.text or "") for child in root}


def _verify_url(crypto: CallbackCrypto | None) -> Response:
    """GET: answer the decrypted echostr, raw."""
    if crypto is None:
        abort(404)
    a = request.args
    try:
        echo = crypto.echo(a.get("msg_signature"), a.get("timestamp"), a.get("nonce"), a.get("echostr", ""))
    except (BadSignature, StaleRequest) as exc:
        log.warning("wecom URL verification refused: %s", exc)
        return Response("", status=403)
    except BadPayload as exc:
        log.warning("wecom URL verification unreadable: %s", exc)
        return Response("", status=400)
    return Response(echo, mimetype="text/plain")


def receive(rt: Runtime, crypto: CallbackCrypto, args: Mapping[str, str], body: bytes, extract, to_incoming) -> int:
    """POST: verify + decrypt, make an Incoming, store and enqueue; the status to answer (the body is empty)."""
    try:
        plain = crypto.open(args.get("msg_signature"), args.get("timestamp"), args.get("nonce"), extract(body))
    except (BadSignature, StaleRequest) as exc:
        log.warning("wecom callback refused: %s", exc)
        return 403
    except BadPayload as exc:
        log.warning("wecom callback unreadable: %s", exc)
        return 400
    try:
        incoming = to_incoming(plain)
    except BadPayload as exc:  # WeCom's own message, in a shape we cannot use: a retry would not help
        log.warning("wecom message dropped, no usable id: %s", exc)
        return 200
    try:
        accept(rt, incoming)
    except Exception:  # storage down: let WeCom retry later rather than lose the message
        log.exception("could not store wecom message %s", incoming.platform_msg_id)
        return 503
    return 200


def _receive(crypto: CallbackCrypto | None, extract, to_incoming) -> Response:
    if crypto is None:
        abort(404)
    return Response("", status=receive(current_runtime(), crypto, request.args, request.get_data(), extract,
                                       to_incoming))


@bp.get("/wecom/callback")
def app_verify():
    return _verify_url(app_crypto(current_runtime()))


@bp.post("/wecom/callback")
def app_message():
    return _receive(app_crypto(current_runtime()), lambda body: parse_xml(body).get("Encrypt", ""),
                    lambda plain: incoming_from_app(parse_xml(plain)))


@bp.get("/wecom/bot")
def robot_verify():
    return _verify_url(robot_crypto(current_runtime()))


@bp.post("/wecom/bot")
def robot_message():  # served by RobotCallback below; Flask's route answers what that one passes on
    return _receive(robot_crypto(current_runtime()), _robot_encrypt, _robot_incoming)


def _robot_incoming(plain: str) -> Incoming:
    return incoming_from_robot(_json_object(plain), reply_channel="bot_response", scrubbed=True)


class RobotCallback:
    """WSGI middleware answering POST /wecom/bot before Flask's request machinery.

    The robot callback is the one endpoint that takes bursts (a group at shift change, WeCom's retries), and
    Flask's request context, session, rate-limit check and hooks cost a fifth of its CPU (py-spy under
    bench/bot_bench.py). This answers exactly as the route does (empty body; 200, 400, 403 or 503), with the
    same X-Request-ID header, request log line and request count (web/observability.py). Whatever it does not
    expect (robot callback off, no or too large Content-Length) goes on to Flask.
    """

    ENDPOINT = "bot_wecom.robot_message"
    PATH = "/wecom/bot"

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != self.PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        rt: Runtime = self.app.extensions["ops"]
        crypto = robot_crypto(rt)
        length = environ.get("CONTENT_LENGTH") or ""
        if crypto is None or not length.isdigit() or int(length) > (self.app.config["MAX_CONTENT_LENGTH"] or 0):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        rid = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = REQUEST_ID.set(rid)
        try:
            args: dict[str, str] = {}
            for key, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
                args.setdefault(key, value)  # the first of a repeated key, as request.args.get gives
            try:
                body = environ["wsgi.input"].read(int(length))
                with self.app.app_context():  # a job run inline (tests, the bridge) reads current_app
                    status = receive(rt, crypto, args, body, _robot_encrypt, _robot_incoming)
            except Exception:
                log.exception("robot callback failed")
                status = 500
            request_log.info("POST %s %s %.1fms", self.PATH, status, (time.perf_counter() - started) * 1000)
            count_request(rt.redis, self.ENDPOINT, "POST", status)
        finally:
            REQUEST_ID.reset(token)
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "0"), ("X-Request-ID", rid)])
        return [b""]


def _json_object(data: bytes | str) -> dict:
    try:
        return json_object(data)
    except NotAnObject as exc:
        raise BadPayload(str(exc)) from None


def _robot_encrypt(body: bytes) -> str:
    value = _json_object(body).get("encrypt")
    return value if isinstance(value, str) else ""


def incoming_from_app(x: dict) -> Incoming:
    """A decrypted app message (docs 90238/90930): one-to-one chat; events dedupe on sender + time."""
    sender, msgtype = id_field(x.get("FromUserName")), text_field(x.get("MsgType"), 40)
    if not sender:
        raise BadPayload("FromUserName missing")
    if msgtype == "event" and x.get("Event") == CARD_EVENT:  # a button click on one of our cards
        msgtype, msg_id = CARD_EVENT, id_field(card_event_id(x, sender))
    elif msgtype == "event" or not x.get("MsgId"):
        msg_id = id_field(f"event:{sender}:{x.get('CreateTime', '')}:{x.get('Event', '')}")
    else:
        msg_id = id_field(x["MsgId"])
    if not msg_id:
        raise BadPayload("MsgId unusable")
    return Incoming(platform="wecom_app", platform_msg_id=msg_id, text=text_field(x.get("Content")),
                    msgtype=msgtype, chat_id=sender, chat_type="single", sender_id=sender, raw=x,
                    reply_channel="wecom_app", reply_to=sender)


def robot_text(body: dict) -> str:
    """The text of a robot message: text.content, voice.content (WeCom's transcription), or the text items
    of a mixed message ('' when shaped otherwise)."""
    return text_field(item_text(body))


def incoming_from_robot(body: dict, *, reply_channel: str, reply_to: str | None = None,
                        scrubbed: bool = False) -> Incoming:
    """A decrypted robot message (docs 100719/101031); the reply goes to response_url or back on the socket.

    Every field is checked for its documented type: a wrong one reads as absent, so the message is
    stored and ignored (no text) rather than failing; BadPayload only when msgid is unusable.
    """
    if not scrubbed:  # json_object() scrubs what it decodes
        body = scrub(body)
    msg_id = id_field(body.get("msgid"))
    if not msg_id:
        raise BadPayload("msgid missing")
    sender = id_field(body["from"].get("userid")) if isinstance(body.get("from"), dict) else None
    chat_type = "group" if body.get("chattype") == "group" else "single"
    url = body.get("response_url")
    response_url = url if isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= 2048 \
        else None
    return Incoming(platform="wecom_bot", platform_msg_id=msg_id, text=robot_text(body),
                    msgtype=text_field(body.get("msgtype"), 40), chat_id=id_field(body.get("chatid")) or sender or "",
                    chat_type=chat_type, sender_id=sender or "", raw=body, response_url=response_url,
                    reply_channel=reply_channel,
                    reply_to=reply_to if reply_to is not None else response_url)
