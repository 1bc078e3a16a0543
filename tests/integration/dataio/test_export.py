"""Order exports read back with openpyxl: the API's xlsx/CSV hold the rows of /api/orders with the same
filters (Chinese headers, real dates); `ops export` and the nightly job write one sheet per status group."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import load_workbook

from cli import cli
from dataio.nightly import nightly_export
from dataio.texts import SHEET_GROUPS
from orders.status import Status
from tests.conftest import auth
from tests.factories import basic_factory, order_in

STATUSES = [Status.PENDING_REVIEW, Status.PENDING_REVIEW, Status.SCHEDULED, Status.IN_STOCK, Status.SHIPPED,
            Status.COMPLETED]


@pytest.fixture
def rt(app):
    runtime = app.extensions["ops"]
    with runtime.uow() as uow:
        basic_factory(uow)
        for i, status in enumerate(STATUSES):
            order_in(uow, status, quantity=10 + i)
        uow.commit()
    return runtime


def _sheet_rows(body: bytes, sheet: str | None = None) -> list[tuple]:
    book = load_workbook(io.BytesIO(body))
    return list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))


@pytest.mark.parametrize("query", ["", "status=pending_review", "q=SO", "customer=测试机械&limit=3",
                                   "status=shipped&customer=测试机械", "limit=2&offset=1"])
def test_xlsx_and_csv_exports_hold_the_rows_of_the_order_list(client, rt, token_for, query):
    headers = auth(token_for("finance"))
    listed = client.get(f"/api/orders?{query}&limit=500" if "limit" not in query else f"/api/orders?{query}",
                        headers=headers).get_json()
    xlsx = client.get(f"/api/orders/export.xlsx?{query}", headers=headers)
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    rows = _sheet_rows(xlsx.data)
    assert rows[0][:4] == ("订单号", "ERP单号", "状态", "客户")
    assert [(r[0], r[2], r[6]) for r in rows[1:]] == [
        (o["order_no"], Status(o["status"]).label, o["quantity"]) for o in listed]
    for row, order in zip(rows[1:], listed, strict=True):
        # a real date cell, not text (Excel has no pure dates: openpyxl reads it back at midnight)
        assert row[8] == datetime.combine(date.fromisoformat(order["promised_date"]), datetime.min.time())
    as_csv = client.get(f"/api/orders/export.csv?{query}", headers=headers)
    assert as_csv.status_code == 200 and as_csv.data.startswith("\ufeff".encode())
    records = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert [r[0] for r in records[1:]] == [o["order_no"] for o in listed]


def test_export_needs_a_token_and_refuses_bad_filters(client, rt, token_for):
    assert client.get("/api/orders/export.xlsx").status_code == 401
    bad = client.get("/api/orders/export.xlsx?status=nonsense", headers=auth(token_for("sales")))
    assert bad.status_code == 400 and bad.is_json


def _groups_of(path) -> dict[str, list[str]]:
    book = load_workbook(path)
    return {name: [r[0] for r in book[name].iter_rows(min_row=2, values_only=True)] for name in book.sheetnames}


def test_ops_export_writes_one_sheet_per_status_group(app, rt, tmp_path):
    result = CliRunner().invoke(cli, ["export", "--out", str(tmp_path / "out")], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    path = result.output.strip().splitlines()[-1]
    groups = _groups_of(path)
    assert list(groups) == list(SHEET_GROUPS)
    assert [len(groups[name]) for name in SHEET_GROUPS] == [3, 0, 2, 1, 0]


def test_nightly_job_writes_its_file_once_a_day_and_prunes_old_ones(app, rt, tmp_path):
    folder = tmp_path / "nightly"
    folder.mkdir()
    stale = folder / "orders-20200101.xlsx"
    stale.write_bytes(b"old")
    os.utime(stale, (time.time() - 40 * 86400,) * 2)
    rt.settings = rt.settings.replace(data={"export_dir": str(folder), "export_at": "00:00", "export_keep_days": 30})
    now = datetime.combine(date.today(), datetime.min.time().replace(hour=12), rt.settings.tz)  # not near midnight
    path = nightly_export(rt, now)
    assert path is not None and path.name == f"orders-{now.astimezone(rt.settings.tz):%Y%m%d}.xlsx"
    assert sum(len(v) for v in _groups_of(path).values()) == len(STATUSES)
    assert not stale.exists()
    assert nightly_export(rt, now + timedelta(minutes=5)) is None  # today's file exists


def test_nightly_job_waits_for_its_time_of_day(app, rt, tmp_path):
    folder = tmp_path / "nightly"
    rt.settings = rt.settings.replace(data={"export_dir": str(folder), "export_at": "23:59"})
    local_noon = datetime.combine(date.today(), datetime.min.time().replace(hour=12), rt.settings.tz)
    assert nightly_export(rt, local_noon) is None and not folder.exists()
    assert nightly_export(rt, local_noon.replace(hour=23, minute=59)) is not None
