"""ERP order import (`ops import-orders FILE`, the admin upload): each row on its own, reported in Chinese.

History import: each row keeps its ERP number, original order date (the order number's date),
salesperson, promised date and status (through the editable status-mapping table); it gets one
"imported" StatusEvent (source `import`, dated at the import: time-in-status alerts count from
there, not from the ERP order date). Rows older than the window are skipped and reported.
The units of work here use a bus with no handlers, so history sends no next-step notices and
raises no alerts; the caller (dataio.imports) sends the one summary and runs the sweep.
Idempotent on the ERP number: a re-import updates what changed and says what. Rows commit in
batches: new orders in bulk (orders.import_bulk), each update in its own savepoint, so one bad row
never takes others with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from core.bus import MessageBus, UnitOfWork
from core.types import utcnow
from orders import texts
from orders.actor import Actor
from orders.exceptions import OrderError
from orders.import_bulk import checked, existing_orders, full_orders, insert_new, update_existing
from orders.import_files import LABELS, FileProblem, read_rows
from orders.import_rows import (
    Lookups,
    RowError,
    apply_row,
    parse_date,
    parse_quantity,
    parse_row,
    row_changes,
)

log = logging.getLogger(__name__)

IMPORT_ACTOR = Actor(name=texts.IMPORT_ACTOR_NAME, source="import")
MAX_ROWS = 200_000
BATCH = 2000
__all__ = ["FileProblem", "ImportReport", "RowResult", "import_file", "import_csv", "parse_date", "parse_quantity",
           "LABELS"]


@dataclass(frozen=True)
class RowResult:
    row: int
    outcome: str  # created | updated | unchanged | skipped | failed
    text: str
    order_no: str | None = None


@dataclass
class ImportReport:
    """What happened to each row, plus a file-level problem if there was one."""

    rows: list[RowResult] = field(default_factory=list)
    problem: str | None = None
    dry_run: bool = False
    window_days: int = 90

    def count(self, *outcomes: str) -> int:
        return sum(1 for r in self.rows if r.outcome in outcomes)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def skipped(self) -> int:
        return self.count("skipped", "unchanged")

    @property
    def failed(self) -> int:
        return self.count("failed") + (1 if self.problem else 0)

    def summary(self) -> str:
        return texts.IMPORT_SUMMARY.format(ok=self.created, updated=self.updated, failed=self.count("failed"),
                                           skipped=self.skipped)

    def lines(self) -> list[str]:
        """The report, one Chinese line per row, then the problem (if any) and a summary."""
        out = [texts.IMPORT_DRY_RUN] if self.dry_run else []
        out += [r.text for r in self.rows]
        if self.problem:
            out.append(self.problem)
        if self.rows:
            out.append(self.summary())
        return out


def import_file(runtime, path: str | Path, *, window_days: int | None = None, dry_run: bool = False,
                filename: str | None = None, now: datetime | None = None,
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import every row of a CSV or xlsx file; never raises for bad content. `dry_run` writes nothing."""
    settings = runtime.settings
    window = window_days or settings.data.import_window_days
    report = ImportReport(dry_run=dry_run, window_days=window)
    now = now or utcnow()
    today = now.astimezone(settings.tz).date()
    bus = MessageBus()  # history notifies nobody and raises no alert: no handlers on this bus
    try:
        columns, rows = read_rows(Path(path), filename=filename)
        batch: list[tuple[int, dict]] = []
        for number, values in rows:
            if number > MAX_ROWS + 1:
                report.rows.append(RowResult(number, "failed", texts.IMPORT_FAILED.format(
                    row=number, reason=texts.IMPORT_TOO_MANY.format(limit=MAX_ROWS))))
                break
            batch.append((number, values))
            if len(batch) >= BATCH:
                _run_batch(runtime, bus, batch, columns, report, today=today, window=window, now=now)
                batch = []
                if progress:
                    progress(len(report.rows))
        if batch:
            _run_batch(runtime, bus, batch, columns, report, today=today, window=window, now=now)
        if not report.rows:
            raise FileProblem(texts.IMPORT_NO_ROWS)
    except FileProblem as exc:
        report.problem = str(exc)
    return report


def import_csv(runtime, path: str | Path, **kw) -> ImportReport:
    """The former name of `import_file` (CSV was the only format)."""
    return import_file(runtime, path, **kw)


def _run_batch(runtime, bus, batch, columns: set[str], report: ImportReport, *, today: date, window: int,
               now: datetime) -> None:
    """One transaction for a batch: new orders in bulk, changed ones row by row; rolled back on a dry run."""
    tz = runtime.settings.tz
    with UnitOfWork(runtime.engine, bus, runtime) as uow:
        s = uow.session
        lookups = Lookups.load(s)
        items = checked(lookups, batch, columns, today=today, window=window)
        existing = existing_orders(s, [row for _, row, _, _ in items if row is not None])
        values_of = dict(batch)
        results: dict[int, RowResult] = {}
        new, later, seen = [], [], set()
        changing, dirty = [], set()  # rows that change an existing order; ERP numbers changed in this batch
        for number, row, outcome, text in items:
            if row is None:
                results[number] = RowResult(number, outcome, text)
            elif row.erp_no and row.erp_no in existing:
                if row.erp_no not in dirty and not row_changes(s, existing[row.erp_no], row, columns):
                    snap = existing[row.erp_no]  # unchanged: no savepoint, no write, no ORM order
                    results[number] = _result(number, "unchanged", snap.order_no, "", row.erp_no)
                else:
                    dirty.add(row.erp_no)
                    changing.append((number, row))
            elif row.erp_no and row.erp_no in seen:
                later.append(number)  # the same new ERP number twice in one batch: after the first is in
            else:
                seen.add(row.erp_no)
                new.append((number, row))
        if changing:
            orders = full_orders(s, sorted({existing[row.erp_no].id for _, row in changing}))
            for number, row in changing:
                order = orders[existing[row.erp_no].id]
                results[number] = _guarded(s, number, row, lambda r=row, o=order: update_existing(
                    s, r, o, columns, actor=IMPORT_ACTOR, now=now))
        if new:
            savepoint = s.begin_nested()
            try:
                numbers = insert_new(s, new, actor=IMPORT_ACTOR, now=now, tz=tz)
                savepoint.commit()
                results.update({n: RowResult(n, "created", texts.IMPORT_OK.format(row=n, order_no=numbers[n]),
                                             numbers[n]) for n, _ in new})
            except (IntegrityError, OverflowError):
                savepoint.rollback()  # someone else took a number meanwhile: row by row, each on its own
                later = [n for n, _ in new] + later
        for number in later:
            results[number] = _one_row(uow, lookups, number, values_of[number], columns, today=today,
                                       window=window, now=now, tz=tz)
        report.rows.extend(results[number] for number, _ in batch)
        if report.dry_run:
            uow.rollback()
        else:
            uow.commit()


def _guarded(s, number: int, row, apply) -> RowResult:
    """Run one row's update in a savepoint; a failure becomes the row's reason."""
    savepoint = s.begin_nested()
    try:
        outcome, order_no, changes = apply()
        savepoint.commit()
    except Exception as exc:
        savepoint.rollback()
        if not isinstance(exc, OrderError | IntegrityError):
            log.exception("import of row %s failed", number)
        reason = exc.message if isinstance(exc, OrderError) else texts.IMPORT_INTERNAL
        return RowResult(number, "failed", texts.IMPORT_FAILED.format(row=number, reason=reason))
    return _result(number, outcome, order_no, changes, row.erp_no)


def _result(number: int, outcome: str, order_no: str, changes: str, erp_no: str | None) -> RowResult:
    if outcome == "created":
        text = texts.IMPORT_OK.format(row=number, order_no=order_no)
    elif outcome == "updated":
        text = texts.IMPORT_UPDATED.format(row=number, order_no=order_no, changes=changes)
    else:
        text = texts.IMPORT_SKIPPED.format(row=number, erp_no=erp_no, order_no=order_no)
    return RowResult(number, outcome, text, order_no)


def _one_row(uow, lookups, number: int, values: dict, columns: set[str], *, today, window, now, tz) -> RowResult:
    """Parse and apply one row inside a savepoint; any failure becomes the row's reason."""
    savepoint = uow.session.begin_nested()
    try:
        row = parse_row(values, columns, lookups, today=today)
        first = today - timedelta(days=window)
        if row.order_date < first:
            savepoint.rollback()
            return RowResult(number, "skipped", texts.IMPORT_TOO_OLD.format(
                row=number, date=row.order_date.isoformat(), days=window, first=first.isoformat()))
        at = min(now, datetime.combine(row.order_date, time(9, 0), tz))
        outcome, order_no, changes = apply_row(uow.session, row, columns, actor=IMPORT_ACTOR, at=at, now=now)
        savepoint.commit()
    except (RowError, OrderError) as exc:
        savepoint.rollback()
        reason = exc.message if isinstance(exc, OrderError) else str(exc)
    except IntegrityError:
        savepoint.rollback()
        reason = texts.IMPORT_DUPLICATE.format(erp_no=values.get("erp_no", "").strip())
    except Exception:
        savepoint.rollback()
        log.exception("import of row %s failed", number)
        reason = texts.IMPORT_INTERNAL
    else:
        return _result(number, outcome, order_no, changes, row.erp_no)
    return RowResult(number, "failed", texts.IMPORT_FAILED.format(row=number, reason=reason))
