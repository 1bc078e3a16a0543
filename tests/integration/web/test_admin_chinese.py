"""The admin pages of the demo factory show no raw codes: channels, notification/inbound/alert statuses,
platforms, rule kinds and recipient specs appear in Chinese wherever a person reads them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from accounts.service import create_user
from alerts.models import Alert
from core.db import new_session
from core.types import utcnow
from notify.models import STATUSES as NOTIFY_STATUSES
from notify.models import Notification
from orders.models import Order
from orders.roles import Role
from orders.status import Status
from tests.unit.web.conftest import csrf_of
from tests.unit.web.test_web_access import EXTRA_GETS, GET_PAGES

pytestmark = pytest.mark.slow

CODES = {
    *NOTIFY_STATUSES, "wecom_app", "wecom_robot", "wecom_bot", "bot_response", "sms", "email",
    "received", "processing", "processed", "ignored", "acked", "resolved", "open",
    "promise_unscheduled", "promise_near", "qc_overdue", "status_overdue", "pickup_overdue", "purchase_late",
    "owner", "next_step", "alert_resolved", "logistics_exception",
    *(r.value for r in Role if r != Role.SYSTEM),
    *(st.value for st in Status),
}
RAW = re.compile(r"(?<![\w@./:-])(" + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True))
                 + r"|role:\w+|staff:\w+)(?![\w@-])")


def visible_text(html: str) -> str:
    """What a person reads: tags, scripts, styles and form-field hints (input syntax) removed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<small class="muted">.*?</small>', " ", html, flags=re.S)
    html = re.sub(r"<form class=\"who\".*?</form>", " ", html, flags=re.S)  # the signed-in login name
    html = re.sub(r'<table id="users">.*?</table>',  # login names (the demo's are sales, qc …) are typed, not codes
                  lambda m: re.sub(r"<tr><td>[^<]*</td>", "<tr>", m.group(0)), html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_admin_pages_of_the_demo_factory_show_no_raw_codes(seeded_app):
    app = seeded_app
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        create_user(s, "zh-check", "admin", "pass-1234")
        orders = s.exec(select(Order).order_by(Order.id)).all()
        shipped = next(o for o in orders if o.status == "shipped")
        held_at = utcnow() + timedelta(hours=20)
        for status, channel in (("skipped", "sms"), ("failed", "email"), ("sent", "wecom_robot"),
                                ("delayed", "wecom_app")):
            s.add(Notification(kind="next_step", channel=channel, recipient="x", recipient_name="检查员",
                               body="测试", order_id=shipped.id, dedupe_key=f"zh-{status}", status=status,
                               not_before=held_at if status == "delayed" else None))
        s.commit()
        alert_orders = [a.order_no for a in s.exec(select(Alert).limit(5)).all()]
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    assert client.post("/admin/login", data={"username": "zh-check", "password": "pass-1234",
                                             "csrf_token": token}).status_code == 302
    pages = ["/admin/logs/notifications", "/admin/logs/inbound", "/admin/logs/dead-letters", "/admin/playground",
             "/admin/data/alert_rules", "/admin/data/alert_rules/1", "/admin/orders",
             f"/admin/orders/{shipped.order_no}", *(f"/admin/orders/{no}" for no in alert_orders),
             *(f"/admin/orders/{o.order_no}" for o in orders[::25])]
    found = {}
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        hits = sorted(set(RAW.findall(visible_text(r.get_data(as_text=True)))))
        if hits:
            found[url] = hits
    # Then every other HTML page of the admin (the access table lists each GET page), master-data lists and forms.
    keys = re.findall(r'href="/admin/data/([a-z_]+)"', client.get("/admin/data").get_data(as_text=True))
    others = [url.format(order_no=shipped.order_no) for url, _ in [*GET_PAGES.values(), *EXTRA_GETS]
              if "/live" not in url and not url.endswith((".xlsx", ".csv", ".png", ".jpg", ".json"))]
    others += [f"/admin/data/{key}" for key in keys] + [f"/admin/data/{key}/new" for key in keys]
    read = 0
    for url in others:
        r = client.get(url)
        if r.status_code != 200 or r.mimetype != "text/html":  # redirects, nothing of that kind in the demo
            continue
        read += 1
        hits = sorted(set(RAW.findall(visible_text(r.get_data(as_text=True)))))
        if hits:
            found[url] = hits
    assert found == {}
    assert read >= 50 and len(keys) >= 10
    log = visible_text(client.get("/admin/logs/notifications").get_data(as_text=True))
    assert "已跳过" in log and "短信" in log and "群机器人" in log
    held = held_at.astimezone(rt.settings.tz).strftime("%m-%d %H:%M")
    assert f"将于 {held} 发送" in log
    rules = visible_text(client.get("/admin/data/alert_rules").get_data(as_text=True))
    assert "物流（角色）" in rules and "发货后超时未揽收" in rules
