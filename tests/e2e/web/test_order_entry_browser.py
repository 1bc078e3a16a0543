"""Entering an order on a 390 px phone screen in real headless Chromium (demo data, real app): pick the
customer and product by typing, see the BOM and the delivery record, submit, and find the order on the
sales board as 待审核."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('entry-e2e') / 'ops.db'}")
    yield srv
    srv.stop()



def _demo_customer_and_product(server):
    from orders.models import BomLine, Customer, Product

    with server.runtime.uow() as uow:
        s = uow.session
        customer = s.exec(select(Customer).where(Customer.short_name != "").order_by(Customer.id)).first()
        product = s.exec(select(Product).join(BomLine, BomLine.product_id == Product.id).order_by(Product.id)).first()
        return customer.name, customer.short_name, product.code, product.name


def test_sales_enters_an_order_on_a_phone_and_sees_it_on_the_sales_board(browser, server):
    name, short, code, product_name = _demo_customer_and_product(server)
    ctx = browser.new_context(locale="zh-CN", **PHONE)
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "sales")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    page.click("nav.menu >> text=录入订单")
    page.wait_for_url("**/admin/orders/new")

    page.fill("#customer-q", short)
    page.locator("#customer-picks button", has_text=name).first.click()
    page.wait_for_function("document.getElementById('customer-history').textContent.length > 0")
    assert "签收" in page.locator("#customer-history").inner_text()  # the customer's delivery record

    page.fill("#product-q", code)
    page.locator("#product-picks button", has_text=code).first.click()
    page.wait_for_selector("#product-bom table.bom")
    assert "每件用量" in page.locator("#product-bom").inner_text()

    page.fill("#quantity", "120")
    # The board lists the 30 orders with the earliest promised dates and the demo has overdue ones:
    # a date earlier than all of them puts the new order on the board for certain.
    promised = date.today() - timedelta(days=700)
    page.fill("#promised-date", promised.isoformat())
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.click("#order-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/orders/(?!new)[A-Z0-9-]+$"))
    assert "已创建" in page.locator(".flash").inner_text()
    order_no = page.url.rsplit("/", 1)[1]

    page.goto(f"{server.url}/admin/boards/sales")
    row = page.locator(f"#urgent tr[data-order='{order_no}']")
    assert row.locator("td[data-label=状态]").inner_text() == "待审核"
    assert row.locator("td[data-label=客户]").inner_text() == name
    assert row.locator("td[data-label=数量]").inner_text() == "120"

    from orders.models import Order, StatusEvent

    with server.runtime.uow() as uow:
        order = uow.session.exec(select(Order).where(Order.order_no == order_no)).one()
        first = uow.session.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)).one()
        assert (order.status, first.source, first.command) == ("pending_review", "web", "create")
    ctx.close()


def test_the_form_answers_missing_fields_in_chinese(browser, server):
    ctx = browser.new_context(locale="zh-CN", **PHONE)
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "sales")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    page.goto(f"{server.url}/admin/orders/new")
    page.fill("#quantity", "5")
    page.fill("#promised-date", (date.today() + timedelta(days=20)).isoformat())
    page.click("#order-form button[type=submit]")
    errors = page.locator(".flash-error").all_inner_texts()
    assert "请选择客户。" in errors and "请选择产品。" in errors
    ctx.close()
