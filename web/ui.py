"""Jinja helpers shared by every admin page: time formatting, navigation, the alert banner."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf

from alerts.scope import scoped_banner
from core.db import new_session
from core.runtime import current_runtime
from orders.roles import ROLE_LABELS
from orders.status import LABELS as STATUS_LABELS
from web import texts
from web.access import user_may
from web.labels import JINJA_GLOBALS

# (label, endpoint, page group); a user sees the entries their roles may open.
NAV = [
    ("我的待办", "admin_todo.todo", "todo"),
    ("订单", "admin_orders.order_list", "orders"),
    ("录入订单", "admin_entry.form", "order_entry"),
    ("客户下单链接", "admin_shop.customers", "shop"),
    ("到货登记", "admin_receiving.open_lines", "receiving"),
    ("销售看板", "admin_boards.board", "board_sales", {"name": "sales"}),
    ("计划看板", "admin_boards.board", "board_planning", {"name": "planning"}),
    ("仓库看板", "admin_boards.board", "board_warehouse", {"name": "warehouse"}),
    ("试聊", "admin_playground.playground", "playground"),
    ("洞察", "admin_insight.dashboard", "insight"),
    ("基础资料", "admin_master.index", "master_data"),
    ("人员", "admin_master.staff_list", "staff"),
    ("令牌", "admin_logs.tokens", "tokens"),
    ("日志", "admin_logs.notifications", "logs"),
    ("导入", "admin_data.import_page", "data"),
]


def fmt_dt(value) -> str:
    """A stored UTC datetime in the business time zone, e.g. 2026-11-25 10:03."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(current_runtime().settings.tz)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_qty(value) -> str:
    """A quantity without a useless '.0' (36.0 -> 36, 8.25 -> 8.25)."""
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    return "" if value is None else str(value)


def nav_items() -> list[dict]:
    """The menu of the signed-in user."""
    if not current_user.is_authenticated:
        return []
    out = []
    for entry in NAV:
        label, endpoint, group = entry[:3]
        if user_may(group, current_user.roles):
            out.append({"label": label, "endpoint": endpoint, "args": entry[3] if len(entry) > 3 else {}})
    return out


def alert_banner() -> dict:
    """The signed-in person's unresolved alerts (theirs, plus their team's for heads) by level and the
    five latest, for the banner on admin pages."""
    if not current_user.is_authenticated:
        return {"counts": {}, "latest": [], "total": 0, "scope": "own"}
    with new_session(current_runtime().engine) as s:
        data = scoped_banner(s, current_user.actor(), limit=5)
    return {"counts": data["counts"], "latest": data["items"], "total": data["total"], "scope": data["scope"]}


def _error_page(code: int, message: str):
    return render_template("admin/error.html", code=code, message=message,
                           title=texts.ERROR_TITLES.get(code, "")), code


def site_error_page(code: int, ref: str | None = None):
    """Any path's Chinese error page (404, 403, 405, 500 …); plain Chinese text if even that fails."""
    message = texts.ERROR_MESSAGES.get(code, texts.ERROR_OTHER)
    if code >= 500:
        message = texts.SERVER_ERROR.format(ref=ref or "-")
    try:
        return _error_page(code, message)
    except Exception:  # the page itself needs the database (the signed-in user); never raise from here
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}


def init_ui(app: Flask) -> None:
    """Filters, globals and the admin's error pages."""
    app.extensions["ops_error_page"] = site_error_page
    app.jinja_env.filters["dt"] = fmt_dt
    app.jinja_env.filters["qty"] = fmt_qty
    app.jinja_env.globals.update(
        csrf_token=generate_csrf, nav_items=nav_items, alert_banner=alert_banner,
        STATUS_LABELS={s.value: label for s, label in STATUS_LABELS.items()},
        ROLE_LABELS={r.value: label for r, label in ROLE_LABELS.items()},
        SOURCE_LABELS=texts.SOURCE_LABELS, ALERT_LEVEL_LABELS=texts.ALERT_LEVEL_LABELS, BANNER_SCOPE=texts.BANNER_SCOPE,
        PRIORITY_LABELS=texts.PRIORITY_LABELS, **JINJA_GLOBALS,
    )


def register_error_pages(bp) -> None:
    """Chinese 400/403/404 pages for an admin blueprint."""
    bp.register_error_handler(CSRFError, lambda e: _error_page(400, texts.BAD_REQUEST))
    bp.register_error_handler(400, lambda e: _error_page(400, texts.BAD_REQUEST))
    bp.register_error_handler(403, lambda e: _error_page(403, texts.FORBIDDEN))
    bp.register_error_handler(404, lambda e: _error_page(404, texts.NOT_FOUND))
