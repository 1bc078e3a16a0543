"""The order form of the admin (/admin/orders/new): sales enter an order on a phone, inside WeCom's
browser; it is created exactly as the API creates it (orders.service.create_order), source 'web'."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_
from sqlmodel import select

from core.runtime import current_runtime
from insight.buffer import CustomerNotFound, buffer_for, decision_buffers, product_line_of
from orders import service
from orders.editing import PRIORITIES, check_owner, may_choose_owner
from orders.exceptions import OrderError
from orders.models import BomLine, Customer, Material, Product, Staff
from web import texts
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_entry", __name__, url_prefix="/admin/orders/new")
bp.before_request(enforce)
register_error_pages(bp)
PICK_LIMIT = 20


def _like(text: str) -> str:
    return "%" + text.replace("\\", "").replace("%", "").replace("_", "") + "%"


@bp.get("")
@page("order_entry")
def form():
    """The empty form (or the form again after a refused save)."""
    return _render({}, [])


def _render(values: dict, errors: list[str], status: int = 200):
    with current_runtime().uow() as uow:
        s = uow.session
        choose = may_choose_owner(s, current_user.actor())
        owners = s.exec(select(Staff.id, Staff.name).where(Staff.roles.like("%sales%"), Staff.active == True)  # noqa: E712
                        .order_by(Staff.name)).all() if choose else []
        customer = s.get(Customer, _int(values.get("customer_id"))) if values.get("customer_id") else None
        product = s.get(Product, _int(values.get("product_id"))) if values.get("product_id") else None
        picked = {"customer": _customer_dict(s, customer) if customer else None,
                  "product": _product_dict(s, product) if product else None,
                  "buffers": [b.text for b in decision_buffers(s, customer.id, product.product_line if product else "")]
                  if customer else []}
    return render_template("admin/order_new.html", v=values, errors=errors, owners=owners, may_choose=choose,
                           priorities=PRIORITIES, picked=picked), status


@bp.post("")
@page("order_entry")
def create():
    """Create the order in 待审核 and open its detail page; bad input shows the form again in Chinese."""
    f = request.form
    values = {k: (f.get(k) or "").strip() for k in ("customer_id", "product_id", "quantity", "promised_date",
                                                     "priority", "note", "sales_owner_id")}
    errors = _check(values)
    if errors:
        return _render(values, errors, 400)
    rt = current_runtime()
    actor = current_user.actor()
    try:
        with rt.uow() as uow:
            s = uow.session
            customer = s.get(Customer, int(values["customer_id"]))
            product = s.get(Product, int(values["product_id"]))
            if customer is None or product is None:
                return _render(values, [texts.ENTRY_PICK_AGAIN], 400)
            owner = None
            if values["sales_owner_id"] and int(values["sales_owner_id"]) != customer.sales_owner_id:
                owner = check_owner(s, actor, values["sales_owner_id"])
            order = service.create_order(
                uow, customer=customer.name, product=product.code, quantity=int(values["quantity"]),
                promised_date=date.fromisoformat(values["promised_date"]), priority=values["priority"] or "normal",
                internal_note=values["note"][:1000], actor=actor, tz=rt.settings.tz, sales_owner_id=owner)
            uow.commit()
            order_no = order.order_no
    except OrderError as exc:
        return _render(values, [exc.message], exc.http_status if exc.http_status < 500 else 400)
    flash(texts.ORDER_CREATED.format(order_no=order_no), "ok")
    return redirect(url_for("admin_orders.order_detail", order_no=order_no))


def _check(v: dict) -> list[str]:
    """The form's own checks (the use case checks the rest): every problem at once."""
    errors = []
    if not v["customer_id"].isdigit():
        errors.append(texts.ENTRY_NO_CUSTOMER)
    if not v["product_id"].isdigit():
        errors.append(texts.ENTRY_NO_PRODUCT)
    if not v["quantity"].isdigit() or not 0 < int(v["quantity"]) <= 10_000_000:
        errors.append(texts.ENTRY_BAD_QUANTITY)
    try:
        date.fromisoformat(v["promised_date"])
    except ValueError:
        errors.append(texts.ENTRY_BAD_DATE)
    if v["priority"] and v["priority"] not in PRIORITIES:
        errors.append(texts.ENTRY_BAD_PRIORITY)
    if v["sales_owner_id"] and not v["sales_owner_id"].isdigit():
        errors.append(texts.ENTRY_BAD_OWNER)
    return errors


def _int(raw) -> int | None:
    return int(raw) if str(raw or "").isdigit() else None


@bp.get("/customers")
@page("order_entry")
def pick_customer():
    """Customers matching ?q= by name, short name or contact (JSON for the picker)."""
    q = (request.args.get("q") or "").strip()[:50]
    with current_runtime().uow() as uow:
        stmt = select(Customer).order_by(Customer.name).limit(PICK_LIMIT)
        if q:
            pat = _like(q)
            stmt = stmt.where(or_(Customer.name.like(pat), Customer.short_name.like(pat),
                                  Customer.contact_name.like(pat), Customer.contact_phone.like(pat)))
        rows = uow.session.exec(stmt).all()
        return jsonify([{"id": c.id, "name": c.name, "short_name": c.short_name, "contact": c.contact_name}
                        for c in rows])


@bp.get("/customers/<int:customer_id>")
@page("order_entry")
def customer_info(customer_id: int):
    """The picked customer: owner and delivery record with the suggested buffer."""
    with current_runtime().uow() as uow:
        customer = uow.session.get(Customer, customer_id)
        if customer is None:
            abort(404)
        return jsonify(_customer_dict(uow.session, customer))


def _customer_dict(s, customer: Customer) -> dict:
    owner = s.get(Staff, customer.sales_owner_id) if customer.sales_owner_id else None
    try:
        buf = buffer_for(s, customer.id)
        history = buf.text
    except CustomerNotFound:
        history = ""
    return {"id": customer.id, "name": customer.name, "short_name": customer.short_name,
            "owner_id": owner.id if owner else None, "owner": owner.name if owner else "", "history": history}


@bp.get("/buffer")
@page("order_entry")
def buffer_hint():
    """The buffers to weigh the promised date by: the customer's, and with a product picked, its product
    line's for this customer and overall (JSON lines; 历史不足 where there is too little history)."""
    customer_id = request.args.get("customer_id", type=int)
    product_id = request.args.get("product_id", type=int)
    with current_runtime().uow() as uow:
        if customer_id is None or uow.session.get(Customer, customer_id) is None:
            return jsonify({"lines": []})
        found = decision_buffers(uow.session, customer_id, product_line_of(uow.session, product_id))
        return jsonify({"lines": [b.text for b in found], "suggested_days": [b.suggested_days for b in found]})


@bp.get("/products")
@page("order_entry")
def pick_product():
    """Products matching ?q= by code, name or spec (JSON for the picker)."""
    q = (request.args.get("q") or "").strip()[:50]
    with current_runtime().uow() as uow:
        stmt = select(Product).order_by(Product.code).limit(PICK_LIMIT)
        if q:
            pat = _like(q)
            stmt = stmt.where(or_(Product.code.like(pat), Product.name.like(pat), Product.spec.like(pat)))
        return jsonify([{"id": p.id, "code": p.code, "name": p.name, "spec": p.spec}
                        for p in uow.session.exec(stmt).all()])


@bp.get("/products/<int:product_id>")
@page("order_entry")
def product_info(product_id: int):
    """The picked product with its BOM (material, quantity per piece, scrap, stock)."""
    with current_runtime().uow() as uow:
        product = uow.session.get(Product, product_id)
        if product is None:
            abort(404)
        return jsonify(_product_dict(uow.session, product))


def _product_dict(s, product: Product) -> dict:
    rows = s.exec(select(BomLine, Material).join(Material, Material.id == BomLine.material_id)
                  .where(BomLine.product_id == product.id).order_by(BomLine.id)).all()
    bom = [{"material": f"{m.code} {m.name}", "per_unit": b.qty_per_unit, "scrap_pct": b.scrap_pct, "unit": m.unit,
            "stock": m.stock_on_hand} for b, m in rows]
    return {"id": product.id, "code": product.code, "name": product.name, "spec": product.spec, "bom": bom,
            "product_line": product.product_line}
