"""Receiving a late purchase line through the API: the next sweep resolves the material-late red alert."""

from __future__ import annotations

from datetime import date

from orders.models import PurchaseLine
from orders.status import Status
from tests.conftest import auth
from tests.integration.alerts.conftest import alerts_of, local, make_order, sweep_at


def test_receiving_the_late_line_resolves_the_purchase_late_alert(app, people, client, token_for):
    order = make_order(app, Status.SCHEDULED, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 30))
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        planned = uow.session.get(type(order), order.id).planned_start
        line = PurchaseLine(po_no="PO-LATE", material_id=1, quantity=10, order_id=order.id,
                            expected_on=date.fromordinal(planned.toordinal() + 1))
        uow.session.add(line)
        uow.commit()
        line_id = line.id
    sweep_at(app, local(2026, 12, 7, 10, 0))
    [alert] = alerts_of(app, rule_code="purchase_late")
    assert alert.status == "open"

    r = client.post(f"/api/purchase-lines/{line_id}/receive", headers=auth(token_for("warehouse")),
                    json={"quantity": 6})
    assert r.status_code == 200 and r.get_json()["arrived_on"] is None
    sweep_at(app, local(2026, 12, 7, 10, 5))
    assert alerts_of(app, rule_code="purchase_late")[0].status == "open"  # part of the goods is still missing

    r = client.post(f"/api/purchase-lines/{line_id}/receive", headers=auth(token_for("warehouse")),
                    json={"quantity": 4, "batch": "B-9"})
    assert r.status_code == 200 and r.get_json()["arrived_on"] is not None
    sweep_at(app, local(2026, 12, 7, 10, 10))
    [alert] = alerts_of(app, rule_code="purchase_late")
    assert alert.status == "resolved"
