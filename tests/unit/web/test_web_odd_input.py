"""Odd query values on admin pages: a redirect target with CR/LF, huge due= and ids, never a 500."""

from __future__ import annotations

import pytest

from tests.unit.web.conftest import PASSWORD, csrf_of


@pytest.mark.parametrize("target", ["/admin%0d%0aSet-Cookie:%20x=1", "/admin/orders%0aX:y", "/admin/%09orders"])
def test_a_next_with_control_characters_goes_to_the_landing_page(app, signed_in, target):
    client, _ = signed_in("sales")
    r = client.get(f"/admin/login?next={target}")
    assert r.status_code == 302 and r.headers["Location"] == "/admin/todo"
    assert "Set-Cookie" not in r.headers or "x=1" not in r.headers["Set-Cookie"]


def test_signing_in_with_a_crlf_next_lands_on_my_todo(app, factory):
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    r = client.post("/admin/login", data={"username": "u_admin", "password": PASSWORD, "csrf_token": token,
                                          "next": "/admin/orders\r\nX-Injected: 1"})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/todo"
    assert "X-Injected" not in r.headers


def test_a_clean_next_is_still_followed(app, signed_in):
    client, _ = signed_in("sales")
    assert client.get("/admin/login?next=/admin/orders?status=open").headers["Location"] == "/admin/orders?status=open"


@pytest.mark.parametrize("query", ["due=999999999", "due=99999999999999999999", "owner=99999999999999999999",
                                   "customer=1e400", "sort=id&after=1~99999999999999999999999",
                                   "after=99999999999999999999~1", "sort=due&after=9999-12-31~1"])
def test_huge_numbers_in_the_order_filters_answer_a_page(signed_in, query):
    client, _ = signed_in("admin")
    r = client.get(f"/admin/orders?{query}")
    assert r.status_code == 200, query


def test_due_within_a_huge_number_of_days_lists_the_open_orders(app, signed_in):
    from orders.status import Status
    from tests.factories import order_in

    client, _ = signed_in("admin")
    with app.extensions["ops"].uow() as uow:
        open_no = order_in(uow, Status.IN_STOCK).order_no
        done_no = order_in(uow, Status.CANCELLED).order_no
        uow.commit()
    html = client.get("/admin/orders?due=999999999").get_data(as_text=True)
    assert open_no in html and done_no not in html
