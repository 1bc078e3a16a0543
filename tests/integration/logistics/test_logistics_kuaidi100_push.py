"""Kuaidi100 pushes over HTTP: signed form posts move orders once, bad signs are refused, aborts are handled."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from core.db import new_session
from logistics.kuaidi100 import sign_of
from logistics.models import TraceLine, Waybill
from notify.models import Notification
from orders.models import Order, StatusEvent
from orders.status import Status
from tests.integration.notices.notices_env import api_token, auth, notice_app, seed_shop, ship

SALT = "kd100-test-salt"
NU = "SF1402938475621"
OK = {"result": True, "returnCode": "200", "message": "成功"}


@pytest.fixture
def shipped(db_url, tmp_path):
    app = notice_app(db_url, tmp_path, logistics={"kuaidi100_salt": SALT})
    d = seed_shop(app, bridge=False)
    assert ship(app.test_client(), api_token(app), d["order_no"]).status_code == 200
    yield app, d
    app.extensions["ops"].engine.dispose()


def param(state: str = "0", status: str = "polling", lines: int = 2, **top) -> str:
    data = [{"time": f"2026-11-21 0{8 + i}:00:00", "ftime": f"2026-11-21 0{8 + i}:00:00",
             "context": f"快件在【杭州转运中心】第{i}站", "areaName": "浙江,杭州市", "status": "在途"}
            for i in range(lines)][::-1]
    body = {"status": status, "billstatus": "got", "message": top.pop("message", ""), "autoCheck": "0",
            "comOld": "", "comNew": top.pop("comNew", ""),
            "lastResult": {"message": "ok", "nu": NU, "ischeck": "1" if state == "3" else "0", "condition": "00",
                           "com": "shunfeng", "status": "200", "state": state, "data": data}}
    return json.dumps(body, ensure_ascii=False)


def push(client, p: str, salt: str = SALT, sign: str | None = None):
    return client.post("/logistics/kuaidi100", data={"param": p, "sign": sign if sign is not None else sign_of(p, salt)})


def order_state(app, order_no: str) -> tuple[str, int, int]:
    with new_session(app.extensions["ops"].engine) as s:
        order = s.exec(select(Order).where(Order.order_no == order_no)).one()
        lines = len(s.exec(select(TraceLine).where(TraceLine.order_id == order.id)).all())
        events = len(s.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)).all())
        return order.status, lines, events


def test_a_repeated_pickup_push_is_applied_once(shipped):
    app, d = shipped
    client = app.test_client()
    p = param(state="1", lines=2)
    assert push(client, p).json == OK
    first = order_state(app, d["order_no"])
    assert first[0] == Status.IN_TRANSIT and first[1] == 2
    r = push(client, p)
    assert r.status_code == 200 and r.json == OK
    assert order_state(app, d["order_no"]) == first
    assert push(client, param(state="0", lines=3)).json == OK
    assert order_state(app, d["order_no"])[1:] == (3, first[2])


def test_signed_push_delivers_and_the_event_says_who(shipped):
    app, d = shipped
    assert push(app.test_client(), param(state="3", status="shutdown")).json == OK
    assert order_state(app, d["order_no"])[0] == Status.DELIVERED
    with new_session(app.extensions["ops"].engine) as s:
        last = s.exec(select(StatusEvent).order_by(StatusEvent.id.desc())).first()
        wb = s.exec(select(Waybill)).one()
    assert (last.to_status, last.actor, last.source) == ("delivered", "快递100", "api")
    assert wb.monitor_status == "shutdown" and wb.current_area == "浙江,杭州市"


@pytest.mark.parametrize("sign", ["", "0" * 32, "wrong"])
def test_bad_sign_is_refused_and_changes_nothing(shipped, sign):
    app, d = shipped
    before = order_state(app, d["order_no"])
    r = push(app.test_client(), param(state="3"), sign=sign)
    assert r.status_code == 200
    assert r.json == {"result": False, "returnCode": "500", "message": "签名错误"}
    assert order_state(app, d["order_no"]) == before


def test_sign_with_another_salt_is_refused(shipped):
    app, _ = shipped
    assert push(app.test_client(), param(state="3"), salt="other").json["result"] is False


@pytest.mark.parametrize("form", [{}, {"param": "not json", "sign": sign_of("not json", SALT)},
                                  {"param": "[]", "sign": sign_of("[]", SALT)}])
def test_garbage_gets_kuaidi100s_failure_answer_never_a_500(shipped, form):
    app, _ = shipped
    r = app.test_client().post("/logistics/kuaidi100", data=form)
    assert r.status_code == 200 and r.json["result"] is False


def test_refusal_alerts_the_salesperson_once(shipped):
    app, d = shipped
    client = app.test_client()
    assert push(client, param(state="14")).json == OK
    assert push(client, param(state="14")).json == OK
    with new_session(app.extensions["ops"].engine) as s:
        alerts = s.exec(select(Notification).where(Notification.kind == "logistics_exception")).all()
    assert len(alerts) == 1
    assert alerts[0].recipient == d["sales"] and alerts[0].channel == "wecom_app" and "拒签" in alerts[0].body
    assert order_state(app, d["order_no"])[0] == Status.SHIPPED


def test_abort_without_new_carrier_alerts_and_with_comnew_corrects_the_code(shipped):
    app, d = shipped
    client = app.test_client()
    assert push(client, param(status="abort", lines=0, comNew="jd")).json == OK
    with new_session(app.extensions["ops"].engine) as s:
        assert s.exec(select(Waybill)).one().carrier_code == "jd"
        assert not s.exec(select(Notification).where(Notification.kind == "logistics_exception")).all()
    assert push(client, param(status="abort", lines=0, message="3天查询无记录")).json == OK
    with new_session(app.extensions["ops"].engine) as s:
        wb = s.exec(select(Waybill)).one()
        [alert] = s.exec(select(Notification).where(Notification.kind == "logistics_exception")).all()
    assert wb.monitor_status == "abort" and wb.monitor_message == "3天查询无记录"
    assert "3天查询无记录" in alert.body and d["order_no"] in alert.body
    assert order_state(app, d["order_no"])[0] == Status.SHIPPED


def test_without_a_salt_pushes_are_refused(db_url, tmp_path, monkeypatch):
    monkeypatch.delenv("KUAIDI100_SALT", raising=False)
    app = notice_app(db_url, tmp_path)
    r = push(app.test_client(), param(state="3"))
    assert r.status_code == 200 and r.json["result"] is False
    app.extensions["ops"].engine.dispose()


def test_manual_trace_and_eta_override(shipped):
    app, d = shipped
    client, tok = app.test_client(), auth(api_token(app, "logistics"))
    r = client.post(f"/api/orders/{d['order_no']}/traces", json={"context": "司机电话告知：已过绍兴", "area": "绍兴"},
                    headers=tok)
    assert r.status_code == 201 and r.json["traces"][0]["source"] == "manual"
    assert client.post(f"/api/orders/{d['order_no']}/traces", json={}, headers=tok).status_code == 400
    r = client.patch(f"/api/orders/{d['order_no']}/eta", json={"eta": "2026-12-01"}, headers=tok)
    assert r.status_code == 200 and r.json["eta"] == "2026-12-01"
    assert client.patch(f"/api/orders/{d['order_no']}/eta", json={"eta": "soon"}, headers=tok).status_code == 400
    got = client.get(f"/api/orders/{d['order_no']}/traces", headers=tok).json
    assert [x["context"] for x in got["traces"]] == ["司机电话告知：已过绍兴"]
