"""The accuracy audit in real headless Chromium on the demo factory, on a phone (390 px) and a laptop:
a manager draws a month's sample, ticks one order 状态记录正确 and one 有误 (with a note), and sees the
progress, the accuracy rate and its Wilson interval; the buttons are thumb-sized and nothing scrolls
sideways on the phone."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from insight.stats import wilson
from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('audit-e2e') / 'ops.db'}")
    yield srv
    srv.stop()


@pytest.fixture
def month(server):
    """The month of the demo's own audit, removed so that the test draws it afresh."""
    with server.runtime.engine.begin() as c:
        found = c.execute(text("SELECT month FROM accuracy_audit")).scalar_one()
        c.execute(text("DELETE FROM accuracy_audit_change"))
        c.execute(text("DELETE FROM accuracy_audit_item"))
        c.execute(text("DELETE FROM accuracy_audit"))
    return found


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
def test_a_manager_draws_the_sample_ticks_two_orders_and_sees_the_rate(browser, server, month, width, height):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    page.goto(f"{server.url}/admin/insight/audits")
    page.fill("input[name=month]", month)
    page.click("#draw")
    page.wait_for_url(f"**/admin/insight/audits/{month}")
    items = page.locator(".audit-item")
    n = items.count()
    assert 1 < n <= 100
    assert f"已核对 0 / {n}" in page.locator("#progress").inner_text()
    first, second = items.nth(0), items.nth(1)
    for button in (first.locator("button.tick.ok"), second.locator("button.tick.bad")):
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb's target
    assert first.locator("a.order-no").get_attribute("href").endswith("#timeline")
    first.locator("button.tick.ok").click()
    page.wait_for_url("**#item-*")
    second = page.locator(".audit-item").nth(1)
    second.locator("input[name=note]").fill("签收时间晚记一天")
    second.locator("button.tick.bad").click()
    page.wait_for_selector("#interval")
    assert f"已核对 2 / {n}" in page.locator("#progress").inner_text()
    low, high = wilson(1, 2)
    assert "50.0%" in page.locator("#rate").inner_text()
    assert f"{low * 100:.1f}% – {high * 100:.1f}%" in page.locator("#interval").inner_text()
    assert page.locator(".audit-item").nth(0).get_attribute("data-verdict") == "correct"
    assert page.locator(".audit-item").nth(1).get_attribute("data-verdict") == "wrong"
    assert page.locator("#redraw").count() == 0  # checked: no redraw any more
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # no sideways scrolling
    assert "准确率 50.0%" in page.locator("#audit-sticky").inner_text()  # in sight while ticking on
    page.goto(f"{server.url}/admin/insight/audits")
    assert "50.0%" in page.locator(f"tr[data-month='{month}'] .rate").inner_text()
    ctx.close()

