"""Insight pages and API through the app: dashboard tiles carry definitions and drill links, the
customer form shows the buffer, the API answers every figure and appears in the OpenAPI document."""

from __future__ import annotations

import re

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
                 "通知送达成功率", "聊天消息理解率", "各状态停留时间", "状态更新来源占比"):
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
