"""Small builders of master data and orders for tests (real domain code, no mocks)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from orders.actor import Actor
from orders.models import BomLine, Customer, CustomerChat, Material, Product, RouteStep, Staff
from orders.roles import Role
from orders.status import Status

_seq = itertools.count(1)


def staff(uow, name: str, roles: str, *, userid: str | None = None, manager: Staff | None = None,
          mobile: str | None = None, email: str | None = None, department: str = "") -> Staff:
    s = Staff(name=name, roles=roles, userid=userid or f"u{next(_seq)}", manager_id=manager.id if manager else None,
              mobile=mobile, email=email, department=department)
    uow.session.add(s)
    uow.session.flush()
    return s


def actor_of(person: Staff, source: str = "api") -> Actor:
    return Actor(name=person.name, source=source, roles=person.role_set, userid=person.userid, staff_id=person.id)


def admin_actor(source: str = "api") -> Actor:
    return Actor(name="测试管理员", source=source, roles=frozenset({Role.ADMIN}))


def basic_factory(uow) -> dict:
    """A boss, one person per role reporting to them, a customer with a group, a product with a route."""
    boss = staff(uow, "王总", "manager", userid="boss", email="boss@example.com", mobile="13800000000")
    people = {"manager": boss}
    for role in ("sales", "planner", "purchasing", "production", "qc", "warehouse", "logistics", "finance"):
        people[role] = staff(uow, f"{role}员", role, userid=f"t.{role}", manager=boss,
                             mobile=f"1390000{len(people):04d}", email=f"{role}@example.com")
    cust = Customer(name="宁波测试机械有限公司", short_name="测试机械", region="浙江", sales_owner_id=people["sales"].id)
    uow.session.add(cust)
    uow.session.flush()
    uow.session.add(CustomerChat(customer_id=cust.id, chat_id="chat-test", chat_name="测试机械对接群"))
    box = Material(code="PK-BOX-S", name="小号纸箱", kind="packaging", unit="个", stock_on_hand=500)
    steel = Material(code="RM-6061", name="6061铝棒", kind="raw", unit="kg", stock_on_hand=1000)
    uow.session.add_all([box, steel])
    uow.session.flush()
    prod = Product(code="SH-100", name="传感器外壳", packaging_material_id=box.id, packaging_per_unit=0.1,
                   qc_standard_doc="QS-SH-100 传感器外壳检验规范", unit_price=12.5)
    uow.session.add(prod)
    uow.session.flush()
    for i, process in enumerate(("CNC加工", "阳极氧化", "包装"), start=1):
        uow.session.add(RouteStep(product_id=prod.id, seq=i, process=process, std_hours_per_100=2.0))
    uow.session.add(BomLine(product_id=prod.id, material_id=steel.id, qty_per_unit=0.2))
    uow.session.flush()
    return {"people": people, "customer": cust, "product": prod, "materials": {"box": box, "steel": steel}}


# The shortest legal path from 待审核 to each status (commands and the fields they need).
PATH = [
    (Status.PENDING_SCHEDULE, {}),
    (Status.SCHEDULED, {"date": date.today() + timedelta(days=1), "line": "1号线"}),
    (Status.IN_PRODUCTION, {}),
    (Status.PENDING_QC, {}),
    (Status.IN_STOCK, {"qc_passed": True}),
    (Status.SHIPPED, {"carrier": "顺丰", "tracking_no": "SF1402938475621"}),
    (Status.IN_TRANSIT, {}),
    (Status.DELIVERED, {}),
    (Status.COMPLETED, {}),
]


def order_in(uow, status: Status, *, promised_date: date | None = None, customer: str = "宁波测试机械有限公司",
             product: str = "SH-100", quantity: int = 100):
    """Create an order and walk it along the main path to `status` as an admin."""
    from zoneinfo import ZoneInfo

    from orders import service

    actor = admin_actor()
    order = service.create_order(uow, customer=customer, product=product, quantity=quantity,
                                 promised_date=promised_date or date.today() + timedelta(days=20),
                                 actor=actor, tz=ZoneInfo("Asia/Shanghai"))
    for target, fields in PATH:
        if Status(order.status) == status:
            break
        if target == Status.IN_STOCK:
            service.record_qc_pass(uow, order.order_no, actor=actor)
        service.change_status(uow, order.order_no, actor=actor, to=target, fields=fields)
    return order
