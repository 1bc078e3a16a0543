"""Importing materials, BOM lines and purchase lines from CSV and xlsx through the admin upload page."""

from __future__ import annotations

import io

import openpyxl
from sqlmodel import select

from orders.models import BomLine, Material, PurchaseLine


def _post(client, token, kind, name, data: bytes):
    return client.post("/admin/data-import", data={"csrf_token": token, "kind": kind,
                                                   "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_materials_bom_and_purchases_from_csv_and_xlsx(app, signed_in, factory):
    client, token = signed_in("manager")
    csv_text = "编码,名称,类别,单位,库存,安全库存,供应商\nRM-7075,7075铝棒,原材料,kg,120,50,宁波铝业\nRM-6061,6061铝棒,,kg,300,,\n"
    r = _post(client, token, "materials", "物料.csv", csv_text.encode("gb18030"))
    assert r.status_code == 200 and "新增 1 行，更新 1 行，失败 0 行" in r.get_data(as_text=True)
    bom = _xlsx([["产品编码", "物料编码", "每件用量", "损耗率"], ["SH-100", "RM-7075", 0.5, "3%"],
                 ["SH-100", "RM-NOPE", 1, None]])
    html = _post(client, token, "bom", "bom.xlsx", bom).get_data(as_text=True)
    assert "新增 1 行，更新 0 行，失败 1 行" in html and "第 3 行：失败 物料编码「RM-NOPE」不存在" in html
    purchases = "采购单号,物料编码,数量,预计到货,供应商\nPO-1,RM-7075,200,2026/12/20,宁波铝业\nPO-1,RM-7075,abc,,\n"
    html = _post(client, token, "purchases", "po.csv", purchases.encode()).get_data(as_text=True)
    assert "第 3 行：失败 数量「abc」不是有效的数字" in html
    with app.extensions["ops"].uow() as uow:
        s = uow.session
        new = s.exec(select(Material).where(Material.code == "RM-7075")).one()
        assert (new.stock_on_hand, new.safety_stock, new.supplier, new.kind) == (120, 50, "宁波铝业", "raw")
        assert s.exec(select(Material).where(Material.code == "RM-6061")).one().stock_on_hand == 300
        line = s.exec(select(BomLine).where(BomLine.material_id == new.id)).one()
        assert (line.qty_per_unit, line.scrap_pct) == (0.5, 3)
        po = s.exec(select(PurchaseLine).where(PurchaseLine.po_no == "PO-1")).one()
        assert (po.quantity, po.expected_on.isoformat(), po.supplier) == (200, "2026-12-20", "宁波铝业")


def test_a_file_without_the_needed_headers_is_refused_in_chinese(app, signed_in, factory):
    client, token = signed_in("manager")
    r = _post(client, token, "bom", "x.csv", "产品,数量\nSH-100,1\n".encode())
    assert r.status_code == 400 and "表头不对：缺少产品编码、物料编码、每件用量" in r.get_data(as_text=True)
    r = _post(client, token, "materials", "x.xlsx", b"PK\x03\x04 not a workbook")
    assert r.status_code == 400 and "无法读取文件" in r.get_data(as_text=True)
