"""Master data and receiving through the API: a purchase line received releases a 待采购 order to 待排产."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from notify.models import Notification
from orders.models import Material, Order, StatusEvent
from tests.conftest import auth
from tests.factories import basic_factory


def _setup(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        f = basic_factory(uow)
        f["materials"]["steel"].stock_on_hand = 0
        uow.session.add(f["materials"]["steel"])
        uow.commit()


def _order(client, token, quantity=100):
    r = client.post("/api/orders", headers=auth(token), json={
        "customer": "测试机械", "product": "SH-100", "quantity": quantity,
        "promised_date": (date.today() + timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["order_no"]


def test_receiving_a_purchase_line_releases_a_waiting_order(app, client, token_for):
    _setup(app)
    sales, planner, warehouse = token_for("sales"), token_for("planner"), token_for("warehouse")
    order_no = _order(client, sales)  # needs 100 × 0.2 = 20 kg of RM-6061, none in stock
    r = client.post(f"/api/orders/{order_no}/status", headers=auth(planner), json={"to": "pending_purchase"})
    assert r.status_code == 200 and r.get_json()["status"] == "pending_purchase"

    r = client.post("/api/purchase-lines", headers=auth(token_for("purchasing")), json={
        "po_no": "PO-2026-001", "material": "RM-6061", "quantity": 25, "supplier": "宁波铝业",
        "expected_on": (date.today() + timedelta(days=3)).isoformat()})
    assert r.status_code == 201, r.get_json()
    line_id = r.get_json()["id"]

    r = client.post(f"/api/purchase-lines/{line_id}/receive", headers=auth(warehouse), json={"quantity": 10})
    body = r.get_json()
    assert r.status_code == 200 and body["released"] == [] and body["arrived_on"] is None
    assert client.get(f"/api/orders/{order_no}", headers=auth(sales)).get_json()["status"] == "pending_purchase"

    r = client.post(f"/api/purchase-lines/{line_id}/receive", headers=auth(warehouse),
                    json={"quantity": 15, "batch": "B-0917"})
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["released"] == [order_no] and body["arrived_quantity"] == 25 and body["batch_no"] == "B-0917"
    assert body["arrived_on"] is not None
    order = client.get(f"/api/orders/{order_no}", headers=auth(sales)).get_json()
    assert order["status"] == "pending_schedule"
    with app.extensions["ops"].uow() as uow:
        s = uow.session
        assert s.exec(select(Material).where(Material.code == "RM-6061")).one().stock_on_hand == 25
        oid = s.exec(select(Order.id).where(Order.order_no == order_no)).one()
        last = s.exec(select(StatusEvent).where(StatusEvent.order_id == oid).order_by(StatusEvent.id.desc())).first()
        assert (last.command, last.source, last.data["receipt"]["batch"]) == ("materials_ready", "api", "B-0917")
        # the usual next-step notice of materials_ready reaches the planner
        assert s.exec(select(Notification).where(Notification.order_id == oid,
                                                 Notification.kind.like("%next%"))).first() is not None


def test_stock_goes_to_the_earliest_promised_order_first(app, client, token_for):
    _setup(app)
    sales, planner, buyer = token_for("sales"), token_for("planner"), token_for("purchasing")
    late = _order(client, sales, quantity=100)
    early = client.post("/api/orders", headers=auth(sales), json={
        "customer": "测试机械", "product": "SH-100", "quantity": 100,
        "promised_date": (date.today() + timedelta(days=10)).isoformat()}).get_json()["order_no"]
    for no in (late, early):
        client.post(f"/api/orders/{no}/status", headers=auth(planner), json={"to": "pending_purchase"})
    line = client.post("/api/purchase-lines", headers=auth(buyer),
                       json={"po_no": "PO-2", "material": "RM-6061", "quantity": 30}).get_json()
    body = client.post(f"/api/purchase-lines/{line['id']}/receive", headers=auth(buyer),
                       json={"quantity": 30}).get_json()
    assert body["released"] == [early]  # 30 kg covers one order of 20 kg, not two


def test_master_data_api_answers_bad_input_in_chinese(app, client, token_for):
    _setup(app)
    buyer = token_for("purchasing")
    r = client.post("/api/materials", headers=auth(buyer), json={"code": "RM-NEW", "name": "新料", "unit": "kg",
                                                                "safety_stock": 50})
    assert r.status_code == 201 and r.get_json()["safety_stock"] == 50
    r = client.post("/api/materials", headers=auth(buyer), json={"code": "RM-NEW", "name": "重复"})
    assert r.status_code == 400 and "已存在" in r.get_json()["message"]
    r = client.post("/api/bom-lines", headers=auth(buyer), json={"product": "SH-100", "material": "RM-NEW",
                                                                "qty_per_unit": 0.5, "scrap_pct": 3})
    assert r.status_code == 201 and r.get_json()["scrap_pct"] == 3
    r = client.post("/api/bom-lines", headers=auth(buyer), json={"product": "NOPE", "material": "RM-NEW",
                                                                "qty_per_unit": 1})
    assert r.status_code == 400 and "没有找到产品" in r.get_json()["message"]
    r = client.post("/api/purchase-lines/999/receive", headers=auth(buyer), json={"quantity": 1})
    assert r.status_code == 404 and "采购行" in r.get_json()["message"]
    r = client.post("/api/purchase-lines/1/receive", headers=auth(token_for("sales")), json={"quantity": 1})
    assert r.status_code == 403
    r = client.post("/api/purchase-lines", headers=auth(buyer), json={"po_no": "PO", "material": "RM-NEW",
                                                                     "quantity": -1})
    assert 400 <= r.status_code < 500
    assert len(client.get("/api/bom-lines", headers=auth(buyer)).get_json()) == 2


def test_the_salesperson_is_changed_by_a_manager_and_version_checked(app, client, token_for):
    _setup(app)
    order_no = _order(client, token_for("sales"))
    with app.extensions["ops"].uow() as uow:
        from orders.models import Staff
        planner = uow.session.exec(select(Staff).where(Staff.roles == "planner")).one()
        planner_id, planner_name = planner.id, planner.name
    version = client.get(f"/api/orders/{order_no}", headers=auth(token_for("sales"))).get_json()["version"]
    r = client.patch(f"/api/orders/{order_no}", headers=auth(token_for("sales")),
                     json={"sales_owner_id": planner_id, "version": version})
    assert r.status_code == 403 and "销售主管" in r.get_json()["message"]
    r = client.patch(f"/api/orders/{order_no}", headers=auth(token_for("manager")),
                     json={"sales_owner_id": planner_id, "version": version - 1})
    assert r.status_code == 409
    r = client.patch(f"/api/orders/{order_no}", headers=auth(token_for("manager")),
                     json={"sales_owner_id": planner_id, "version": version})
    assert r.status_code == 200 and r.get_json()["sales_owner"] == planner_name
    events = client.get(f"/api/orders/{order_no}/events", headers=auth(token_for("sales"))).get_json()
    assert f"业务员 sales员 → {planner_name}" in events[-1]["note"]


def test_suppliers_through_the_api_and_every_master_path_in_the_openapi_document(app, client, token_for):
    _setup(app)
    buyer = token_for("purchasing")
    r = client.post("/api/suppliers", headers=auth(buyer), json={"name": "宁波铝业", "contact_name": "王经理",
                                                                "contact_phone": "13800000001"})
    assert r.status_code == 201 and r.get_json()["active"] is True
    r = client.post("/api/suppliers", headers=auth(buyer), json={"name": " 宁波铝业 "})
    assert r.status_code == 400 and "已存在" in r.get_json()["message"]
    r = client.post("/api/suppliers", headers=auth(token_for("sales")), json={"name": "别家"})
    assert r.status_code == 403
    assert [s["name"] for s in client.get("/api/suppliers", headers=auth(buyer)).get_json()] == ["宁波铝业"]
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/suppliers", "/api/materials", "/api/bom-lines", "/api/purchase-lines",
                 "/api/purchase-lines/{line_id}/receive", "/api/orders/export.xlsx"):
        assert path in paths, sorted(paths)
