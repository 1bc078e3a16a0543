"""Admin pages for operations: API tokens, the notification log (with re-send), the inbound
message log with parse results, and device dead letters."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from accounts.models import ApiToken
from accounts.service import create_token
from bot.models import InboundMessage
from core.db import new_session
from core.errors import UserError
from core.runtime import current_runtime
from core.types import utcnow
from custgroups.service import results_by_notification
from devices.models import DeadLetter
from notify.queries import notification_log, resend
from orders.exceptions import OrderError
from orders.roles import ROLE_LABELS, Role
from web import texts
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_logs", __name__, url_prefix="/admin")
bp.before_request(enforce)
register_error_pages(bp)

LOG_LIMIT = 200
NOTIFY_STATUSES = ("queued", "sending", "retrying", "sent", "failed", "skipped", "delayed")


@bp.get("/tokens")
@page("tokens")
def tokens():
    """API tokens: name, role, last use; create and revoke."""
    with new_session(current_runtime().engine) as s:
        rows = s.exec(select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("admin/tokens.html", rows=rows,
                           roles=[(r.value, ROLE_LABELS[r]) for r in Role if r != Role.SYSTEM])


@bp.post("/tokens")
@page("tokens")
def token_create():
    """Create a token and show it once (only its hash is kept)."""
    name = (request.form.get("name") or "").strip()[:100]
    if not name:
        flash(texts.REQUIRED.format(label="名称"), "error")
        return redirect(url_for(".tokens"))
    with new_session(current_runtime().engine) as s:
        try:
            token = create_token(s, name, request.form.get("role") or "")
        except OrderError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".tokens"))
        rows = s.exec(select(ApiToken).order_by(ApiToken.id.desc())).all()
    # Rendered, not redirected: the token must not travel in a URL or sit in the session.
    page_html = render_template("admin/tokens.html", rows=rows, new_token=token,
                                roles=[(r.value, ROLE_LABELS[r]) for r in Role if r != Role.SYSTEM])
    return page_html, 200, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@page("tokens")
def token_revoke(token_id: int):
    """Revoke a token: the API refuses it from now on."""
    with new_session(current_runtime().engine) as s:
        row = s.get(ApiToken, token_id)
        if row is None:
            abort(404)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            s.add(row)
            s.commit()
        flash(texts.TOKEN_REVOKED.format(name=row.name), "ok")
    return redirect(url_for(".tokens"))


@bp.get("/logs/notifications")
@page("logs")
def notifications():
    """The outbox: every message to every recipient, newest first, by status."""
    status = request.args.get("status") if request.args.get("status") in NOTIFY_STATUSES else None
    with new_session(current_runtime().engine) as s:
        rows = notification_log(s, status=status, limit=LOG_LIMIT)
        group_results = results_by_notification(s, [n.id for n in rows if n.channel == "wecom_groupsend"])
    return render_template("admin/notifications.html", rows=rows, status=status, statuses=NOTIFY_STATUSES,
                           group_results=group_results)


@bp.post("/logs/notifications/<int:notification_id>/resend")
@page("logs")
def notification_resend(notification_id: int):
    """Queue a failed or skipped notification again."""
    try:
        with current_runtime().uow() as uow:
            resend(uow, notification_id)
            uow.commit()
        flash(texts.RESENT, "ok")
    except UserError as exc:  # not found, or not in a status that may be re-sent
        flash(exc.message, "error")
    return redirect(url_for(".notifications", status=request.args.get("status") or None))


@bp.get("/logs/inbound")
@page("logs")
def inbound():
    """Chat messages as they arrived, with what the parser made of them and the reply."""
    with new_session(current_runtime().engine) as s:
        rows = s.exec(select(InboundMessage).order_by(InboundMessage.id.desc()).limit(LOG_LIMIT)).all()
    return render_template("admin/inbound.html", rows=rows)


@bp.get("/logs/dead-letters")
@page("logs")
def dead_letters():
    """Scanner and sensor messages that could not be applied."""
    with new_session(current_runtime().engine) as s:
        rows = s.exec(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(LOG_LIMIT)).all()
    return render_template("admin/dead_letters.html", rows=rows)
