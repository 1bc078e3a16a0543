"""Error pages in real headless Chromium at phone width (390 px): Chinese, readable, nothing wider than the
screen; anonymous and signed-in, under /admin and elsewhere."""

from __future__ import annotations

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

sync_api = require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('err-e2e') / 'ops.db'}", seed=False)
    yield srv
    srv.stop()



@pytest.mark.parametrize("path", ["/no-such-page", "/admin/static/nothing.css", "/wecom/nothing/here"])
def test_a_chinese_404_fits_a_phone(browser, server, path):
    ctx = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = ctx.new_page()
    response = page.goto(f"{server.url}{path}")
    assert response.status == 404
    text = page.inner_text("body")
    assert "页面不存在" in text and "没有找到" in text and "Not Found" not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("document.querySelector('meta[name=viewport]') !== null")
    ctx.close()


def test_a_wrong_method_is_chinese_too(server):
    import requests

    r = requests.put(f"{server.url}/admin/login", timeout=10)
    assert r.status_code == 405 and "不支持" in r.text and "Method Not Allowed" not in r.text
