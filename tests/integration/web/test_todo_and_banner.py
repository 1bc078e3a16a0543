"""我的待办 and the alert banner on the demo factory: what each role's list holds (checked against the
orders themselves), the chat's 我的待办 naming the same orders as the page, the one-tap approve and ack
(roles and version checked by the same use cases as chat), and the banner counting only one's own
alerts (plus the team's for heads)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from alerts.models import Alert, AlertRule
from alerts.sweep import sweep
from core.db import new_session
from nextsteps.models import NextStepRule
from nextsteps.todo import STEP_EVENTS, todo_for
from orders.actor import Actor
from orders.models import Order, Staff, StatusEvent
from orders.status import Status
from tests.conftest import make_app
from web.playground_bot import Said, send
from workcal.service import calendar_for

pytestmark = pytest.mark.slow
ROLES = ("sales", "planner", "purchasing", "production", "qc", "warehouse", "logistics", "finance", "manager",
         "admin")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo factory with its alerts raised by one sweep (module-wide: seeding takes seconds)."""
    from bootstrap import seed_demo

    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('todo') / 'ops.db'}")
    rt = app.extensions["ops"]
    seed_demo(rt)
    sweep(rt, datetime.now(UTC))
    yield app
    rt.engine.dispose()


def _rt(app):
    return app.extensions["ops"]


def _person(app, role: str) -> Staff:
    with new_session(_rt(app).engine) as s:
        return s.exec(select(Staff).where(Staff.userid == f"demo.{role}")).one()


def _actor(app, role: str) -> Actor:
    p = _person(app, role)
    return Actor(name=p.name, source="web", roles=p.role_set, userid=p.userid, staff_id=p.id)


def _todo(app, role: str):
    rt = _rt(app)
    with new_session(rt.engine) as s:
        today = datetime.now(rt.settings.tz).date()
        return todo_for(s, _actor(app, role), today=today, cal=calendar_for(s, rt.settings), limit=10_000)


def _orders(app, *where) -> list[Order]:
    with new_session(_rt(app).engine) as s:
        return list(s.exec(select(Order).where(*where)).all())


def _login(app, role: str):
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/admin/login", data={"username": role, "password": "demo1234", "csrf_token": token})
    assert r.status_code == 302
    return client, r.headers["Location"]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# --- the list per role ------------------------------------------------------------------------------
def test_a_planner_has_exactly_the_orders_waiting_for_scheduling(demo):
    got = {i.order_no for i in _todo(demo, "planner").items}
    expected = {o.order_no for o in _orders(demo, Order.status == Status.PENDING_SCHEDULE.value)}
    assert expected and got == expected
    assert all(i.step == "排产" and i.action == "schedule" for i in _todo(demo, "planner").items)


def test_qc_has_the_orders_waiting_for_inspection_and_the_warehouse_the_passed_and_stocked_ones(demo):
    waiting = _orders(demo, Order.status == Status.PENDING_QC.value)
    assert {i.order_no for i in _todo(demo, "qc").items} == {o.order_no for o in waiting if o.qc_passed_at is None}
    stocked = {o.order_no for o in _orders(demo, Order.status == Status.IN_STOCK.value)}
    passed = {o.order_no for o in waiting if o.qc_passed_at is not None}
    assert stocked and {i.order_no for i in _todo(demo, "warehouse").items} == stocked | passed


def test_sales_sees_only_their_own_orders_and_every_one_of_theirs_ready_to_ship(demo):
    me = _person(demo, "sales")
    items = _todo(demo, "sales").items
    mine = {o.order_no: o for o in _orders(demo, Order.sales_owner_id == me.id)}
    assert items and all(i.order_no in mine for i in items)
    ready = {no for no, o in mine.items() if o.status == Status.IN_STOCK.value}
    assert ready <= {i.order_no for i in items}


def test_a_line_lead_sees_the_production_steps_of_their_line(demo):
    me = _person(demo, "production")
    on_line = {o.order_no for o in _orders(demo, Order.line == me.line, Order.status.in_(
        [Status.SCHEDULED.value, Status.IN_PRODUCTION.value]))}
    got = {i.order_no: i for i in _todo(demo, "production").items}
    assert on_line and on_line <= set(got)
    assert {got[no].step for no in on_line} <= {"开工", "生产报工"}


def test_the_general_manager_heads_everyone_and_sees_every_next_step_and_can_approve(demo):
    with new_session(_rt(demo).engine) as s:
        events = {r.event for r in s.exec(select(NextStepRule)).all() if r.enabled}
    ruled = [st.value for st, names in STEP_EVENTS.items() if set(names) & events]  # 待委外 has no rule
    assert Status.PENDING_OUTSOURCE.value not in ruled and Status.PENDING_REVIEW.value in ruled
    every = {o.order_no for o in _orders(demo, Order.status.in_(ruled))}
    items = _todo(demo, "manager").items
    assert {i.order_no for i in items} == every
    review = [i for i in items if i.status == Status.PENDING_REVIEW.value]
    assert review and all(i.action == "approve" for i in review)


def test_roles_no_rule_names_have_an_empty_list(demo):
    assert _todo(demo, "logistics").total == 0 and _todo(demo, "finance").total == 0


def test_the_list_is_ordered_by_due_date_and_flags_promises_within_three_days(demo):
    items = _todo(demo, "manager").items
    assert [i.due for i in items] == sorted(i.due for i in items)
    assert all(i.red_flag == ((i.promised_date - datetime.now(_rt(demo).settings.tz).date()).days <= 3)
               for i in items)


# --- page, landing and chat agree ----------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_role_lands_on_its_todo_page_listing_the_same_orders_as_the_chat(demo, role):
    client, landing = _login(demo, role)
    assert landing.endswith("/admin/todo")
    html = client.get("/admin/todo").get_data(as_text=True)
    on_page = re.findall(r'<li data-order="(SO\d{8}-\d{4})" data-step', html)
    found = _todo(demo, role)
    assert on_page == [i.order_no for i in found.items][:len(on_page)] and len(on_page) == min(found.total, 200)
    person = _person(demo, role)
    [reply] = send(_rt(demo), Said(staff_userid=person.userid, staff_name=person.name, chat_id="", chat_name="",
                                   text="我的待办", signed_in_as=role))
    in_chat = re.findall(r"SO\d{8}-\d{4}", reply)
    if found.total == 0:
        assert "没有" in reply and not in_chat
    else:
        assert in_chat == on_page[:len(in_chat)] and in_chat and f"共 {found.total} 个" in reply
        assert found.total <= len(in_chat) or "/admin/todo" in reply


# --- one-tap actions ---------------------------------------------------------------------------------
def _review_orders(app) -> list[Order]:
    return sorted(_orders(app, Order.status == Status.PENDING_REVIEW.value), key=lambda o: o.id)


def test_one_tap_approve_moves_the_order_as_chat_would_and_records_a_web_event(demo):
    order = _review_orders(demo)[0]
    client, _ = _login(demo, "manager")
    page = client.get("/admin/todo").get_data(as_text=True)
    assert f'/admin/todo/{order.order_no}/approve' in page
    r = client.post(f"/admin/todo/{order.order_no}/approve", data={"csrf_token": _csrf(page),
                                                                  "version": order.version})
    assert r.status_code == 302
    [after] = _orders(demo, Order.id == order.id)
    assert after.status in (Status.PENDING_SCHEDULE.value, Status.PENDING_PURCHASE.value)
    assert after.version == order.version + 1
    with new_session(_rt(demo).engine) as s:
        last = s.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)
                      .order_by(StatusEvent.id.desc())).first()
    assert last.command == "approve" and last.source == "web" and last.actor == _person(demo, "manager").name
    assert "已审核通过" in client.get("/admin/todo").get_data(as_text=True)


def test_one_tap_approve_of_an_order_changed_meanwhile_is_refused(demo):
    order = _review_orders(demo)[0]
    client, _ = _login(demo, "manager")
    page = client.get("/admin/todo").get_data(as_text=True)
    client.post(f"/admin/todo/{order.order_no}/approve", data={"csrf_token": _csrf(page),
                                                             "version": order.version - 1})
    [after] = _orders(demo, Order.id == order.id)
    assert after.status == Status.PENDING_REVIEW.value and after.version == order.version
    flash = client.get("/admin/todo").get_data(as_text=True)
    assert f"订单 {order.order_no} 已被修改（当前版本 {order.version}）" in flash and "已审核通过" not in flash


def test_one_tap_approve_by_a_role_that_may_not_approve_is_refused(demo):
    order = _review_orders(demo)[0]
    client, _ = _login(demo, "sales")
    page = client.get("/admin/todo").get_data(as_text=True)
    assert "审核通过</button>" not in page
    client.post(f"/admin/todo/{order.order_no}/approve", data={"csrf_token": _csrf(page), "version": order.version})
    [after] = _orders(demo, Order.id == order.id)
    assert after.status == Status.PENDING_REVIEW.value and after.version == order.version
    assert "计划" in client.get("/admin/todo").get_data(as_text=True)  # the refusal names who may


def test_approve_without_the_form_token_is_a_400(demo):
    order = _review_orders(demo)[0]
    client, _ = _login(demo, "manager")
    assert client.post(f"/admin/todo/{order.order_no}/approve", data={"version": order.version}).status_code == 400
    assert _orders(demo, Order.id == order.id)[0].status == Status.PENDING_REVIEW.value


def _open_alert(app, rule_code: str) -> Alert:
    with new_session(_rt(app).engine) as s:
        return s.exec(select(Alert).where(Alert.rule_code == rule_code, Alert.status == "open")
                      .order_by(Alert.id)).first()


def test_ack_from_the_todo_page_by_a_recipient_and_refused_to_someone_else(demo):
    alert = _open_alert(demo, "promise_unscheduled")  # told to the planners
    assert alert is not None
    sales, _ = _login(demo, "sales")
    page = sales.get("/admin/todo").get_data(as_text=True)
    assert f"/admin/todo/alerts/{alert.id}/ack" not in page
    sales.post(f"/admin/todo/alerts/{alert.id}/ack", data={"csrf_token": _csrf(page)})
    assert _open_alert(demo, "promise_unscheduled").id == alert.id  # still open
    planner, _ = _login(demo, "planner")
    page = planner.get("/admin/todo").get_data(as_text=True)
    assert f"/admin/todo/alerts/{alert.id}/ack" in page
    planner.post(f"/admin/todo/alerts/{alert.id}/ack", data={"csrf_token": _csrf(page)})
    with new_session(_rt(demo).engine) as s:
        acked = s.get(Alert, alert.id)
    assert acked.status == "acked" and acked.acked_by == _person(demo, "planner").name


# --- the banner ---------------------------------------------------------------------------------
def _banner(app, role: str) -> tuple[int, str, list[str]]:
    client, _ = _login(app, role)
    html = client.get("/admin/orders").get_data(as_text=True)
    total, scope = re.search(r'id="alert-banner" data-total="(\d+)" data-scope="(\w+)"', html).groups()
    body = html[html.index('id="banner-body"'):]
    links = re.findall(r'class="banner-item lvl-\w+" href="/admin/orders/(SO\d{8}-\d{4})"', body)
    return int(total), scope, links


def _unresolved(app, *where) -> list[Alert]:
    with new_session(_rt(app).engine) as s:
        return list(s.exec(select(Alert).where(Alert.status.in_(("open", "acked")),
                                               Alert.inhibited == False, *where)).all())  # noqa: E712


def test_the_banner_counts_the_users_own_alerts_not_the_whole_factory(demo):
    everything = _unresolved(demo)
    sales_total, scope, links = _banner(demo, "sales")
    me = _person(demo, "sales")
    mine = {o.order_no for o in _orders(demo, Order.sales_owner_id == me.id)}
    with new_session(_rt(demo).engine) as s:
        silent = {r.id for r in s.exec(select(AlertRule)).all() if not r.recipients}
    owned_flags = [a for a in everything if a.order_no in mine and a.rule_id in silent]
    assert scope == "own" and 0 < sales_total == len(owned_flags) < len(everything)
    assert links and set(links) <= mine  # items link to the orders, all of them sales' own

    planner_total, _, _ = _banner(demo, "planner")
    planners = [a for a in everything if a.rule_code == "promise_unscheduled"]
    assert planner_total == len(planners) < len(everything)


def test_a_head_counts_their_team_and_the_admin_the_whole_factory(demo):
    total, scope, links = _banner(demo, "manager")
    assert scope == "team" and total == len(_unresolved(demo)) and links
    assert _banner(demo, "admin")[:2] == (len(_unresolved(demo)), "all")
    assert _banner(demo, "finance")[:2] == (0, "own")
