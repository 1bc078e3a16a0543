"""Create and check users and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import ApiToken, User
from core.types import utcnow
from orders.exceptions import InvalidInput
from orders.models import Staff
from orders.roles import Role

TOKEN_PREFIX = "oh_"


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        names = ", ".join(r.value for r in Role if r != Role.SYSTEM)
        raise InvalidInput(f"未知角色「{role}」，可选：{names}", field="role") from None


def create_user(session: Session, username: str, role: str, password: str) -> User:
    """A web login; linked to the Staff member whose WeCom userid or name matches."""
    _role(role)
    if len(password) < 8:
        raise InvalidInput("密码至少 8 位。", field="password")
    if session.exec(select(User).where(User.username == username)).first():
        raise InvalidInput(f"用户名 {username} 已存在。", field="username")
    staff = session.exec(select(Staff).where((Staff.userid == username) | (Staff.name == username))).first()
    user = User(username=username, role=role, password_hash=generate_password_hash(password),
                staff_id=staff.id if staff else None)
    session.add(user)
    session.commit()
    return user


# Checked against when the name is unknown, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def check_login(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None; as slow for unknown names as for known ones."""
    user = session.exec(select(User).where(User.username == username, User.active == True)).first()  # noqa: E712
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if check_password_hash(user.password_hash, password):
        return user
    return None


def change_password(session: Session, user_id: int, old: str, new: str) -> User:
    """Set a new password after checking the old one; every other session of this user ends."""
    user = session.get(User, user_id)
    if user is None or not check_password_hash(user.password_hash, old):
        raise InvalidInput("原密码不正确。", field="old_password")
    if len(new) < 8:
        raise InvalidInput("新密码至少 8 位。", field="new_password")
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    session.add(user)
    session.commit()
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Invalidate every signed-in session of this user (logout, password change)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.add(user)
        session.commit()


def has_admin(conn) -> bool:
    """True when an active admin login exists (`conn`: a Connection or Session)."""
    row = conn.execute(select(User.id).where(User.role == Role.ADMIN.value, User.active == True).limit(1))  # noqa: E712
    return row.first() is not None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: str) -> str:
    """Make a token; only its hash is kept, so this is the one time it is seen."""
    _role(role)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, role=role, token_hash=hash_token(token)))
    session.commit()
    return token


def token_for(session: Session, token: str) -> ApiToken | None:
    """The live ApiToken row of a presented bearer token, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch_token(session: Session, row: ApiToken) -> None:
    row.last_used_at = utcnow()
    session.add(row)
    session.commit()


def login_for_staff(session: Session, staff: Staff) -> User | None:
    """The web login of a staff member signing in through WeCom: their linked login, else a new one
    (username `wecom:<userid>`, a password nobody knows, role = one of their own roles). None when their
    only linked login is deactivated or they have no role. The caller commits."""
    linked = session.exec(select(User).where(User.staff_id == staff.id).order_by(User.id)).all()
    active = [u for u in linked if u.active]
    if active:
        return active[0]
    roles = sorted(r.value for r in staff.role_set if r != Role.SYSTEM)
    username = f"wecom:{staff.userid}"
    if linked or not roles or not staff.userid or session.exec(select(User.id).where(User.username == username)).first():
        return None
    user = User(username=username, role=roles[0], staff_id=staff.id,
                password_hash=generate_password_hash(secrets.token_urlsafe(32)))
    session.add(user)
    session.flush()
    return user
