"""我的待办: every role's landing page — the next steps the rules give this person (nextsteps.todo, the
same list the chat command answers), their alerts, and one-tap actions through the same use cases as
chat: approve (orders.commands, version-checked), schedule (the order's schedule form), ack (alerts)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from alerts.models import Alert
from alerts.scope import visible_alerts
from alerts.service import ack_alert, may_ack
from core.runtime import current_runtime
from nextsteps import texts as step_texts
from nextsteps.todo import todo_for
from orders import commands
from orders.exceptions import OrderError
from orders.recipients import load_people
from orders.status import Status
from web import texts
from web.access import enforce, page
from web.ui import register_error_pages
from workcal.service import calendar_for

bp = Blueprint("admin_todo", __name__, url_prefix="/admin/todo")
bp.before_request(enforce)
register_error_pages(bp)


@bp.get("")
@page("todo")
def todo():
    """The signed-in person's next steps, earliest due first, and the alerts they see."""
    rt = current_runtime()
    today = datetime.now(rt.settings.tz).date()
    actor = current_user.actor()
    with rt.uow() as uow:
        s = uow.session
        found = todo_for(s, actor, today=today, cal=calendar_for(s, rt.settings))
        people = load_people(s)
        alerts = visible_alerts(s, actor, people)
        for a in alerts:
            a["may_ack"] = a["status"] == "open" and may_ack(s, s.get(Alert, a["id"]), actor, people)
    return render_template("admin/todo.html", title=texts.TODO_TITLE, todo=found, alerts=alerts,
                           days_text=step_texts.days_text, today=today)


def _version(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@bp.post("/<order_no>/approve")
@page("todo")
def approve(order_no: str):
    """审核通过 in one tap: the approve command as chat runs it, refused when the order changed meanwhile."""
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            order = commands.run(uow, "approve", order_no, actor=current_user.actor(),
                                 expected_version=_version(request.form.get("version")))
            uow.commit()
            flash(texts.TODO_APPROVED.format(order_no=order.order_no, label=Status(order.status).label), "ok")
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".todo"))


@bp.post("/alerts/<int:alert_id>/ack")
@page("todo")
def ack(alert_id: int):
    """预警已收到 in one tap: the same use case as the chat's 收到 and the API's ack."""
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            alert = ack_alert(uow, alert_id, current_user.actor())
            order_no, rule = alert.order_no, texts.ALERT_KIND_LABELS.get(alert.rule_code, alert.rule_code)
            uow.commit()
        flash(texts.ALERT_ACKED.format(order_no=order_no, rule=rule), "ok")
    except OrderError as exc:  # alerts' errors (not found, resolved, not yours) are OrderErrors too
        flash(exc.message, "error")
    return redirect(url_for(".todo") + "#my-alerts")
