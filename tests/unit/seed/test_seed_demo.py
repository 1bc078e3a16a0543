"""The demo factory: deterministic, complete, consistent, and silent."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bootstrap import seed_demo, seed_steps
from core.events import Event
from demo.factory import seed_if_empty
from demo.plan import STATUS_COUNTS
from orders.flow import check_roles, find_transition
from orders.models import (
    BomLine,
    Customer,
    CustomerChat,
    Order,
    ProductionTask,
    PurchaseLine,
    RouteStep,
    Staff,
    StatusEvent,
)
from orders.roles import Role
from orders.status import Status
from tests.conftest import make_app

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=TZ)
ROLES = ("sales", "planner", "purchasing", "production", "qc", "warehouse", "logistics", "finance",
         "manager", "admin")
DEPARTMENTS = ("销售部", "计划部", "采购部", "生产部", "质检部", "仓储部", "物流部", "财务部")


def _seeded(tmp_path_factory, name: str):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp(name) / 'ops.db'}")
    heard: list[Event] = []
    app.extensions["ops"].bus.register(Event, lambda event, uow: heard.append(event))
    assert seed_demo(app.extensions["ops"], now=NOW) is True
    app.extensions["heard"] = heard
    return app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = _seeded(tmp_path_factory, "seed-a")
    yield app
    app.extensions["ops"].engine.dispose()


@pytest.fixture
def s(demo):
    with demo.extensions["ops"].uow() as uow:
        yield uow.session


def _fingerprint(session) -> list[tuple]:
    rows = session.exec(select(Order).order_by(Order.order_no)).all()
    return [(o.order_no, o.status, o.quantity, o.promised_date, o.erp_no, o.carrier, o.tracking_no) for o in rows]


def test_two_seeds_into_fresh_databases_are_identical(demo, tmp_path_factory):
    other = _seeded(tmp_path_factory, "seed-b")
    try:
        with demo.extensions["ops"].uow() as a, other.extensions["ops"].uow() as b:
            assert _fingerprint(a.session) == _fingerprint(b.session)
            events = select(func.count()).select_from(StatusEvent)
            assert a.session.exec(events).one() == b.session.exec(events).one()
    finally:
        other.extensions["ops"].engine.dispose()


def test_at_least_200_orders_in_every_one_of_the_14_statuses(s):
    counts = Counter(s.exec(select(Order.status)).all())
    assert sum(counts.values()) >= 200
    assert set(counts) == {st.value for st in Status}
    assert counts == Counter({st.value: n for st, n in STATUS_COUNTS})


def test_every_order_history_is_real_and_ends_in_its_status(s):
    events: dict[int, list[StatusEvent]] = {}
    for e in s.exec(select(StatusEvent).order_by(StatusEvent.id)).all():
        events.setdefault(e.order_id, []).append(e)
    for order in s.exec(select(Order)).all():
        history = events[order.id]
        assert history[0].command == "create" and history[0].to_status == Status.PENDING_REVIEW
        assert history[-1].to_status == order.status, order.order_no
        times = [e.at for e in history]
        assert times == sorted(times) and times[-1] <= NOW
        assert times[0] >= NOW - timedelta(days=30)
        assert order.order_no == f"SO{order.created_at.astimezone(TZ):%Y%m%d}-{order.order_no[-4:]}"


def test_events_are_made_in_working_hours_by_people_of_the_right_role(s):
    staff = {p.id: p for p in s.exec(select(Staff)).all()}
    sources = Counter()
    for e in s.exec(select(StatusEvent)).all():
        sources[e.source] += 1
        local = e.at.astimezone(TZ)
        assert local.weekday() < 6 and 8 <= local.hour < 18
        if e.actor_staff_id and e.command != "create":
            roles = staff[e.actor_staff_id].role_set
            assert not roles & {Role.MANAGER, Role.ADMIN}  # no override: the role itself must allow it
            qc_pass = e.command == "qc_pass"
            move = find_transition("x", Status(e.from_status), to=None if qc_pass else Status(e.to_status),
                                   command="qc_fail" if qc_pass else e.command)
            check_roles("x", move, roles)
    assert sources.most_common(1)[0][0] == "chat"
    assert {"chat", "web", "scan", "api", "import"} <= set(sources)


def test_demo_userid_exists_for_all_ten_roles(s):
    for role in ROLES:
        person = s.exec(select(Staff).where(Staff.userid == f"demo.{role}")).one()
        assert Role(role) in person.role_set


def test_staff_of_eight_departments_escalate_to_the_general_manager(s):
    people = {p.id: p for p in s.exec(select(Staff)).all()}
    boss = next(p for p in people.values() if p.userid == "demo.manager")
    assert len(people) == 86
    assert set(DEPARTMENTS) <= {p.department for p in people.values()}
    for person in people.values():
        assert re.fullmatch(r"1[3-9]\d{9}", person.mobile)
        assert person.email.endswith("@demo.example.cn")
        chain, current = [], person
        while current.manager_id is not None and len(chain) < 10:
            current = people[current.manager_id]
            chain.append(current)
        assert current.id == boss.id
    assert len({p.mobile for p in people.values()}) == len(people)
    leads = [p for p in people.values() if p.line]
    assert sorted(p.line for p in leads) == ["1号线", "2号线", "3号线", "4号线"]


def test_customers_have_owners_and_group_chats(s):
    customers = s.exec(select(Customer)).all()
    assert len(customers) >= 12 and {c.level for c in customers} == {"A", "B", "C"}
    assert len({c.region for c in customers}) >= 6 and all(c.sales_owner_id for c in customers)
    chats = s.exec(select(CustomerChat)).all()
    assert {c.platform for c in chats} == {"wecom", "wecom_external", "bridge"}
    assert all(any(ch.customer_id == c.id and ch.platform == "wecom" for ch in chats) for c in customers)
    ops = [c for c in chats if c.internal]
    assert len(ops) == 1 and ops[0].robot_key == "demo-ops-robot-key"


def test_customer_groups_are_owned_by_the_customers_salesperson_and_one_waits_for_confirmation(s):
    from custgroups.models import CustomerGroup, CustomerGroupLink
    from custgroups.service import suggestions

    external = s.exec(select(CustomerChat).where(CustomerChat.platform == "wecom_external")).all()
    links = s.exec(select(CustomerGroupLink, CustomerGroup, Customer, Staff)
                   .join(CustomerGroup, CustomerGroup.id == CustomerGroupLink.group_id)
                   .join(Customer, Customer.id == CustomerGroupLink.customer_id)
                   .join(Staff, Staff.id == Customer.sales_owner_id)).all()
    assert {g.chat_id for _l, g, _c, _p in links} == {c.chat_id for c in external} and external
    assert all(g.owner_userid == owner.userid for _l, g, _c, owner in links)
    assert suggestions(s), "the admin page has a suggested mapping to confirm"


def test_products_have_routes_and_materials(s):
    routes = Counter(s.exec(select(RouteStep.product_id)).all())
    boms = Counter(s.exec(select(BomLine.product_id)).all())
    assert len(routes) >= 10 and set(routes) == set(boms)
    purchases = s.exec(select(PurchaseLine)).all()
    today = NOW.date()
    assert any(p.arrived_on for p in purchases)
    assert any(p.arrived_on is None and p.expected_on > today for p in purchases)
    assert any(p.arrived_on is None and p.expected_on < today for p in purchases)
    assert all(p.batch_no for p in purchases if p.arrived_on)


def test_orders_carry_plans_shipments_aliases_and_deadlines(s):
    orders = s.exec(select(Order)).all()
    tasks = Counter(s.exec(select(ProductionTask.order_id)).all())
    for o in orders:
        if o.status in (Status.SCHEDULED, Status.IN_PRODUCTION):
            assert tasks[o.id] >= 3 and o.line and o.planned_start
        if o.status in (Status.SHIPPED, Status.IN_TRANSIT):
            assert o.carrier and o.shipped_at
            assert o.carrier == "自提" or o.tracking_no
    shipped = [o for o in orders if o.tracking_no]
    assert any(re.fullmatch(r"SF\d{13}", o.tracking_no) for o in shipped)
    assert any(o.erp_no and re.fullmatch(r"ERP-\d{4}-\d{5}", o.erp_no) for o in orders)
    open_ = [o for o in orders if o.status in (Status.IN_PRODUCTION, Status.PENDING_QC, Status.IN_STOCK)]
    assert any(o.promised_date < NOW.date() for o in open_)
    assert any(NOW.date() <= o.promised_date <= NOW.date() + timedelta(days=2) for o in open_)


def test_history_notified_no_one(demo):
    assert demo.extensions["heard"] == []


def _order_count(rt) -> int:
    with rt.uow() as uow:
        return uow.session.exec(select(func.count()).select_from(Order)).one()


def test_seed_does_nothing_once_orders_exist(demo):
    rt = demo.extensions["ops"]
    before = _order_count(rt)
    assert seed_demo(rt) is False
    assert _order_count(rt) == before


def test_extensions_run_with_what_was_created(tmp_path):
    seen = {}

    def extension(session, created):
        seen.update(created)
        if not session.exec(select(Staff).where(Staff.userid == "ext.person")).first():
            session.add(Staff(name="扩展加的人", userid="ext.person"))

    app = make_app(f"sqlite:///{tmp_path / 'ops.db'}")
    rt = app.extensions["ops"]
    steps = [*seed_steps(), extension]
    assert seed_if_empty(rt, steps, now=NOW)
    assert seed_if_empty(rt, steps, force=True, now=NOW + timedelta(days=1))  # forced: runs again on top
    with rt.uow() as uow:
        assert uow.session.exec(select(Staff).where(Staff.userid == "ext.person")).all()
        assert uow.session.exec(select(func.count()).select_from(Order)).one() == 2 * len(seen["orders"])
    rt.engine.dispose()
    assert {"staff", "customers", "products", "materials", "chats", "orders", "now", "tz"} <= set(seen)
    assert seen["staff"]["demo.warehouse"].id
