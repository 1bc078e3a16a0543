"""The order form and the receiving page through the test client: created as the API creates, the
salesperson chosen only by those who may, goods received release a waiting order."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from orders.models import Customer, Material, Order, Product, PurchaseLine, StatusEvent
from orders.status import Status
from tests.factories import order_in


def _ids(app):
    with app.extensions["ops"].uow() as uow:
        return (uow.session.exec(select(Customer.id)).first(), uow.session.exec(select(Product.id)).first())


def _form(app, token, **extra):
    customer_id, product_id = _ids(app)
    return {"csrf_token": token, "customer_id": customer_id, "product_id": product_id, "quantity": "40",
            "promised_date": (date.today() + timedelta(days=25)).isoformat(), "priority": "high",
            "note": "客户要求加急", **extra}


def _last_order(app):
    with app.extensions["ops"].uow() as uow:
        order = uow.session.exec(select(Order).order_by(Order.id.desc())).first()
        event = uow.session.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)).one()
        return order.model_dump(), event.model_dump()


def test_sales_creates_an_order_with_the_customers_salesperson(app, signed_in, factory):
    client, token = signed_in("sales")
    r = client.post("/admin/orders/new", data=_form(app, token))
    assert r.status_code == 302 and "/admin/orders/SO" in r.headers["Location"]
    order, event = _last_order(app)
    assert (order["status"], order["priority"], order["quantity"]) == ("pending_review", "high", 40)
    assert order["sales_owner_id"] == factory["people"]["sales"].id and order["internal_note"] == "客户要求加急"
    assert (event["source"], event["command"], event["actor_staff_id"]) == ("web", "create",
                                                                              factory["people"]["sales"].id)


def test_a_plain_salesperson_may_not_hand_the_order_to_someone_else(app, signed_in, factory):
    client, token = signed_in("sales")
    other = factory["people"]["planner"].id
    r = client.post("/admin/orders/new", data=_form(app, token, sales_owner_id=other))
    assert r.status_code == 403 and "销售主管" in r.get_data(as_text=True)
    assert _last_order_count(app) == 0


def _last_order_count(app):
    with app.extensions["ops"].uow() as uow:
        return len(uow.session.exec(select(Order.id)).all())


def test_a_manager_chooses_the_salesperson(app, signed_in, factory):
    client, token = signed_in("manager")
    page = client.get("/admin/orders/new").get_data(as_text=True)
    assert 'name="sales_owner_id"' in page
    boss = factory["people"]["manager"].id
    assert client.post("/admin/orders/new", data=_form(app, token, sales_owner_id=boss)).status_code == 302
    assert _last_order(app)[0]["sales_owner_id"] == boss


def test_bad_form_input_is_answered_in_chinese_and_kept(app, signed_in, factory):
    client, token = signed_in("sales")
    r = client.post("/admin/orders/new", data=_form(app, token, quantity="-3", promised_date="明天"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "数量必须是" in html and "请填写交期" in html and "客户要求加急" in html
    far = (date.today() + timedelta(days=365 * 8)).isoformat()
    r = client.post("/admin/orders/new", data=_form(app, token, promised_date=far))
    assert r.status_code == 400 and "交期" in r.get_data(as_text=True)


def test_pickers_search_customers_and_show_the_bom(app, signed_in, factory):
    client, _ = signed_in("sales")
    rows = client.get("/admin/orders/new/customers?q=测试").get_json()
    assert [c["name"] for c in rows] == ["宁波测试机械有限公司"]
    info = client.get(f"/admin/orders/new/customers/{rows[0]['id']}").get_json()
    assert info["owner"] == factory["people"]["sales"].name and "数据不足" in info["history"]
    products = client.get("/admin/orders/new/products?q=外壳").get_json()
    bom = client.get(f"/admin/orders/new/products/{products[0]['id']}").get_json()["bom"]
    assert bom[0]["material"] == "RM-6061 6061铝棒" and bom[0]["per_unit"] == 0.2


def test_receiving_on_the_web_releases_a_waiting_order(app, signed_in, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        steel = uow.session.get(Material, factory["materials"]["steel"].id)
        steel.stock_on_hand = 0
        order = order_in(uow, Status.PENDING_REVIEW, quantity=50)  # needs 10 kg
        from orders.service import change_status
        from tests.factories import admin_actor
        change_status(uow, order.order_no, actor=admin_actor(), command="approve")
        uow.session.add(PurchaseLine(po_no="PO-9", material_id=steel.id, quantity=10, supplier="宁波铝业"))
        uow.commit()
        order_no, status = order.order_no, order.status
    assert status == "pending_purchase"
    client, token = signed_in("warehouse")
    page = client.get("/admin/receiving").get_data(as_text=True)
    assert "PO-9" in page and "登记到货" in page
    with rt.uow() as uow:
        line_id = uow.session.exec(select(PurchaseLine.id).where(PurchaseLine.po_no == "PO-9")).one()
    r = client.post(f"/admin/receiving/{line_id}", data={"csrf_token": token, "quantity": "10", "batch": "B-1"},
                    follow_redirects=True)
    assert order_no in r.get_data(as_text=True)
    with rt.uow() as uow:
        assert uow.session.exec(select(Order.status).where(Order.order_no == order_no)).one() == "pending_schedule"
    r = client.post(f"/admin/receiving/{line_id}", data={"csrf_token": token, "quantity": "abc"},
                    follow_redirects=True)
    assert "到货数量必须是" in r.get_data(as_text=True)


def test_the_form_sends_the_same_notices_as_the_api(app, signed_in, factory, token_for):
    """An order entered on the page and one posted to /api/orders queue the same notices (kind, channel,
    recipient) for their 待审核 order: both run orders.service.create_order on the runtime's bus."""
    from notify.models import Notification
    from tests.conftest import auth

    def notices(order_no: str) -> list[tuple]:
        with app.extensions["ops"].uow() as uow:
            order = uow.session.exec(select(Order).where(Order.order_no == order_no)).one()
            rows = uow.session.exec(select(Notification).where(Notification.order_id == order.id)).all()
            return sorted((n.kind, n.channel, n.recipient) for n in rows)

    client, token = signed_in("sales")
    r = client.post("/admin/orders/new", data=_form(app, token, priority="normal", note=""))
    web_no = r.headers["Location"].rsplit("/", 1)[1]
    with app.extensions["ops"].uow() as uow:
        customer = uow.session.exec(select(Customer)).first().name
        product = uow.session.exec(select(Product)).first().code
    api = app.test_client().post("/api/orders", headers=auth(token_for("sales")), json={
        "customer": customer, "product": product, "quantity": 40,
        "promised_date": (date.today() + timedelta(days=25)).isoformat()})
    assert api.status_code == 201, api.get_json()
    from_web, from_api = notices(web_no), notices(api.get_json()["order_no"])
    assert from_web and from_web == from_api


def test_pickers_find_a_customer_by_short_name_contact_or_phone_and_a_product_by_spec(app, signed_in, factory):
    with app.extensions["ops"].uow() as uow:
        customer = uow.session.exec(select(Customer)).first()
        customer.contact_name, customer.contact_phone = "周采购", "13912345678"
        product = uow.session.exec(select(Product)).first()
        product.spec = "Φ40×120 6061-T6"
        uow.session.add_all([customer, product])
        uow.commit()
        name, code = customer.name, product.code
    client, _ = signed_in("sales")
    for q in ("测试机械", "周采购", "1391234"):
        assert [c["name"] for c in client.get(f"/admin/orders/new/customers?q={q}").get_json()] == [name], q
    assert client.get("/admin/orders/new/customers?q=没有这家").get_json() == []
    assert [p["code"] for p in client.get("/admin/orders/new/products?q=Φ40").get_json()] == [code]
