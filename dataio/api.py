"""Export API: `GET /api/orders/export.xlsx` and `.csv` with the filters of `GET /api/orders`."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import require_token
from api.schemas import OrderQuery
from core.db import new_session
from core.runtime import current_runtime
from dataio.export import csv_bytes, order_rows, xlsx_bytes

blp = Blueprint("dataio_api", __name__, url_prefix="/api/orders", description="订单导出")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT = 100_000


class ExportQuery(OrderQuery):
    limit = fields.Integer(load_default=MAX_EXPORT, validate=validate.Range(1, MAX_EXPORT),
                           metadata={"description": "最多导出多少单（默认、最多 100000）"})


def _rows(args: dict) -> list[dict]:
    with new_session(current_runtime().engine) as s:
        return order_rows(s, **args)


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}",
                                                      "Cache-Control": "no-store"})


@blp.route("/export.xlsx")
class ExportXlsx(MethodView):
    @require_token()
    @blp.arguments(ExportQuery, location="query")
    @blp.doc(responses={"200": {"description": "xlsx", "content": {XLSX: {}}}})
    def get(self, args):
        """The orders of the same filters as GET /api/orders, as an xlsx (Chinese headers, real dates)."""
        rt = current_runtime()
        return _download(xlsx_bytes({"订单": _rows(args)}, rt.settings.tz), XLSX, "orders.xlsx")


@blp.route("/export.csv")
class ExportCsv(MethodView):
    @require_token()
    @blp.arguments(ExportQuery, location="query")
    @blp.doc(responses={"200": {"description": "CSV (UTF-8 with BOM)", "content": {"text/csv": {}}}})
    def get(self, args):
        """The same list as CSV, UTF-8 with BOM so that Excel shows the Chinese."""
        rt = current_runtime()
        return _download(csv_bytes(_rows(args), rt.settings.tz), "text/csv; charset=utf-8", "orders.csv")
