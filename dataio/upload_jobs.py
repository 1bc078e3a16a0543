"""An uploaded ERP file imported as a job: the web request stores the file in Redis (shared by the web
tier and every worker) and queues `import_upload`; the job counts the rows, imports them, and writes
its progress (rows done / total) and finally the row-by-row report into a Redis hash, and publishes each
change on the import's own channel, which the upload page's event stream pushes to the browser (the
page falls back to polling the hash). Both keys expire, so abandoned uploads clean themselves up."""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path

from core.runtime import Runtime, current_runtime
from dataio import texts
from dataio.imports import run_import
from orders.import_files import LABELS, FileProblem, read_rows

FILE_TTL = 24 * 3600
STATE_TTL = 2 * 24 * 3600
PREVIEW_ROWS = 10
JOB_TIMEOUT = 3600


def _key(import_id: str) -> str:
    return f"ops:import:{import_id}"


def channel(import_id: str) -> str:
    """The pub/sub channel an import's progress is published on."""
    return f"ops:import:{import_id}:events"


def start_upload(rt: Runtime, data: bytes, filename: str, *, window_days: int, dry_run: bool) -> str:
    """Store the file and its state, queue the job; returns the import id the page follows."""
    import_id = uuid.uuid4().hex
    suffix = Path(filename).suffix.lower()
    rt.redis.set(_key(import_id) + ":file", data, ex=FILE_TTL)
    rt.redis.hset(_key(import_id), mapping={"filename": filename, "suffix": suffix, "window_days": window_days,
                                            "dry_run": int(dry_run), "state": "queued", "done": 0, "total": 0})
    rt.redis.expire(_key(import_id), STATE_TTL)
    rt.enqueue(import_upload, import_id, job_timeout=JOB_TIMEOUT, result_ttl=0)
    return import_id


def upload_state(rt: Runtime, import_id: str) -> dict | None:
    """The import's state as the page shows it (None when unknown or expired)."""
    raw = rt.redis.hgetall(_key(import_id))
    if not raw:
        return None
    state = {k.decode(): v.decode() for k, v in raw.items()}
    out = {"id": import_id, "filename": state["filename"], "state": state["state"],
           "dry_run": state["dry_run"] == "1", "window_days": int(state["window_days"]),
           "done": int(state["done"]), "total": int(state["total"])}
    for key in ("lines", "columns", "preview"):
        out[key] = json.loads(state[key]) if key in state else []
    out["summary"] = state.get("summary", "")
    out["labels"] = {c: LABELS[c] for c in out["columns"] if c in LABELS}
    return out


def _set(rt: Runtime, import_id: str, **values) -> None:
    rt.redis.hset(_key(import_id), mapping={k: json.dumps(v, ensure_ascii=False, default=str)
                                            if isinstance(v, list | dict) else v for k, v in values.items()})
    moved = {k: values[k] for k in ("state", "done", "total") if k in values}
    if moved:  # the page's stream pushes this on; the hash stays the truth a late page reads
        rt.redis.publish(channel(import_id), json.dumps(moved))


def _count_and_preview(path: Path, name: str) -> tuple[int, list[str], list]:
    """Rows in the file, the recognised columns and the first rows (0 and nothing when unreadable)."""
    try:
        columns, rows = read_rows(path, filename=name)
        total, first = 0, []
        for row in rows:
            total += 1
            if len(first) < PREVIEW_ROWS:
                first.append(row)
    except FileProblem:
        return 0, [], []
    return total, [c for c in LABELS if c in columns], first


def import_upload(import_id: str) -> None:
    """Job: import a stored upload, keeping its progress and report in Redis for the page."""
    rt = current_runtime()
    info = rt.redis.hgetall(_key(import_id))
    data = rt.redis.get(_key(import_id) + ":file")
    if not info or data is None:
        return  # expired before a worker got to it
    info = {k.decode(): v.decode() for k, v in info.items()}
    name, dry_run = info["filename"], info["dry_run"] == "1"
    _set(rt, import_id, state="running")
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / ("upload" + info["suffix"])
            path.write_bytes(data)
            total, columns, preview = _count_and_preview(path, name)
            _set(rt, import_id, total=total, columns=columns, preview=preview)
            report = run_import(rt, path, window_days=int(info["window_days"]), dry_run=dry_run, filename=name,
                                progress=lambda done: _set(rt, import_id, done=done))
    except Exception:
        _set(rt, import_id, state="failed", lines=[texts.IMPORT_JOB_FAILED])
        raise
    _set(rt, import_id, state="done", done=len(report.rows), lines=report.lines(),
         summary=report.summary() if report.rows else (report.problem or ""))
    if not dry_run:  # a dry run keeps its file until it expires: the page offers to import it as checked
        rt.redis.delete(_key(import_id) + ":file")


def import_checked(rt: Runtime, import_id: str) -> str | None:
    """Import for real the file a finished dry run checked; the new import's id (None: no such dry run,
    or its file expired)."""
    info = rt.redis.hgetall(_key(import_id))
    data = rt.redis.get(_key(import_id) + ":file")
    if not info or data is None:
        return None
    info = {k.decode(): v.decode() for k, v in info.items()}
    if info["dry_run"] != "1" or info["state"] != "done":
        return None
    rt.redis.delete(_key(import_id) + ":file")
    return start_upload(rt, data, info["filename"], window_days=int(info["window_days"]), dry_run=False)
