"""The planning board in headless Chromium at desk (1366 px) and phone (390 px) widths: legends, the today
line, the line column that stays put while the Gantt scrolls, and order numbers never cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser
sync_api = require_chromium()
WIDTHS = {"desk": {"viewport": {"width": 1366, "height": 900}},
          "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "device_scale_factor": 2}}
ORDER_NO = re.compile(r"^SO\d{8}-\d{4}$")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"  # kept for a person to look at, as test_todo_browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('plan-e2e') / 'ops.db'}")
    yield srv
    srv.stop()


def _planning_board(browser, server, width: str):
    ctx = browser.new_context(locale="zh-CN", **WIDTHS[width])
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")
    page.goto(f"{server.url}/admin/boards/planning")
    page.wait_for_selector("#gantt .task")
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_planning_board_has_legends_a_today_line_and_whole_order_numbers(browser, server, width):
    page = _planning_board(browser, server, width)
    for legend in ("#heat-legend", "#gantt-legend"):
        assert page.locator(legend).is_visible()
    assert "超负荷" in page.locator("#heat-legend").inner_text()
    assert "晚于交期" in page.locator("#gantt-legend").inner_text() and "今天" in page.locator("#gantt-legend").inner_text()
    assert page.locator("#heatmap .cap").count() >= 4  # each line's capacity is shown

    today = page.locator("#today-line")
    assert today.count() == 1
    line_box, first_day = today.bounding_box(), page.locator("#gantt .gh").nth(1).bounding_box()
    gantt_box = page.locator("#gantt").bounding_box()
    assert first_day["x"] <= line_box["x"] <= first_day["x"] + first_day["width"]  # inside today's column
    assert line_box["height"] >= 0.9 * gantt_box["height"]  # across every line

    cut = page.evaluate("""() => [...document.querySelectorAll('#gantt .task')].map(t => {
        const no = t.querySelector('.no'), a = t.getBoundingClientRect(), b = no.getBoundingClientRect();
        return {text: no.textContent, fits: no.scrollWidth <= no.clientWidth + 1 && b.right <= a.right + 1
                && b.left >= a.left - 1, width: no.scrollWidth, room: no.clientWidth};
    }).filter(x => !x.fits || !/^SO\\d{8}-\\d{4}$/.test(x.text))""")
    assert page.locator("#gantt .task").count() > 5
    assert cut == [], cut[:5]
    marks = page.evaluate("""() => [...document.querySelectorAll('#start-marks .order-no')].filter(e => e.offsetParent)
        .map(e => ({text: e.innerText.trim(), clipped: e.scrollWidth > e.clientWidth + 1}))""")
    assert marks and all(ORDER_NO.match(m["text"]) and not m["clipped"] for m in marks), marks[:5]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"board_planning_{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.context.close()


def test_on_a_phone_the_gantt_scrolls_sideways_and_the_line_column_stays(browser, server):
    page = _planning_board(browser, server, "phone")
    wrap = page.locator(".gantt-wrap")
    sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert sizes[0] > sizes[1]  # wider than the phone: it scrolls, nothing is squeezed
    label = page.locator("#gantt .gl").first
    left_before = label.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = 400; }")
    page.wait_for_timeout(100)
    assert abs(label.bounding_box()["x"] - left_before) < 2  # sticky: the line names stay in view
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # the page itself does not
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board_planning_phone_scrolled.png"))
    page.context.close()
