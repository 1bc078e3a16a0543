"""Tables of the customer ordering link: links, per-customer catalogue and addresses, requests, attachments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow


class ShopLink(SQLModel, table=True):
    """A customer's private ordering link; only the sha256 of the token is kept. One live link per customer."""

    __tablename__ = "shop_link"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    token_hash: str = Field(unique=True, description="sha256 hex of the token in the link")
    qr_path: str = Field(default="", description="absolute path of the printed/sent QR card PNG")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = ""
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str = ""
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ShopCustomer(SQLModel, table=True):
    """Ordering-link options of one customer (set by the sales owner)."""

    __tablename__ = "shop_customer"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    show_prices: bool = Field(default=False, description="unit prices shown in the customer's catalogue")


class ShopProduct(SQLModel, table=True):
    """A product the sales owner enabled for a customer's catalogue (besides those ordered before)."""

    __tablename__ = "shop_product"
    __table_args__ = (UniqueConstraint("customer_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    enabled_by: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShopAddress(SQLModel, table=True):
    """One delivery address of a customer, with who receives there."""

    __tablename__ = "shop_address"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    address: str
    contact_name: str = ""
    contact_phone: str = ""
    active: bool = True


class ShopRequest(SQLModel, table=True):
    """One submission of the ordering form: the orders it created and what the customer told us."""

    __tablename__ = "shop_request"
    __table_args__ = (UniqueConstraint("link_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    request_no: str = Field(unique=True, description="RQ + date + id, shown to the customer")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    link_id: int = Field(foreign_key="shop_link.id", index=True)
    idempotency_key: str = Field(description="random key of the form: a repeated submit finds this request")
    wanted_date: date
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""
    client_ip: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShopRequestLine(SQLModel, table=True):
    """One product of a request and the order created for it."""

    __tablename__ = "shop_request_line"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="shop_request.id", index=True)
    order_id: int = Field(foreign_key="order.id", index=True)


class ShopAttachment(SQLModel, table=True):
    """A drawing or photo sent with a request: stored outside static under a random name, staff download only."""

    __tablename__ = "shop_attachment"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="shop_request.id", index=True)
    filename: str = Field(description="the customer's file name, cleaned")
    stored_name: str = Field(description="random name under SHOP_FILES_DIR/attachments")
    content_type: str
    size: int
    sha256: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
