"""WeCom retries arriving at the same moment: a real threaded server, a real SQLite file, jobs inline."""

from __future__ import annotations

import json
import threading
import urllib.request
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from bot.models import InboundMessage
from notify.models import Notification
from orders.models import StatusEvent
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, robot_message, signed_query


@pytest.fixture
def served(bot_app):
    server = make_server("127.0.0.1", 0, bot_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _post(url: str, body: dict) -> int:
    ciphertext = encrypt(BOT_AES_KEY, json.dumps(body, ensure_ascii=False), "")
    query = urlencode(signed_query(BOT_TOKEN, ciphertext))
    req = urllib.request.Request(f"{url}/wecom/bot?{query}", data=json.dumps({"encrypt": ciphertext}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status


def test_three_concurrent_copies_of_one_message_change_the_order_once(served, rt, make_order):
    no = make_order(Status.IN_STOCK)
    body = robot_message(f"{no} 已发货 顺丰 SF1402938475621", msgid="m-race")
    start = threading.Barrier(3)
    answers: list[int] = []

    def send():
        start.wait()
        answers.append(_post(served, body))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers) == [200, 200, 200]
    assert order_of(rt, no).status == "shipped"
    assert len(rows(rt, InboundMessage)) == 1
    assert len(rows(rt, StatusEvent, StatusEvent.to_status == "shipped")) == 1
    assert len(rows(rt, Notification, Notification.kind == "reply")) == 1
