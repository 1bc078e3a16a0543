"""Every API error is JSON with a Chinese `message`; no input gives a 500.

The handlers are registered on the app, so every view gets them: a busy or unreachable database
is a 503 (JSON under /api/ and /bridge/, a short Chinese HTML page elsewhere), never a 500.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, current_app, jsonify, request
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from api import texts
from core.db import LOCK_WAIT_SECONDS, is_busy
from orders.exceptions import OrderError

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求格式不正确。",
    401: "需要有效的 API 令牌（Authorization: Bearer …）。",
    403: "没有权限执行此操作。",
    404: "没有找到。",
    405: "不支持该请求方法。",
    409: "与当前状态冲突。",
    413: "请求内容太大。",
    415: "请使用 JSON（Content-Type: application/json）。",
    422: "请求内容不正确。",
    429: "请求太频繁，请稍后再试。",
    503: "系统繁忙，请稍后重试。",
}
OVERFLOW_TEXT = "请求中的数字或日期超出范围。"
SURROGATE_TEXT = "请求中包含无效的 Unicode 字符（不成对的代理项），请检查编码后重试。"
BUSY_PAGE = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>系统繁忙</title></head>"
             "<body><p>系统繁忙，请稍后重试。</p></body></html>")


def error_response(status: int, code: str, message: str, **details):
    body = {"error": code, "message": message, **details}
    return jsonify(body), status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/bridge/")


def init_app(app: Flask) -> None:
    @app.errorhandler(OrderError)
    def _domain_error(exc: OrderError):
        return error_response(exc.http_status, exc.code, exc.message, **exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():  # a prepared answer (e.g. the tracking page's 429) stays as it is
            return exc if exc.response is not None else (_page(exc.code or 500) or exc)
        status = exc.code or 500
        details = {}
        data = getattr(exc, "data", None) or {}
        if data.get("messages"):
            details["errors"] = texts.translate(data["messages"])
        if status == 422:
            status = 400
        message = MESSAGES.get(status, exc.description or "请求出错。")
        if details.get("errors"):
            message = "请求内容不正确：" + _describe(details["errors"])
        return error_response(status, exc.name.lower().replace(" ", "_"), message, **details)

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        # e.g. a NUL byte PostgreSQL cannot store, or a number beyond a column's range
        log.warning("data error on %s %s: %s", request.method, request.path, str(exc.orig)[:200])
        if _wants_json():
            return error_response(400, "bad_request", "请求中有无法保存的内容（控制字符或超出范围的数字）。")
        return "请求中有无法保存的内容。", 400

    @app.errorhandler(OverflowError)
    def _number_too_large(exc: OverflowError):
        # an id or count from the URL beyond what the database binds (SQLite: 64-bit), or a date past 9999
        log.warning("overflow on %s %s: %s", request.method, request.path, exc)
        if _wants_json():
            return error_response(400, "bad_request", OVERFLOW_TEXT)
        return OVERFLOW_TEXT, 400

    @app.errorhandler(UnicodeEncodeError)
    def _unencodable_text(exc: UnicodeEncodeError):
        # a lone surrogate ("\ud800" in JSON) that a view let through reaches the database driver
        if "surrogate" not in str(exc.reason):
            return _unexpected(exc)
        log.warning("unencodable text on %s %s: %s", request.method, request.path, exc.reason)
        if _wants_json():
            return error_response(400, "bad_request", SURROGATE_TEXT)
        return SURROGATE_TEXT, 400

    @app.errorhandler(OperationalError)
    def _database_busy(exc: OperationalError):
        if not is_busy(exc):
            return _unexpected(exc)
        log.warning("database busy on %s %s: %s", request.method, request.path, str(exc.orig)[:200])
        retry = {"Retry-After": str(LOCK_WAIT_SECONDS)}
        if _wants_json():
            body, status = error_response(503, "busy", MESSAGES[503])
            return body, status, retry
        return BUSY_PAGE, 503, {**retry, "Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        ref = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s on %s %s", ref, request.method, request.path)
        if _wants_json():
            return error_response(500, "internal_error", f"服务器内部错误（编号 {ref}），请联系管理员。")
        return _page(500, ref) or (f"服务器内部错误（编号 {ref}），请联系管理员。", 500)


def _page(status: int, ref: str | None = None):
    """The web's Chinese error page (`app.extensions["ops_error_page"]`, set by web/), when there is one."""
    render = current_app.extensions.get("ops_error_page")
    return render(status, ref) if render is not None else None


def _describe(errors) -> str:
    """Flatten marshmallow's nested error dict into 'field: problem' text."""
    parts = []

    def walk(prefix, node):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix and k not in ("json", "query") else (k if k not in ("json", "query") else prefix), v)
        elif isinstance(node, list):
            parts.append(f"{prefix}: {'; '.join(str(x) for x in node)}" if prefix else "; ".join(map(str, node)))
        else:
            parts.append(f"{prefix}: {node}")

    walk("", errors)
    return "；".join(parts)[:500]
