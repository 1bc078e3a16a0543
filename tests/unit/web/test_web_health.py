"""/healthz: ok/fail per part for anyone; details only for an admin/manager session or token."""

from __future__ import annotations

from tests.conftest import auth
from tests.unit.web.conftest import login


def test_anyone_gets_ok_per_part_and_no_details(app, factory):
    body = app.test_client().get("/healthz").json
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True} and body["redis"] == {"ok": True}
    assert all(set(part) == {"ok"} for name, part in body.items() if name != "status")


def test_a_sales_token_or_session_sees_no_details(app, factory):
    from accounts.service import create_token
    from core.db import new_session

    with new_session(app.extensions["ops"].engine) as s:
        token = create_token(s, "t-sales", "sales")
    assert app.test_client().get("/healthz", headers=auth(token)).json["database"] == {"ok": True}
    client = app.test_client()
    login(client, "sales")
    assert client.get("/healthz").json["database"] == {"ok": True}


def test_admin_session_and_manager_token_see_details(app, factory):
    from accounts.service import create_token
    from core.db import new_session

    with new_session(app.extensions["ops"].engine) as s:
        token = create_token(s, "t-mgr", "manager")
    body = app.test_client().get("/healthz", headers=auth(token)).json
    assert body["database"]["backend"] and "embedded" in body["redis"]
    client = app.test_client()
    login(client, "admin")
    assert client.get("/healthz").json["worker"]["mode"] == "inline"
    assert app.test_client().get("/healthz", headers=auth("oh_forged")).json["database"] == {"ok": True}
