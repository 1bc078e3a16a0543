"""A locked SQLite file: the webhook answers 503 before WeCom gives up, API and tracking page a Chinese 503."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest

from bot.models import InboundMessage
from logistics.tokens import issue_token
from orders.status import Status
from tests.conftest import auth, make_app
from tests.factories import basic_factory, order_in
from tests.integration.bot.conftest import rows
from tests.integration.bot.wecom_client import bot_settings, robot_message, robot_post

BUSY = "系统繁忙，请稍后重试"


@pytest.fixture
def shop(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    app = make_app(url, **bot_settings("http://127.0.0.1:9"))
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        basic_factory(uow)
        order = order_in(uow, Status.SHIPPED)
        raw, _ = issue_token(uow.session, order.id)
        uow.commit()
        from accounts.service import create_token
        token = create_token(uow.session, "t-busy", "admin")
    yield app, tmp_path / "busy.db", {"order_no": order.order_no, "tracking": raw, "api": token}
    rt.engine.dispose()


@contextmanager
def write_lock(path):
    """Another process's long write transaction on the same file."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_webhook_answers_503_while_locked_and_stores_the_retry_once(shop):
    app, path, _ = shop
    client = app.test_client()
    body = robot_message("帮助", msgid="m-busy")
    with app.extensions["ops"].engine.connect() as conn:  # the wait that decides whether WeCom sees the 503
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() < 5000
    with write_lock(path):
        r = robot_post(client, body)
    assert r.status_code == 503
    assert robot_post(client, body).status_code == 200  # WeCom's retry once the lock is gone
    assert robot_post(client, body).status_code == 200
    assert [m.platform_msg_id for m in rows(app.extensions["ops"], InboundMessage)] == ["m-busy"]


def test_api_and_tracking_page_answer_a_chinese_503_while_locked(shop):
    app, path, d = shop
    client = app.test_client()
    with write_lock(path):
        api = client.get(f"/api/orders/{d['order_no']}", headers=auth(d["api"]))
        page = client.get(f"/t/{d['tracking']}")
    assert api.status_code == 503 and api.json["error"] == "busy" and BUSY in api.json["message"]
    assert api.headers["Retry-After"] == "3"
    assert page.status_code == 503 and page.mimetype == "text/html" and BUSY in page.get_data(as_text=True)
    assert client.get(f"/api/orders/{d['order_no']}", headers=auth(d["api"])).status_code == 200
