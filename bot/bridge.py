"""`POST /bridge/messages`: messages relayed from other chat platforms (personal-WeChat group bridges).

HMAC-SHA256 of `timestamp + "." + body` with BRIDGE_SECRET, hex in X-Signature; X-Timestamp within
300 s. The message is stored first, then processed inline so the reply rides in the answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Blueprint, jsonify, request

from bot import texts
from bot.crypto import check_timestamp
from bot.exceptions import BadSignature, StaleRequest
from bot.inbound import Incoming, accept, reply_of
from bot.payload import NotAnObject, id_field, json_object, text_field
from core.runtime import current_runtime

log = logging.getLogger(__name__)

bp = Blueprint("bot_bridge", __name__)


def bridge_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `timestamp + "." + body`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_bridge(secret: str, timestamp: str | None, signature: str | None, body: bytes) -> None:
    """Raise BadSignature / StaleRequest unless the request is signed with the secret and fresh."""
    if not timestamp or not signature:
        raise BadSignature("X-Timestamp or X-Signature missing")
    expected = bridge_signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise BadSignature("X-Signature does not match")
    check_timestamp(timestamp)


def _error(status: int, code: str, message: str):
    return jsonify({"error": code, "message": message}), status


def incoming_from_bridge(data: dict) -> Incoming:
    """The bridge's (scrubbed) JSON as an Incoming; ValueError when msg_id or text is missing or mistyped."""
    msg_id, text = id_field(data.get("msg_id")), data.get("text", "")
    if not msg_id or not isinstance(text, str):
        raise ValueError("msg_id and text are needed")
    chat_id, sender_id = id_field(data.get("chat_id")) or "", id_field(data.get("sender_id")) or ""
    return Incoming(platform="bridge", platform_msg_id=msg_id, text=text_field(text), msgtype="text",
                    chat_id=chat_id, chat_name=text_field(data.get("chat_name"), 200),
                    chat_type="group" if chat_id and chat_id != sender_id else "single",
                    sender_id=sender_id, sender_name=text_field(data.get("sender_name"), 200), raw=data)


@bp.post("/bridge/messages")
def bridge_message():
    rt = current_runtime()
    secret = rt.settings.bridge_secret
    if not secret:
        return _error(404, "not_found", texts.BRIDGE_OFF)
    body = request.get_data()
    try:
        verify_bridge(secret, request.headers.get("X-Timestamp"), request.headers.get("X-Signature"), body)
    except (BadSignature, StaleRequest) as exc:
        log.warning("bridge message refused: %s", exc)
        return _error(403, "forbidden", texts.BRIDGE_FORBIDDEN)
    try:
        incoming = incoming_from_bridge(json_object(body))
    except (NotAnObject, ValueError):
        return _error(400, "bad_request", texts.BRIDGE_BAD_JSON)
    try:
        row, _ = accept(rt, incoming, inline=True)
        return jsonify({"reply": reply_of(rt, row.id)})
    except Exception:
        log.exception("bridge message %s could not be handled", incoming.platform_msg_id)
        return _error(503, "unavailable", texts.BRIDGE_UNAVAILABLE)
