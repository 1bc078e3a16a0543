"""Admin panels built on other features' data: alerts, customer tracking links, device dead letters
and the notification log's re-send refusals."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from alerts.models import Alert, AlertRule, open_key
from alerts.rules import seed_rules
from core.db import new_session
from devices.models import DeadLetter
from logistics.tokens import find_valid
from notify.models import Notification
from orders.status import Status
from tests.factories import order_in


@pytest.fixture
def orders(app, factory):
    """An order waiting for QC (due soon), one under review (due later) and a completed one."""
    made = {}
    with app.extensions["ops"].uow() as uow:
        made["qc"] = order_in(uow, Status.PENDING_QC, promised_date=date.today() + timedelta(days=2))
        made["review"] = order_in(uow, Status.PENDING_REVIEW, promised_date=date.today() + timedelta(days=40))
        made["done"] = order_in(uow, Status.COMPLETED, promised_date=date.today() - timedelta(days=30))
        uow.commit()
    return {k: (o.id, o.order_no) for k, o in made.items()}


def _numbers(html: str) -> set[str]:
    return set(re.findall(r'<a href="/admin/orders/(SO[0-9-]+)"', html))


def test_a_red_alert_shows_in_the_banner_the_filter_and_the_detail(app, signed_in, orders):
    order_id, order_no = orders["qc"]
    with new_session(app.extensions["ops"].engine) as s:
        seed_rules(s)
        # the ≤ 3-day board flag names nobody, so it is the order's sales owner's (alerts.scope)
        rule = s.exec(select(AlertRule).where(AlertRule.code == "promise_near")).one()
        s.add(Alert(rule_id=rule.id, rule_code=rule.code, order_id=order_id, order_no=order_no, level="red",
                    open_key=open_key(order_id, rule.id), detail="交期临近仍未发货（测试）"))
        s.commit()
    client, _ = signed_in("sales")
    html = client.get("/admin/orders?alert=red").get_data(as_text=True)
    assert _numbers(html) == {order_no}
    assert re.search(r"红色 1\s*</span>", html)
    assert _numbers(client.get("/admin/orders?alert=yellow").get_data(as_text=True)) == set()
    assert "交期临近仍未发货（测试）" in client.get(f"/admin/orders/{order_no}").get_data(as_text=True)


def test_a_new_tracking_link_replaces_the_old_one(app, signed_in, orders):
    order_id, order_no = orders["qc"]
    client, token = signed_in("sales")
    raws = []
    for _ in range(2):
        r = client.post(f"/admin/orders/{order_no}/tracking-link", data={"csrf_token": token},
                        follow_redirects=True)
        html = r.get_data(as_text=True)
        if raws:  # a live link: asked first, nothing revoked yet
            assert "已发出的发货通知二维码将失效" in html and 'name="confirm" value="1"' in html
            assert app.test_client().get(f"/t/{raws[0]}").status_code == 200
            r = client.post(f"/admin/orders/{order_no}/tracking-link", data={"csrf_token": token, "confirm": "1"},
                            follow_redirects=True)
            html = r.get_data(as_text=True)
        raws.append(re.search(r"/t/([A-Za-z0-9_-]{20,})", html).group(1))
        assert "已发放链接" in html
    with new_session(app.extensions["ops"].engine) as s:
        assert find_valid(s, raws[0]) is None
        assert find_valid(s, raws[1]).order_id == order_id
    assert app.test_client().get(f"/t/{raws[1]}").status_code == 200
    assert app.test_client().get(f"/t/{raws[0]}").status_code == 404


def test_roles_without_customer_contact_may_not_issue_tracking_links(signed_in, orders):
    client, token = signed_in("qc")
    _, order_no = orders["qc"]
    assert "生成客户跟踪链接" not in client.get(f"/admin/orders/{order_no}").get_data(as_text=True)
    r = client.post(f"/admin/orders/{order_no}/tracking-link", data={"csrf_token": token})
    assert r.status_code == 403


def test_device_dead_letters_are_listed(app, signed_in):
    with new_session(app.extensions["ops"].engine) as s:
        s.add(DeadLetter(topic="factory/scan/GUN-9", device_id="GUN-9", payload='{"order": "?"}',
                         reason="未登记的扫码枪"))
        s.commit()
    client, _ = signed_in("manager")
    html = client.get("/admin/logs/dead-letters").get_data(as_text=True)
    assert "未登记的扫码枪" in html and "GUN-9" in html


def test_a_sent_notification_is_not_resent_and_the_reason_is_in_chinese(app, signed_in):
    with new_session(app.extensions["ops"].engine) as s:
        n = Notification(kind="reply", channel="nowhere", recipient="x", body="测试", dedupe_key="t-sent",
                         status="sent")
        s.add(n)
        s.commit()
        nid = n.id
    client, token = signed_in("manager")
    r = client.post(f"/admin/logs/notifications/{nid}/resend", data={"csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200 and "只有发送失败或已跳过的通知可以重发" in r.get_data(as_text=True)
    r = client.post("/admin/logs/notifications/999999/resend", data={"csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200 and "999999" in r.get_data(as_text=True)
    with new_session(app.extensions["ops"].engine) as s:
        assert s.get(Notification, nid).status == "sent"

