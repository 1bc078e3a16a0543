"""Running an ERP import as a whole: the rows (orders.importer), then one summary and one alert sweep.

The rows are written on a bus with no handlers, so history notifies nobody; afterwards the
planning head gets one summary message and the alert sweep runs once over the present state.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from alerts.sweep import sweep
from core.bus import MessageBus, UnitOfWork
from core.types import utcnow
from dataio import texts
from notify.outbox import queue_notification
from orders.importer import ImportReport, import_file
from orders.recipients import load_people, resolve_all


def run_import(rt, path: str | Path, *, window_days: int | None = None, dry_run: bool = False,
               filename: str | None = None, now: datetime | None = None, progress=None) -> ImportReport:
    """Import a file; unless a dry run changed nothing, tell the planning head once and sweep alerts."""
    now = now or utcnow()
    report = import_file(rt, path, window_days=window_days, dry_run=dry_run, filename=filename, now=now,
                         progress=progress)
    if dry_run or not (report.created or report.updated):
        return report
    tell_planning_head(rt, report, filename or Path(path).name)
    sweep(rt, now)
    return report


def tell_planning_head(rt, report: ImportReport, filename: str) -> int:
    """One summary message to the planning department head; returns how many were queued."""
    body = texts.import_summary(filename=filename, created=report.created, updated=report.updated,
                                skipped=report.skipped, failed=report.failed, window=report.window_days)
    run = uuid.uuid4().hex[:12]
    queued = 0
    with UnitOfWork(rt.engine, MessageBus(), rt) as uow:
        people, _ = resolve_all(load_people(uow.session), "head:planner", owner_id=None)
        for person in people:
            n = queue_notification(uow, kind="import_summary", channel="wecom_app", recipient=person.userid or "",
                                   recipient_name=person.name, subject=texts.IMPORT_SUMMARY_SUBJECT, body=body,
                                   dedupe_key=f"import:{run}:{person.id}", payload={"msgtype": "text"})
            queued += n is not None
        uow.commit()
    return queued
