"""The full order export: `ops export` and the nightly job writing it into EXPORT_DIR, keeping N days."""

from __future__ import annotations

import logging
import time as clock
from datetime import datetime, time
from pathlib import Path

from config import INSTANCE
from core.db import new_session
from core.runtime import current_runtime
from core.types import utcnow
from dataio.export import grouped, open_and_recent, xlsx_bytes

log = logging.getLogger(__name__)
PREFIX = "orders-"


def export_folder(rt) -> Path:
    """Where nightly files go: EXPORT_DIR, else instance/exports."""
    return Path(rt.settings.data.export_dir) if rt.settings.data.export_dir else INSTANCE / "exports"


def write_export(rt, folder: Path, *, now: datetime | None = None, name: str | None = None) -> tuple[Path, int]:
    """Write every open order and the last 90 days, one sheet per status group; (path, order count)."""
    now = now or utcnow()
    with new_session(rt.engine) as s:
        orders = open_and_recent(s, now=now, days=90)
    folder.mkdir(parents=True, exist_ok=True)
    local = now.astimezone(rt.settings.tz)
    path = folder / (name or f"{PREFIX}{local:%Y%m%d-%H%M%S}.xlsx")
    tmp = path.with_suffix(".part")
    tmp.write_bytes(xlsx_bytes(grouped(orders), rt.settings.tz))
    tmp.replace(path)  # a reader never sees half a file
    return path, len(orders)


def prune(folder: Path, keep_days: int, *, now: float | None = None) -> int:
    """Delete export files older than `keep_days` days; returns how many."""
    limit = (now or clock.time()) - keep_days * 86400
    removed = 0
    for path in folder.glob(f"{PREFIX}*.xlsx"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def nightly_export(rt, now: datetime) -> Path | None:
    """Once a day after EXPORT_AT (business time): write the day's file and prune old ones."""
    local = now.astimezone(rt.settings.tz)
    hour, minute = (int(p) for p in rt.settings.data.export_at.split(":"))
    if local.time() < time(hour, minute):
        return None
    folder = export_folder(rt)
    path = folder / f"{PREFIX}{local:%Y%m%d}.xlsx"
    if path.exists():
        return None
    path, count = write_export(rt, folder, now=now, name=path.name)
    removed = prune(folder, rt.settings.data.export_keep_days, now=now.timestamp())
    log.info("nightly export: %d orders to %s, %d old files removed", count, path, removed)
    return path


def nightly_export_job() -> str | None:
    """Cron job (every 5 minutes; writes once a day)."""
    path = nightly_export(current_runtime(), utcnow())
    return str(path) if path else None
