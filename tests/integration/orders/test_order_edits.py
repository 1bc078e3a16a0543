"""Editing an order's terms: by role, traced old → new, version-checked, refused when closed."""

from __future__ import annotations

import pytest

from orders.status import Status
from tests.conftest import auth
from tests.factories import basic_factory, order_in


@pytest.fixture
def orders_(app):
    with app.extensions["ops"].uow() as uow:
        basic_factory(uow)
        open_order = order_in(uow, Status.PENDING_SCHEDULE)
        made = order_in(uow, Status.IN_PRODUCTION)
        done = order_in(uow, Status.COMPLETED)
        uow.commit()
    return open_order.order_no, made.order_no, done.order_no


def test_sales_moves_the_promised_date_and_the_change_is_traced(client, token_for, orders_):
    no = orders_[0]
    tok = auth(token_for("sales"))
    before = client.get(f"/api/orders/{no}", headers=tok).json
    r = client.patch(f"/api/orders/{no}", json={"promised_date": "2027-01-15", "quantity": 120,
                                                "version": before["version"]}, headers=tok)
    assert r.status_code == 200, r.json
    assert (r.json["promised_date"], r.json["quantity"], r.json["version"]) == ("2027-01-15", 120,
                                                                              before["version"] + 1)
    last = client.get(f"/api/orders/{no}/events", headers=tok).json[-1]
    assert last["command"] == "edit" and last["source"] == "api"
    assert "交期" in last["note"] and "2027-01-15" in last["note"] and "数量 100 → 120" in last["note"]


def test_edit_errors_are_clear(client, token_for, orders_):
    open_no, made_no, done_no = orders_
    tok = auth(token_for("sales"))
    assert client.patch(f"/api/orders/{open_no}", json={"quantity": 100}, headers=tok).status_code == 400
    assert client.patch(f"/api/orders/{open_no}", json={"note": "x", "version": 99},
                        headers=tok).status_code == 409
    r = client.patch(f"/api/orders/{made_no}", json={"quantity": 5}, headers=tok)
    assert r.status_code == 409 and "数量不能再改" in r.json["message"]
    r = client.patch(f"/api/orders/{done_no}", json={"note": "x"}, headers=tok)
    assert r.status_code == 409 and r.json["current_status"] == "completed"
    assert client.patch(f"/api/orders/{open_no}", json={"note": "x"},
                        headers=auth(token_for("warehouse"))).status_code == 403
