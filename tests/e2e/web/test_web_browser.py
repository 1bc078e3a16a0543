"""The admin in real headless Chromium against the real app (threaded server, in-process worker,
SQLite file, demo factory): login, order filter, chat playground → live board, board screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LIVE_BOUND_MS = 2000  # functional bound: the open board shows the change without a reload

sync_api = require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('web-e2e') / 'ops.db'}")
    yield srv
    srv.stop()



def _signed_in_page(browser, server, username="admin", **context):
    ctx = browser.new_context(locale="zh-CN", **context)
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    return page


def test_login_lands_on_my_todo_and_the_menu_opens_the_order_table(browser, server):
    page = _signed_in_page(browser, server, "sales")
    assert page.locator("h1").inner_text().startswith("我的待办")
    page.click('nav.menu >> text="订单"')
    page.wait_for_url("**/admin/orders")
    assert page.locator("#order-table tbody tr").count() == 50
    assert "退出" in page.locator("header").inner_text()
    page.context.close()


def test_wrong_password_stays_on_the_login_page(browser, server):
    page = browser.new_page()
    page.goto(f"{server.url}/admin/orders")
    page.wait_for_url(re.compile(r".*/admin/login.*"))
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不对" in page.locator(".flash").inner_text()
    page.close()


def test_order_table_filter_by_status(browser, server):
    page = _signed_in_page(browser, server, "warehouse")
    page.goto(f"{server.url}/admin/orders")
    page.select_option("select[name=status]", "in_stock")
    page.click("#order-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*status=in_stock.*"))
    labels = page.locator("#order-table tbody td[data-label=状态]").all_inner_texts()
    assert labels and set(labels) == {"已入库"}
    page.context.close()


def test_a_playground_message_updates_an_open_board_without_reload(browser, server):
    board = _signed_in_page(browser, server, "warehouse")
    board.goto(f"{server.url}/admin/boards/warehouse")
    board.wait_for_selector("#live-state.on")
    board.evaluate("window.__notReloaded = true")
    row = board.locator("#ready-orders tr[data-order]").filter(has_text="已入库").first
    order_no = row.get_attribute("data-order")

    chat = _signed_in_page(browser, server, "admin")
    chat.goto(f"{server.url}/admin/playground")
    chat.select_option("select[name=speaker]", "demo.warehouse")
    chat.fill("textarea[name=text]", f"{order_no} 已发货 顺丰 SF1402938475621")
    chat.click("#playground-form button[type=submit]")
    chat.wait_for_selector("#last-reply")
    assert "已发货" in chat.locator("#last-reply").inner_text()

    board.wait_for_selector(f'#ready-orders tr[data-order="{order_no}"]', state="detached", timeout=LIVE_BOUND_MS)
    assert board.evaluate("window.__notReloaded") is True
    board.context.close()
    chat.context.close()


@pytest.mark.parametrize("name", ["sales", "planning", "warehouse"])
def test_board_screenshots(browser, server, name):
    page = _signed_in_page(browser, server, "admin", viewport={"width": 1366, "height": 900})
    page.goto(f"{server.url}/admin/boards/{name}")
    page.wait_for_selector("#live-state.on")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"web_board_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    page.context.close()


def test_order_table_on_a_phone_has_no_sideways_scrolling(browser, server):
    page = _signed_in_page(browser, server, "sales", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{server.url}/admin/orders")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(ARTIFACTS / "web_orders_phone.png"))
    page.context.close()
