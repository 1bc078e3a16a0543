"""Insight pages and API through the app: dashboard tiles carry definitions and drill links, the
customer form shows the buffer, the API answers every figure and appears in the OpenAPI document."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.db import new_session
from tests.unit.insight.dataset import build
from tests.unit.web.conftest import login


@pytest.fixture
def data(app, factory):
    with new_session(app.extensions["ops"].engine) as s:
        return build(s)


def test_dashboard_shows_every_kpi_with_its_definition_and_no_raw_codes(app, data):
    client = app.test_client()
    login(client, "manager")
    html = client.get("/admin/insight/?days=90").get_data(as_text=True)
    for name in ("准时交付率", "下单到签收周期", "已逾期订单", "交期风险订单", "预警处理", "质检一次合格率与返工率",
                 "通知送达成功率", "聊天消息理解率", "各状态停留时间", "状态更新来源占比", "产线负荷"):
        assert name in html
    assert 'title="周期内签收的订单中' in html
    assert "/admin/insight/lists/late" in html and "echarts/echarts.min.js" in html
    shown = re.sub(r"<[^>]+>", " ", html.split('<script type="application/json"')[0])
    for code in ("in_production", "pending_review", "delivered", "chat", "scan"):
        assert code not in shown


def test_drill_list_links_orders_and_unknown_list_is_404(app, data):
    client = app.test_client()
    login(client, "manager")
    html = client.get("/admin/insight/lists/late?days=90").get_data(as_text=True)
    assert "已逾期订单" in html
    assert client.get("/admin/insight/lists/nope").status_code == 404
    assert client.get("/admin/insight/?days=0").status_code == 400


def test_customer_form_shows_not_enough_data_for_a_new_customer(app, data):
    client = app.test_client()
    login(client, "admin")
    html = client.get(f"/admin/data/customers/{data['new']}").get_data(as_text=True)
    assert "交期缓冲" in html and "数据不足" in html


def test_buffer_api_and_openapi(app, data, token_for):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for('sales')}"}
    r = client.get(f"/api/insight/customers/{data['new']}/buffer", headers=headers)
    assert r.status_code == 200 and r.get_json()["suggested_days"] is None
    assert client.get("/api/insight/customers/999999/buffer", headers=headers).status_code == 404
    for figure in ("delivery", "status_now", "dwell", "late", "alerts", "qc", "sources", "notifications", "chat"):
        assert client.get(f"/api/insight/figures/{figure}?days=90", headers=headers).status_code == 200
    bad = client.get("/api/insight/dashboard?days=9999", headers=headers)
    assert bad.status_code == 400 and "1–365" in bad.get_json()["message"]
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"/api/insight/dashboard", "/api/insight/suppliers", "/api/insight/customers/{customer_id}/buffer",
            "/api/insight/figures/{figure}", "/api/insight/lists/{name}"} <= set(paths)


def test_filter_form_offers_every_filter_and_links_keep_the_chosen_ones(app, data):
    from sqlmodel import select

    from core.types import utcnow
    from insight import summaries
    from orders.models import Customer, Order, Product, StatusEvent

    with new_session(app.extensions["ops"].engine) as s:
        s.get(Customer, data["late"]).level = "A"
        s.exec(Product.__table__.update().values(product_line="外壳"))
        s.exec(Order.__table__.update().values(line="1号线"))
        s.commit()
    client = app.test_client()
    login(client, "manager")
    html = client.get("/admin/insight/").get_data(as_text=True)
    for name in ('name="days"', 'name="customer"', 'name="customer_level"', 'name="product_line"',
                 'name="sales_owner_id"', 'name="line"', "全部等级", "全部产品线", "全部业务员", "全部产线"):
        assert name in html
    assert '<option value="A"' in html and '<option value="外壳"' in html and '<option value="1号线"' in html
    assert "不受筛选影响" not in html  # notes appear only when a filter is set
    query = "days=90&customer_level=A&product_line=外壳&line=1号线"
    html = client.get(f"/admin/insight/?{query}").get_data(as_text=True)
    assert "不受筛选影响" in html and "只计与所选订单相关的通知" in html and 'id="clear-filters"' in html
    late_link = re.search(r'href="(/admin/insight/lists/late\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "customer_level=A" in late_link and "line=1" in late_link and "product_line=" in late_link
    with new_session(app.extensions["ops"].engine) as s:  # a stay that ended within the page's 90 days
        order = s.exec(select(Order).where(Order.customer_id == data["late"])).first()
        for hours_ago, status in ((3, "scheduled"), (1, "in_production")):
            s.add(StatusEvent(order_id=order.id, from_status=None, to_status=status, source="web",
                              at=utcnow() - timedelta(hours=hours_ago)))
        s.commit()
        summaries.refresh(s)
    html = client.get(f"/admin/insight/?{query}").get_data(as_text=True)
    assert "dwell_scheduled?" in html
    for name in ("delivered", r"status_\w+", r"dwell_\w+", "line_load"):  # every kind of drill link
        link = re.search(rf'href="(/admin/insight/lists/{name}\?[^"]+)"', html).group(1).replace("&amp;", "&")
        assert "customer_level=A" in link and "product_line=" in link, name
        assert client.get(link).status_code == 200, name
    listed = client.get(late_link).get_data(as_text=True)
    assert 'value="A" selected' in listed and "lists/late.xlsx?" in listed
    assert client.get(late_link.replace("/lists/late?", "/lists/late.xlsx?")).status_code == 200
    for bad in ("customer_level=Z", "line=9号线", "product_line=x", "sales_owner_id=abc", "customer=999999"):
        assert client.get(f"/admin/insight/?{bad}").status_code == 400, bad
