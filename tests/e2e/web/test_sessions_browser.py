"""Sign-in safety in real headless Chromium at phone width (390 px), against the real app over HTTP:
repeated wrong passwords lock the account out with a Chinese message (the right password too, for a
while), and a session's cookies saved before 退出 no longer open the admin afterwards."""

from __future__ import annotations

import re

import pytest

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PASSWORD = "Browser-Pass-1"

sync_api = require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from accounts.service import create_user
    from core.db import new_session

    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('sessions-e2e') / 'ops.db'}", seed=False)
    with new_session(srv.runtime.engine) as s:
        for name in ("zhang", "li"):
            create_user(s, name, "admin", PASSWORD)
    yield srv
    srv.stop()


def _phone(browser, **extra):
    return browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, **extra)


def _sign_in(page, server, username: str, password: str):
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_repeated_wrong_passwords_lock_the_account_with_a_chinese_message(browser, server):
    ctx = _phone(browser)
    page = ctx.new_page()
    for _ in range(5):
        _sign_in(page, server, "zhang", "not-the-password")
        assert "用户名或密码不对" in page.locator(".flash").inner_text()
    _sign_in(page, server, "zhang", PASSWORD)  # the right password, too soon after the failures
    assert re.search(r"/admin/login", page.url)
    message = page.locator(".flash").inner_text()
    assert "登录失败次数过多" in message and "分钟" in message
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()
    other = _phone(browser).new_page()  # another account from the same phone still signs in
    _sign_in(other, server, "li", PASSWORD)
    other.wait_for_url("**/admin/todo")
    other.context.close()


def test_cookies_saved_before_logout_no_longer_open_the_admin(browser, server):
    ctx = _phone(browser)
    page = ctx.new_page()
    _sign_in(page, server, "li", PASSWORD)
    page.wait_for_url("**/admin/todo")
    saved = ctx.storage_state()  # what someone copying the phone's cookies would keep
    assert any(c["name"] == "session" for c in saved["cookies"])
    with page.expect_navigation():
        page.click("form.who button[type=submit]")  # 退出
    assert re.search(r"/admin/login", page.url)
    ctx.close()

    replay = _phone(browser, storage_state=saved)
    stolen = replay.new_page()
    stolen.goto(f"{server.url}/admin/orders")
    assert re.search(r"/admin/login", stolen.url)
    assert stolen.locator("input[name=password]").count() == 1
    replay.close()
