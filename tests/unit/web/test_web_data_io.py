"""Admin data in and out: upload with preview and row report (dry run writes nothing), the status-mapping
page, and the order table's downloads holding the rows of its current filter."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from core.db import new_session
from core.types import utcnow
from orders.models import Order, StatusMapping
from orders.status import Status
from tests.factories import order_in

TODAY = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()


def _xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(["ERP单号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _orders(app) -> list[Order]:
    with new_session(app.extensions["ops"].engine) as s:
        return list(s.exec(select(Order)).all())


def _upload(client, token, body: bytes, name: str, **form):
    data = {"csrf_token": token, "file": (io.BytesIO(body), name), **form}
    return client.post("/admin/io/import", data=data, content_type="multipart/form-data", follow_redirects=True)


def test_upload_previews_then_imports_with_a_row_report(app, signed_in):
    client, token = signed_in("planner")
    body = _xlsx([["ERP-U1", "测试机械", "SH-100", 10, TODAY, TODAY + timedelta(days=9), "生产中"],
                  ["ERP-U2", "测试机械", "SH-100", 10, TODAY - timedelta(days=400), TODAY + timedelta(days=9), "已审核"]])
    dry = _upload(client, token, body, "ERP导出.xlsx", dry_run="1", window_days="90")
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "试运行结果（未写入）" in html and "ERP-U1" in html
    assert "第 3 行：跳过 下单日期" in html and _orders(app) == []
    real = _upload(client, token, body, "ERP导出.xlsx", window_days="90")
    html = real.get_data(as_text=True)
    assert "导入结果" in html and "导入完成：成功 1 行" in html
    assert [(o.erp_no, o.status) for o in _orders(app)] == [("ERP-U1", "in_production")]


def test_upload_refuses_other_files_and_bad_windows(app, signed_in):
    client, token = signed_in("admin")
    r = _upload(client, token, b"MZ\x90\x00", "virus.exe")
    assert "只能上传 CSV 或 xlsx 文件" in r.get_data(as_text=True) and _orders(app) == []
    r = _upload(client, token, _xlsx([]), "a.xlsx", window_days="-3")
    assert "导入窗口" in r.get_data(as_text=True)
    broken = _upload(client, token, b"PK\x03\x04 not really a zip", "a.xlsx")
    assert broken.status_code == 200 and "xlsx 文件打不开" in broken.get_data(as_text=True)


def test_status_map_page_adds_and_deletes_words(app, signed_in):
    client, token = signed_in("manager")
    assert "已审核" in client.get("/admin/io/status-map").get_data(as_text=True)  # the defaults
    r = client.post("/admin/io/status-map", data={"csrf_token": token, "erp_word": "挂起", "status": "pending_review"})
    assert r.status_code == 302
    with new_session(app.extensions["ops"].engine) as s:
        row = s.exec(select(StatusMapping).where(StatusMapping.erp_word == "挂起")).one()
    assert (row.status, row.updated_by) == ("pending_review", "u_manager")
    client.post("/admin/io/status-map/delete", data={"csrf_token": token, "erp_word": "挂起"})
    assert "挂起" not in client.get("/admin/io/status-map").get_data(as_text=True)


def test_order_table_downloads_hold_the_rows_of_its_filter(app, signed_in):
    with app.extensions["ops"].uow() as uow:
        for status in (Status.PENDING_REVIEW, Status.PENDING_REVIEW, Status.SCHEDULED, Status.COMPLETED):
            order_in(uow, status)
        uow.commit()
    client, _ = signed_in("sales")
    page = client.get("/admin/orders?status=open").get_data(as_text=True)
    assert 'href="/admin/orders/export.xlsx?status=open"' in page
    book = load_workbook(io.BytesIO(client.get("/admin/orders/export.xlsx?status=open").data))
    exported = [r[0] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    expected = sorted((o for o in _orders(app) if o.status != "completed"), key=lambda o: -o.id)
    assert exported == [o.order_no for o in expected]
    as_csv = client.get("/admin/orders/export.csv?status=scheduled").data.decode("utf-8-sig").splitlines()
    assert len(as_csv) == 2 and as_csv[1].startswith(next(o.order_no for o in expected if o.status == "scheduled"))


def test_search_finds_tracking_numbers_salespeople_contacts_and_erp_numbers(app, signed_in):
    from orders.models import Customer

    with app.extensions["ops"].uow() as uow:
        shipped = order_in(uow, Status.SHIPPED)
        other = order_in(uow, Status.PENDING_REVIEW)
        other.erp_no = "ERP-FIND-77"
        cust = uow.session.exec(select(Customer)).one()
        cust.contact_name, cust.contact_phone = "李采购", "13912345678"
        uow.commit()
    client, _ = signed_in("admin")

    def found(q: str) -> set[str]:
        html = client.get("/admin/orders", query_string={"q": q}).get_data(as_text=True)
        return {no for no in (shipped.order_no, other.order_no) if f">{no}</a>" in html}

    assert found("SF1402938475621") == {shipped.order_no}
    assert found("ERP-FIND-77") == {other.order_no}
    assert found("sales员") == found("李采购") == found("1391234") == {shipped.order_no, other.order_no}
    assert found("王五不存在") == set()
