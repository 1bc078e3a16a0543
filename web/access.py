"""Who may open which admin page, and the checks every /admin request goes through.

Fail closed: an /admin endpoint that does not declare its roles with `@page(...)` answers
403 to everyone, so a new view cannot leak by forgetting a decorator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from core.runtime import current_runtime
from orders.roles import Role
from web import texts
from web.sessions import idle_expired

R = Role
EVERYONE = frozenset(r for r in Role if r != Role.SYSTEM)
ADMINS = frozenset({R.ADMIN})
MANAGERS = frozenset({R.ADMIN, R.MANAGER})

# Page groups and the roles that may open them (admin and manager see everything but tokens/staff edits).
PAGE_ROLES: dict[str, frozenset[Role]] = {
    "todo": EVERYONE,  # 我的待办: everyone's landing page
    "orders": EVERYONE,
    "order_entry": frozenset({R.SALES}) | MANAGERS,
    "shop": frozenset({R.SALES}) | MANAGERS,  # customers' ordering links, catalogue, addresses
    "receiving": frozenset({R.PURCHASING, R.WAREHOUSE, R.PLANNER}) | MANAGERS,
    "board_sales": frozenset({R.SALES, R.FINANCE}) | MANAGERS,
    "board_planning": frozenset({R.PLANNER, R.PRODUCTION, R.PURCHASING, R.QC}) | MANAGERS,
    "board_warehouse": frozenset({R.WAREHOUSE, R.LOGISTICS, R.QC}) | MANAGERS,
    "live": EVERYONE,
    "playground": EVERYONE,
    "master_data": MANAGERS,
    "staff": ADMINS,
    "tokens": ADMINS,
    "logs": MANAGERS,
    "insight": MANAGERS,
    "data": frozenset({R.PLANNER}) | MANAGERS,
    "account": EVERYONE,  # one's own password
}

PUBLIC = "public"
ROLE_ATTR = "_admin_page"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def page(group: str | Callable[..., str | None]) -> Callable:
    """Declare a view's page group (so its roles): a name, "board_{name}" with URL parts, or a
    callable of the URL parts that returns the group name."""
    if isinstance(group, str) and group != PUBLIC and group not in PAGE_ROLES and "{" not in group:
        raise ValueError(f"unknown page group {group!r}")

    def deco(fn):
        setattr(fn, ROLE_ATTR, group)
        return fn

    return deco


def user_may(group: str, roles: Iterable[Role]) -> bool:
    """True when one of `roles` may open pages of `group`."""
    return bool(set(roles) & PAGE_ROLES.get(group, frozenset()))


def enforce() -> None:
    """before_request of every admin blueprint: CSRF on writes, login, then the page's roles."""
    if request.method in UNSAFE_METHODS:
        check_csrf()
    view = current_app.view_functions.get(request.endpoint or "")
    group = getattr(view, ROLE_ATTR, None)
    if callable(group):
        group = group(**(request.view_args or {}))
    elif group and "{" in group:  # e.g. "board_{name}": the group depends on the URL
        group = group.format(**(request.view_args or {}))
    if group == PUBLIC:
        return None
    if current_user.is_authenticated and idle_expired(current_runtime().settings.web.session_idle_minutes):
        logout_user()
        session.clear()
        flash(texts.SESSION_IDLE, "info")
        return redirect(url_for("admin_auth.login", next=request.full_path.rstrip("?")))
    if not current_user.is_authenticated:
        return redirect(url_for("admin_auth.login", next=request.full_path.rstrip("?")))
    if group is None or not user_may(group, current_user.roles):
        abort(403)
    return None


def check_csrf() -> None:
    """400 unless the form (or the X-CSRFToken header) carries this session's CSRF token."""
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(str(exc)) from None


def safe_next(target: str | None) -> str:
    """A redirect target inside the admin, never another site; by default 我的待办 (every role's landing page)."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin_todo.todo")
