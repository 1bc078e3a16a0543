"""The public tracking page: one order per token, identical 404s, nothing internal, rate-limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from core.db import new_session
from core.types import utcnow
from logistics.models import TrackingToken
from logistics.tokens import hash_token, issue_token, revoke_for_order
from orders.models import Material, Order, PurchaseLine, QcInspection, Staff
from orders.status import Status
from tests.factories import order_in
from tests.integration.notices.notices_env import api_token, auth, notice_app, seed_shop

SUPPLIER = "慈溪恒达铝业有限公司"
DEFECT = "端面毛刺超标0.3mm"
NOTE = "内部备注：客户压价，优先级低"


@pytest.fixture
def two_orders(db_url, tmp_path):
    app = notice_app(db_url, tmp_path, logistics={"tracking_rate_limit": "1000/minute"})
    a = seed_shop(app, status=Status.SHIPPED, bridge=False)
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        s = uow.session
        s.exec(update(Order).where(Order.id == a["order_id"]).values(internal_note=NOTE))
        b = order_in(uow, Status.IN_STOCK, quantity=777)
        steel = s.exec(select(Material).where(Material.code == "RM-6061")).one()
        steel.supplier = SUPPLIER
        s.add(PurchaseLine(material_id=steel.id, quantity=10, supplier=SUPPLIER, order_id=a["order_id"]))
        s.add(QcInspection(order_id=a["order_id"], result="fail", defects=DEFECT, inspector="qc员"))
        raw_a, _ = issue_token(s, a["order_id"])
        raw_b, _ = issue_token(s, b.id)
        uow.commit()
        a.update(token=raw_a, other_no=b.order_no, other_token=raw_b)
    yield app, a
    rt.engine.dispose()


def test_token_of_order_a_shows_a_and_never_b(two_orders):
    app, a = two_orders
    client = app.test_client()
    html = client.get(f"/t/{a['token']}").get_data(as_text=True)
    assert a["order_no"] in html and "SF1402938475621" in html and "顺丰" in html
    assert a["other_no"] not in html and "777" not in html
    other = client.get(f"/t/{a['other_token']}").get_data(as_text=True)
    assert a["other_no"] in other and a["order_no"] not in other


def test_timeline_shows_customer_milestones_up_to_shipped(two_orders):
    app, a = two_orders
    html = app.test_client().get(f"/t/{a['token']}").get_data(as_text=True)
    for label in ("下单", "排产", "生产", "质检", "入库", "发货", "运输中", "签收"):
        assert f'<span class="label">{label}</span>' in html
    assert html.count('class="done"') == 5 and html.count('class="current"') == 1


def test_no_price_note_defect_supplier_or_staff_detail_appears(two_orders):
    app, a = two_orders
    html = app.test_client().get(f"/t/{a['token']}").get_data(as_text=True)
    with new_session(app.extensions["ops"].engine) as s:
        staff = s.exec(select(Staff)).all()
    forbidden = [NOTE, "内部备注", DEFECT, SUPPLIER, "12.5", "12.50", "单价", "价格", "¥"]
    forbidden += [p.mobile for p in staff if p.mobile] + [p.email for p in staff if p.email]
    forbidden += [p.name for p in staff]
    leaked = [f for f in forbidden if f and f in html]
    assert leaked == []


def test_unknown_revoked_and_expired_tokens_get_the_same_404(two_orders):
    app, a = two_orders
    client = app.test_client()
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        expired, row = issue_token(uow.session, a["order_id"])
        row.expires_at = utcnow() - timedelta(minutes=1)
        revoked, _ = issue_token(uow.session, a["order_id"])
        uow.commit()
    with rt.uow() as uow:
        revoke_for_order(uow.session, a["order_id"], now=utcnow())
        uow.commit()
    answers = [client.get(f"/t/{tok}") for tok in ("nope" * 8, expired, revoked, a["token"], "x")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.data for r in answers}) == 1
    # every header alike but the date and the request id (random per request, so it tells nothing apart)
    assert len({tuple(sorted((k, v) for k, v in r.headers.items() if k not in ("Date", "X-Request-ID")))
                for r in answers}) == 1
    assert all(r.headers.get("X-Request-ID") for r in answers)
    assert a["order_no"].encode() not in answers[0].data


def test_privacy_headers_on_every_answer(two_orders):
    app, a = two_orders
    client = app.test_client()
    for r in (client.get(f"/t/{a['token']}"), client.get("/t/unknown-token")):
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in r.headers["X-Robots-Tag"]
        assert r.headers["Cache-Control"] == "no-store"


def test_views_are_counted_and_the_first_one_remembers_the_status(two_orders):
    app, a = two_orders
    client = app.test_client()
    client.get(f"/t/{a['token']}")
    client.get(f"/t/{a['token']}")
    with new_session(app.extensions["ops"].engine) as s:
        row = s.exec(select(TrackingToken).where(TrackingToken.token_hash == hash_token(a["token"]))).one()
    assert row.view_count == 2 and row.first_viewed_at is not None and row.first_viewed_status == "shipped"
    views = client.get(f"/api/orders/{a['order_no']}/traces", headers=auth(api_token(app, "sales"))).json
    assert views["customer_views"]["view_count"] == 2 and views["customer_views"]["checked_before_delivery"]


def test_health_reports_the_notice_font(two_orders):
    app, _ = two_orders
    report = app.test_client().get("/healthz", headers=auth(api_token(app, "admin"))).json
    assert report["notice_font"]["ok"] is True and report["notice_font"]["font"].endswith((".otf", ".ttf", ".ttc"))


def test_too_many_requests_from_one_ip_get_429(db_url, tmp_path):
    app = notice_app(db_url, tmp_path, logistics={"tracking_rate_limit": "3/minute"})
    client = app.test_client()
    codes = [client.get(f"/t/guess{i}").status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    r = client.get("/t/guess9")
    assert "访问太频繁" in r.get_data(as_text=True) and r.headers["Cache-Control"] == "no-store"
    other_ip = client.get("/t/guess9", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_ip.status_code == 404
    app.extensions["ops"].engine.dispose()


def test_stylesheet_is_served(two_orders):
    app, _ = two_orders
    r = app.test_client().get("/t/_static/tracking.css")
    assert r.status_code == 200 and b".timeline" in r.data


@pytest.mark.redis
def test_rate_limit_counts_in_the_real_redis_across_apps(db_url, tmp_path):
    import random

    import redis

    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    url = "redis://127.0.0.1:6379/15"
    apps = [notice_app(db_url, tmp_path, redis_url=url, logistics={"tracking_rate_limit": "2/minute"}) for _ in range(2)]
    try:
        codes = [app.test_client().get("/t/guess", environ_base={"REMOTE_ADDR": ip}).status_code
                 for app in (apps[0], apps[1], apps[0])]
        assert codes == [404, 404, 429]  # two processes share one counter
    finally:
        conn = redis.Redis.from_url(url)
        for key in conn.scan_iter(match=f"*ops-track*{ip}*"):
            conn.delete(key)
        for app in apps:
            app.extensions["ops"].engine.dispose()


def test_reissuing_from_the_order_page_asks_first_and_can_resend_the_notice(two_orders):
    from accounts.service import create_user
    from notify.models import Notification
    from tests.unit.web.conftest import csrf_of

    app, a = two_orders
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        create_user(s, "link-admin", "admin", "pass-1234")
        before = len(s.exec(select(Notification).where(Notification.order_id == a["order_id"])).all())
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    client.post("/admin/login", data={"username": "link-admin", "password": "pass-1234", "csrf_token": token})
    token = csrf_of(client.get("/admin/password").get_data(as_text=True))
    url = f"/admin/orders/{a['order_no']}/tracking-link"
    ask = client.post(url, data={"csrf_token": token}).get_data(as_text=True)
    assert "已发出的发货通知二维码将失效" in ask and 'name="resend"' in ask
    assert app.test_client().get(f"/t/{a['token']}").status_code == 200  # nothing revoked by asking
    done = client.post(url, data={"csrf_token": token, "confirm": "1", "resend": "1"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "用新链接重新排队发送" in html
    assert app.test_client().get(f"/t/{a['token']}").status_code == 404
    with new_session(rt.engine) as s:
        assert len(s.exec(select(Notification).where(Notification.order_id == a["order_id"])).all()) > before
