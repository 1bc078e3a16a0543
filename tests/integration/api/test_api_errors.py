"""The API answers every error class with JSON and a Chinese message."""

from __future__ import annotations

import pytest

from orders.status import Status
from tests.conftest import auth
from tests.factories import basic_factory, order_in


@pytest.fixture
def world(app):
    with app.extensions["ops"].uow() as uow:
        basic_factory(uow)
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    return order.order_no


def _assert_error(r, status):
    assert r.status_code == status, r.get_data(as_text=True)
    body = r.get_json()
    assert body["error"] and body["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body


def test_create_order_answers_201_with_the_contract_fields(client, token_for, world):
    r = client.post("/api/orders", json={"customer": "宁波测试机械有限公司", "product": "SH-100", "quantity": 100,
                                         "promised_date": "2026-12-10"}, headers=auth(token_for("sales")))
    assert r.status_code == 201, r.json
    for key in ("order_no", "status", "customer", "product", "quantity", "promised_date", "sales_owner",
                "carrier", "tracking_no", "version", "updated_at"):
        assert key in r.json
    assert r.json["status"] == "pending_review" and r.json["sales_owner"] == "sales员"


def test_list_filters_by_status_newest_first(client, token_for, world, app):
    with app.extensions["ops"].uow() as uow:
        newer = order_in(uow, Status.IN_STOCK)
        uow.commit()
    r = client.get("/api/orders?status=in_stock&limit=5", headers=auth(token_for("sales")))
    assert r.status_code == 200
    assert [o["order_no"] for o in r.json] == [newer.order_no, world]
    assert {o["status"] for o in r.json} == {"in_stock"}


def test_malformed_body_is_400(client, token_for, world):
    tok = auth(token_for("sales"))
    _assert_error(client.post("/api/orders", json={"customer": "x", "quantity": "many"}, headers=tok), 400)
    _assert_error(client.post("/api/orders", data="{not json", headers={**tok, "Content-Type": "application/json"}), 400)
    _assert_error(client.get("/api/orders?limit=-3", headers=tok), 400)
    _assert_error(client.get("/api/orders?status=flying", headers=tok), 400)


def test_unknown_customer_is_400_naming_it(client, token_for, world):
    body = _assert_error(client.post("/api/orders", json={"customer": "不存在公司", "product": "SH-100", "quantity": 1,
                                                          "promised_date": "2026-12-10"}, headers=auth(token_for("sales"))), 400)
    assert "不存在公司" in body["message"]


def test_missing_or_bad_token_is_401(client, world):
    _assert_error(client.get("/api/orders"), 401)
    _assert_error(client.get("/api/orders", headers=auth("oh_nottoken")), 401)
    _assert_error(client.get("/api/orders", headers={"Authorization": "Basic abc"}), 401)


def test_role_without_right_is_403(client, token_for, world):
    _assert_error(client.post(f"/api/orders/{world}/status", json={"to": "shipped", "carrier": "顺丰",
                              "tracking_no": "SF1402938475621"}, headers=auth(token_for("finance"))), 403)
    _assert_error(client.post("/api/orders", json={"customer": "测试机械", "product": "SH-100", "quantity": 1,
                                                   "promised_date": "2026-12-10"}, headers=auth(token_for("qc"))), 403)


def test_unknown_order_is_404(client, token_for, world):
    body = _assert_error(client.get("/api/orders/SO20991231-0001", headers=auth(token_for("sales"))), 404)
    assert "SO20991231-0001" in body["message"]


def test_illegal_transition_is_409_naming_the_current_status(client, token_for, world):
    body = _assert_error(client.post(f"/api/orders/{world}/status", json={"to": "scheduled", "date": "2026-12-01"},
                                     headers=auth(token_for("admin"))), 409)
    assert body["current_status"] == "in_stock" and "已入库" in body["message"]


def test_stale_version_is_409(client, token_for, world):
    tok = auth(token_for("admin"))
    version = client.get(f"/api/orders/{world}", headers=tok).json["version"]
    body = _assert_error(client.post(f"/api/orders/{world}/status", json={"to": "shipped", "carrier": "自提",
                                     "version": version - 1}, headers=tok), 409)
    assert body["error"] == "version_conflict"


def test_erp_alias_is_accepted_wherever_a_number_is(client, token_for, world):
    tok = auth(token_for("sales"))
    r = client.post("/api/orders", json={"customer": "测试机械", "product": "SH-100", "quantity": 5,
                                         "promised_date": "2026-12-10", "erp_no": "ERP-2026-77"}, headers=tok)
    assert r.status_code == 201
    assert client.get("/api/orders/erp-2026-77", headers=tok).json["order_no"] == r.json["order_no"]


def test_openapi_document_is_served(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/api/orders/{order_no}/status" in doc["paths"]


def test_control_characters_are_refused_not_stored(client, token_for, world):
    # PostgreSQL cannot store NUL; found by the schemathesis run on PostgreSQL
    tok = auth(token_for("sales"))
    _assert_error(client.post("/api/orders", json={"customer": "宁波\x00测试", "product": "SH-100", "quantity": 1,
                                                   "promised_date": "2026-12-10"}, headers=tok), 400)
    _assert_error(client.get("/api/orders/SO2026%00", headers=tok), 404)
    _assert_error(client.get("/api/orders?q=%00", headers=tok), 400)
