"""我的待办, the alert banner and the boards' marks in real headless Chromium on the demo factory (alerts
raised by one sweep): screenshots at 1366 and 390 px of the sales and warehouse boards and of 我的待办
for every role; each with its legend and a today line that splits the list at today's date; order
numbers never cut; the banner's items link to their orders and fold away on a phone; packaging counts
are whole numbers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ROLES = ("sales", "planner", "purchasing", "production", "qc", "warehouse", "logistics", "finance", "manager",
         "admin")
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ORDER_NO = re.compile(r"^SO\d{8}-\d{4}$")
COLLAPSED_MAX_PX = 48  # the folded banner: one short line

sync_api = require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from alerts.sweep import sweep

    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('todo-e2e') / 'ops.db'}")
    sweep(srv.runtime, datetime.now(UTC))
    yield srv
    srv.stop()


def _page(browser, server, username: str, size: str):
    ctx = browser.new_context(locale="zh-CN", viewport=SIZES[size], is_mobile=size == "phone")
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/todo")
    return page


def _order_numbers_uncut(page) -> list[str]:
    """Every order number shown in an .order-no element, after checking none is clipped or wrapped."""
    found = page.evaluate("""() => [...document.querySelectorAll('.order-no')].filter(e => e.offsetParent)
        .map(e => ({text: e.innerText.trim(), clipped: e.scrollWidth > e.clientWidth + 1}))""")
    for f in found:
        assert ORDER_NO.match(f["text"]), f
        assert not f["clipped"], f
    return [f["text"] for f in found]


def _legend_and_today_line(page, server, legend: str, rows: str) -> None:
    """The legend is shown; the today line once, with every row above it past its date and none below."""
    assert page.locator(legend).is_visible()
    assert "今天" in page.locator(legend).inner_text()
    if page.locator(rows).count() == 0:
        return
    line = page.locator("#today-line")
    assert line.count() == 1 and line.is_visible() and line.bounding_box()["height"] > 0
    today = line.get_attribute("data-today")
    assert today == datetime.now(server.runtime.settings.tz).date().isoformat()
    split = page.evaluate("""sel => { const line = document.getElementById('today-line');
        return [...document.querySelectorAll(sel)].map(r => ({no: r.dataset.order, date: r.dataset.date,
            above: !!(line.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_PRECEDING)})); }""", rows)
    assert split
    for r in split:
        assert (r["date"] < today) == r["above"], (r, today)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
def test_my_todo_for_every_role(browser, server, role, size):
    page = _page(browser, server, role, size)
    assert page.locator("h1").inner_text().startswith("我的待办")
    numbers = _order_numbers_uncut(page)
    items = page.locator("#todo-list li[data-order]")
    assert items.count() == 0 or numbers[:1] == [items.first.get_attribute("data-order")]
    _legend_and_today_line(page, server, "#todo-legend", "#todo-list li[data-order]")
    if role in ("logistics", "finance"):
        assert page.locator("#todo-empty").is_visible()
    else:
        assert items.count() > 0
    if role == "manager":
        assert page.locator("#todo-list button:text('审核通过')").count() > 0
    if role == "planner":
        first = page.locator("#todo-list a:text('排产')").first
        assert re.search(r"/admin/orders/SO\d{8}-\d{4}#move-schedule-scheduled$", first.get_attribute("href"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    _shot(page, f"todo_{role}_{size}")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("board", ["sales", "warehouse"])
def test_board_screenshots_with_uncut_order_numbers(browser, server, board, size):
    page = _page(browser, server, "admin", size)
    page.goto(f"{server.url}/admin/boards/{board}")
    page.wait_for_selector("#live-state.on")
    assert _order_numbers_uncut(page)
    table = "#urgent" if board == "sales" else "#ready-orders"
    _legend_and_today_line(page, server, f"#{board}-legend", f"{table} tr[data-order]")
    if board == "sales":
        assert page.locator("#urgent .flag").count() > 0  # red flags from the alerts' board flags
    else:
        assert "向上取整" in page.locator("#rounding-note").inner_text()
        for text in page.locator("#materials td.r, #ready-orders td[data-label=包材需求]").all_inner_texts():
            assert not re.search(r"\d+\.\d", text), text  # whole boxes and pallets only
    _shot(page, f"board_{board}_{size}")
    page.context.close()


def test_planning_board_shows_start_countdowns_and_flags_in_its_own_section(browser, server):
    page = _page(browser, server, "planner", "desktop")
    page.goto(f"{server.url}/admin/boards/planning")
    page.wait_for_selector("#start-marks")
    texts = page.locator("#start-marks .countdown").all_inner_texts()
    assert texts and all(re.match(r"^(今天开工|\d+ 天后开工|应开工已过 \d+ 天)$", t) for t in texts)
    _order_numbers_uncut(page)
    page.context.close()


def test_the_banner_folds_on_a_phone_and_its_items_open_their_orders(browser, server):
    page = _page(browser, server, "manager", "phone")
    banner = page.locator("#alert-banner")
    assert banner.bounding_box()["height"] <= COLLAPSED_MAX_PX
    assert not page.locator("#banner-body").is_visible()
    page.click("#alert-banner label.banner-head")
    assert page.locator("#banner-body").is_visible()
    links = page.locator("#banner-body a.banner-item")
    assert links.count() > 0
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert all(re.match(r"^/admin/orders/SO\d{8}-\d{4}$", h) for h in hrefs)
    _shot(page, "banner_phone_open")
    links.first.click()
    page.wait_for_url(f"**{hrefs[0]}")
    assert page.locator("h1").inner_text().startswith(hrefs[0].rsplit("/", 1)[1])
    page.context.close()


def test_the_banner_shows_its_links_at_once_on_a_desktop(browser, server):
    page = _page(browser, server, "sales", "desktop")
    assert page.locator("#banner-body").is_visible()
    assert page.locator("#banner-body a.banner-item").count() > 0
    assert page.locator("#alert-banner").get_attribute("data-scope") == "own"
    page.context.close()
