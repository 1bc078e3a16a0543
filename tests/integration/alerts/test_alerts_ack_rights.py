"""Who may acknowledge an alert: its recipients, their managers, an admin (chat and API alike)."""

from __future__ import annotations

from datetime import date

import pytest

from alerts.service import ack_alert, ack_order_alerts
from orders.actor import Actor
from orders.exceptions import NotAllowed
from orders.status import Status
from tests.conftest import auth

from .conftest import alerts_of, local, make_order, sweep_at


def _unscheduled(app):
    order = make_order(app, Status.PENDING_SCHEDULE, at=local(2026, 12, 1, 9), promised_date=date(2026, 12, 11))
    sweep_at(app, local(2026, 12, 7, 9))  # promise_unscheduled: role:planner
    [alert] = alerts_of(app, order_no=order.order_no)
    return order, alert


def _person(p, source="chat") -> Actor:
    return Actor(name=p.name, source=source, roles=p.role_set, userid=p.userid, staff_id=p.id)


def test_a_stranger_cannot_ack_in_chat_but_the_recipient_can(app, people):
    order, alert = _unscheduled(app)
    rt = app.extensions["ops"]
    with rt.uow() as uow, pytest.raises(NotAllowed) as refused:
        ack_order_alerts(uow, order.order_no, _person(people["sales"]))
    assert "接收人" in refused.value.message
    assert alerts_of(app, id=alert.id)[0].status == "open"
    with rt.uow() as uow:
        assert len(ack_order_alerts(uow, order.order_no, _person(people["planner"]))) == 1
        uow.commit()
    assert alerts_of(app, id=alert.id)[0].acked_by == "planner员"


@pytest.mark.parametrize("who", ["manager", "chairman"])
def test_managers_above_a_recipient_may_ack(app, people, who):
    _, alert = _unscheduled(app)
    with app.extensions["ops"].uow() as uow:
        assert ack_alert(uow, alert.id, _person(people[who], "web")).status == "acked"
        uow.commit()


def test_api_tokens_ack_by_role(app, client, token_for, people):
    _, alert = _unscheduled(app)
    r = client.post(f"/api/alerts/{alert.id}/ack", headers=auth(token_for("sales")))
    assert r.status_code == 403 and r.json["error"] == "not_allowed" and "接收人" in r.json["message"]
    assert alerts_of(app, id=alert.id)[0].status == "open"
    assert client.post(f"/api/alerts/{alert.id}/ack", headers=auth(token_for("admin"))).status_code == 200
