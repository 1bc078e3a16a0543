"""Use cases of the ordering link: submit a request (orders in 待审核, source `customer`), list a customer's requests.

A submission is idempotent on the form's random key: the same key on the same link finds the request
already made, so a double tap or a resent form never makes a second order.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.bus import UnitOfWork
from core.types import utcnow
from nextsteps.handlers import may_approve
from notify.cards import card_payload
from notify.outbox import queue_notification
from orders import service as order_service
from orders.actor import Actor
from orders.models import Customer, Order, Product, Staff
from orders.status import Status
from shop import attachments, texts
from shop.catalogue import catalogue_for, earliest_promise_date
from shop.exceptions import AttachmentRefused, FormInvalid
from shop.models import ShopAddress, ShopAttachment, ShopLink, ShopRequest, ShopRequestLine

log = logging.getLogger(__name__)

PHONE = re.compile(r"^[0-9+\-() ]{6,20}$")
NOTE_LIMIT = 500
FIELD_LIMIT = 60
LATEST_DAYS = 366
TRACKABLE = {Status.SHIPPED.value, Status.IN_TRANSIT.value, Status.DELIVERED.value, Status.COMPLETED.value}


@dataclass
class OrderForm:
    """What the customer filled in, as plain values."""

    idempotency_key: str
    quantities: dict[int, str]  # product id -> the quantity as typed
    wanted_date: str
    address_id: int | None = None
    address_text: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""
    attachment: bytes | None = None
    attachment_name: str = ""
    client_ip: str = ""
    errors: list[str] = field(default_factory=list)


def addresses_of(session: Session, customer_id: int) -> list[ShopAddress]:
    """The customer's active delivery addresses."""
    return list(session.exec(select(ShopAddress).where(ShopAddress.customer_id == customer_id,
                                                       ShopAddress.active.is_(True)).order_by(ShopAddress.id)).all())


def find_request(session: Session, link_id: int, key: str) -> ShopRequest | None:
    """The request this link already made with this form key."""
    return session.exec(select(ShopRequest).where(ShopRequest.link_id == link_id,
                                                  ShopRequest.idempotency_key == key)).first()


def _validated(uow: UnitOfWork, rt, link: ShopLink, form: OrderForm, now: datetime):
    """(lines, wanted, address, kind of attachment) or FormInvalid with every problem at once."""
    s, settings = uow.session, rt.settings
    errors: list[str] = []
    items = {i.product_id: i for i in catalogue_for(s, link.customer_id)}
    lines: list[tuple[Product, int]] = []
    for pid, typed in form.quantities.items():
        typed = (typed or "").strip()
        if not typed or pid not in items:
            continue
        if not typed.isdigit() or not 0 < int(typed) <= 10_000_000:
            errors.append(texts.QUANTITY_BAD.format(product=items[pid].name))
            continue
        lines.append((s.get(Product, pid), int(typed)))
    if not lines and not errors:
        errors.append(texts.NO_LINES)
    if len(lines) > settings.shop.max_lines:
        errors.append(texts.TOO_MANY_LINES.format(limit=settings.shop.max_lines))
    wanted = None
    try:
        wanted = date.fromisoformat((form.wanted_date or "").strip())
    except ValueError:
        errors.append(texts.WANTED_MISSING)
    earliest = earliest_promise_date(s, settings, link.customer_id, now=now,
                                     lines=[(product.id, quantity) for product, quantity in lines])
    latest = now.astimezone(settings.tz).date() + timedelta(days=LATEST_DAYS)
    if wanted is not None and wanted < earliest:
        errors.append(texts.WANTED_TOO_EARLY.format(earliest=earliest.isoformat()))
    elif wanted is not None and wanted > latest:
        errors.append(texts.WANTED_TOO_LATE.format(latest=latest.isoformat()))
    known = addresses_of(s, link.customer_id)
    if known:
        picked = next((a for a in known if a.id == form.address_id), None)
        address = picked.address if picked else ""
    else:
        address = form.address_text.strip()[:200]
    if not address:
        errors.append(texts.ADDRESS_MISSING)
    if not form.contact_name.strip():
        errors.append(texts.CONTACT_MISSING)
    if not PHONE.match(form.contact_phone.strip()):
        errors.append(texts.PHONE_BAD)
    if len(form.note) > NOTE_LIMIT:
        errors.append(texts.NOTE_TOO_LONG.format(limit=NOTE_LIMIT))
    kind = None
    if form.attachment is not None:
        try:
            kind = attachments.check(form.attachment, settings.shop.attachment_max_bytes)
        except AttachmentRefused as exc:
            errors.append(exc.message)
    if errors:
        raise FormInvalid(errors)
    return lines, wanted, address, kind


def submit_request(uow: UnitOfWork, rt, link: ShopLink, form: OrderForm, *,
                   now: datetime | None = None) -> tuple[ShopRequest, bool]:
    """Create the request and one 待审核 order per product, tell the sales owner; (request, created).

    The caller commits. A key already used on this link returns that request with created=False."""
    s = uow.session
    now = now or utcnow()
    done = find_request(s, link.id, form.idempotency_key)
    if done is not None:
        return done, False
    lines, wanted, address, kind = _validated(uow, rt, link, form, now)
    customer = s.get(Customer, link.customer_id)
    contact, phone = form.contact_name.strip()[:FIELD_LIMIT], form.contact_phone.strip()
    req = ShopRequest(request_no=f"pending-{form.idempotency_key}", customer_id=customer.id, link_id=link.id,
                      idempotency_key=form.idempotency_key, wanted_date=wanted, address=address,
                      contact_name=contact, contact_phone=phone, note=form.note.strip()[:NOTE_LIMIT],
                      client_ip=form.client_ip[:64], created_at=now)
    s.add(req)
    s.flush()
    req.request_no = f"RQ{now.astimezone(rt.settings.tz):%Y%m%d}-{req.id:05d}"
    actor = Actor(name=f"{customer.short_name or customer.name}·{contact}", source="customer")
    note = texts.internal_note(req.request_no, contact, phone, address, req.note, kind is not None)
    orders = []
    for product, quantity in lines:
        order = order_service.create_order(uow, customer=customer.name, product=product.code, quantity=quantity,
                                           promised_date=wanted, actor=actor, tz=rt.settings.tz,
                                           internal_note=note, now=now)
        s.add(ShopRequestLine(request_id=req.id, order_id=order.id))
        orders.append((order, product))
    if kind is not None:
        stored, digest = attachments.store(attachments.attachment_dir(rt.settings), form.attachment, kind)
        s.add(ShopAttachment(request_id=req.id, filename=attachments.clean_filename(form.attachment_name,
                                                                                    kind.extension),
                             stored_name=stored, content_type=kind.content_type, size=len(form.attachment),
                             sha256=digest, created_at=now))
    link.last_used_at = now
    s.add(link)
    s.add(req)
    s.flush()
    _tell_sales_owner(uow, rt, customer, req, orders)
    return req, True


def _tell_sales_owner(uow: UnitOfWork, rt, customer: Customer, req: ShopRequest, orders: list) -> None:
    """A WeCom app message to the customer's sales owner: plain text, or with WECOM_CARDS a card with
    审核通过 (when the owner may approve these orders: it approves all of the request's orders, each at the
    version it was sent with) and 联系客户 (the request page, the customer's contact and phone at the top)."""
    owner = uow.session.get(Staff, customer.sales_owner_id) if customer.sales_owner_id else None
    if owner is None or not owner.userid:
        log.warning("customer %s has no sales owner with a WeCom userid: request %s not announced",
                    customer.name, req.request_no)
        return
    base = rt.settings.public_base_url.rstrip("/")
    request_url = f"{base}/admin/shop/requests/{req.request_no}"
    url = f"{base}/admin/orders/{orders[0][0].order_no}" if len(orders) == 1 else request_url
    body = texts.sales_message(customer.name, req.request_no,
                               [texts.order_line(o.order_no, f"{p.code} {p.name}", o.quantity) for o, p in orders],
                               req.wanted_date.isoformat(), f"{req.contact_name} {req.contact_phone}", url)
    payload: dict = {"msgtype": "text"}
    if rt.settings.notify.wecom_cards:
        approve = ["approve"] if all(may_approve(o, owner.role_set) for o, _ in orders) else []
        payload = card_payload(title=texts.sales_card_title(customer.short_name or customer.name, req.request_no),
                               buttons=approve, url=url,
                               links=[{"text": texts.CONTACT_BUTTON, "url": f"{request_url}#contact"}],
                               orders=[[o.order_no, o.version] for o, _ in orders])
    queue_notification(uow, kind="shop_request", channel="wecom_app", recipient=owner.userid,
                       recipient_name=owner.name, body=body, payload=payload,
                       dedupe_key=f"shop:{req.id}:sales", order_id=orders[0][0].id)


def submit_once(rt, link_id: int, form: OrderForm, *, now: datetime | None = None) -> tuple[str, bool]:
    """Submit in its own transaction; a concurrent duplicate (same key) resolves to the first request."""
    try:
        with rt.uow() as uow:
            link = uow.session.get(ShopLink, link_id)
            req, created = submit_request(uow, rt, link, form, now=now)
            request_no = req.request_no
            uow.commit()
            return request_no, created
    except IntegrityError:
        with rt.uow() as uow:
            req = find_request(uow.session, link_id, form.idempotency_key)
            if req is None:
                raise
            return req.request_no, False


def requests_of(session: Session, customer_id: int, tz, *, limit: int = 50, request_no: str | None = None
                ) -> list[dict]:
    """The customer's requests (or the one numbered `request_no`), newest first, each with its orders."""
    stmt = select(ShopRequest).where(ShopRequest.customer_id == customer_id)
    if request_no is not None:
        stmt = stmt.where(ShopRequest.request_no == request_no[:40])
    reqs = session.exec(stmt.order_by(ShopRequest.id.desc()).limit(limit)).all()
    out = []
    for r in reqs:
        rows = session.exec(select(Order, Product).join(ShopRequestLine, ShopRequestLine.order_id == Order.id)
                            .join(Product, Product.id == Order.product_id)
                            .where(ShopRequestLine.request_id == r.id, Order.customer_id == customer_id)
                            .order_by(Order.id)).all()
        out.append({"request_no": r.request_no, "created_at": r.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    "wanted_date": r.wanted_date.isoformat(), "orders": [_order_view(o, p) for o, p in rows]})
    return out


def other_orders_of(session: Session, customer_id: int, *, limit: int = 30) -> list[dict]:
    """The customer's recent orders placed otherwise (by sales, import, API), newest first."""
    from_link = select(ShopRequestLine.order_id)
    rows = session.exec(select(Order, Product).join(Product, Product.id == Order.product_id)
                        .where(Order.customer_id == customer_id, Order.id.not_in(from_link))
                        .order_by(Order.id.desc()).limit(limit)).all()
    return [_order_view(o, p) for o, p in rows]


def _order_view(order: Order, product: Product) -> dict:
    """What the customer may see of an order: never prices, notes or staff."""
    return {"order_no": order.order_no, "product": f"{product.name}（{product.code}）", "quantity": order.quantity,
            "status": Status(order.status).label, "promised_date": order.promised_date.isoformat(),
            "trackable": order.status in TRACKABLE}


def customer_order(session: Session, customer_id: int, order_no: str) -> Order | None:
    """The customer's own order of that number, or None (another customer's order is simply not found)."""
    return session.exec(select(Order).where(Order.order_no == (order_no or "").upper()[:40],
                                            Order.customer_id == customer_id)).first()
