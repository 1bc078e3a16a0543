"""Admin pages of data in and out: ERP file upload (preview, dry run, row report), the editable
status-mapping table, and the order table's xlsx/CSV downloads with its current filters."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlmodel import select

from core.db import new_session
from core.runtime import current_runtime
from dataio.api import MAX_EXPORT, XLSX
from dataio.export import csv_bytes, xlsx_bytes
from dataio.upload_jobs import channel, import_checked, start_upload, upload_state
from orders import views
from orders.models import Order, StatusMapping
from orders.status import Status, parse_status
from orders.status_map import delete_word, ensure_defaults, set_word
from web import texts
from web.access import enforce, page
from web.order_query import SORTS, OrderFilter, exact_match, filtered
from web.ui import register_error_pages
from workcal.service import calendar_for

bp = Blueprint("admin_data", __name__, url_prefix="/admin")
bp.before_request(enforce)
register_error_pages(bp)
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
PUSH_MAX_AGE = 120.0  # seconds a progress stream stays open before the browser reconnects (EventSource)
PUSH_HEARTBEAT = 10.0
# Progress streams open at once per process: each holds a server thread, like the boards' streams
# (web/live.py); beyond it the page gets 503 and follows the job by polling instead.
PUSH_MAX_STREAMS = 4
_push_lock = threading.Lock()


def _push_streams() -> threading.BoundedSemaphore:
    """This app's places for progress streams (one set per app, so per server process)."""
    ext = current_app.extensions
    with _push_lock:
        if "import_push_streams" not in ext:
            ext["import_push_streams"] = threading.BoundedSemaphore(PUSH_MAX_STREAMS)
        return ext["import_push_streams"]


@bp.get("/io/import")
@page("data")
def import_page():
    """The upload form."""
    return render_template("admin/order_import.html", window=current_runtime().settings.data.import_window_days)


@bp.post("/io/import")
@page("data")
def import_upload():
    """Preview the first rows, then import (or only report, on a dry run) and show the row report."""
    rt = current_runtime()
    upload = request.files.get("file")
    name = Path(upload.filename or "").name if upload else ""
    if not name:
        flash(texts.REQUIRED.format(label="文件"), "error")
        return redirect(url_for(".import_page"))
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        flash(texts.IMPORT_SUFFIX, "error")
        return redirect(url_for(".import_page"))
    try:
        window = int(request.form.get("window_days") or rt.settings.data.import_window_days)
    except ValueError:
        window = 0
    if not 1 <= window <= 36500:
        flash(texts.NOT_A_NUMBER.format(label="导入窗口（天）"), "error")
        return redirect(url_for(".import_page"))
    dry_run = bool(request.form.get("dry_run"))
    import_id = start_upload(rt, upload.read(), name, window_days=window, dry_run=dry_run)
    return redirect(url_for(".import_progress", import_id=import_id), 303)


@bp.get("/io/import/<import_id>")
@page("data")
def import_progress(import_id: str):
    """The upload's page: preview, a progress bar while the job runs, the row report when it is done."""
    state = upload_state(current_runtime(), import_id)
    if state is None:
        abort(404)
    return render_template("admin/order_import.html", window=state["window_days"], job=state,
                           dry_run=state["dry_run"], filename=state["filename"])


@bp.post("/io/import/<import_id>/commit")
@page("data")
def import_commit(import_id: str):
    """Import the file a dry run just checked, without uploading it again."""
    new_id = import_checked(current_runtime(), import_id)
    if new_id is None:
        flash(texts.IMPORT_GONE, "error")
        return redirect(url_for(".import_page"))
    return redirect(url_for(".import_progress", import_id=new_id), 303)


@bp.get("/io/import/<import_id>.json")
@page("data")
def import_progress_json(import_id: str):
    """The upload's state for the page's polling: state, rows done / total, and the report when done."""
    state = upload_state(current_runtime(), import_id)
    if state is None:
        return jsonify({"error": texts.IMPORT_GONE}), 404
    return jsonify(state)


@bp.get("/io/import/<import_id>/events")
@page("data")
def import_events(import_id: str):
    """The upload's progress pushed as Server-Sent Events: one `data:` line of {state, done, total} per change
    the job publishes, until it is done or failed (the page then reloads to show the report)."""
    rt = current_runtime()
    if upload_state(rt, import_id) is None:
        abort(404)
    places = _push_streams()
    if not places.acquire(blocking=False):
        return Response(status=503, headers={"Retry-After": "5"})

    def stream():
        pubsub = rt.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel(import_id))
        try:
            yield "retry: 2000\n\n"
            state = upload_state(rt, import_id)  # read after subscribing, so no change falls in between
            last, ends = None, time.monotonic() + PUSH_MAX_AGE
            while state is not None:
                now = {k: state[k] for k in ("state", "done", "total")}
                if now != last:
                    yield f"data: {json.dumps(now)}\n\n"
                    last = now
                if now["state"] in ("done", "failed") or time.monotonic() > ends:
                    return
                message = pubsub.get_message(timeout=PUSH_HEARTBEAT)
                if message is None:
                    yield ": keep-alive\n\n"
                    state = upload_state(rt, import_id)
                else:
                    state = {**state, **json.loads(message["data"])}
        finally:
            pubsub.close()

    response = Response(stream(), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.call_on_close(places.release)  # also when the stream is never read
    return response


@bp.get("/io/status-map")
@page("data")
def status_map():
    """The ERP status words and the status each imports as."""
    with new_session(current_runtime().engine) as s:
        ensure_defaults(s)
        s.commit()
        rows = s.exec(select(StatusMapping).order_by(StatusMapping.status, StatusMapping.erp_word)).all()
    return render_template("admin/status_map.html", rows=rows, statuses=[(st.value, st.label) for st in Status],
                           labels={st.value: st.label for st in Status})


@bp.post("/io/status-map")
@page("data")
def status_map_save():
    """Add or change one word (our own labels keep their status whatever is saved)."""
    word = (request.form.get("erp_word") or "").strip()[:32]
    status = parse_status(request.form.get("status") or "")
    if not word or status is None:
        flash(texts.REQUIRED.format(label="ERP 状态和对应状态"), "error")
        return redirect(url_for(".status_map"))
    with new_session(current_runtime().engine) as s:
        set_word(s, word, status, by=current_user.username)
        s.commit()
    flash(texts.SAVED, "ok")
    return redirect(url_for(".status_map"))


@bp.post("/io/status-map/delete")
@page("data")
def status_map_delete():
    """Remove one word."""
    with new_session(current_runtime().engine) as s:
        deleted = delete_word(s, request.form.get("erp_word") or "")
        s.commit()
    flash(texts.DELETED if deleted else texts.NOT_FOUND, "ok" if deleted else "error")
    return redirect(url_for(".status_map"))


@bp.get("/orders/export.xlsx")
@page("orders")
def orders_xlsx():
    """The order table's rows under its current filters and sort, as xlsx."""
    rt = current_runtime()
    body = xlsx_bytes({"订单": _filtered_rows()}, rt.settings.tz)
    return _download(body, XLSX, "xlsx")


@bp.get("/orders/export.csv")
@page("orders")
def orders_csv():
    """The same as CSV (UTF-8 with BOM)."""
    rt = current_runtime()
    return _download(csv_bytes(_filtered_rows(), rt.settings.tz), "text/csv; charset=utf-8", "csv")


def _filtered_rows() -> list[dict]:
    """Every order of the table's filter (not one page), in the table's sort order."""
    rt = current_runtime()
    f = OrderFilter.from_args(request.args)
    today = datetime.now(rt.settings.tz).date()
    with new_session(rt.engine) as s:
        add_days = calendar_for(s, rt.settings).add_working_days if f.due_days is not None else None
        exact = exact_match(s, f.q) if f.q else None
        if exact is not None:
            f = OrderFilter(**{**f.__dict__, "q": ""})
        where = filtered(f, today=today, add_working_days=add_days)
        if exact is not None:
            where.append(Order.id == exact)
        col_name, desc = SORTS[f.sort]
        col = getattr(Order, col_name)
        order_by = (col.desc(), Order.id.desc()) if desc else (col.asc(), Order.id.asc())
        stmt = views.filtered().where(*where).order_by(None).order_by(*order_by).limit(MAX_EXPORT)
        return [views.as_dict(r) for r in s.exec(stmt).all()]


def _download(body: bytes, mimetype: str, ext: str) -> Response:
    stamp = datetime.now(current_runtime().settings.tz).strftime("%Y%m%d-%H%M")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=orders-{stamp}.{ext}", "Cache-Control": "no-store"})
