"""Upload page for master data (materials, BOM lines, purchase lines) as CSV or xlsx; the rows are saved
by orders.master_import and the page shows the Chinese report."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from core.db import new_session
from core.runtime import current_runtime
from orders import texts as order_texts
from orders.master_import import COLUMNS, KINDS, ImportRefused, import_master, read_rows
from web import texts
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_import", __name__, url_prefix="/admin/data-import")
bp.before_request(enforce)
register_error_pages(bp)


@bp.route("", methods=["GET", "POST"])
@page("master_data")
def upload():
    """The upload form; on POST import the file and show what happened to each row."""
    report, error, kind, status = None, None, request.values.get("kind") or KINDS[0], 200
    if kind not in KINDS:
        kind = KINDS[0]
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error, status = texts.IMPORT_NO_FILE, 400
        else:
            try:
                rows = read_rows(upload.read(), upload.filename)
                with new_session(current_runtime().engine) as s:
                    report = import_master(s, kind, rows)
            except ImportRefused as exc:
                error, status = exc.message, 400
    headers = {k: [h for h, _r, _t in cols.values()] for k, cols in COLUMNS.items()}
    return render_template("admin/data_import.html", kinds=order_texts.MASTER_IMPORT_KIND_LABELS, kind=kind,
                           headers=headers, report=report, error=error), status
