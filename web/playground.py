"""Chat playground: type a group message as a staff member and see what the bot answers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlmodel import select

from bot.models import InboundMessage
from core.db import new_session
from core.runtime import current_runtime
from orders.models import CustomerChat, Staff
from orders.roles import OVERRIDE_ROLES
from web import texts
from web.access import enforce, page
from web.playground_bot import MSG_PREFIX, Said, send
from web.ui import register_error_pages

bp = Blueprint("admin_playground", __name__, url_prefix="/admin/playground")
bp.before_request(enforce)
register_error_pages(bp)

HISTORY = 30
LAST_KEY = "playground_last"


def _may_speak_for_others() -> bool:
    return bool(current_user.roles & OVERRIDE_ROLES)


def _speakers(s) -> list[Staff]:
    """Staff the signed-in user may speak as: everyone for admins and managers, else themselves."""
    stmt = select(Staff).where(Staff.active == True, Staff.userid.is_not(None))  # noqa: E712
    if not _may_speak_for_others():
        stmt = stmt.where(Staff.id == (current_user.staff_id or -1))
    return list(s.exec(stmt.order_by(Staff.department, Staff.name)).all())


def _history(s) -> list:
    """The latest playground messages with the bot's replies, from the bot's inbound log."""
    rows = s.exec(select(InboundMessage).where(InboundMessage.platform_msg_id.like(f"{MSG_PREFIX}%"))
                  .order_by(InboundMessage.id.desc()).limit(HISTORY)).all()
    return list(reversed(rows))


@bp.get("")
@page("playground")
def playground():
    """The page: speaker, chat, message box, and the conversation so far."""
    with new_session(current_runtime().engine) as s:
        speakers = _speakers(s)
        chats = s.exec(select(CustomerChat).order_by(CustomerChat.internal.desc(), CustomerChat.chat_name)).all()
        history = _history(s)
    last = session.pop(LAST_KEY, None)
    return render_template("admin/playground.html", speakers=speakers, chats=chats, history=history,
                           last=last, chosen=request.args.get("as", ""),
                           chosen_chat=request.args.get("chat"))


@bp.post("")
@page("playground")
def say():
    """Send one message through the bot as the chosen staff member."""
    text = (request.form.get("text") or "").strip()
    userid = request.form.get("speaker") or ""
    chat_id = request.form.get("chat") or ""
    back = url_for(".playground", **{"as": userid, "chat": chat_id})
    if not text:
        flash(texts.PLAYGROUND_EMPTY, "error")
        return redirect(back)
    rt = current_runtime()
    with new_session(rt.engine) as s:
        speaker = next((p for p in _speakers(s) if p.userid == userid), None)
        chat = s.exec(select(CustomerChat).where(CustomerChat.chat_id == chat_id)).first() if chat_id else None
    if speaker is None:
        flash(texts.PLAYGROUND_NO_STAFF if _may_speak_for_others() else texts.PLAYGROUND_NOT_YOU, "error")
        return redirect(back)
    said = Said(staff_userid=speaker.userid, staff_name=speaker.name, chat_id=chat.chat_id if chat else "",
                chat_name=chat.chat_name if chat else "", text=text[:2000], signed_in_as=current_user.username)
    replies = send(rt, said)
    session[LAST_KEY] = {"speaker": speaker.name, "text": said.text[:300],
                         "replies": [r[:1500] for r in replies] or [texts.PLAYGROUND_NO_REPLY]}
    return redirect(back)
