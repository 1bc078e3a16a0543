"""A customer orders through their private link on a 390 px phone in real headless Chromium (real app over
HTTP, in-process worker, WeCom stand-in): the sales owner issues the link, the customer orders two products,
the sales owner is told in WeCom, the orders sit on the sales board as 待审核 from the customer; after
shipping the customer's list has the tracking link; another customer's link never shows these orders; a
revoked link is the very same 404 as an unknown one."""

from __future__ import annotations

import io
import re
import time

import pytest
from sqlmodel import select

from tests.e2e.web.server import require_chromium, start_server
from tests.support.notify_env import wecom_settings
from tests.support.wecom_standin import WeComStandin

pytestmark = pytest.mark.browser

sync_api = require_chromium()
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
PASSWORD = "pass-1234"
FIRST, SECOND = "宁波测试机械有限公司", "杭州另一家电器有限公司"


@pytest.fixture(scope="module")
def wecom():
    with WeComStandin(agent_id=1000002) as standin:
        yield standin


@pytest.fixture(scope="module")
def server(tmp_path_factory, wecom):
    folder = tmp_path_factory.mktemp("shop-e2e")
    srv = start_server(f"sqlite:///{folder / 'ops.db'}", seed=False, shop={"files_dir": str(folder / "shop")},
                       **wecom_settings(wecom))
    _factory(srv.runtime)
    yield srv
    srv.stop()


def _factory(rt) -> None:
    from accounts.service import create_user
    from core.db import new_session
    from orders.models import Customer, Product, Staff
    from shop.pictures import reencode
    from shop.pictures import store as store_picture
    from tests.factories import basic_factory

    with rt.uow() as uow:
        made = basic_factory(uow)
        uow.session.add(Customer(name=SECOND, short_name="另一家", sales_owner_id=made["people"]["sales"].id))
        uow.session.add(Product(code="SH-200", name="传感器底座", spec="Φ40×12", unit_price=8.0,
                                picture=store_picture(rt.settings, reencode(_photo(), 10 * 1024 * 1024))))
        uow.commit()
    with new_session(rt.engine) as s:
        user = create_user(s, "u_sales", "sales", PASSWORD)
        user.staff_id = s.exec(select(Staff.id).where(Staff.userid == "t.sales")).one()
        s.add(user)
        s.commit()


def _photo() -> bytes:
    """A wide product photo: the page must show it as a thumbnail without scrolling sideways at 390 px."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def _sign_in(browser, server):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "u_sales")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")  # every role lands on 我的待办
    return ctx, page


def _issue_link(staff, server, customer: str, products: tuple[str, ...], address: str) -> str:
    """The sales owner opens the customer from the menu, enables products, adds an address, issues the link."""
    staff.goto(f"{server.url}/admin/orders")
    staff.click("nav.menu >> text=客户下单链接")
    staff.click(f"#shop-customers >> text={customer}")
    for code in products:
        staff.fill("input[name=code]", code)
        staff.click("button:has-text('开放')")
    staff.fill("input[name=address]", address)
    staff.fill("input[name=contact_name]", "李工")
    staff.click("button:has-text('添加地址')")
    staff.click("#shop-issue")
    flash = staff.locator(".flash-ok").first.inner_text()
    # The link is printed on PUBLIC_BASE_URL (the test app's is http://testserver): open it on the live server.
    return server.url + re.search(r"http://testserver(/s/[A-Za-z0-9_-]+)", flash).group(1)


def _order(customer_page, link: str, quantities: dict[str, str]) -> str:
    customer_page.goto(link)
    assert customer_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    for code, qty in quantities.items():
        customer_page.locator(f".item[data-code='{code}'] input").fill(qty)
    customer_page.fill("#contact-name", "李工")
    customer_page.fill("#contact-phone", "13900001111")
    customer_page.fill("#note", "请用木箱包装")
    customer_page.click("#order-form button[type=submit]")
    customer_page.wait_for_url(re.compile(r".*/r/RQ\d{8}-\d{5}$"))
    return customer_page.locator("#request-no").inner_text()


def _wait(predicate, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_a_customer_orders_through_the_link_and_follows_the_orders_to_tracking(browser, server, wecom):
    from orders import service
    from orders.models import Order
    from orders.status import Status
    from tests.factories import PATH, admin_actor

    staff_ctx, staff = _sign_in(browser, server)
    link = _issue_link(staff, server, FIRST, ("SH-100", "SH-200"), "宁波市北仑区测试路 1 号")
    cust_ctx = browser.new_context(**PHONE)
    phone = cust_ctx.new_page()
    phone.goto(link)
    assert "最早可交货日期" in phone.locator("#earliest").inner_text()
    assert "¥" not in phone.content()  # no prices unless enabled for the customer
    thumb = phone.locator(".item[data-code='SH-200'] img")
    assert thumb.count() == 1 and thumb.get_attribute("alt")
    thumb.scroll_into_view_if_needed()
    _wait(lambda: thumb.evaluate("img => img.complete && img.naturalWidth > 0"))  # served through the link
    assert phone.locator(".item[data-code='SH-100'] img").count() == 0  # no picture, no image
    first = _order(phone, link, {"SH-100": "120", "SH-200": "30"})
    assert phone.locator(".ord").count() == 2 and "待审核" in phone.locator("body").inner_text()
    second = _order(phone, link, {"SH-100": "15"})

    with server.runtime.uow() as uow:
        mine = uow.session.exec(select(Order).order_by(Order.id)).all()
        numbers = [o.order_no for o in mine]
    assert len(numbers) == 3
    told = _wait(lambda: [b["text"]["content"] for u, b in wecom.app_deliveries
                          if u == "t.sales" and first in b.get("text", {}).get("content", "")])
    assert all(n in told[0] for n in numbers[:2])

    staff.goto(f"{server.url}/admin/boards/sales")
    for order_no in numbers:
        row = staff.locator(f"#urgent tr[data-order='{order_no}']")
        assert row.locator("td[data-label=状态]").inner_text() == "待审核"
        assert row.locator("td[data-label=来源]").inner_text() == "客户下单"

    phone.goto(link + "#mine")
    mine_text = phone.locator("#mine").inner_text()
    assert first in mine_text and second in mine_text and all(n in mine_text for n in numbers)
    assert "查看物流" not in mine_text

    with server.runtime.uow() as uow:  # ship the first order through the existing use case
        for target, fields in PATH:
            if target == Status.IN_STOCK:
                service.record_qc_pass(uow, numbers[0], actor=admin_actor())
            service.change_status(uow, numbers[0], actor=admin_actor(), to=target, fields=fields)
            if target == Status.SHIPPED:
                break
        uow.commit()
    phone.goto(link)  # (the same URL with only a new #fragment would not reload)
    shipped = phone.locator(f".ord[data-order='{numbers[0]}']")
    assert "已发货" in shipped.inner_text()
    assert phone.locator(f".ord[data-order='{numbers[1]}'] a.track").count() == 0
    shipped.locator("a.track").click()
    phone.wait_for_url(f"**/track/{numbers[0]}")
    body = phone.locator("body").inner_text()
    assert "SF1402938475621" in body and "顺丰" in body
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1

    other = _issue_link(staff, server, SECOND, ("SH-200",), "杭州市滨江区测试大道 9 号")
    phone.goto(other)
    other_text = phone.locator("body").inner_text()
    assert not any(n in other_text for n in numbers) and first not in other_text and "SH-100" not in other_text
    phone.goto(other.rsplit("/", 1)[0] + f"/{other.rsplit('/', 1)[1]}/track/{numbers[0]}")
    assert "链接无效" in phone.locator("body").inner_text()

    unknown = cust_ctx.request.get(link[:-6] + "zzzzzz")
    staff.goto(f"{server.url}/admin/shop/customers")
    staff.click(f"#shop-customers >> text={FIRST}")
    staff.once("dialog", lambda d: d.accept())
    staff.click("#shop-revoke")
    staff.wait_for_selector(".flash-ok")
    revoked = cust_ctx.request.get(link)
    assert revoked.status == unknown.status == 404
    assert revoked.body() == unknown.body()
    phone.goto(link)
    assert "链接无效" in phone.locator("body").inner_text()
    staff_ctx.close()
    cust_ctx.close()
