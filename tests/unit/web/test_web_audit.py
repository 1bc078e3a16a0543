"""The accuracy audit pages: a manager draws a month's sample with the form, ticks orders one by one (CSRF
form posts), sees progress, the rate and its interval; drawing again opens the same sample; 重新抽样 goes
once something is checked; bad input answers 400, other roles 403."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.db import new_session
from insight.stats import wilson
from orders.models import Order

MONTH = "2026-02"


@pytest.fixture
def delivered(app, factory):
    """Twelve of the small factory's orders, delivered in February 2026."""
    with app.extensions["ops"].uow() as uow:
        from orders.status import Status
        from tests.factories import order_in

        made = [order_in(uow, Status.SHIPPED) for _ in range(12)]
        uow.commit()
    with new_session(app.extensions["ops"].engine) as s:
        for k, o in enumerate(made):
            row = s.get(Order, o.id)
            row.delivered_at, row.status = datetime(2026, 2, 3 + k, 3, tzinfo=UTC), "delivered"
            s.add(row)
        s.commit()
    return [o.order_no for o in made]


def _items(html: str) -> list[str]:
    return re.findall(r'id="item-(\d+)"', html)


def _orders(html: str) -> list[str]:
    return re.findall(r'id="item-\d+" data-order="([^"]+)"', html)


def _seed(html: str) -> str:
    return re.search(r"随机种子 (\d+)", html).group(1)


def test_a_manager_draws_ticks_two_orders_and_sees_the_rate(signed_in, delivered):
    client, token = signed_in("manager")
    r = client.post("/admin/insight/audits", data={"csrf_token": token, "month": MONTH})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/insight/audits/{MONTH}")
    html = client.get(f"/admin/insight/audits/{MONTH}").get_data(as_text=True)
    items = _items(html)
    assert len(items) == 12 and "已核对 0 / 12" in html and 'id="redraw"' in html
    assert all(f'/admin/orders/{no}#timeline' in html for no in delivered)
    r = client.post(f"/admin/insight/audits/{MONTH}/items/{items[0]}", data={"csrf_token": token, "verdict": "correct"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#item-{items[0]}")
    client.post(f"/admin/insight/audits/{MONTH}/items/{items[1]}",
                data={"csrf_token": token, "verdict": "wrong", "note": "少记一次发货"})
    html = client.get(f"/admin/insight/audits/{MONTH}").get_data(as_text=True)
    low, high = wilson(1, 2)
    assert "已核对 2 / 12" in html and "<strong>50.0%</strong>" in html
    assert f"95% 区间 {low * 100:.1f}% – {high * 100:.1f}%" in html
    assert "少记一次发货" in html and 'id="redraw"' not in html
    listing = client.get("/admin/insight/audits").get_data(as_text=True)
    assert f'data-month="{MONTH}"' in listing and "50.0%" in listing


def test_drawing_a_drawn_month_again_opens_the_same_sample(signed_in, delivered):
    client, token = signed_in("admin")
    client.post("/admin/insight/audits", data={"csrf_token": token, "month": MONTH})
    html = client.get(f"/admin/insight/audits/{MONTH}").get_data(as_text=True)
    r = client.post("/admin/insight/audits", data={"csrf_token": token, "month": MONTH}, follow_redirects=True)
    assert "已抽过样" in r.get_data(as_text=True) and _orders(r.get_data(as_text=True)) == _orders(html)
    client.post(f"/admin/insight/audits/{MONTH}/redraw", data={"csrf_token": token})
    again = client.get(f"/admin/insight/audits/{MONTH}").get_data(as_text=True)
    assert _seed(again) != _seed(html) and sorted(_orders(again)) == sorted(_orders(html))  # 12 delivered: all 12
    # a tick from a page older than the redraw names its order: refused when the item now holds another one
    items, orders = _items(again), _orders(again)
    stale = {"csrf_token": token, "verdict": "correct", "order_no": orders[1]}
    r = client.post(f"/admin/insight/audits/{MONTH}/items/{items[0]}", data=stale, follow_redirects=True)
    assert "已重新抽取" in r.get_data(as_text=True) and "已核对 0 / 12" in r.get_data(as_text=True)


def test_bad_input_answers_400_and_odd_urls_404(signed_in, delivered):
    client, token = signed_in("manager")
    for month in ("2026-13", "abc", "", "2999-01"):
        assert client.post("/admin/insight/audits", data={"csrf_token": token, "month": month}).status_code == 400
    client.post("/admin/insight/audits", data={"csrf_token": token, "month": MONTH})
    item = _items(client.get(f"/admin/insight/audits/{MONTH}").get_data(as_text=True))[0]
    url = f"/admin/insight/audits/{MONTH}/items/{item}"
    assert client.post(url, data={"csrf_token": token, "verdict": "maybe"}).status_code == 400
    assert client.post(url, data={"csrf_token": token, "verdict": "wrong", "note": "x" * 501}).status_code == 400
    assert client.post(f"/admin/insight/audits/{MONTH}/items/999999", data={"csrf_token": token,
                                                                            "verdict": "correct"}).status_code == 404
    assert client.get("/admin/insight/audits/2026-13").status_code == 404
    assert "该月尚未抽样" in client.get("/admin/insight/audits/2026-01").get_data(as_text=True)
    r = client.post("/admin/insight/audits", data={"csrf_token": token, "month": "2026-01"}, follow_redirects=True)
    assert "没有签收的订单" in r.get_data(as_text=True)


def test_other_roles_may_not_draw_or_tick(signed_in, delivered):
    boss, boss_token = signed_in("manager")
    boss.post("/admin/insight/audits", data={"csrf_token": boss_token, "month": MONTH})
    item = _items(boss.get(f"/admin/insight/audits/{MONTH}").get_data(as_text=True))[0]
    for role in ("sales", "qc", "planner"):
        client, token = signed_in(role)
        assert client.post("/admin/insight/audits", data={"csrf_token": token, "month": MONTH}).status_code == 403
        assert client.post(f"/admin/insight/audits/{MONTH}/items/{item}",
                           data={"csrf_token": token, "verdict": "correct"}).status_code == 403
