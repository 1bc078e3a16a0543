"""`/s/<token>`: the customer's private ordering page (390 px first, plain server-rendered HTML for WeChat/WeCom).

Every request is rate-limited per link and per client address before the token is even looked up;
unknown and revoked links get the very same 404 page. The form carries a CSRF token and a random
idempotency key; answers say no-referrer, noindex and no-store so the link leaks nowhere.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, make_response, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from core.runtime import current_runtime
from logistics import texts as logistics_texts
from logistics.views import tracking_page
from orders.models import Customer
from shop import texts
from shop.catalogue import catalogue_for, earliest_promise_date, in_catalogue
from shop.exceptions import FormInvalid
from shop.limits import ShopLimiter
from shop.pictures import path_of as picture_path
from shop.service import (
    OrderForm,
    addresses_of,
    customer_order,
    other_orders_of,
    requests_of,
    submit_once,
)
from shop.tokens import find_live, hash_token

FORM_OVERHEAD = 256 << 10  # room for the form's text fields around the attachment
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
}

bp = Blueprint("shop", __name__, template_folder="templates", static_folder="static",
               static_url_path="/s/_static")


def _secure(resp: Response) -> Response:
    resp.headers.update(SECURITY_HEADERS)
    if resp.status_code == 200 and resp.mimetype == "image/jpeg":
        resp.headers["Cache-Control"] = "private, max-age=3600"  # product pictures: only this browser caches
    return resp


bp.after_request(_secure)


def _message(title: str, text: str, status: int) -> Response:
    return make_response(render_template("shop/message.html", title=title, text=text), status)


def not_found() -> Response:
    """The one 404 answer for every link that does not open a page."""
    return _message(texts.NOT_FOUND_TITLE, texts.NOT_FOUND_TEXT, 404)


def _limiter() -> ShopLimiter:
    rt = current_runtime()
    limiter = rt.extras.get("shop_limiter")
    if limiter is None:
        limiter = rt.extras["shop_limiter"] = ShopLimiter(rt)
    return limiter


def _open(token: str, *, picture: bool = False):
    """(link, customer) of a live token, or the response to give instead (429 or the 404)."""
    count = _limiter().picture if picture else _limiter().request
    wait = count(hash_token(token or "")[:32], request.remote_addr)
    if wait:
        resp = _message(texts.TOO_MANY_TITLE, texts.TOO_MANY_TEXT, 429)
        resp.headers["Retry-After"] = str(wait)
        return None, None, resp
    rt = current_runtime()
    with rt.uow() as uow:
        link = find_live(uow.session, token)
        customer = uow.session.get(Customer, link.customer_id) if link else None
        if link is None or customer is None:
            return None, None, not_found()
        uow.session.expunge_all()
    return link, customer, None


@bp.get("/s/<token>")
def page(token: str):
    """The order form and the customer's requests."""
    link, customer, refused = _open(token)
    if refused:
        return refused
    return _form_page(token, link, customer)


def _form_page(token: str, link, customer, *, errors: list[str] | None = None, values: dict | None = None,
               status: int = 200) -> Response:
    rt = current_runtime()
    with rt.uow() as uow:
        s = uow.session
        ctx = {
            "token": token, "customer": customer.short_name or customer.name,
            "items": catalogue_for(s, customer.id), "addresses": addresses_of(s, customer.id),
            "earliest": earliest_promise_date(s, rt.settings, customer.id).isoformat(),
            "requests": requests_of(s, customer.id, rt.settings.tz),
            "others": other_orders_of(s, customer.id),
            "idem": (values or {}).get("idem") or secrets.token_urlsafe(18),
            "csrf": generate_csrf(), "errors": errors or [], "v": values or {},
            "contact_name": customer.contact_name, "picture_alt": texts.PICTURE_ALT, "max_mb": round(rt.settings.shop.attachment_max_bytes / (1 << 20), 1),
        }
        return make_response(render_template("shop/page.html", **ctx), status)


@bp.get("/s/<token>/p/<int:product_id>.jpg")
def picture(token: str, product_id: int):
    """A product's re-encoded picture, only for products in this link's customer's catalogue (else the 404)."""
    link, customer, refused = _open(token, picture=True)
    if refused:
        return refused
    rt = current_runtime()
    with rt.uow() as uow:
        product = in_catalogue(uow.session, customer.id, product_id)
        path = picture_path(rt.settings, product.picture if product else None)
    if path is None:
        return not_found()
    return send_file(path, mimetype="image/jpeg", max_age=0)


@bp.post("/s/<token>")
def submit(token: str):
    """Submit the form: one 待审核 order per product; a repeated submit lands on the same request."""
    rt = current_runtime()
    request.max_content_length = rt.settings.shop.attachment_max_bytes + FORM_OVERHEAD
    link, customer, refused = _open(token)
    if refused:
        return refused
    try:
        form = request.form
        upload = request.files.get("attachment")
        data = upload.read(rt.settings.shop.attachment_max_bytes + 1) if upload and upload.filename else None
    except RequestEntityTooLarge:
        return _message(texts.TOO_LARGE_TITLE, texts.ATTACHMENT_TOO_LARGE.format(
            mb=round(rt.settings.shop.attachment_max_bytes / (1 << 20), 1)), 413)
    try:
        validate_csrf(form.get("csrf_token"))
    except ValidationError:
        return _message(texts.BAD_FORM_TITLE, texts.BAD_FORM_TEXT, 400)
    key = (form.get("idem") or "").strip()
    if not 16 <= len(key) <= 64:
        return _message(texts.BAD_FORM_TITLE, texts.BAD_FORM_TEXT, 400)
    wait = _limiter().submit(hash_token(token)[:32])
    if wait:
        resp = _message(texts.TOO_MANY_TITLE, texts.TOO_MANY_TEXT, 429)
        resp.headers["Retry-After"] = str(wait)
        return resp
    order_form = OrderForm(
        idempotency_key=key,
        quantities={int(k[2:]): v for k, v in form.items() if k.startswith("q-") and k[2:].isdigit()},
        wanted_date=form.get("wanted_date", ""), address_id=form.get("address_id", type=int),
        address_text=form.get("address_text", ""), contact_name=form.get("contact_name", ""),
        contact_phone=form.get("contact_phone", ""), note=form.get("note", ""), attachment=data,
        attachment_name=upload.filename if upload else "", client_ip=request.remote_addr or "")
    try:
        request_no, _created = submit_once(rt, link.id, order_form)
    except FormInvalid as exc:
        return _form_page(token, link, customer, errors=exc.errors, values=dict(form.items()) | {"idem": key},
                          status=400)
    return redirect(url_for(".confirmation", token=token, request_no=request_no), code=303)


@bp.get("/s/<token>/r/<request_no>")
def confirmation(token: str, request_no: str):
    """The request number and its orders, right after submitting."""
    link, customer, refused = _open(token)
    if refused:
        return refused
    rt = current_runtime()
    with rt.uow() as uow:
        found = requests_of(uow.session, customer.id, rt.settings.tz, request_no=request_no)
    if not found:
        return not_found()
    return render_template("shop/confirmation.html", token=token, r=found[0],
                           customer=customer.short_name or customer.name)


@bp.get("/s/<token>/track/<order_no>")
def track(token: str, order_no: str):
    """The tracking page of one of this customer's shipped orders (another customer's order: the 404)."""
    link, customer, refused = _open(token)
    if refused:
        return refused
    rt = current_runtime()
    with rt.uow() as uow:
        order = customer_order(uow.session, customer.id, order_no)
        if order is None or order.status not in ("shipped", "in_transit", "delivered", "completed"):
            return not_found()
        p = tracking_page(uow.session, order, rt.settings.tz,
                          rt.settings.logistics.company_name or logistics_texts.DEFAULT_COMPANY)
    return render_template("shop/track.html", p=p, token=token, base_template="shop/base.html")
