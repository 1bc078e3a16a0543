"""`GET /healthz`: database, Redis and worker status as JSON.

Anyone gets ok/fail per part (load balancers, uptime checks); the details (backends, counts, warnings,
error texts that may name hosts or files) only an admin or manager does, signed in or by API token.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from rq import Worker
from sqlalchemy import text

from accounts.service import token_for
from core.db import new_session
from core.runtime import current_runtime
from orders.roles import Role

bp = Blueprint("health", __name__)
DETAIL_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


@bp.get("/healthz")
def healthz():
    """Status of every part; details for admins and managers only."""
    rt = current_runtime()
    report: dict = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        report["database"] = {"ok": True, "backend": rt.engine.dialect.name}
    except Exception as exc:  # report, never raise
        report["database"] = {"ok": False, "error": str(exc)[:200]}
    try:
        rt.redis.ping()
        report["redis"] = {"ok": True, "embedded": rt.embedded_redis}
    except Exception as exc:
        report["redis"] = {"ok": False, "error": str(exc)[:200]}
    report["worker"] = _worker_status(rt)
    for name, check in rt.health_checks.items():
        try:
            report[name] = check(rt)
        except Exception as exc:
            report[name] = {"ok": False, "error": str(exc)[:200]}
    ok = report["database"]["ok"] and report["redis"]["ok"]
    if not (report["database"]["ok"] and _may_see_details(rt)):
        report = {name: {"ok": bool(part.get("ok"))} for name, part in report.items()}
    return jsonify({"status": "ok" if ok else "degraded", **report}), 200 if ok else 503


def _may_see_details(rt) -> bool:
    """An admin/manager session, or a bearer token of the admin or manager role."""
    if current_user.is_authenticated and current_user.roles & DETAIL_ROLES:
        return True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    with new_session(rt.engine) as session:
        row = token_for(session, token.strip())
        return row is not None and row.role in {r.value for r in DETAIL_ROLES}


def _worker_status(rt) -> dict:
    if rt.settings.run_jobs_inline:
        return {"ok": True, "mode": "inline"}
    if "inprocess_worker" in rt.extras:
        alive = rt.extras["inprocess_worker"].is_alive()
        return {"ok": alive, "mode": "in-process thread"}
    try:
        workers = Worker.all(connection=rt.redis)
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": bool(workers), "mode": "rq", "count": len(workers), "queued": rt.queue.count}
