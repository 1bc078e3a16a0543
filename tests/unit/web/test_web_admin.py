"""Admin list+form pages: tokens shown once, master data validation, logins, logs, playground."""

from __future__ import annotations

import re

from sqlmodel import select

from accounts.models import ApiToken, User
from core.db import new_session
from orders.models import Customer, Staff


def _rows(app, model, *where):
    with new_session(app.extensions["ops"].engine) as s:
        return s.exec(select(model).where(*where)).all()


def test_a_new_api_token_is_shown_once_and_works_until_revoked(app, signed_in):
    client, token = signed_in("admin")
    r = client.post("/admin/tokens", data={"csrf_token": token, "name": "ERP 同步", "role": "sales"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    raw = re.search(r'<p class="token">(oh_[^<]+)</p>', r.get_data(as_text=True)).group(1)
    assert raw not in client.get("/admin/tokens").get_data(as_text=True)
    api = app.test_client()
    assert api.get("/api/orders", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    row = _rows(app, ApiToken, ApiToken.name == "ERP 同步")[0]
    client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": token})
    assert api.get("/api/orders", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_customer_form_reports_every_problem_in_chinese(app, signed_in):
    client, token = signed_in("manager")
    r = client.post("/admin/data/customers/new", data={"csrf_token": token, "name": "", "level": "Z"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "「客户名称」必填" in html and "「等级」的取值无效" in html


def test_customer_form_saves_a_valid_customer(app, signed_in, factory):
    client, token = signed_in("manager")
    owner = factory["people"]["sales"].id
    r = client.post("/admin/data/customers/new", data={"csrf_token": token, "name": "温州新客户有限公司",
                                                       "short_name": "温州新", "level": "A",
                                                       "sales_owner_id": str(owner)})
    assert r.status_code == 302
    (c,) = _rows(app, Customer, Customer.name == "温州新客户有限公司")
    assert (c.level, c.sales_owner_id) == ("A", owner)


def test_a_duplicate_customer_name_is_refused_not_a_crash(app, signed_in, factory):
    client, token = signed_in("manager")
    r = client.post("/admin/data/customers/new", data={"csrf_token": token, "name": "宁波测试机械有限公司"})
    assert r.status_code == 400 and "重复" in r.get_data(as_text=True)


def test_staff_roles_are_saved_from_checkboxes(app, signed_in):
    client, token = signed_in("admin")
    r = client.post("/admin/data/staff/new", data={"csrf_token": token, "name": "新同事", "userid": "new.one",
                                                   "roles": ["qc", "warehouse", "bogus"], "active": "on"})
    assert r.status_code == 302
    (person,) = _rows(app, Staff, Staff.userid == "new.one")
    assert person.roles == "qc,warehouse" and person.active and not person.on_duty


def test_route_steps_list_is_filtered_by_product(app, signed_in, factory):
    client, _ = signed_in("admin")
    pid = factory["product"].id
    html = client.get(f"/admin/data/routes?product_id={pid}").get_data(as_text=True)
    assert "CNC加工" in html and "阳极氧化" in html
    assert "CNC加工" not in client.get("/admin/data/routes?product_id=999").get_data(as_text=True)


def test_admin_creates_a_login_linked_to_a_staff_member(app, signed_in, factory):
    client, token = signed_in("admin")
    staff_id = factory["people"]["qc"].id
    client.post("/admin/staff/users", data={"csrf_token": token, "username": "zhangqc", "password": "12345678",
                                            "role": "qc", "staff_id": str(staff_id)})
    (user,) = _rows(app, User, User.username == "zhangqc")
    assert user.staff_id == staff_id
    r = client.post("/admin/staff/users", data={"csrf_token": token, "username": "short", "password": "123",
                                                "role": "qc"}, follow_redirects=True)
    assert "密码至少 8 位" in r.get_data(as_text=True)


def test_alert_rules_are_validated_by_the_alerts_package(app, signed_in):
    client, token = signed_in("admin")
    r = client.post("/admin/data/alert_rules/new", data={"csrf_token": token, "code": "Bad Code!",
                                                         "kind": "qc_overdue", "level": "red"})
    assert r.status_code == 400 and "规则编码" in r.get_data(as_text=True)


def test_holiday_override_can_be_added_and_deleted(app, signed_in):
    from workcal.models import HolidayOverride

    client, token = signed_in("manager")
    client.post("/admin/data/holidays/new", data={"csrf_token": token, "day": "2027-02-07", "is_workday": "on",
                                                  "note": "调休上班"})
    (row,) = _rows(app, HolidayOverride)
    assert row.is_workday and str(row.day) == "2027-02-07"
    client.post(f"/admin/data/holidays/{row.id}/delete", data={"csrf_token": token})
    assert _rows(app, HolidayOverride) == []


def test_failed_notification_can_be_resent_from_the_log(app, signed_in):
    from notify.models import Notification

    with new_session(app.extensions["ops"].engine) as s:
        n = Notification(kind="reply", channel="nowhere", recipient="x", body="测试", dedupe_key="t-1",
                         status="failed", last_error="boom")
        s.add(n)
        s.commit()
        nid = n.id
    client, token = signed_in("manager")
    assert "boom" in client.get("/admin/logs/notifications?status=failed").get_data(as_text=True)
    r = client.post(f"/admin/logs/notifications/{nid}/resend", data={"csrf_token": token}, follow_redirects=True)
    assert "重新排队" in r.get_data(as_text=True)
    (row,) = _rows(app, Notification, Notification.id == nid)
    assert row.status != "failed" or row.attempts > 0


def test_playground_runs_a_chat_message_through_the_bot_and_changes_the_order(app, signed_in, factory):
    from orders.status import Status
    from tests.factories import order_in

    with app.extensions["ops"].uow() as uow:
        order_no = order_in(uow, Status.IN_STOCK).order_no
        uow.commit()
    client, token = signed_in("admin")
    r = client.post("/admin/playground", data={"csrf_token": token, "speaker": "t.warehouse", "chat": "chat-test",
                                               "text": f"{order_no} 已发货 顺丰 SF1402938475621"},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已发货" in html
    detail = client.get(f"/admin/orders/{order_no}").get_data(as_text=True)
    assert 'id="order-status">已发货' in detail and "聊天" in detail
    log = client.get("/admin/logs/inbound").get_data(as_text=True)
    assert "（试聊）" in log and "发货 " in log and "已处理" in log  # the parsed intent and status in Chinese


def test_playground_lets_ordinary_users_speak_only_as_themselves(app, signed_in, factory):
    client, token = signed_in("warehouse")
    page = client.get("/admin/playground").get_data(as_text=True)
    assert 'value="t.warehouse"' in page and 'value="t.sales"' not in page
    r = client.post("/admin/playground", data={"csrf_token": token, "speaker": "t.sales", "chat": "",
                                               "text": "帮助"}, follow_redirects=True)
    assert "只有管理员和经理可以代他人发言" in r.get_data(as_text=True)


def test_demo_logins_are_made_for_every_role_and_linked_to_demo_staff(app):
    from web.demo_users import DEMO_PASSWORD, DEMO_ROLES, create_demo_users

    with new_session(app.extensions["ops"].engine) as s:
        s.add(Staff(name="演示仓库", userid="demo.warehouse", roles="warehouse"))
        s.commit()
        assert create_demo_users(s, {}) == len(DEMO_ROLES)
        s.commit()
        assert create_demo_users(s, {}) == 0
    client = app.test_client()
    from tests.unit.web.conftest import csrf_of

    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    client.post("/admin/login", data={"username": "warehouse", "password": DEMO_PASSWORD, "csrf_token": token})
    assert "演示仓库" in client.get("/admin/orders").get_data(as_text=True)


def test_two_staff_without_a_wecom_userid_can_both_be_saved(app, signed_in):
    client, token = signed_in("admin")
    for name in ("临时工甲", "临时工乙"):
        r = client.post("/admin/data/staff/new", data={"csrf_token": token, "name": name, "userid": ""})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
    assert [p.userid for p in _rows(app, Staff, Staff.name.like("临时工%"))] == [None, None]
