from orders.status import Status
from tests.conftest import auth
from tests.factories import basic_factory, order_in


def test_order_walks_to_delivered_through_api(app, client, token_for):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        basic_factory(uow)
        order = order_in(uow, Status.IN_STOCK)
        uow.commit()
    tok = token_for("warehouse")
    r = client.post(f"/api/orders/{order.order_no}/status", json={"to": "shipped", "carrier": "顺丰",
                    "tracking_no": "SF1402938475621"}, headers=auth(tok))
    assert r.status_code == 200, r.json
    assert r.json["status"] == "shipped"
    events = client.get(f"/api/orders/{order.order_no}/events", headers=auth(tok)).json
    assert [e["to"] for e in events][-1] == "shipped"
    assert events[-1]["source"] == "api"
