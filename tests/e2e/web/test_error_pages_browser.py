"""Error pages in real headless Chromium at phone width (390 px): Chinese, readable, nothing wider than the
screen; anonymous and signed-in, under /admin and elsewhere."""

from __future__ import annotations

import functools

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


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture(scope="module")
def sales_login(server):
    from accounts.service import create_user
    from core.db import new_session

    with new_session(server.runtime.engine) as s:
        create_user(s, "err-sales", "sales", "Err-Pages-1")
    return "err-sales", "Err-Pages-1"


def _signed_in_phone(browser, server, login):
    ctx = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", login[0])
    page.fill("input[name=password]", login[1])
    with page.expect_navigation():
        page.click("button[type=submit]")
    return ctx, page


def test_a_chinese_403_fits_a_phone(browser, server, sales_login):
    ctx, page = _signed_in_phone(browser, server, sales_login)
    response = page.goto(f"{server.url}/admin/tokens")  # API tokens: admins only
    assert response.status == 403
    text = page.inner_text("body")
    assert "无权访问" in text and "无权打开" in text and "Forbidden" not in text
    assert _fits(page)
    ctx.close()


@pytest.fixture
def failing_view(server):
    """The change-password page's view raising an unexpected error, as a bug would."""
    app = server.app
    original = app.view_functions["admin_auth.password"]

    @functools.wraps(original)  # keeps who may open it
    def broken(*args, **kwargs):
        raise RuntimeError("boom in a view")

    app.view_functions["admin_auth.password"] = broken
    yield "/admin/password"
    app.view_functions["admin_auth.password"] = original


def test_a_chinese_500_with_its_reference_fits_a_phone(browser, server, sales_login, failing_view):
    ctx, page = _signed_in_phone(browser, server, sales_login)
    response = page.goto(f"{server.url}{failing_view}")
    assert response.status == 500
    text = page.inner_text("body")
    assert "服务器出错" in text and "请联系管理员" in text
    assert "Internal Server Error" not in text and "boom" not in text and "Traceback" not in text
    assert _fits(page)
    ctx.close()
