"""Business dates within ±5 years of today: a far date is a 400 (API) or a Chinese reply (chat), at once."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.models import ChatIdentity
from orders.service import DATE_WINDOW_YEARS, date_window
from orders.status import Status
from tests.conftest import auth
from tests.factories import basic_factory, order_in
from tests.integration.bot.conftest import order_of
from tests.integration.bot.wecom_client import bridge_headers


def _shop(app):
    with app.extensions["ops"].uow() as uow:
        made = basic_factory(uow)
        uow.commit()
    return made


def _today(app) -> date:
    return datetime.now(app.extensions["ops"].settings.tz).date()


def _new_order(client, token, made, promised: str):
    return client.post("/api/orders", headers=auth(token), json={
        "customer": made["customer"].name, "product": made["product"].code, "quantity": 5,
        "promised_date": promised})


def test_a_far_future_promised_date_is_a_400_with_the_window(app, token_for):
    made, token, client = _shop(app), token_for("sales"), app.test_client()
    first, last = date_window(_today(app))
    r = _new_order(client, token, made, "9999-12-31")
    assert r.status_code == 400
    assert r.json["error"] == "date_out_of_range" and r.json["field"] == "promised_date"
    assert "9999-12-31" in r.json["message"] and f"{DATE_WINDOW_YEARS} 年" in r.json["message"]
    assert (r.json["earliest"], r.json["latest"]) == (first.isoformat(), last.isoformat())
    assert _new_order(client, token, made, "0001-01-01").status_code == 400
    assert _new_order(client, token, made, last.isoformat()).status_code == 201
    assert _new_order(client, token, made, first.isoformat()).status_code == 201
    assert client.get("/api/orders", headers=auth(token)).json.__len__() == 2


def test_editing_or_scheduling_to_a_far_date_is_refused(app, token_for):
    _shop(app)
    with app.extensions["ops"].uow() as uow:
        pending = order_in(uow, Status.PENDING_SCHEDULE).order_no
        uow.commit()
    client, token = app.test_client(), token_for("admin")
    r = client.patch(f"/api/orders/{pending}", headers=auth(token), json={"promised_date": "9999-12-31"})
    assert r.status_code == 400 and r.json["error"] == "date_out_of_range"
    r = client.post(f"/api/orders/{pending}/status", headers=auth(token),
                    json={"to": "scheduled", "date": "2999-01-04", "line": "L1"})
    assert r.status_code == 400 and r.json["error"] == "date_out_of_range" and "排产日期" in r.json["message"]
    assert client.get(f"/api/orders/{pending}", headers=auth(token)).json["status"] == "pending_schedule"


def test_a_lone_surrogate_in_api_json_is_a_400(app, token_for):
    made, token = _shop(app), token_for("sales")
    body = json.dumps({"customer": "\ud800", "product": made["product"].code, "quantity": 1,
                       "promised_date": _today(app).isoformat()})  # ASCII JSON: the surrogate as \ud800
    r = app.test_client().post("/api/orders", headers=auth(token), data=body, content_type="application/json")
    assert r.status_code == 400 and "customer" in r.json["message"] and "Unicode" in r.json["message"]


def test_a_far_date_in_chat_gets_a_chinese_reply_and_changes_nothing(bot_app, rt, factory, make_order):
    with rt.uow() as uow:
        uow.session.add(ChatIdentity(platform="bridge", external_id="wxid_plan",
                                     staff_id=factory["people"]["planner"].id))
        uow.commit()
    no = make_order(Status.PENDING_SCHEDULE)
    far = f"{datetime.now(rt.settings.tz).year + DATE_WINDOW_YEARS + 3}-01-04"  # one the parser reads as a date
    body = json.dumps({"msg_id": "far-1", "chat_id": "g", "sender_id": "wxid_plan",
                       "text": f"{no} 排产 {far}"}, ensure_ascii=False).encode()
    r = bot_app.test_client().post("/bridge/messages", data=body, headers=bridge_headers(body))
    assert r.status_code == 200 and "超出允许范围" in r.json["reply"], r.json
    assert order_of(rt, no).status == "pending_schedule"
