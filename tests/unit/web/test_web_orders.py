"""Order table (search, filters, keyset pages) and order detail moves through the domain."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from orders.models import StatusEvent
from orders.status import Status
from tests.factories import order_in
from web.order_query import OrderFilter, fetch_page


@pytest.fixture
def orders(app, factory):
    """A handful of orders in known states and due dates."""
    rt = app.extensions["ops"]
    made = {}
    with rt.uow() as uow:
        made["review"] = order_in(uow, Status.PENDING_REVIEW, promised_date=date.today() + timedelta(days=40))
        made["qc"] = order_in(uow, Status.PENDING_QC, promised_date=date.today() + timedelta(days=2))
        made["stock"] = order_in(uow, Status.IN_STOCK, promised_date=date.today() - timedelta(days=1))
        made["done"] = order_in(uow, Status.COMPLETED, promised_date=date.today() - timedelta(days=30))
        uow.commit()
    return {k: o.order_no for k, o in made.items()}


def _numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/orders/(SO[0-9-]+)"', html)


def test_status_filter_shows_only_orders_in_that_status(signed_in, orders):
    client, _ = signed_in("sales")
    html = client.get("/admin/orders?status=pending_qc").get_data(as_text=True)
    assert _numbers(html) == [orders["qc"]]


def test_open_filter_hides_finished_orders(signed_in, orders):
    client, _ = signed_in("sales")
    shown = set(_numbers(client.get("/admin/orders?status=open").get_data(as_text=True)))
    assert shown == {orders["review"], orders["qc"], orders["stock"]}


def test_search_finds_an_order_by_customer_short_name_and_by_number(signed_in, orders):
    client, _ = signed_in("sales")
    assert len(_numbers(client.get("/admin/orders?q=测试机械").get_data(as_text=True))) == 4
    tail = orders["qc"][-9:]
    assert _numbers(client.get(f"/admin/orders?q={tail.lower()}").get_data(as_text=True)) == [orders["qc"]]


def test_due_filter_counts_open_orders_due_soon_including_late_ones(signed_in, orders):
    client, _ = signed_in("sales")
    shown = set(_numbers(client.get("/admin/orders?due=5").get_data(as_text=True)))
    assert shown == {orders["qc"], orders["stock"]}


def test_bad_filter_values_are_ignored_not_errors(signed_in, orders):
    client, _ = signed_in("sales")
    r = client.get("/admin/orders?status=nonsense&due=abc&owner=x&sort=evil&after=garbage~x")
    assert r.status_code == 200
    assert len(_numbers(r.get_data(as_text=True))) == 4


@pytest.mark.parametrize("sort", ["new", "due", "updated"])
def test_keyset_pages_walk_every_order_once_both_ways(app, factory, sort):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        for i in range(23):
            order_in(uow, Status.PENDING_REVIEW, promised_date=date.today() + timedelta(days=i % 4))
        uow.commit()
    with rt.uow() as uow:
        f = OrderFilter(sort=sort)
        pages, seen = [], []
        while True:
            page = fetch_page(uow.session, f, today=date.today(), page_size=5)
            pages.append(page)
            seen += [r["order_no"] for r in page.rows]
            if not page.next_cursor:
                break
            f = OrderFilter(sort=sort, after=page.next_cursor)
        assert len(seen) == len(set(seen)) == 23
        assert pages[0].total == 23 and not pages[0].prev_cursor
        back = fetch_page(uow.session, OrderFilter(sort=sort, before=pages[-1].prev_cursor), today=date.today(),
                          page_size=5)
        assert [r["order_no"] for r in back.rows] == [r["order_no"] for r in pages[-2].rows]
    if sort == "due":
        dates = []
        with rt.uow() as uow:
            for p in pages:
                dates += [r["promised_date"] for r in p.rows]
        assert dates == sorted(dates)


def test_detail_shows_timeline_with_actor_and_source(signed_in, orders):
    client, _ = signed_in("warehouse")
    html = client.get(f"/admin/orders/{orders['stock']}").get_data(as_text=True)
    assert "状态记录" in html and "测试管理员" in html and "接口" in html
    assert "发货 → 已发货" in html  # the warehouse may ship from 已入库


def test_unknown_order_is_a_404_page(signed_in):
    client, _ = signed_in("sales")
    r = client.get("/admin/orders/SO20990101-0001")
    assert r.status_code == 404 and "没有找到" in r.get_data(as_text=True)


def _detail(client, order_no):
    return client.get(f"/admin/orders/{order_no}").get_data(as_text=True)


def _version(html):
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_shipping_from_the_detail_page_is_recorded_as_a_web_move(app, signed_in, orders):
    client, token = signed_in("warehouse")
    version = _version(_detail(client, orders["stock"]))
    r = client.post(f"/admin/orders/{orders['stock']}/status", data={
        "csrf_token": token, "to": "shipped", "carrier": "顺丰", "tracking_no": "SF1402938475621",
        "version": version}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已改为「已发货」" in html
    with app.extensions["ops"].uow() as uow:
        from sqlmodel import select

        last = uow.session.exec(select(StatusEvent).order_by(StatusEvent.id.desc())).first()
        assert (last.to_status, last.source, last.actor) == ("shipped", "web", "warehouse员")


def test_a_refused_move_shows_the_domain_chinese_error(signed_in, orders):
    client, token = signed_in("sales")
    r = client.post(f"/admin/orders/{orders['qc']}/status", data={"csrf_token": token, "to": "in_stock"},
                    follow_redirects=True)
    assert "您没有权限" in r.get_data(as_text=True)


def test_a_missing_field_is_explained(signed_in, orders):
    client, token = signed_in("warehouse")
    r = client.post(f"/admin/orders/{orders['stock']}/status", data={"csrf_token": token, "to": "shipped"},
                    follow_redirects=True)
    assert "需要承运商" in r.get_data(as_text=True)


def test_a_stale_form_version_is_refused(signed_in, orders):
    client, token = signed_in("warehouse")
    r = client.post(f"/admin/orders/{orders['stock']}/status", data={
        "csrf_token": token, "to": "shipped", "carrier": "自提", "version": "1"}, follow_redirects=True)
    assert "已被修改" in r.get_data(as_text=True)


def test_qc_records_a_pass_from_the_detail_page(signed_in, orders):
    client, token = signed_in("qc")
    assert "登记质检合格" in _detail(client, orders["qc"])
    r = client.post(f"/admin/orders/{orders['qc']}/qc-pass", data={"csrf_token": token, "material_batch": "B1"},
                    follow_redirects=True)
    assert "已登记质检合格" in r.get_data(as_text=True)
    assert "登记质检合格</button>" not in _detail(client, orders["qc"])


def test_qc_fails_from_the_detail_page_with_a_category_from_the_list_and_batches(signed_in, orders):
    client, token = signed_in("qc")
    html = _detail(client, orders["qc"])
    assert 'name="defect_category"' in html and "<option value=\"毛刺\">毛刺</option>" in html
    r = client.post(f"/admin/orders/{orders['qc']}/status", data={
        "csrf_token": token, "to": "rework", "reason": "边缘有毛边", "defect_category": "毛刺",
        "material_batch": "b2311, B2312"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "待返工" in html and "<td>毛刺</td>" in html and "B2311,B2312" in html


def test_roles_see_only_the_moves_they_may_make(signed_in, orders):
    client, _ = signed_in("finance")
    html = _detail(client, orders["stock"])
    assert "您的角色在当前状态下没有可执行的操作" in html


def test_a_full_order_number_typed_in_any_case_finds_exactly_that_order(signed_in, orders):
    client, _ = signed_in("sales")
    html = client.get(f"/admin/orders?q={orders['stock'].lower()}").get_data(as_text=True)
    assert _numbers(html) == [orders["stock"]] and "共 1 条" in html


def test_sales_edits_the_promised_date_from_the_detail_page(app, signed_in, orders):
    client, token = signed_in("sales")
    no = orders["review"]
    html = client.get(f"/admin/orders/{no}").get_data(as_text=True)
    assert "修改订单" in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    r = client.post(f"/admin/orders/{no}/edit", data={"csrf_token": token, "version": version,
                    "promised_date": "2027-02-01", "quantity": "100", "priority": "urgent", "internal_note": "客户催"})
    assert r.status_code == 302
    page = client.get(f"/admin/orders/{no}").get_data(as_text=True)
    assert "已修改" in page and "2027-02-01" in page
    with app.extensions["ops"].uow() as uow:
        from sqlmodel import select

        last = uow.session.exec(select(StatusEvent).order_by(StatusEvent.id.desc())).first()
        assert (last.command, last.source) == ("edit", "web") and "优先级 normal → urgent" in last.note


def test_warehouse_sees_no_edit_form_and_cannot_post_one(signed_in, orders):
    client, token = signed_in("warehouse")
    no = orders["review"]
    assert "修改订单" not in client.get(f"/admin/orders/{no}").get_data(as_text=True)
    client.post(f"/admin/orders/{no}/edit", data={"csrf_token": token, "internal_note": "x"})
    assert "没有权限修改" in client.get(f"/admin/orders/{no}").get_data(as_text=True)
