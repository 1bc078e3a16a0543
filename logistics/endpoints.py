"""Inbound HTTP of logistics: Kuaidi100 pushes, and the bridge's pull of waiting notices.

`POST /logistics/kuaidi100` always answers HTTP 200 with Kuaidi100's JSON (`result` false makes
them push again later), never a 500.

`GET /bridge/outbox?chat_id=<id>&limit=20` lists notices waiting for a personal-WeChat group;
`POST /bridge/outbox/ack` with `{"ids": [..]}` marks them posted. Auth is that of
`/bridge/messages`: `X-Timestamp` (unix seconds, ±300 s) and `X-Signature` = hex
HMAC-SHA256(BRIDGE_SECRET, timestamp + "." + body), where for the GET the body is the raw
query string (e.g. `chat_id=wx-123&limit=20`). Off (404) while BRIDGE_SECRET is unset.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from pathlib import Path

from flask import Blueprint, abort, jsonify, request
from sqlmodel import select

from core.runtime import current_runtime
from core.types import utcnow
from logistics import kuaidi100, texts
from logistics.models import BridgeNotice
from logistics.service import apply_push
from orders.models import Order

log = logging.getLogger(__name__)
bp = Blueprint("logistics_inbound", __name__)
SKEW = 300


@bp.post("/logistics/kuaidi100")
def kuaidi100_push():
    """Verify, store and apply one push; answer Kuaidi100's JSON."""
    rt = current_runtime()
    salt = rt.settings.logistics.kuaidi100_salt
    param, sign = request.form.get("param", ""), request.form.get("sign", "")
    if salt is None:
        return jsonify(kuaidi100.answer(False, texts.KD100_NOT_CONFIGURED))
    if not kuaidi100.verify_sign(param, sign, salt):
        log.warning("kuaidi100 push with a bad sign from %s", request.remote_addr)
        return jsonify(kuaidi100.answer(False, texts.KD100_BAD_SIGN))
    try:
        push = kuaidi100.parse_push(param)
    except kuaidi100.BadPush as exc:
        log.warning("kuaidi100 push not understood: %s", exc)
        return jsonify(kuaidi100.answer(False, texts.KD100_BAD_PARAM))
    try:
        with rt.uow() as uow:
            result = apply_push(uow, rt, push)
            uow.commit()
    except Exception:  # answer so Kuaidi100 retries, never a 500
        log.exception("kuaidi100 push for %s failed", push.tracking_no)
        return jsonify(kuaidi100.answer(False, texts.KD100_FAILED))
    log.info("kuaidi100 %s %s state=%s: %s", push.tracking_no, push.status, push.state, result)
    return jsonify(kuaidi100.answer(True, texts.KD100_OK))


def bridge_signature(secret: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256 of `timestamp + "." + body`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _check_bridge(body: bytes) -> None:
    secret = current_runtime().settings.bridge_secret
    if not secret:
        abort(404)
    ts = request.headers.get("X-Timestamp", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > SKEW:
        abort(403)
    if not hmac.compare_digest(bridge_signature(secret, ts, body), request.headers.get("X-Signature", "")):
        abort(403)


@bp.get("/bridge/outbox")
def bridge_outbox():
    """Notices not yet acknowledged for one bridged chat, oldest first, image inline (base64)."""
    _check_bridge(request.query_string)
    chat_id = (request.args.get("chat_id") or "").strip()
    if not chat_id:
        abort(400)
    limit = min(max(request.args.get("limit", 20, type=int) or 20, 1), 50)
    rt = current_runtime()
    with rt.uow() as uow:
        rows = uow.session.exec(select(BridgeNotice, Order.order_no)
                                .outerjoin(Order, Order.id == BridgeNotice.order_id)
                                .where(BridgeNotice.chat_id == chat_id, BridgeNotice.acked_at.is_(None))
                                .order_by(BridgeNotice.id).limit(limit)).all()
        items = [_item(n, order_no) for n, order_no in rows]
        for n, _ in rows:
            n.fetched_at = n.fetched_at or utcnow()
            uow.session.add(n)
        uow.commit()
    return jsonify({"chat_id": chat_id, "items": items})


def _item(n: BridgeNotice, order_no: str | None) -> dict:
    raw = Path(n.image_path).read_bytes() if n.image_path and Path(n.image_path).is_file() else b""
    return {"id": n.id, "kind": n.kind, "order_no": order_no, "text": n.text,
            "image_b64": base64.b64encode(raw).decode() if raw else None,
            "image_md5": hashlib.md5(raw).hexdigest() if raw else None,
            "created_at": n.created_at.isoformat()}


@bp.post("/bridge/outbox/ack")
def bridge_outbox_ack():
    """Mark notices as posted to their chat: `{"ids": [1, 2]}`."""
    _check_bridge(request.get_data())
    ids = (request.get_json(silent=True) or {}).get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500:
        abort(400)
    rt = current_runtime()
    with rt.uow() as uow:
        rows = uow.session.exec(select(BridgeNotice).where(BridgeNotice.id.in_(ids),
                                                           BridgeNotice.acked_at.is_(None))).all()
        for n in rows:
            n.acked_at = utcnow()
            uow.session.add(n)
        uow.commit()
    return jsonify({"acked": len(rows)})
