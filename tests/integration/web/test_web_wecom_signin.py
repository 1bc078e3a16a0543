"""Sign-in inside WeCom over real HTTP: our server on a port, WeCom's authorize page and getuserinfo played
by the local stand-in, a `requests` browser that says "wxwork" in its User-Agent and follows redirects."""

from __future__ import annotations

import socket
import threading
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlmodel import select
from werkzeug.serving import make_server

from accounts.models import User
from core.db import new_session
from orders.status import Status
from tests.conftest import make_app
from tests.factories import basic_factory, order_in
from tests.support.wecom_standin import QuietHandler, WeComStandin

WECOM_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh ColorScheme/Light")
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def wecom():
    with WeComStandin(corp_id="ww_signin", secret="s3cret", agent_id=1000002) as standin:
        yield standin


@pytest.fixture
def site(db_url, wecom):
    """The app served over HTTP at its PUBLIC_BASE_URL, with one order waiting for scheduling."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = make_app(db_url, public_base_url=base, wecom_corp_id=wecom.corp_id, wecom_secret=wecom.secret,
                   wecom_agent_id=1000002, wecom_api_base=wecom.base_url, web={"wecom_oauth_base": wecom.base_url})
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        basic_factory(uow)
        order_no = order_in(uow, Status.PENDING_SCHEDULE).order_no
        uow.commit()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": base, "app": app, "order_no": order_no}
    server.shutdown()
    server.server_close()
    rt.engine.dispose()


def browser(ua: str = WECOM_UA) -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = ua
    return s


def test_a_link_opened_in_wecom_shows_the_order_signed_in_as_that_member(site, wecom):
    wecom.signed_in_as("t.planner")
    page = browser().get(f"{site['base']}/admin/orders/{site['order_no']}", timeout=10)
    assert page.status_code == 200 and urlparse(page.url).path == f"/admin/orders/{site['order_no']}"
    hops = [urlparse(r.headers["Location"]) for r in page.history]
    assert any(h.path == "/connect/oauth2/authorize" and h.port == urlparse(wecom.base_url).port for h in hops)
    authorize = parse_qs(next(h for h in hops if h.path == "/connect/oauth2/authorize").query)
    assert authorize["appid"] == [wecom.corp_id] and authorize["scope"] == ["snsapi_base"]
    assert authorize["redirect_uri"] == [f"{site['base']}/admin/wecom/oauth"]
    assert ("/cgi-bin/auth/getuserinfo", 0) in wecom.calls
    assert "planner员" in page.text and site["order_no"] in page.text
    with new_session(site["app"].extensions["ops"].engine) as s:
        login = s.exec(select(User).where(User.username == "wecom:t.planner")).one()
    assert login.staff_id is not None


def test_the_same_role_checks_apply_after_signing_in_through_wecom(site, wecom):
    wecom.signed_in_as("t.planner")
    me = browser()
    assert me.get(f"{site['base']}/admin/orders", timeout=10).status_code == 200
    assert me.get(f"{site['base']}/admin/tokens", timeout=10).status_code == 403  # admins only


def test_a_wecom_member_without_a_staff_row_gets_a_chinese_page(site, wecom):
    wecom.signed_in_as("zhang.unknown")
    page = browser().get(f"{site['base']}/admin/orders/{site['order_no']}", timeout=10)
    assert page.status_code == 403
    assert "企业微信账号「zhang.unknown」没有对应的在职人员" in page.text and "用用户名和密码登录" in page.text
    assert "Traceback" not in page.text


def test_a_non_member_gets_a_chinese_page(site, wecom):
    wecom.signed_in_as(openid="o-outsider")
    page = browser().get(f"{site['base']}/admin/orders", timeout=10)
    assert page.status_code == 403 and "您不是本企业的成员" in page.text


def _callback_url(site, me: requests.Session) -> str:
    """Walk to WeCom and back without following the last hop: our callback URL with code and state."""
    to_wecom = me.get(f"{site['base']}/admin/login", allow_redirects=False, timeout=10)
    assert to_wecom.status_code == 302 and "/connect/oauth2/authorize" in to_wecom.headers["Location"]
    back = me.get(to_wecom.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    return back.headers["Location"]


def test_a_code_works_once(site, wecom):
    wecom.signed_in_as("t.planner")
    me = browser()
    first = _callback_url(site, me)
    assert me.get(first, timeout=10).status_code == 200
    other = browser()  # another browser replays the used code with its own fresh state
    fresh = urlparse(_callback_url(site, other))
    used_code = parse_qs(urlparse(first).query)["code"][0]
    state = parse_qs(fresh.query)["state"][0]
    page = other.get(f"{site['base']}/admin/wecom/oauth", params={"code": used_code, "state": state}, timeout=10)
    assert page.status_code == 400 and "已使用或已过期" in page.text
    still_out = other.get(f"{site['base']}/admin/orders", allow_redirects=False, timeout=10)
    assert still_out.status_code == 302 and "/admin/login" in still_out.headers["Location"]


def test_a_code_older_than_five_minutes_is_refused(site, wecom):
    wecom.signed_in_as("t.planner")
    me = browser()
    url = _callback_url(site, me)
    wecom.advance(301)
    page = me.get(url, timeout=10)
    assert page.status_code == 400 and "已使用或已过期" in page.text


def test_a_callback_with_someone_elses_state_signs_nobody_in(site, wecom):
    wecom.signed_in_as("t.planner")
    victim, attacker = browser(), browser()
    forged = _callback_url(site, attacker)  # the attacker's own code and state, handed to the victim
    page = victim.get(forged, timeout=10)
    assert page.status_code == 400 and "登录链接已失效" in page.text
    assert ("/cgi-bin/auth/getuserinfo", 0) not in wecom.calls  # refused before the code was spent


def test_browsers_outside_wecom_keep_the_password_login(site, wecom):
    wecom.signed_in_as("t.planner")
    page = browser(DESKTOP_UA).get(f"{site['base']}/admin/orders", timeout=10)
    assert page.status_code == 200 and urlparse(page.url).path == "/admin/login" and "密码" in page.text
    assert not any(path == "/connect/oauth2/authorize" for path, _ in wecom.calls)
    inside = browser().get(f"{site['base']}/admin/login", params={"password": 1}, timeout=10)
    assert inside.status_code == 200 and 'name="password"' in inside.text
