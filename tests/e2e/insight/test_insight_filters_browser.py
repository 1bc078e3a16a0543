"""The dashboard's filter form in real headless Chromium on the demo factory, on a phone (390 px) and
a laptop (1366 px): choosing a customer level and a production line changes the figures, keeps the
choice in the URL (a link opens the same view), marks the chat figure as not filtered, and the drill
list behind a tile follows the filters."""

from __future__ import annotations

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('insight-filters-e2e') / 'ops.db'}")
    yield srv
    srv.stop()


def _login(page, url: str) -> None:
    page.goto(f"{url}/admin/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")


def _figures(page) -> dict[str, str]:
    return {key: page.locator(f"#kpi-{key}").inner_text() for key in ("on_time_rate", "late", "at_risk", "alerts")}


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_choosing_a_level_and_a_line_changes_the_figures_and_stays_in_the_url(browser, server, width, height):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = ctx.new_page()
    _login(page, server.url)
    page.goto(f"{server.url}/admin/insight/?days=90")
    before = _figures(page)
    assert page.locator("[data-note='chat']").count() == 0
    form = page.locator("#insight-filters")
    for name in ("days", "customer", "customer_level", "product_line", "sales_owner_id", "line"):
        box = form.locator(f"select[name={name}]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, box)  # every control on screen
    form.locator("select[name=customer_level]").select_option("C")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "customer_level=C" in page.url
    after = _figures(page)
    assert after != before, "the figures did not change under the level filter"
    assert page.locator("[data-note='chat']").first.is_visible()
    assert "不受筛选影响" in page.locator("[data-note='chat']").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # no sideways scrolling

    line = form.locator("select[name=line] option").nth(1).get_attribute("value")
    form.locator("select[name=line]").select_option(line)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    both = _figures(page)
    shared = page.url
    ctx2 = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    other = ctx2.new_page()
    _login(other, server.url)
    other.goto(shared)  # the link alone reproduces the view
    assert _figures(other) == both
    assert other.locator("select[name=customer_level]").input_value() == "C"
    assert other.locator("select[name=line]").input_value() == line
    ctx2.close()

    page.locator("#kpi-late").click()
    page.wait_for_selector("#drill-table")
    assert "customer_level=C" in page.url and page.locator("select[name=customer_level]").input_value() == "C"
    late = int(both["late"].split("\n")[1].split()[0])
    listed = page.locator("#drill-table tbody tr").count()
    assert listed == late or (late == 0 and listed == 1)  # one "no records" row when empty
    ctx.close()
