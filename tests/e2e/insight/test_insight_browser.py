"""The health dashboard in real headless Chromium on the demo factory: every chart draws (canvas not
blank) under its Chinese title, on a laptop (1366 px) and a phone (390 px); the line-load chart has a
bar per line of the table beside it."""

from __future__ import annotations

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()
CHARTS = {"trend": "每日签收与准时率", "lead": "下单到签收周期分布", "status_now": "当前各状态订单数",
          "dwell": "各状态停留时间", "sources": "状态更新来源占比", "chat": "聊天消息理解率", "line_load": "产线负荷"}
# Share of canvas pixels that are not transparent or white: a drawn chart has axes, bars, text.
INKED = """el => { const c = el.querySelector('canvas'); if (!c) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
  return n / (c.width * c.height); }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('insight-e2e') / 'ops.db'}")
    yield srv
    srv.stop()



@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_every_dashboard_chart_draws_under_its_chinese_title(browser, server, width, height):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    page.goto(f"{server.url}/admin/insight/?days=90")
    page.wait_for_selector(".chart[data-ready='1']")
    for key, title in CHARTS.items():
        card = page.locator(f"figure:has(.chart[data-chart='{key}'])")
        card.scroll_into_view_if_needed()
        assert title in card.locator("figcaption").inner_text()
        chart = card.locator(".chart")
        box = chart.bounding_box()
        assert box["width"] <= width and box["width"] > 200, (key, box)
        assert chart.evaluate(INKED) > 0.01, f"{key} chart is blank at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # no sideways scrolling
    table_lines = page.locator("#line-load-table tbody tr td:first-child").all_inner_texts()
    assert len(table_lines) >= 2 and page.evaluate(
        "JSON.parse(document.getElementById('insight-data').textContent).figures.line_load.lines"
        ".filter(r => r.planned_hours > 0).length") > 0  # the demo's lines have work planned: bars, not zeros
    assert "产线负荷" in page.locator("#kpi-line_load").inner_text()
    ctx.close()


def test_supplier_report_ranks_the_demo_bad_supplier_first(browser, server):
    from insight.seed import BAD_SUPPLIER

    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    page.goto(f"{server.url}/admin/insight/suppliers")
    first = page.locator("#supplier-table tbody tr").first.inner_text()
    assert first.startswith("1") and BAD_SUPPLIER in first
    ctx.close()
