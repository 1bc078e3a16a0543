"""Staff side of the customers' ordering links: issue (with a confirm step when a link is live), revoke,
print and send the QR card, choose the catalogue and prices, keep delivery addresses, read requests and
download their attachments (always as a download, never inline)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlmodel import select
from werkzeug.exceptions import RequestEntityTooLarge

from core.runtime import current_runtime
from core.types import utcnow
from orders.models import Customer, Order, Product
from shop import texts as shop_texts
from shop.attachments import attachment_dir
from shop.exceptions import AttachmentRefused
from shop.models import (
    ShopAddress,
    ShopAttachment,
    ShopCustomer,
    ShopLink,
    ShopProduct,
    ShopRequest,
    ShopRequestLine,
)
from shop.pictures import forget as forget_picture
from shop.pictures import path_of as picture_path
from shop.pictures import reencode
from shop.pictures import store as store_picture
from shop.qr import forget_card, qr_dir, queue_card, render_card, write_card
from shop.service import addresses_of
from shop.tokens import current_link, issue_link, public_url, revoke_links
from web.access import MANAGERS, enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_shop", __name__, url_prefix="/admin/shop")
bp.before_request(enforce)
register_error_pages(bp)


def _manages_all() -> bool:
    return bool(set(current_user.roles) & MANAGERS)


def _customer(s, customer_id: int) -> Customer:
    """The customer, if this person may manage its link: managers any, a salesperson their own customers."""
    customer = s.get(Customer, customer_id)
    if customer is None:
        abort(404)
    if not _manages_all() and customer.sales_owner_id != current_user.staff_id:
        abort(403)
    return customer


@bp.get("/customers")
@page("shop")
def customers():
    """The customers whose ordering links this person manages, with each link's state."""
    with current_runtime().uow() as uow:
        s = uow.session
        stmt = select(Customer).order_by(Customer.name)
        if not _manages_all():
            stmt = stmt.where(Customer.sales_owner_id == current_user.staff_id)
        rows = s.exec(stmt.limit(500)).all()
        live = set(s.exec(select(ShopLink.customer_id).where(ShopLink.revoked_at.is_(None))).all())
        s.expunge_all()
    return render_template("admin/shop_customers.html", customers=rows, live=live)


def _back(customer_id: int):
    return redirect(url_for(".customer_page", customer_id=customer_id))


@bp.get("/customers/<int:customer_id>")
@page("shop")
def customer_page(customer_id: int):
    """The customer's ordering link, QR card, catalogue, prices, addresses and recent requests."""
    rt = current_runtime()
    with rt.uow() as uow:
        s = uow.session
        customer = _customer(s, customer_id)
        enabled = s.exec(select(ShopProduct, Product).join(Product, Product.id == ShopProduct.product_id)
                         .where(ShopProduct.customer_id == customer_id).order_by(Product.code)).all()
        options = s.get(ShopCustomer, customer_id)
        reqs = s.exec(select(ShopRequest).where(ShopRequest.customer_id == customer_id)
                      .order_by(ShopRequest.id.desc()).limit(20)).all()
        ctx = {"customer": customer, "link": current_link(s, customer_id), "enabled": enabled,
               "show_prices": bool(options and options.show_prices), "addresses": addresses_of(s, customer_id),
               "requests": reqs}
        s.expunge_all()
    return render_template("admin/shop_customer.html", **ctx)


@bp.post("/customers/<int:customer_id>/link")
@page("shop")
def new_link(customer_id: int):
    """Issue a link; when one is live, only after the confirm step (the QR cards already out stop working)."""
    rt = current_runtime()
    with rt.uow() as uow:
        s = uow.session
        customer = _customer(s, customer_id)
        live = current_link(s, customer_id)
        if live is not None and request.form.get("confirm") != "1":
            return render_template("admin/shop_confirm.html", customer=customer, live=live)
        if live is not None:
            forget_card(live)
        raw, link = issue_link(s, customer_id, actor=current_user.display_name)
        url = public_url(rt.settings.public_base_url, raw)
        card = render_card(url, customer.name, shop_texts.QR_CAPTION, rt.settings.notify.cjk_font)
        link.qr_path = str(write_card(qr_dir(rt.settings), card))
        s.add(link)
        uow.commit()
    flash(shop_texts.LINK_ISSUED.format(url=url), "ok")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/revoke")
@page("shop")
def revoke(customer_id: int):
    """Stop the live link at once: it then answers like an unknown one."""
    rt = current_runtime()
    with rt.uow() as uow:
        _customer(uow.session, customer_id)
        live = current_link(uow.session, customer_id)
        if live is not None:
            forget_card(live)
        revoke_links(uow.session, customer_id, actor=current_user.display_name, now=utcnow())
        uow.commit()
    flash(shop_texts.LINK_REVOKED, "ok")
    return _back(customer_id)


@bp.get("/customers/<int:customer_id>/qr.png")
@page("shop")
def qr_png(customer_id: int):
    """The live link's QR card (it carries the link: only for whoever manages the customer)."""
    with current_runtime().uow() as uow:
        _customer(uow.session, customer_id)
        live = current_link(uow.session, customer_id)
        path = Path(live.qr_path) if live and live.qr_path else None
    if path is None or not path.is_file():
        abort(404)
    resp = send_file(path, mimetype="image/png", max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/customers/<int:customer_id>/print")
@page("shop")
def print_card(customer_id: int):
    """A printable page with the QR card."""
    with current_runtime().uow() as uow:
        customer = _customer(uow.session, customer_id)
        if current_link(uow.session, customer_id) is None:
            abort(404)
        uow.session.expunge_all()
    return render_template("admin/shop_print.html", customer=customer)


@bp.post("/customers/<int:customer_id>/send")
@page("shop")
def send_card(customer_id: int):
    """Queue the QR card into the customer's groups through the outbox."""
    with current_runtime().uow() as uow:
        _customer(uow.session, customer_id)
        live = current_link(uow.session, customer_id)
        if live is None or not live.qr_path:
            flash(shop_texts.NO_LIVE_LINK, "error")
            return _back(customer_id)
        added = queue_card(uow, live, key=f"shopqr:{live.id}:{utcnow().timestamp():.0f}")
        uow.commit()
    flash(shop_texts.QR_QUEUED.format(count=added) if added else shop_texts.QR_NO_GROUP, "ok" if added else "error")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/prices")
@page("shop")
def set_prices(customer_id: int):
    """Show or hide unit prices in this customer's catalogue."""
    with current_runtime().uow() as uow:
        _customer(uow.session, customer_id)
        row = uow.session.get(ShopCustomer, customer_id) or ShopCustomer(customer_id=customer_id)
        row.show_prices = request.form.get("show_prices") == "1"
        uow.session.add(row)
        uow.commit()
    flash(shop_texts.SAVED, "ok")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/products")
@page("shop")
def add_product(customer_id: int):
    """Enable a product (by code) for this customer's catalogue."""
    code = (request.form.get("code") or "").strip()
    with current_runtime().uow() as uow:
        s = uow.session
        _customer(s, customer_id)
        product = s.exec(select(Product).where(Product.code == code)).first()
        if product is None:
            flash(shop_texts.PRODUCT_UNKNOWN.format(code=code[:40]), "error")
            return _back(customer_id)
        if not s.exec(select(ShopProduct).where(ShopProduct.customer_id == customer_id,
                                                ShopProduct.product_id == product.id)).first():
            s.add(ShopProduct(customer_id=customer_id, product_id=product.id, enabled_by=current_user.display_name))
        uow.commit()
    flash(shop_texts.PRODUCT_ADDED.format(code=code), "ok")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/products/<int:row_id>/delete")
@page("shop")
def remove_product(customer_id: int, row_id: int):
    with current_runtime().uow() as uow:
        _customer(uow.session, customer_id)
        row = uow.session.get(ShopProduct, row_id)
        if row is None or row.customer_id != customer_id:
            abort(404)
        uow.session.delete(row)
        uow.commit()
    flash(shop_texts.PRODUCT_REMOVED, "ok")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/addresses")
@page("shop")
def add_address(customer_id: int):
    """Add a delivery address the customer can pick."""
    f = request.form
    address = (f.get("address") or "").strip()[:200]
    if not address:
        flash(shop_texts.ADDRESS_REQUIRED, "error")
        return _back(customer_id)
    with current_runtime().uow() as uow:
        _customer(uow.session, customer_id)
        uow.session.add(ShopAddress(customer_id=customer_id, address=address,
                                    contact_name=(f.get("contact_name") or "").strip()[:60],
                                    contact_phone=(f.get("contact_phone") or "").strip()[:20]))
        uow.commit()
    flash(shop_texts.ADDRESS_ADDED, "ok")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/addresses/<int:address_id>/delete")
@page("shop")
def remove_address(customer_id: int, address_id: int):
    with current_runtime().uow() as uow:
        _customer(uow.session, customer_id)
        row = uow.session.get(ShopAddress, address_id)
        if row is None or row.customer_id != customer_id:
            abort(404)
        row.active = False  # requests keep the address text they were made with
        uow.session.add(row)
        uow.commit()
    flash(shop_texts.ADDRESS_REMOVED, "ok")
    return _back(customer_id)


@bp.get("/requests/<request_no>")
@page("orders")
def request_detail(request_no: str):
    """One customer request: what was asked, its orders, its attachments."""
    with current_runtime().uow() as uow:
        s = uow.session
        req = s.exec(select(ShopRequest).where(ShopRequest.request_no == request_no[:40])).first()
        if req is None:
            abort(404)
        orders = s.exec(select(Order, Product).join(ShopRequestLine, ShopRequestLine.order_id == Order.id)
                        .join(Product, Product.id == Order.product_id)
                        .where(ShopRequestLine.request_id == req.id).order_by(Order.id)).all()
        files = s.exec(select(ShopAttachment).where(ShopAttachment.request_id == req.id)).all()
        customer = s.get(Customer, req.customer_id)
        s.expunge_all()
    return render_template("admin/shop_request.html", req=req, orders=orders, files=files, customer=customer)


@bp.get("/attachments/<int:attachment_id>")
@page("orders")
def attachment(attachment_id: int):
    """Download an attachment: always `attachment`, nosniff, sandboxed; never rendered inline from our origin."""
    rt = current_runtime()
    with rt.uow() as uow:
        row = uow.session.get(ShopAttachment, attachment_id)
        if row is None:
            abort(404)
        path = attachment_dir(rt.settings) / row.stored_name
        name, ctype = row.filename, row.content_type
    if not path.is_file():
        abort(404)
    resp = send_file(path, mimetype=ctype, as_attachment=True, download_name=name, max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _product_back(product_id: int):
    return redirect(url_for("admin_master.crud_edit", key="products", item_id=product_id))


@bp.post("/products/<int:product_id>/picture")
@page("master_data")
def upload_picture(product_id: int):
    """Store a product's picture, re-encoded (managers and admins, as for editing products)."""
    rt = current_runtime()
    limit = rt.settings.shop.attachment_max_bytes
    request.max_content_length = limit + (64 << 10)
    try:
        upload = request.files.get("picture")
        data = upload.read(limit + 1) if upload and upload.filename else b""
    except RequestEntityTooLarge:
        data = b"\0" * (limit + 1)
    with rt.uow() as uow:
        product = uow.session.get(Product, product_id)
        if product is None:
            abort(404)
        try:
            clean = reencode(data, limit)
        except AttachmentRefused as exc:
            flash(exc.message, "error")
            return _product_back(product_id)
        old, product.picture = product.picture, store_picture(rt.settings, clean)
        uow.session.add(product)
        uow.commit()
    forget_picture(rt.settings, old)
    flash(shop_texts.PICTURE_SAVED, "ok")
    return _product_back(product_id)


@bp.post("/products/<int:product_id>/picture/delete")
@page("master_data")
def remove_picture(product_id: int):
    """Remove a product's picture (the file too)."""
    rt = current_runtime()
    with rt.uow() as uow:
        product = uow.session.get(Product, product_id)
        if product is None:
            abort(404)
        old, product.picture = product.picture, None
        uow.session.add(product)
        uow.commit()
    forget_picture(rt.settings, old)
    flash(shop_texts.PICTURE_REMOVED, "ok")
    return _product_back(product_id)


@bp.get("/products/<int:product_id>/picture.jpg")
@page("master_data")
def product_picture(product_id: int):
    """The stored (re-encoded) picture, for the product admin page."""
    rt = current_runtime()
    with rt.uow() as uow:
        product = uow.session.get(Product, product_id)
        path = picture_path(rt.settings, product.picture if product else None)
    if path is None:
        abort(404)
    resp = send_file(path, mimetype="image/jpeg", max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp
