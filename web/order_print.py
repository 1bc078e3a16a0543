"""Per-order paper and pictures: the printable delivery note / packing list (A4 or A5, QR to the tracking
page, prices only for the roles that may see them and only when asked) and the shipping-notice image,
downloadable and resendable from the order page."""

from __future__ import annotations

import base64
import io

import qrcode
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from core.runtime import current_runtime
from logistics.jobs import SHIPPED_OR_LATER, notice_file, resend_notice
from logistics.tokens import issue_token, public_url
from orders import service, views
from orders.exceptions import OrderError, OrderNotFound
from orders.models import Customer, Product
from orders.roles import OVERRIDE_ROLES, Role
from web import texts
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_print", __name__, url_prefix="/admin/orders")
bp.before_request(enforce)
register_error_pages(bp)
PAPER_ROLES = frozenset({Role.SALES, Role.WAREHOUSE, Role.LOGISTICS}) | OVERRIDE_ROLES
PRICE_ROLES = frozenset({Role.SALES, Role.FINANCE}) | OVERRIDE_ROLES  # may see prices (and print them)


def may_see_prices(user) -> bool:
    return bool(user.roles & PRICE_ROLES)


def _order(uow, order_no: str):
    try:
        return service.find_order(uow, order_no)
    except OrderNotFound:
        abort(404)


@bp.post("/<order_no>/delivery-note")
@page("orders")
def delivery_note(order_no: str):
    """Render the delivery note with a fresh tracking link in its QR (POST: it issues that link)."""
    if not current_user.roles & PAPER_ROLES:
        abort(403)
    size = "A5" if request.form.get("size") == "a5" else "A4"
    rt = current_runtime()
    with rt.uow() as uow:
        order = _order(uow, order_no)
        raw, _ = issue_token(uow.session, order.id, shipment_ref="delivery-note",
                             ttl_days=rt.settings.logistics.tracking_token_days)
        data = views.order_dict(uow.session, order.id)
        customer = uow.session.get(Customer, order.customer_id)
        price = None
        if request.form.get("prices") == "1" and may_see_prices(current_user):
            product = uow.session.get(Product, order.product_id)
            price = product.unit_price if product and product.unit_price else None
        uow.commit()
    url = public_url(rt, raw)
    html = render_template("admin/delivery_note.html", o=data, customer=customer, size=size, url=url,
                           qr=_qr_data_uri(url), price=price,
                           amount=round(price * data["quantity"], 2) if price is not None else None)
    return html, 200, {"Cache-Control": "no-store"}


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, box_size=4, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@bp.get("/<order_no>/notice.png")
@page("orders")
def notice_png(order_no: str):
    """The order's current shipping-notice image, as a download."""
    rt = current_runtime()
    with rt.uow() as uow:
        order = _order(uow, order_no)
        if order.status not in SHIPPED_OR_LATER:
            flash(texts.NOTICE_NOT_SHIPPED.format(order_no=order.order_no), "error")
            return redirect(url_for("admin_orders.order_detail", order_no=order.order_no))
        path = notice_file(uow, rt, order)
        name = f"{order.order_no}-发货通知.png"
    return send_file(path, mimetype="image/png", as_attachment=True, download_name=name, max_age=0)


@bp.post("/<order_no>/notice/resend")
@page("orders")
def notice_resend(order_no: str):
    """Send the shipping notice again to the ops group, the salesperson and bridged groups."""
    if not current_user.roles & PAPER_ROLES:
        abort(403)
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            order = _order(uow, order_no)
            if order.status not in SHIPPED_OR_LATER:
                flash(texts.NOTICE_NOT_SHIPPED.format(order_no=order.order_no), "error")
                return redirect(url_for("admin_orders.order_detail", order_no=order_no))
            result = resend_notice(uow, rt, order)
            uow.commit()
        flash(texts.NOTICE_RESENT.format(order_no=order_no, queued=result["queued"]), "ok")
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for("admin_orders.order_detail", order_no=order_no))
