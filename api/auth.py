"""Bearer-token authentication of the API."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from accounts.service import token_for, touch_token
from core.db import new_session
from core.runtime import current_runtime
from orders.actor import Actor
from orders.exceptions import OrderError
from orders.roles import Role


class Unauthorized(OrderError):
    http_status = 401
    code = "unauthorized"


class Forbidden(OrderError):
    http_status = 403
    code = "forbidden"


def api_actor() -> Actor:
    """The Actor of the presented token, or Unauthorized."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("需要有效的 API 令牌（Authorization: Bearer …），可用 ops create-token 创建。")
    with new_session(current_runtime().engine) as session:
        row = token_for(session, token.strip())
        if row is None:
            raise Unauthorized("API 令牌无效或已吊销。")
        touch_token(session, row)
        return Actor(name=f"api:{row.name}", source="api", roles=frozenset({Role(row.role)}))


def require_token(*roles: str):
    """Decorator: a valid token, and (when roles are named) one of those roles or admin/manager."""

    def deco(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            actor = api_actor()
            allowed = {Role(r) for r in roles} | {Role.ADMIN, Role.MANAGER}
            if roles and not (actor.roles & allowed):
                raise Forbidden("此令牌的角色无权执行该操作。")
            g.actor = actor
            return fn(*args, **kwargs)

        return wrapper

    return deco
