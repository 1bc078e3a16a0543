"""Sign-in inside WeCom: OAuth2 (`snsapi_base`) instead of the password page.

A page that needs a login, opened in WeCom's in-app browser (its User-Agent says "wxwork"), goes to
WeCom's authorize page; WeCom sends the browser back to `/admin/wecom/oauth` with a code (valid once,
for 5 minutes) and our `state`; `auth/getuserinfo` turns the code into the member's userid, and the
active staff member with that userid is signed in by web.auth through the same session mechanism as a
password login (fresh session, session version), so the same page roles apply afterwards.

`state` is a random value kept in the signed session cookie: a callback whose state is not the one
this browser was sent off with (a forged or replayed link) signs nobody in. Browsers outside WeCom
keep the password login.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Request, redirect, session
from sqlmodel import Session, select

from accounts.models import User
from accounts.service import login_for_staff
from config import Settings
from core.runtime import Runtime
from notify.adapters import wecom_app_api
from notify.channels import ChannelError
from notify.wecom_api import WeComApiError
from orders.models import Staff
from web import texts

log = logging.getLogger(__name__)

STATE_KEY = "wecom_oauth"
CALLBACK_PATH = "/admin/wecom/oauth"
CODE_ERRORS = frozenset({40029, 40163, 42003})  # invalid / already used / expired code: open the link again


@dataclass
class Refusal(Exception):
    """Nobody is signed in; `message` is the Chinese text of the page, `status` its HTTP status."""

    status: int
    message: str


def in_wecom(request: Request) -> bool:
    """True for WeCom's in-app browser (desktop and mobile clients put "wxwork" in the User-Agent)."""
    return "wxwork" in (request.headers.get("User-Agent") or "").lower()


def oauth_enabled(settings: Settings) -> bool:
    """OAuth2 needs the app's corp id, secret (for getuserinfo) and agent id."""
    return settings.wecom_app_enabled and settings.wecom_agent_id is not None


def authorize_url(settings: Settings, state: str) -> str:
    """WeCom's authorize page for a silent (snsapi_base) sign-in that comes back to our callback."""
    query = urlencode({"appid": settings.wecom_corp_id,
                       "redirect_uri": settings.public_base_url.rstrip("/") + CALLBACK_PATH,
                       "response_type": "code", "scope": "snsapi_base", "state": state,
                       "agentid": settings.wecom_agent_id})
    return f"{settings.web.wecom_oauth_base.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def begin(settings: Settings, next_target: str):
    """Send the browser to WeCom, remembering the state and where to go afterwards."""
    state = secrets.token_hex(16)  # WeCom allows a-zA-Z0-9 in state
    session[STATE_KEY] = {"state": state, "next": next_target}
    return redirect(authorize_url(settings, state))


def check_state(given: str) -> str:
    """The `next` target saved with this browser's state; Refusal unless the state matches (used once)."""
    pending = session.pop(STATE_KEY, None)
    if not isinstance(pending, dict) or not given or not hmac.compare_digest(
            given.encode(), str(pending.get("state", "")).encode()):
        raise Refusal(400, texts.WECOM_STATE_BAD)
    return str(pending.get("next") or "")


def userid_of_code(rt: Runtime, code: str) -> str:
    """The WeCom member behind an OAuth2 code; Refusal for a bad code, a non-member or WeCom down."""
    client = wecom_app_api(rt)
    if client is None:
        raise Refusal(404, texts.WECOM_LOGIN_OFF)
    if not code or len(code) > 512:
        raise Refusal(400, texts.WECOM_CODE_BAD)
    try:
        answer = client.user_of_code(code)
    except WeComApiError as exc:
        if exc.errcode in CODE_ERRORS:
            raise Refusal(400, texts.WECOM_CODE_BAD) from None
        log.warning("WeCom getuserinfo refused: %s", exc)
        raise Refusal(502, texts.WECOM_LOGIN_FAILED.format(errcode=exc.errcode)) from None
    except ChannelError as exc:
        log.warning("WeCom getuserinfo failed: %s", exc)
        raise Refusal(503, texts.WECOM_DOWN) from None
    userid = answer.get("userid") or answer.get("UserId")  # older answers spelled it UserId
    if not isinstance(userid, str) or not userid:
        raise Refusal(403, texts.WECOM_NOT_MEMBER)
    return userid


def login_of_userid(s: Session, userid: str) -> User:
    """The login to sign in for this WeCom userid (created for a staff member who has none); Refusal when
    no active staff member has this userid or their login is deactivated."""
    staff = s.exec(select(Staff).where(Staff.userid == userid)).first()
    if staff is None or not staff.active:
        raise Refusal(403, texts.WECOM_NO_STAFF.format(userid=userid))
    user = login_for_staff(s, staff)
    if user is None:
        raise Refusal(403, texts.WECOM_NO_LOGIN.format(name=staff.name))
    return user
