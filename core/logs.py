"""Log lines people can follow: business-time-zone timestamps, a request id on every line, quiet cron.

One handler on the root logger formats every line as
`2026-11-27 09:30:01.123+0800 INFO [3f2a9c1d7e4b5a60] bot.jobs: …`: the time in the business time zone
(settings.tz, as on the pages), then the id of the request or job the line belongs to (`-` when none).
A request takes its id from `X-Request-ID` or gets a new one (web/observability.py); `Runtime.enqueue`
writes it into each job's RQ meta, and the worker (`job_context`) restores it while the job runs, so the
worker's lines for a job carry the id of the request that queued it. Lines logged while a cron job runs
are debug lines: an idle system is silent at INFO.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

REQUEST_ID: ContextVar[str | None] = ContextVar("ops_request_id", default=None)
IN_CRON: ContextVar[bool] = ContextVar("ops_in_cron", default=False)
REQUEST_ID_META = "request_id"  # RQ job meta key
CRON_META = "cron"  # RQ job meta key: the job was put there by the cron
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def new_request_id(offered: str | None = None) -> str:
    """The offered id when it is a sane token (at most 64 of A-Z a-z 0-9 . _ : -), else a new one."""
    if offered and _GOOD_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex[:16]


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class ZoneFormatter(logging.Formatter):
    """asctime in a fixed time zone with its offset, e.g. 2026-11-27 09:30:01.123+0800."""

    def __init__(self, tz: ZoneInfo, fmt: str = FORMAT):
        super().__init__(fmt)
        self.tz = tz
        self._second: tuple[int, str, str] = (-1, "", "")  # the last second formatted: a busy second's lines share it

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging API)
        second = int(record.created)
        cached = self._second
        if cached[0] != second:
            at = datetime.fromtimestamp(second, self.tz)
            cached = self._second = (second, at.strftime("%Y-%m-%d %H:%M:%S."), at.strftime("%z"))
        return cached[1] + f"{int(record.msecs):03d}" + cached[2]


class ContextFilter(logging.Filter):
    """Adds `request_id` to every record; lines logged inside a cron job become debug lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        if IN_CRON.get() and record.levelno < logging.WARNING:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


class _OpsHandler(logging.StreamHandler):
    """Marks the handler this module installed, so a second create_app() does not add another."""


def configure_logging(tz: ZoneInfo, level: int = logging.INFO) -> None:
    """Install (once) the root handler with the business-time formatter and the context filter."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _OpsHandler)]
    if ours:
        for handler in ours:
            handler.setFormatter(ZoneFormatter(tz))
        return
    handler = _OpsHandler(sys.stderr)
    handler.setFormatter(ZoneFormatter(tz))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    if root.level == logging.WARNING or root.level == logging.NOTSET:  # untouched: Python's default
        root.setLevel(level)


@contextmanager
def bound_request_id(request_id: str | None) -> Iterator[None]:
    """Run a block with `request_id` as the current id (a job of that request, a test)."""
    token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


@contextmanager
def job_context(meta: dict[str, Any] | None) -> Iterator[bool]:
    """While a job runs: its request's id, and quiet lines when the cron queued it; yields `is cron`."""
    meta = meta or {}
    cron = bool(meta.get(CRON_META))
    rid_token = REQUEST_ID.set(meta.get(REQUEST_ID_META))
    cron_token = IN_CRON.set(cron)
    try:
        yield cron
    finally:
        IN_CRON.reset(cron_token)
        REQUEST_ID.reset(rid_token)


def tag_job_meta(meta: dict | None) -> dict | None:
    """A job's meta with the current request id added (None when there is neither)."""
    rid = REQUEST_ID.get()
    if rid is None:
        return meta
    return {**(meta or {}), REQUEST_ID_META: rid}
