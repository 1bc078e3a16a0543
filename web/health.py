"""`GET /healthz`: database, Redis and worker status as JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify
from rq import Worker
from sqlalchemy import text

from core.runtime import current_runtime

bp = Blueprint("health", __name__)

@bp.get("/healthz")
def healthz():
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
    return jsonify({"status": "ok" if ok else "degraded", **report}), 200 if ok else 503


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
