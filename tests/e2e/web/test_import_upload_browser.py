"""An ERP file uploaded in real headless Chromium: the import runs as a job and its progress reaches the
page pushed over Server-Sent Events (no polling request), then the page shows the row report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import func, select

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()
ROWS = 9000  # five of the importer's batches: progress is published on the way


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('upload-e2e') / 'ops.db'}")
    yield srv
    srv.stop()


def _file(server, folder) -> str:
    from orders.models import Customer, Product

    with server.runtime.uow() as uow:
        customer = uow.session.exec(select(Customer).order_by(Customer.id)).first().name
        product = uow.session.exec(select(Product).order_by(Product.id)).first().code
    from core.types import utcnow

    today = utcnow().date()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["ERP单号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"])
    for i in range(ROWS):
        w.writerow([f"ERP-W{i:05d}", customer, product, 10, today - timedelta(days=3), today + timedelta(days=20),
                    "已关闭"])
    path = folder / "erp.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return str(path)


def test_an_upload_shows_progress_pushed_by_the_server_then_the_report(browser, server, tmp_path):
    from orders.models import Order

    with server.runtime.uow() as uow:
        before = uow.session.exec(select(func.count()).select_from(Order)).one()
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    # Record every value the progress bar takes, across the reload that shows the report.
    page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
        const bar = document.getElementById('import-bar');
        if (!bar) return;
        new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem('seen') || '[]');
            seen.push([bar.value, bar.max]);
            sessionStorage.setItem('seen', JSON.stringify(seen));
        }).observe(bar, {attributes: true});
    });""")
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.goto(f"{server.url}/admin/io/import")
    page.set_input_files("input[name=file]", _file(server, tmp_path))
    page.uncheck("input[name=dry_run]")
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-report:not([hidden])", timeout=180_000)  # after the job: the report
    report = page.locator("#import-report").inner_text()
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('seen') || '[]')")
    ctx.close()

    assert f"导入完成：成功 {ROWS} 行" in report, report
    assert seen and seen[-1] == [ROWS, ROWS], seen
    assert [v for v, _m in seen] == sorted(v for v, _m in seen)  # the bar only moves forward
    assert any(0 < v < ROWS for v, _m in seen), seen  # and moved on the way, not only at the end
    assert any(u.endswith("/events") for u in requested)
    assert not any(u.endswith(".json") for u in requested), requested  # pushed, not polled
    with server.runtime.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(Order)).one() == before + ROWS
