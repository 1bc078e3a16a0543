"""Web logins: Flask-Login session users built from accounts.User and its Staff member."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from accounts.models import User
from accounts.service import change_password, check_login, end_sessions
from core.db import new_session
from core.runtime import current_runtime
from orders.actor import Actor
from orders.exceptions import InvalidInput
from orders.models import Staff
from orders.roles import ROLE_LABELS, Role, parse_roles
from web import texts, wecom_oauth
from web.access import PUBLIC, enforce, page, safe_next
from web.sessions import SEEN_KEY, init_sessions

bp = Blueprint("admin_auth", __name__, url_prefix="/admin")
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f]")  # CR/LF would split the Location header; spaces never belong
bp.before_request(enforce)


@dataclass
class WebUser:
    """The signed-in person: login name, roles (User role + Staff roles), linked staff."""

    id: int
    username: str
    roles: frozenset[Role]
    staff_id: int | None = None
    staff_name: str | None = None
    userid: str | None = None
    session_version: int = 0
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """What the session cookie keeps: id and session version (an older version is signed out)."""
        return f"{self.id}.{self.session_version}"

    @property
    def display_name(self) -> str:
        return self.staff_name or self.username

    @property
    def role_text(self) -> str:
        return "、".join(ROLE_LABELS[r] for r in sorted(self.roles))

    def actor(self, source: str = "web") -> Actor:
        """The domain Actor of this person acting through the web admin."""
        return Actor(name=self.display_name, source=source, roles=self.roles, userid=self.userid,
                     staff_id=self.staff_id)


def web_user(session, user: User) -> WebUser:
    """Combine a login with its Staff member's roles and names."""
    roles = set(parse_roles(user.role))
    staff = session.get(Staff, user.staff_id) if user.staff_id else None
    if staff is not None and staff.active:
        roles |= staff.role_set
    roles.discard(Role.SYSTEM)
    return WebUser(id=user.id, username=user.username, roles=frozenset(roles),
                   staff_id=staff.id if staff else None, staff_name=staff.name if staff else None,
                   userid=staff.userid if staff else None, session_version=user.session_version)


def load_user(user_id: str) -> WebUser | None:
    """Flask-Login user loader: an active login whose session version is current, else None (logged out)."""
    uid, _, version = (user_id or "").partition(".")
    try:
        uid_n, version_n = int(uid), int(version)
    except ValueError:
        return None
    with new_session(current_runtime().engine) as s:
        user = s.get(User, uid_n)
        if user is None or not user.active or user.session_version != version_n:
            return None
        return web_user(s, user)


def init_login(app: Flask) -> None:
    """Attach a LoginManager to this app (each create_app gets its own) and harden its sessions."""
    manager = LoginManager()
    manager.login_view = "admin_auth.login"
    manager.login_message = texts.LOGIN_REQUIRED
    manager.user_loader(load_user)
    manager.init_app(app)
    # Boards stay open on a screen all day: a form token lives as long as the signed-in session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    init_sessions(app, app.extensions["ops"])


def _sign_in(user: WebUser) -> None:
    """A fresh session (new CSRF token, nothing carried over from before the login) for `user`."""
    session.clear()
    login_user(user)
    session[SEEN_KEY] = int(time.time())


@bp.route("/login", methods=["GET", "POST"])
@page(PUBLIC)
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_next_target(request.args.get("next")))
    settings = current_runtime().settings
    if (request.method == "GET" and not request.args.get("password") and wecom_oauth.in_wecom(request)
            and wecom_oauth.oauth_enabled(settings)):  # inside WeCom: sign in as the WeCom member
        return wecom_oauth.begin(settings, _next_target(request.args.get("next")))
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        throttle = current_app.extensions["ops_login_throttle"]
        wait = throttle.blocked_for(username, request.remote_addr)
        if wait:
            flash(texts.LOGIN_THROTTLED.format(minutes=max(1, -(-wait // 60))), "error")
            resp = current_app.make_response(
                (render_template("admin/login.html", next=request.form.get("next", "")), 429))
            resp.headers["Retry-After"] = str(wait)
            return resp
        with new_session(current_runtime().engine) as s:
            user = check_login(s, username, password) if username and password else None
            if user is not None:
                _sign_in(web_user(s, user))
                return redirect(_next_target(request.form.get("next")))
        throttle.failed(username, request.remote_addr)
        flash(texts.LOGIN_FAILED, "error")
        return render_template("admin/login.html", next=request.form.get("next", "")), 401
    return render_template("admin/login.html", next=request.args.get("next", ""))


@bp.get("/wecom/oauth")
@page(PUBLIC)
def wecom_oauth_callback():
    """WeCom's OAuth2 redirect: check state, exchange the code for the userid, sign that staff member in."""
    try:
        target = wecom_oauth.check_state(request.args.get("state", ""))
        rt = current_runtime()
        userid = wecom_oauth.userid_of_code(rt, request.args.get("code", ""))
        with new_session(rt.engine) as s:
            user = wecom_oauth.login_of_userid(s, userid)
            s.commit()
            _sign_in(web_user(s, user))
    except wecom_oauth.Refusal as refused:
        return render_template("admin/wecom_refused.html", title=texts.WECOM_LOGIN_TITLE,
                               message=refused.message), refused.status
    return redirect(_next_target(target))


def _next_target(raw: str | None) -> str:
    """Where to go after signing in: `next` when it is a clean admin path, else 我的待办."""
    return safe_next(None if raw is None or _UNSAFE_IN_URL.search(raw) else raw)


@bp.post("/logout")
@page(PUBLIC)
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign people out); every copy of the session
    cookie stops working, here and on any other device of this login."""
    if current_user.is_authenticated:
        with new_session(current_runtime().engine) as s:
            end_sessions(s, current_user.id)
    logout_user()
    session.clear()
    flash(texts.LOGGED_OUT, "info")
    return redirect(url_for("admin_auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@page("account")
def password():
    """Change one's own password; other sessions of this login end, this one continues."""
    if request.method == "POST":
        form = request.form
        if form.get("new_password", "") != form.get("confirm_password", ""):
            flash(texts.PASSWORD_MISMATCH, "error")
            return render_template("admin/password.html"), 400
        with new_session(current_runtime().engine) as s:
            try:
                user = change_password(s, current_user.id, form.get("old_password", ""),
                                       form.get("new_password", ""))
            except InvalidInput as exc:
                flash(exc.message, "error")
                return render_template("admin/password.html"), 400
            _sign_in(web_user(s, user))
        flash(texts.PASSWORD_CHANGED, "info")
        return redirect(url_for("admin_orders.order_list"))
    return render_template("admin/password.html")


@bp.get("")
@bp.get("/")
@page("todo")
def home():
    """The admin home: 我的待办 (every role lands on its own next steps)."""
    return redirect(url_for("admin_todo.todo"))
