"""Kuaidi100 subscription pushes: the wire format, the signature, and what a state means to us.

A push is a form POST with `param` (JSON text) and `sign` = upper-case hex md5(param + salt),
the salt being the one given when subscribing. `param.status` is polling | shutdown | abort |
updateall; `comNew` carries a corrected carrier code; `lastResult.data[]` holds the whole
trace, newest first. We answer {"result": true, "returnCode": "200", "message": "成功"}; any
other answer makes Kuaidi100 push again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field

PICKUP = "pickup"
DELIVER = "deliver"
EXCEPTION = "exception"

# Main states (lastResult.state): 0 在途 1 揽收 2 疑难 3 签收 4 退签 5 派件 6 退回 7 转投 8 清关
# 10-13 清关 (resultv2) 14 拒签. Advanced states (resultv2=4) are the main state * 100 + n.
ACTION_OF_STATE = {
    0: PICKUP, 1: PICKUP, 5: PICKUP, 7: PICKUP, 8: PICKUP, 10: PICKUP, 11: PICKUP, 12: PICKUP,
    3: DELIVER,
    2: EXCEPTION, 4: EXCEPTION, 6: EXCEPTION, 13: EXCEPTION, 14: EXCEPTION,
}


_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")  # lone surrogates and NUL: no database stores them


class BadPush(ValueError):
    """The push is not in Kuaidi100's format."""


@dataclass(frozen=True)
class TraceItem:
    ftime: str
    context: str
    area: str = ""
    status: str = ""


@dataclass(frozen=True)
class Push:
    """The parts of a push we use."""

    status: str
    message: str
    tracking_no: str
    carrier_code: str
    state: str
    is_signed: bool
    com_new: str = ""
    lines: tuple[TraceItem, ...] = field(default_factory=tuple)

    @property
    def main_state(self) -> int | None:
        try:
            n = int(self.state)
        except (TypeError, ValueError):
            return None
        return n // 100 if n >= 100 else n

    @property
    def action(self) -> str | None:
        """pickup | deliver | exception | None for this push's state."""
        if self.is_signed:
            return DELIVER
        return ACTION_OF_STATE.get(self.main_state) if self.main_state is not None else None


def sign_of(param: str, salt: str) -> str:
    """The signature Kuaidi100 sends: upper-case hex md5 of param + salt."""
    return hashlib.md5((param + salt).encode("utf-8")).hexdigest().upper()


def verify_sign(param: str, sign: str, salt: str) -> bool:
    """Constant-time check of a push's sign (case-insensitive hex)."""
    return hmac.compare_digest(sign_of(param, salt), (sign or "").strip().upper())


def _text(value, limit: int) -> str:
    """A field as clean text: strings and plain numbers, cut to `limit`; any other JSON type is ''."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return _UNSTORABLE.sub("\ufffd", str(value)).strip()[:limit]


def parse_push(param: str) -> Push:
    """Read the `param` JSON of a push; BadPush when it is not one. Fields of another type read as absent."""
    try:
        data = json.loads(param)
    except (TypeError, ValueError, RecursionError) as exc:
        raise BadPush(f"param is not JSON: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise BadPush("param is not an object")
    last = data.get("lastResult") or {}
    if not isinstance(last, dict):
        raise BadPush("lastResult is not an object")
    nu = _text(last.get("nu"), 40) or _text(data.get("nu"), 40)
    if not nu:
        raise BadPush("no tracking number (lastResult.nu)")
    items = last.get("data")
    lines = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and (context := _text(item.get("context"), 500)):
            lines.append(TraceItem(ftime=_text(item.get("ftime"), 40) or _text(item.get("time"), 40),
                                   context=context, area=_text(item.get("areaName"), 100),
                                   status=_text(item.get("status"), 20)))
    return Push(status=_text(data.get("status"), 40), message=_text(data.get("message"), 200),
                tracking_no=nu, carrier_code=_text(last.get("com"), 40), state=_text(last.get("state"), 20),
                is_signed=_text(last.get("ischeck"), 5) == "1", com_new=_text(data.get("comNew"), 40),
                lines=tuple(lines))


def answer(ok: bool, message: str) -> dict:
    """Kuaidi100's expected reply body."""
    return {"result": ok, "returnCode": "200" if ok else "500", "message": message}
