"""Web sessions: logout and password change end every copy of a session; CSRF token rotated at login;
login throttling per account and per address with a Chinese answer; cookie flags, admin headers, idle timeout."""

from __future__ import annotations

import pytest

from tests.unit.web.conftest import PASSWORD, csrf_of, login


def _copy_of_session(client, app):
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _failed_login(client, username, password="wrong-pass"):
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})


def test_logout_ends_every_copy_of_the_session(app, factory):
    client = app.test_client()
    token = login(client, "sales")
    stolen = _copy_of_session(client, app)
    assert stolen.get("/admin/orders").status_code == 200
    client.post("/admin/logout", data={"csrf_token": token})
    r = stolen.get("/admin/orders")
    assert r.status_code == 302 and r.headers["Location"].startswith("/admin/login")


def test_password_change_ends_other_sessions_and_keeps_this_one(app, factory):
    client = app.test_client()
    token = login(client, "planner")
    other = app.test_client()
    login(other, "planner")
    r = client.post("/admin/password", data={"csrf_token": token, "old_password": PASSWORD,
                                             "new_password": "new-pass-99", "confirm_password": "new-pass-99"})
    assert r.status_code == 302
    assert client.get("/admin/orders").status_code == 200
    assert other.get("/admin/orders").status_code == 302
    assert _failed_login(app.test_client(), "u_planner", "new-pass-99").status_code == 302


def test_password_change_needs_the_old_password(signed_in):
    client, token = signed_in("qc")
    r = client.post("/admin/password", data={"csrf_token": token, "old_password": "not-it-at-all",
                                             "new_password": "new-pass-99", "confirm_password": "new-pass-99"})
    assert r.status_code == 400 and "原密码不正确" in r.get_data(as_text=True)


def test_login_rotates_the_csrf_token(app, factory):
    client = app.test_client()
    before = csrf_of(client.get("/admin/login").get_data(as_text=True))
    after = login(client, "admin")
    assert before != after
    # The token of before the login no longer authorises a form.
    assert client.post("/admin/logout", data={"csrf_token": before}).status_code == 400


def test_an_account_is_throttled_after_repeated_failures_even_with_the_right_password(app, factory):
    for _ in range(5):
        assert _failed_login(app.test_client(), "u_finance").status_code == 401
    r = _failed_login(app.test_client(), "u_finance", PASSWORD)
    assert r.status_code == 429
    assert "登录失败次数过多" in r.get_data(as_text=True) and int(r.headers["Retry-After"]) > 0
    assert _failed_login(app.test_client(), "u_sales", PASSWORD).status_code == 302  # another account


def test_an_address_is_throttled_across_accounts(app, factory):
    for i in range(20):
        assert _failed_login(app.test_client(), f"nobody{i}").status_code == 401
    assert _failed_login(app.test_client(), "u_sales", PASSWORD).status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert _failed_login(other, "u_sales", PASSWORD).status_code == 302


def test_cookie_is_samesite_lax_httponly_and_admin_pages_refuse_frames(app, factory):
    client = app.test_client()
    r = client.get("/admin/login")
    cookie = r.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_idle_session_must_sign_in_again(app, factory):
    client = app.test_client()
    login(client, "sales")
    with client.session_transaction() as s:
        s["_seen"] -= 721 * 60
    r = client.get("/admin/orders")
    assert r.status_code == 302 and r.headers["Location"].startswith("/admin/login")
    assert "长时间未操作" in client.get(r.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def proxied_app(db_url):
    from tests.conftest import make_app

    application = make_app(db_url, web={"trusted_proxy_hops": 1})
    yield application
    application.extensions["ops"].engine.dispose()


def test_behind_a_trusted_https_proxy_the_cookie_is_secure(proxied_app):
    client = proxied_app.test_client()
    r = client.get("/admin/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"})
    assert "Secure" in r.headers["Set-Cookie"]
    assert "Secure" not in client.get("/admin/login").headers["Set-Cookie"]


def test_an_unknown_name_costs_the_same_password_check_as_a_wrong_password(app, factory, monkeypatch):
    """No timing difference to tell names apart: an unknown name still runs one check of the same hash
    method and parameters (scrypt's cost) as a known name with a wrong password, and gets the same message."""
    import accounts.service as accounts

    checked = []
    real = accounts.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])  # method and cost, e.g. scrypt:32768:8:1
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    known = _failed_login(app.test_client(), "u_sales")
    unknown = _failed_login(app.test_client(), "no-such-person")
    assert known.status_code == unknown.status_code == 401
    assert "用户名或密码不对" in known.get_data(as_text=True) and "用户名或密码不对" in unknown.get_data(as_text=True)
    assert len(checked) == 2 and checked[0] == checked[1]
