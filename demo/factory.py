"""Demo factory: master data of 宁波甬精 and a month of orders, the same on every run.

`seed_if_empty(runtime)` fills an empty database (no orders). Orders are created and
moved through the real use cases (`orders.service`) on a unit of work whose bus has no
handlers, so history is recorded without notifying anyone. Other packages add their own
demo rows (devices, alert rules …) through `Feature.seed`, passed in as `steps`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session, select

from core.bus import MessageBus, UnitOfWork
from core.types import utcnow
from demo import data as D
from demo.orders import seed_orders
from orders.models import (
    BomLine,
    Customer,
    CustomerChat,
    Material,
    Order,
    Product,
    RouteStep,
    Staff,
)

log = logging.getLogger(__name__)

# Each step gets the seed's session and what was created:
#   {"staff": {userid: Staff}, "customers": {short_name: Customer}, "products": {code: Product},
#    "materials": {code: Material}, "chats": [CustomerChat], "orders": [order_no], "now": datetime,
#    "tz": ZoneInfo}
# The rows are already committed; use their ids. The seed commits after the steps ran.


def seed_if_empty(runtime, steps: Sequence[Callable[[Session, dict], None]] = (), force: bool = False, *,
                  now: datetime | None = None) -> bool:
    """Load the demo factory unless an order exists (or `force`); True when it loaded.

    `steps` are the features' own demo rows (`Feature.seed`, in feature order; see bootstrap).
    """

    bus = MessageBus()  # history must not notify anyone: no handlers on this bus
    with UnitOfWork(runtime.engine, bus) as uow:
        if not force and uow.session.exec(select(Order.id).limit(1)).first() is not None:
            return False
    now = now or utcnow()
    rng = random.Random(D.SEED)
    with UnitOfWork(runtime.engine, bus) as uow:
        created = seed_master_data(uow.session, rng)
        uow.commit()
    created.update(now=now, tz=runtime.settings.tz)
    created["orders"] = seed_orders(runtime.engine, bus, created, now=now, tz=runtime.settings.tz)
    with UnitOfWork(runtime.engine, bus) as uow:
        for extend in steps:
            extend(uow.session, created)
        uow.commit()
    log.info("demo factory: %d staff, %d customers, %d orders", len(created["staff"]),
             len(created["customers"]), len(created["orders"]))
    return True


def seed_master_data(s: Session, rng: random.Random) -> dict:
    """Staff, customers with their chats, materials, products with routes and BOMs."""
    staff = _seed_staff(s, rng)
    customers, chats = _seed_customers(s, rng, staff)
    materials = _seed_materials(s)
    products = _seed_products(s, materials)
    s.flush()
    return {"staff": staff, "customers": customers, "chats": chats, "materials": materials,
            "products": products}


def _get_or_add(s: Session, model, key: str, value, **fields):
    """The row of `model` whose `key` equals `value`, created with `fields` if missing."""
    row = s.exec(select(model).where(getattr(model, key) == value)).first()
    if row is None:
        row = model(**{key: value}, **fields)
        s.add(row)
        s.flush()
    return row


class _People:
    """Makes up unique names, userids, mobiles and mail addresses."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.mobiles: set[str] = set()
        self.userids: set[str] = set()

    def name(self) -> tuple[str, str]:
        while True:
            (sur, sur_py), (given, given_py) = self.rng.choice(D.SURNAMES), self.rng.choice(D.GIVEN_NAMES)
            if sur + given not in self.names:
                return sur + given, sur_py + given_py

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(D.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def userid(self, pinyin: str) -> str:
        candidate, n = pinyin, 1
        while candidate in self.userids:
            n += 1
            candidate = f"{pinyin}{n}"
        self.userids.add(candidate)
        return candidate


def _seed_staff(s: Session, rng: random.Random) -> dict[str, Staff]:
    """86 people in 9 departments; manager_id forms person → head → 总经理.

    Today's person on duty in each department is its demo.<role> person (and each line lead),
    so next-step messages reach one person per role, not the whole department.
    """
    people = _People(rng)
    out: dict[str, Staff] = {}

    def add(person: tuple[str, str], dept: str, role: str, manager: Staff | None,
            userid: str | None = None, line: str | None = None) -> Staff:
        name, pinyin = person
        people.names.add(name)
        mail_name = people.userid(pinyin)
        row = _get_or_add(s, Staff, "userid", userid or mail_name, name=name, department=dept, roles=role,
                          mobile=people.mobile(), email=f"{mail_name}@{D.EMAIL_DOMAIN}",
                          manager_id=manager.id if manager else None, line=line,
                          on_duty=bool(userid and userid.startswith("demo.")) or line is not None)
        out[row.userid] = row
        return row

    boss = add(D.GENERAL_MANAGER, D.GENERAL_OFFICE, "manager", None, "demo.manager")
    add(D.SYSTEM_ADMIN, D.GENERAL_OFFICE, "admin", boss, "demo.admin")
    for dept, size, head_person, role, demo_person in D.DEPARTMENTS:
        head = add(head_person, dept, role, boss)
        members = 1
        if demo_person:
            add(demo_person, dept, role, head, f"demo.{role}")
            members += 1
        if role == "production":
            leads = [add(p, dept, role, head, "demo.production" if i == 0 else None, line=D.LINES[i])
                     for i, p in enumerate(D.LINE_LEADS)]
            members += len(leads)
            for i in range(size - members):
                add(people.name(), dept, role, leads[i % len(leads)])
            continue
        for _ in range(size - members):
            add(people.name(), dept, role, head)
    return out


def _chat_id(rng: random.Random, platform: str) -> str:
    if platform == "bridge":
        return f"{rng.randrange(10**10, 10**11)}@chatroom"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "wrOgQhDgAA" + "".join(rng.choice(alphabet) for _ in range(22))


def _seed_customers(s: Session, rng: random.Random, staff: dict[str, Staff]):
    """Customers with a sales owner each, their chat groups, and the factory's ops group."""
    sales = sorted((p for p in staff.values() if "sales" in p.roles), key=lambda p: p.id)
    owners = [staff["demo.sales"]] + [p for p in sales if p.userid != "demo.sales"]
    people = _People(rng)
    customers: dict[str, Customer] = {}
    chats: list[CustomerChat] = []
    for i, (name, short, region, level, _products, kinds) in enumerate(D.CUSTOMERS):
        owner = owners[0] if i % 4 == 0 else owners[1 + i % (len(owners) - 1)]
        contact, _ = people.name()
        people.names.add(contact)
        cust = _get_or_add(s, Customer, "name", name, short_name=short, region=region, level=level,
                           sales_owner_id=owner.id, contact_name=contact, contact_phone=people.mobile())
        customers[short] = cust
        for kind in kinds:
            chats.append(_customer_chat(s, rng, cust, kind, i))
    chats.append(_get_or_add(s, CustomerChat, "chat_id", "wrOgQhDgAAdemoOpsGroup0001", platform="wecom",
                             chat_name=f"{D.FACTORY_SHORT}订单调度群", robot_key=D.OPS_ROBOT_KEY, internal=True))
    return customers, chats


def _customer_chat(s: Session, rng: random.Random, cust: Customer, kind: str, index: int) -> CustomerChat:
    platform = {"W": "wecom", "X": "wecom_external", "B": "bridge"}[kind]
    chat_id = _chat_id(rng, platform)
    name = {"W": f"【{cust.short_name}】订单内部群", "X": f"{cust.short_name}×{D.FACTORY_SHORT} 订单服务群",
            "B": f"{cust.short_name}采购对接群"}[kind]
    key = f"demo-robot-key-c{index + 1:02d}" if kind == "W" else None
    existing = s.exec(select(CustomerChat).where(CustomerChat.customer_id == cust.id,
                                                 CustomerChat.platform == platform)).first()
    if existing:
        return existing
    chat = CustomerChat(customer_id=cust.id, platform=platform, chat_id=chat_id, chat_name=name, robot_key=key)
    s.add(chat)
    return chat


def _seed_materials(s: Session) -> dict[str, Material]:
    out = {}
    for code, name, kind, unit, stock, safety, supplier in D.MATERIALS:
        out[code] = _get_or_add(s, Material, "code", code, name=name, kind=kind, unit=unit,
                                stock_on_hand=stock, safety_stock=safety, supplier=supplier)
    return out


def _seed_products(s: Session, materials: dict[str, Material]) -> dict[str, Product]:
    """Products with their process routes (RouteStep) and bills of materials (BomLine)."""
    out = {}
    for code, (name, qc_doc, pack, pack_per_unit, price, _qty, route, bom) in D.PRODUCTS.items():
        existing = s.exec(select(Product).where(Product.code == code)).first()
        if existing:
            if not existing.product_line:  # a demo seeded before products had lines
                existing.product_line = D.PRODUCT_LINES[code]
            out[code] = existing
            continue
        prod = Product(code=code, name=name, qc_standard_doc=qc_doc, packaging_material_id=materials[pack].id,
                       packaging_per_unit=pack_per_unit, unit_price=price, product_line=D.PRODUCT_LINES[code])
        s.add(prod)
        s.flush()
        for seq, (process, hours, line) in enumerate(route, start=1):
            s.add(RouteStep(product_id=prod.id, seq=seq, process=process, std_hours_per_100=hours, line=line))
        for material_code, qty in bom:
            s.add(BomLine(product_id=prod.id, material_id=materials[material_code].id, qty_per_unit=qty))
        out[code] = prod
    return out
