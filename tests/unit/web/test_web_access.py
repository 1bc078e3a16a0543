"""Every admin page: anonymous → login, wrong role → 403, right role → 200; forms need CSRF."""

from __future__ import annotations

import pytest

from orders.status import Status
from tests.factories import order_in
from tests.unit.web.conftest import ROLES, csrf_of, login
from web.access import ROLE_ATTR

ALL = set(ROLES)
BOSSES = {"manager", "admin"}
SALES_BOARD = {"sales", "finance"} | BOSSES
PLANNING_BOARD = {"planner", "production", "purchasing", "qc"} | BOSSES
WAREHOUSE_BOARD = {"warehouse", "logistics", "qc"} | BOSSES
ORDER_ENTRY = {"sales"} | BOSSES
RECEIVING = {"purchasing", "warehouse", "planner"} | BOSSES
SHOP = {"sales"} | BOSSES
# Pages of things the small factory does not have (no ordering link issued, no request): 404 for those allowed.
NOTHING_YET = {"/admin/shop/customers/1/qr.png", "/admin/shop/customers/1/print", "/admin/shop/requests/RQ20261126-00001",
               "/admin/shop/attachments/1", "/admin/shop/products/1/picture.jpg",
               "/admin/io/import/0000", "/admin/io/import/0000.json",  # no such import (after the role check)
               "/admin/io/import/0000/events",
               "/admin/insight/audits/2026-01.xlsx"}  # no audit drawn

# URL rule -> (a concrete URL, roles that may open it). Every GET page under /admin is listed.
GET_PAGES = {
    "/admin/": ("/admin/", ALL),
    "/admin": ("/admin", ALL),
    "/admin/todo": ("/admin/todo", ALL),
    "/admin/orders": ("/admin/orders?status=open", ALL),
    "/admin/orders/<order_no>": ("/admin/orders/{order_no}", ALL),
    "/admin/orders/new": ("/admin/orders/new", ORDER_ENTRY),
    "/admin/orders/new/customers": ("/admin/orders/new/customers?q=测试", ORDER_ENTRY),
    "/admin/orders/new/customers/<int:customer_id>": ("/admin/orders/new/customers/1", ORDER_ENTRY),
    "/admin/orders/new/products": ("/admin/orders/new/products?q=SH", ORDER_ENTRY),
    "/admin/orders/new/products/<int:product_id>": ("/admin/orders/new/products/1", ORDER_ENTRY),
    "/admin/receiving": ("/admin/receiving", RECEIVING),
    "/admin/data-import": ("/admin/data-import", BOSSES),
    "/admin/orders/export.xlsx": ("/admin/orders/export.xlsx?status=open", ALL),
    "/admin/orders/export.csv": ("/admin/orders/export.csv?q=SO", ALL),
    "/admin/orders/<order_no>/notice.png": ("/admin/orders/{order_no}/notice.png", ALL),
    "/admin/io/import": ("/admin/io/import", {"planner"} | BOSSES),
    "/admin/io/status-map": ("/admin/io/status-map", {"planner"} | BOSSES),
    "/admin/io/import/<import_id>": ("/admin/io/import/0000", {"planner"} | BOSSES),
    "/admin/io/import/<import_id>.json": ("/admin/io/import/0000.json", {"planner"} | BOSSES),
    "/admin/io/import/<import_id>/events": ("/admin/io/import/0000/events", {"planner"} | BOSSES),
    "/admin/orders/new/buffer": ("/admin/orders/new/buffer?customer_id=1", ORDER_ENTRY),
    "/admin/boards/<name>": ("/admin/boards/sales", SALES_BOARD),
    "/admin/boards/<name>/fragment": ("/admin/boards/warehouse/fragment", WAREHOUSE_BOARD),
    "/admin/boards/<name>/export.<fmt>": ("/admin/boards/sales/export.xlsx", SALES_BOARD),
    "/admin/live": ("/admin/live", ALL),
    "/admin/playground": ("/admin/playground", ALL),
    "/admin/password": ("/admin/password", ALL),
    "/admin/data": ("/admin/data", BOSSES),
    "/admin/customer-groups": ("/admin/customer-groups", BOSSES),
    "/admin/data/<key>": ("/admin/data/customers", BOSSES),
    "/admin/data/<key>/new": ("/admin/data/products/new", BOSSES),
    "/admin/data/<key>/export.<fmt>": ("/admin/data/suppliers/export.xlsx", BOSSES),
    "/admin/data/<key>/<int:item_id>": ("/admin/data/materials/1", BOSSES),
    "/admin/staff": ("/admin/staff", {"admin"}),
    "/admin/tokens": ("/admin/tokens", {"admin"}),
    "/admin/logs/notifications": ("/admin/logs/notifications", BOSSES),
    "/admin/logs/inbound": ("/admin/logs/inbound", BOSSES),
    "/admin/logs/dead-letters": ("/admin/logs/dead-letters", BOSSES),
    "/admin/insight/": ("/admin/insight/", BOSSES),
    "/admin/insight/lists/<name>": ("/admin/insight/lists/late", BOSSES),
    "/admin/insight/lists/<name>.xlsx": ("/admin/insight/lists/late.xlsx", BOSSES),
    "/admin/insight/lists/<name>.csv": ("/admin/insight/lists/late.csv", BOSSES),
    "/admin/insight/suppliers": ("/admin/insight/suppliers", BOSSES),
    "/admin/insight/batches/<batch>": ("/admin/insight/batches/B1", BOSSES),
    "/admin/insight/customers/<int:customer_id>": ("/admin/insight/customers/1", BOSSES),
    "/admin/insight/audits": ("/admin/insight/audits", BOSSES),
    "/admin/insight/audits/<month>": ("/admin/insight/audits/2026-01", BOSSES),
    "/admin/insight/audits/<month>.xlsx": ("/admin/insight/audits/2026-01.xlsx", BOSSES),
    "/admin/shop/customers": ("/admin/shop/customers", SHOP),
    "/admin/shop/customers/<int:customer_id>": ("/admin/shop/customers/1", SHOP),
    "/admin/shop/customers/<int:customer_id>/qr.png": ("/admin/shop/customers/1/qr.png", SHOP),
    "/admin/shop/customers/<int:customer_id>/print": ("/admin/shop/customers/1/print", SHOP),
    "/admin/shop/requests/<request_no>": ("/admin/shop/requests/RQ20261126-00001", ALL),
    "/admin/shop/attachments/<int:attachment_id>": ("/admin/shop/attachments/1", ALL),
    "/admin/shop/products/<int:product_id>/picture.jpg": ("/admin/shop/products/1/picture.jpg", BOSSES),
}
EXTRA_GETS = [  # the same rules with other arguments, whose roles differ
    ("/admin/boards/planning", PLANNING_BOARD),
    ("/admin/boards/warehouse", WAREHOUSE_BOARD),
    ("/admin/boards/sales/fragment", SALES_BOARD),
    ("/admin/boards/planning/fragment", PLANNING_BOARD),
    ("/admin/boards/warehouse/export.csv", WAREHOUSE_BOARD),
    ("/admin/data/staff", {"admin"}),
    ("/admin/data/staff/1", {"admin"}),
    ("/admin/data/staff/export.csv", {"admin"}),
]
POSTS = [
    "/admin/logout", "/admin/orders/{order_no}/status", "/admin/orders/{order_no}/qc-pass",
    "/admin/orders/{order_no}/tracking-link", "/admin/playground", "/admin/data/customers/new",
    "/admin/data/chats/1/delete", "/admin/staff/users", "/admin/staff/users/1/active", "/admin/tokens",
    "/admin/tokens/1/revoke", "/admin/logs/notifications/1/resend", "/admin/data/materials/1",
    "/admin/orders/new", "/admin/receiving/1", "/admin/data-import",
    "/admin/io/import", "/admin/io/import/0000/commit", "/admin/io/status-map", "/admin/io/status-map/delete", "/admin/orders/{order_no}/waybill",
    "/admin/orders/{order_no}/delivery-note", "/admin/orders/{order_no}/notice/resend", "/admin/password",
    "/admin/shop/customers/1/link", "/admin/shop/customers/1/revoke", "/admin/shop/customers/1/send",
    "/admin/shop/customers/1/prices", "/admin/shop/customers/1/products", "/admin/shop/customers/1/addresses",
    "/admin/todo/{order_no}/approve", "/admin/todo/alerts/1/ack",
    "/admin/insight/audits", "/admin/insight/audits/2026-01/redraw", "/admin/insight/audits/2026-01/items/1",
]
PUBLIC_RULES = {"/admin/login", "/admin/static/<path:filename>", "/admin/wecom/oauth"}  # oauth: WeCom sign-in


@pytest.fixture
def order_no(app, factory):
    with app.extensions["ops"].uow() as uow:
        order = order_in(uow, Status.PENDING_QC)
        uow.commit()
    return order.order_no


def _get(client, url):
    r = client.get(url)
    r.close()  # the live stream would otherwise stay open
    return r


def test_every_admin_page_declares_who_may_open_it(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and rule.rule not in PUBLIC_RULES:
            view = app.view_functions[rule.endpoint]
            assert getattr(view, ROLE_ATTR, None), f"{rule.rule} has no @page(...)"


def test_every_admin_get_page_is_in_the_access_table(app):
    rules = {r.rule for r in app.url_map.iter_rules()
             if r.rule.startswith("/admin") and "GET" in r.methods and r.rule not in PUBLIC_RULES}
    assert rules - set(GET_PAGES) == set()


def test_anonymous_visitors_are_sent_to_the_login_page(app, order_no):
    client = app.test_client()
    for url, _roles in [*GET_PAGES.values(), *EXTRA_GETS]:
        r = _get(client, url.format(order_no=order_no))
        assert r.status_code == 302, url
        assert r.headers["Location"].startswith("/admin/login"), url


def test_anonymous_post_with_a_valid_csrf_token_still_needs_login(app, order_no):
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    for url in POSTS:
        if url == "/admin/logout":
            continue
        r = client.post(url.format(order_no=order_no), data={"csrf_token": token})
        assert r.status_code == 302 and "/admin/login" in r.headers["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_its_pages(app, order_no, role):
    client = app.test_client()
    login(client, role)
    for url, allowed in [*GET_PAGES.values(), *EXTRA_GETS]:
        r = _get(client, url.format(order_no=order_no))
        # /admin redirects to the order table; an unshipped order's notice.png back to the order
        expected = (200, 302) if url in ("/admin", "/admin/", "/admin/orders/{order_no}/notice.png") else (200,)
        expected = (404,) if url in NOTHING_YET else expected
        if role in allowed:
            assert r.status_code in expected, (role, url, r.status_code)
        else:
            assert r.status_code == 403, (role, url, r.status_code)
            assert "无权" in r.get_data(as_text=True)


def test_a_wrong_role_cannot_post_to_admin_only_forms(signed_in):
    client, token = signed_in("sales")
    assert client.post("/admin/tokens", data={"csrf_token": token, "name": "x", "role": "admin"}).status_code == 403
    assert client.post("/admin/staff/users", data={"csrf_token": token, "username": "evil", "role": "admin",
                                                   "password": "12345678"}).status_code == 403
    assert client.post("/admin/data/customers/new", data={"csrf_token": token, "name": "x"}).status_code == 403


def test_every_form_without_csrf_token_is_refused_with_400(app, signed_in, order_no):
    client, _token = signed_in("admin")
    for url in POSTS:
        r = client.post(url.format(order_no=order_no), data={"name": "x"})
        assert r.status_code == 400, url


def test_login_form_without_csrf_token_is_refused(app, factory):
    r = app.test_client().post("/admin/login", data={"username": "u_admin", "password": "pass-1234"})
    assert r.status_code == 400


def test_wrong_password_does_not_sign_in(app, factory):
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    r = client.post("/admin/login", data={"username": "u_admin", "password": "nope-nope", "csrf_token": token})
    assert r.status_code == 401
    assert "用户名或密码不对" in r.get_data(as_text=True)
    assert client.get("/admin/orders").status_code == 302


def test_login_redirects_only_inside_the_admin(app, factory):
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    r = client.post("/admin/login", data={"username": "u_admin", "password": "pass-1234", "csrf_token": token,
                                          "next": "https://evil.example/"})
    assert r.headers["Location"] == "/admin/todo"  # 我的待办, every role's landing page


def test_a_disabled_login_is_signed_out_at_the_next_request(app, signed_in):
    from sqlmodel import select

    from accounts.models import User
    from core.db import new_session

    client, _ = signed_in("sales")
    assert client.get("/admin/orders").status_code == 200
    with new_session(app.extensions["ops"].engine) as s:
        user = s.exec(select(User).where(User.username == "u_sales")).one()
        user.active = False
        s.add(user)
        s.commit()
    assert client.get("/admin/orders").status_code == 302


def test_logout_ends_the_session(signed_in):
    client, token = signed_in("planner")
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/orders").status_code == 302


def test_site_root_leads_to_the_admin_login(app):
    r = app.test_client().get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/")
