"""Delivery buffers per product line: of a customer's orders in one line and of the line across every
customer, shown on the order form and the customer's admin page; too little history says 历史不足."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from core.db import new_session
from core.types import utcnow
from insight.buffer import buffer_for, decision_text
from orders.models import Customer, Order, Product
from tests.unit.web.conftest import login
from workcal.service import calendar_for


def _weekday_back(days: int) -> date:
    d = utcnow().date() - timedelta(days=days)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


# (customer key, product code, promised days ago, delivered days after promised)
DELIVERIES = [
    ("a", "SH-100", 40, 0), ("a", "SH-100", 35, 2), ("a", "SH-200", 30, 1), ("a", "SH-200", 25, 5),
    ("a", "SH-100", 20, 0), ("a", "SH-200", 15, 3),
    ("a", "SH-300", 30, 4), ("a", "SH-300", 20, 0),
    ("b", "SH-100", 30, 6), ("b", "SH-200", 22, 1),
    ("a", "SH-100", 200, 9),  # outside the 90-day window
]


@pytest.fixture
def lines(app, factory):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        base = s.exec(select(Product).where(Product.code == "SH-100")).one()
        base.product_line = "外壳"
        s.add(Product(code="SH-200", name="大外壳", product_line="外壳"))
        s.add(Product(code="SH-300", name="传动轴", product_line="轴类"))
        s.add(Customer(name="杭州别家机械有限公司"))
        s.commit()
        ids = {"a": factory["customer"].id,
               "b": s.exec(select(Customer.id).where(Customer.name == "杭州别家机械有限公司")).one()}
        products = {p.code: p.id for p in s.exec(select(Product)).all()}
        for i, (who, code, ago, late) in enumerate(DELIVERIES):
            promised = _weekday_back(ago)
            delivered = promised + timedelta(days=late)
            s.add(Order(order_no=f"SO-PL{i}", customer_id=ids[who], product_id=products[code], quantity=5,
                        promised_date=promised, status="delivered", version=1,
                        delivered_at=datetime.combine(delivered, time(2, 0), tzinfo=UTC)))
        s.commit()
    return ids, products


def _late_delays(s, settings, where: str, **params) -> tuple[int, list[int]]:
    """Delivered orders in the window and the working days late of the late ones, by plain SQL."""
    rows = s.execute(text(
        "SELECT o.promised_date, o.delivered_at FROM \"order\" o JOIN product p ON p.id = o.product_id "
        f"WHERE o.delivered_at IS NOT NULL AND o.delivered_at >= :since AND {where}"),
        {"since": (utcnow() - timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S"), **params}).all()
    cal = calendar_for(s, settings)
    delays = []
    for promised, delivered in rows:
        promised = promised if isinstance(promised, date) else date.fromisoformat(str(promised)[:10])
        day = datetime.fromisoformat(str(delivered)).replace(tzinfo=UTC).astimezone(settings.tz).date()
        if day > promised:
            delays.append(max(1, cal.working_days_between(promised, day)))
    return len(rows), delays


def _covers_80_percent(suggested: int, delays: list[int]) -> bool:
    """The rule: at least 80 % of late orders within the buffer, and no smaller buffer does that."""
    within = sum(d <= suggested for d in delays) / len(delays)
    fewer = sum(d <= suggested - 1 for d in delays) / len(delays)
    return within >= 0.8 and fewer < 0.8


def test_a_customers_buffer_in_one_product_line_counts_only_that_lines_orders(app, lines):
    ids, _ = lines
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        buf = buffer_for(s, ids["a"], product_line="外壳", settings=rt.settings)
        n, delays = _late_delays(s, rt.settings, "o.customer_id = :c AND p.product_line = :l", c=ids["a"], l="外壳")
    assert (buf.delivered, buf.late) == (n, len(delays)) and n >= 5
    assert buf.enough_data and _covers_80_percent(buf.suggested_days, delays)
    assert "产品线 外壳" in buf.text and "历史不足" not in buf.text


def test_a_product_lines_buffer_spans_every_customer(app, lines):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        buf = buffer_for(s, None, product_line="外壳", settings=rt.settings)
        n, delays = _late_delays(s, rt.settings, "p.product_line = :l", l="外壳")
    assert (buf.customer_id, buf.delivered, buf.late) == (None, n, len(delays))
    assert _covers_80_percent(buf.suggested_days, delays) and "全部客户" in buf.text


def test_a_line_with_too_little_history_says_so_instead_of_suggesting(app, lines):
    ids, _ = lines
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        buf = buffer_for(s, ids["a"], product_line="轴类", settings=rt.settings)
        text_lines = decision_text(s, ids["a"], "轴类", settings=rt.settings).splitlines()
    assert buf.delivered == 2 and buf.suggested_days is None and "历史不足" in buf.text
    assert len(text_lines) == 3 and all("历史不足" in line for line in text_lines[1:])


def test_the_order_form_shows_the_customer_and_product_line_buffers(app, lines):
    ids, products = lines
    client = app.test_client()
    login(client, "sales")
    got = client.get(f"/admin/orders/new/buffer?customer_id={ids['a']}&product_id={products['SH-200']}").json
    assert len(got["lines"]) == 3
    assert "产品线 外壳" in got["lines"][1] and "全部客户" in got["lines"][2]
    only_customer = client.get(f"/admin/orders/new/buffer?customer_id={ids['a']}").json
    assert len(only_customer["lines"]) == 1
    assert client.get("/admin/orders/new/buffer?customer_id=999999").json == {"lines": []}


def test_the_customer_admin_page_lists_its_buffer_per_product_line(app, lines):
    ids, _ = lines
    client = app.test_client()
    login(client, "admin")
    html = client.get(f"/admin/data/customers/{ids['a']}").get_data(as_text=True)
    assert 'id="buffer-by-line"' in html and "外壳" in html and "轴类" in html and "历史不足" in html


def test_the_api_reads_a_product_lines_buffer(app, lines, token_for):
    ids, _ = lines
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for('manager')}"}
    line = client.get("/api/insight/product-lines/外壳/buffer", headers=headers)
    assert line.status_code == 200 and line.json["product_line"] == "外壳" and line.json["customer_id"] is None
    cust = client.get(f"/api/insight/customers/{ids['a']}/buffer", headers=headers).json
    assert [b["product_line"] for b in cust["by_product_line"]] == ["外壳", "轴类"]
