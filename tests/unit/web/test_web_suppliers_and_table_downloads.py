"""Suppliers as master data (admin page, CSV/xlsx import) and every admin table downloaded as xlsx and CSV
with the list's Chinese headers and the same rows (openpyxl reads the file back)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlmodel import select

from orders.models import Material, PurchaseLine, Supplier
from web.admin_master import BASE_SPECS


def _post_import(client, token, kind, name, data: bytes):
    return client.post("/admin/data-import", data={"csrf_token": token, "kind": kind,
                                                   "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_suppliers_are_imported_from_a_gbk_csv_and_edited_on_their_page(app, signed_in, factory):
    client, token = signed_in("manager")
    body = "供应商名称,联系人,联系电话,说明\n宁波铝业,王经理,13800000001,铝棒\n台州包装,李工,,纸箱\n宁波铝业,王经理,13800000002,\n"
    html = _post_import(client, token, "suppliers", "供应商.csv", body.encode("gb18030")).get_data(as_text=True)
    assert "新增 2 行，更新 1 行，失败 0 行" in html
    page = client.get("/admin/data/suppliers").get_data(as_text=True)
    assert "宁波铝业" in page and "13800000002" in page and "台州包装" in page
    r = client.post("/admin/data/suppliers/new", data={"csrf_token": token, "name": "", "active": "1"})
    assert r.status_code == 400 and "供应商名称" in r.get_data(as_text=True)
    with app.extensions["ops"].uow() as uow:
        rows = {s.name: (s.contact_phone, s.note) for s in uow.session.exec(select(Supplier)).all()}
    assert rows["宁波铝业"] == ("13800000002", "铝棒")  # updated by name; an empty cell keeps the note


def _sheet_rows(body: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("key", [spec.key for spec in BASE_SPECS])
def test_every_admin_table_downloads_as_xlsx_and_csv(app, signed_in, factory, key):
    client, _ = signed_in("admin")
    page = client.get(f"/admin/data/{key}").get_data(as_text=True)
    assert f'href="/admin/data/{key}/export.xlsx"' in page and f'href="/admin/data/{key}/export.csv"' in page
    r = client.get(f"/admin/data/{key}/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = _sheet_rows(r.data)
    spec = next(s for s in BASE_SPECS if s.key == key)
    assert list(rows[0]) == [c.label for c in spec.cols if c.in_list]
    shown = page.count("<tr>") - 1  # the list's rows (header row excluded; an empty list shows one note row)
    assert len(rows) - 1 == (shown if rows[1:] else 0)
    as_csv = client.get(f"/admin/data/{key}/export.csv").data.decode("utf-8-sig").splitlines()
    assert len(as_csv) == len(rows)


def test_table_downloads_keep_the_parent_filter_typed_dates_and_chinese_labels(app, signed_in, factory):
    with app.extensions["ops"].uow() as uow:
        s = uow.session
        steel = s.exec(select(Material).order_by(Material.id)).first()
        other = s.exec(select(Material).where(Material.id != steel.id).order_by(Material.id)).first()
        s.add(PurchaseLine(po_no="PO-X1", material_id=steel.id, quantity=10, expected_on=date(2026, 12, 20),
                           supplier="宁波铝业"))
        s.add(PurchaseLine(po_no="PO-X2", material_id=other.id, quantity=5))
        uow.commit()
        steel_label = f"{steel.code} {steel.name}"
        steel_id = steel.id
    client, _ = signed_in("admin")
    rows = _sheet_rows(client.get(f"/admin/data/purchases/export.xlsx?material_id={steel_id}").data)
    header, body = rows[0], rows[1:]
    assert {r[header.index("采购单号")] for r in body} == {"PO-X1"}
    row = body[0]
    assert row[header.index("物料")] == steel_label  # the select shows its label, not the id
    assert row[header.index("预计到货")].date() == date(2026, 12, 20)  # a real date cell
    materials = _sheet_rows(client.get("/admin/data/materials/export.xlsx").data)
    kinds = {r[materials[0].index("类别")] for r in materials[1:]}
    assert kinds and kinds <= {"原材料", "包材"}  # codes shown in Chinese as on the page
    assert client.get("/admin/data/purchases/export.pdf").status_code == 404
    sales, _ = signed_in("sales")
    assert sales.get("/admin/data/staff/export.xlsx").status_code in (302, 403)


def test_the_sales_and_warehouse_boards_download_the_order_list_they_show(app, signed_in, factory):
    import re
    from datetime import timedelta

    from orders.status import Status
    from tests.factories import order_in

    with app.extensions["ops"].uow() as uow:
        order_in(uow, Status.PENDING_REVIEW, promised_date=date.today() + timedelta(days=60))
        order_in(uow, Status.SCHEDULED, promised_date=date.today() - timedelta(days=2))
        order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=3))
        order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=1))
        uow.commit()
    client, _ = signed_in("manager")
    for name, table in (("sales", "urgent"), ("warehouse", "ready-orders")):
        page = client.get(f"/admin/boards/{name}").get_data(as_text=True)
        assert f'href="/admin/boards/{name}/export.xlsx"' in page
        body = page[page.index(f'id="{table}"'):]
        shown = re.findall(r'<tr[^>]*data-order="([^"]+)"', body[:body.index("</table>")])
        rows = _sheet_rows(client.get(f"/admin/boards/{name}/export.xlsx").data)
        assert rows[0][0] == "单号" and [r[0] for r in rows[1:]] == shown and shown, (name, shown)
        assert isinstance(rows[1][rows[0].index("交期")], date)  # a real date cell
        as_csv = client.get(f"/admin/boards/{name}/export.csv").data.decode("utf-8-sig").splitlines()
        assert [line.split(",")[0] for line in as_csv[1:]] == shown
    assert client.get("/admin/boards/planning/export.xlsx").status_code == 404
