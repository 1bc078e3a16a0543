"""Tables of the order domain: master data, orders and their traced history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow
from orders.roles import Role, parse_roles


def _ts(**kw):
    return Field(default=None, sa_column=Column(UTCDateTime(), **kw))


class Staff(SQLModel, table=True):
    """A person in the factory; `manager_id` is the escalation ladder."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    userid: str | None = Field(default=None, unique=True, description="WeCom userid")
    department: str = ""
    roles: str = Field(default="", description="comma-separated role codes")
    mobile: str | None = None
    email: str | None = None
    manager_id: int | None = Field(default=None, foreign_key="staff.id")
    line: str | None = Field(default=None, description="production line this person leads, e.g. 1号线")
    on_duty: bool = True
    active: bool = True

    @property
    def role_set(self) -> frozenset[Role]:
        return parse_roles(self.roles)


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    short_name: str = Field(default="", index=True)
    region: str = ""
    level: str = Field(default="B", description="A/B/C customer grade")
    sales_owner_id: int | None = Field(default=None, foreign_key="staff.id")
    contact_name: str = ""
    contact_phone: str = ""
    notice_route: str = Field(default="manual", description="how shipping notices reach the customer: "
                              "group (WeCom customer-group send) | bridge (personal-WeChat bridge) | manual "
                              "(the salesperson forwards)")


class CustomerChat(SQLModel, table=True):
    """A chat group tied to a customer (WeCom internal/external group or a bridged WeChat group)."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    platform: str = Field(default="wecom", description="wecom | wecom_external | bridge")
    chat_id: str = Field(index=True)
    chat_name: str = ""
    robot_key: str | None = Field(default=None, description="group robot webhook key")
    internal: bool = Field(default=False, description="the factory's own ops group")


class Material(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    kind: str = Field(default="raw", description="raw | packaging")
    unit: str = "件"
    stock_on_hand: float = 0
    safety_stock: float = 0
    supplier: str = ""


class Supplier(SQLModel, table=True):
    """A supplier of materials; materials and purchase lines name it (their `supplier` text)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    contact_name: str = ""
    contact_phone: str = ""
    email: str = ""
    address: str = ""
    note: str = ""
    active: bool = True


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    spec: str = Field(default="", description="specification shown next to the name (size, grade)")
    product_line: str = Field(default="", description="product line (产品线) the buffers and dashboard group by")
    qc_standard_doc: str = ""
    packaging_material_id: int | None = Field(default=None, foreign_key="material.id")
    packaging_per_unit: float = 0
    unit_price: float = 0
    picture: str | None = Field(default=None, description="stored name of the re-encoded product picture "
                                                          "(shop pictures folder), shown on ordering pages")


class RouteStep(SQLModel, table=True):
    """One process of a product's route, with its standard hours per 100 pieces."""

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    seq: int
    process: str
    std_hours_per_100: float = 1.0
    line: str = ""


class BomLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    material_id: int = Field(foreign_key="material.id")
    qty_per_unit: float
    scrap_pct: float = Field(default=0, description="scrap allowance in percent, added to the need")


class PurchaseLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    po_no: str = Field(default="", index=True, description="purchase order number (several lines may share it)")
    material_id: int = Field(foreign_key="material.id", index=True)
    quantity: float
    arrived_quantity: float = Field(default=0, description="received so far (already in stock_on_hand)")
    expected_on: date | None = None
    arrived_on: date | None = Field(default=None, description="set when the line is fully received")
    batch_no: str = ""
    supplier: str = ""
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)


class OrderSequence(SQLModel, table=True):
    """Last sequence number used per order date; bumped atomically."""

    day: str = Field(primary_key=True, description="yyyymmdd")
    last: int = 0


_VERSION = Column("version", Integer, nullable=False)


class Order(SQLModel, table=True):
    """A customer order: the one record every role trusts."""

    __tablename__ = "order"
    __table_args__ = (
        UniqueConstraint("erp_no"),
        Index("ix_order_customer_delivered", "customer_id", "delivered_at"),  # a customer's delivery record
        Index("ix_order_status_id", "status", "id"),  # newest orders of one status (API list, boards)
    )

    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(unique=True, index=True)
    erp_no: str | None = Field(default=None, index=True, description="ERP number kept as an alias")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    quantity: int
    promised_date: date = Field(index=True)
    status: str = Field(default="pending_review", index=True)
    priority: str = Field(default="normal", description="normal | high | urgent")
    sales_owner_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = ""
    line: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    carrier: str | None = None
    tracking_no: str | None = Field(default=None, index=True)
    shipped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    picked_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    eta: date | None = None
    qc_passed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    internal_note: str = ""
    version: int = Field(default=None, sa_column=_VERSION)

    # Optimistic locking: every UPDATE says WHERE version = <read version>. The use cases bump the
    # version once per change (not once per flush), so `version` counts accepted changes even when
    # handlers in the same transaction touch the order again (planned end, ETA).
    __mapper_args__ = {"version_id_col": _VERSION, "version_id_generator": False}


class ProductionTask(SQLModel, table=True):
    """One process of one order on one line, with its plan and progress."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    seq: int
    process: str
    line: str = ""
    planned_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    planned_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    progress: float = 0
    done: bool = False
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StatusEvent(SQLModel, table=True):
    """Who moved an order, when, from where — and for scans, device and climate."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    from_status: str | None = None
    to_status: str
    command: str = ""
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = ""
    actor_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    source: str = Field(description="chat | card | web | scan | api | import | rule | customer")
    device_id: str | None = None
    temperature: float | None = None
    humidity: float | None = None
    inbound_message_id: int | None = None
    note: str = ""
    data: dict = Field(default_factory=dict, sa_column=Column(JSON))


class QcInspection(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    result: str = Field(description="pass | fail")
    defects: str = ""
    defect_category: str = Field(default="", description="a name from the editable defect categories, or empty")
    material_batch: str = Field(default="", description="material batch numbers used, comma-separated")
    inspector: str = ""
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DefectCategory(SQLModel, table=True):
    """One defect category of QC failures (editable in the admin); `words` are other ways people write it."""

    __tablename__ = "defect_category"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    words: str = Field(default="", description="other words for it, separated by spaces or commas")
    seq: int = 0


class StatusMapping(SQLModel, table=True):
    """One ERP status word and the status code it imports as (editable in the admin)."""

    __tablename__ = "status_mapping"

    id: int | None = Field(default=None, primary_key=True)
    erp_word: str = Field(unique=True, description="the ERP's word, normalised (NFKC, trimmed, lower case)")
    status: str = Field(description="our status code")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = ""
