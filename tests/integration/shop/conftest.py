"""Fixtures of the ordering-link tests: a real app (Flask test client), the small factory, a WeCom stand-in."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.support.wecom_standin import WeComStandin

PASSWORD = "pass-1234"


@pytest.fixture
def wecom():
    with WeComStandin(agent_id=1000002) as standin:
        yield standin


@pytest.fixture
def make_shop_app(db_url, tmp_path, wecom):
    """make_shop_app(overrides=None, **shop_settings) -> app with the factory, a second customer and logins sales/admin."""
    from tests.conftest import make_app
    from tests.support.notify_env import wecom_settings

    made = []

    def make(redis_url: str | None = None, overrides: dict | None = None, **shop):
        shop = {"files_dir": str(tmp_path / "shop"), **shop}
        app = make_app(db_url, shop=shop, redis_url=redis_url, **{**wecom_settings(wecom), **(overrides or {})})
        made.append(app)
        _factory(app)
        return app

    yield make
    for app in made:
        app.extensions["ops"].engine.dispose()


def _factory(app) -> None:
    from accounts.service import create_user
    from core.db import new_session
    from orders.models import Customer, Product, Staff
    from tests.factories import basic_factory

    rt = app.extensions["ops"]
    with rt.uow() as uow:
        made = basic_factory(uow)
        other = Customer(name="杭州另一家电器有限公司", short_name="另一家", region="浙江",
                         sales_owner_id=made["people"]["sales"].id)
        uow.session.add(other)
        uow.session.add(Product(code="SH-200", name="传感器底座", spec="Φ40×12", unit_price=8.0))
        uow.commit()
    with new_session(rt.engine) as s:
        for role in ("sales", "admin"):
            user = create_user(s, f"u_{role}", role, PASSWORD)
            staff = s.exec(Staff.__table__.select().where(Staff.roles == role)).first()
            if staff is not None:
                user.staff_id = staff.id
            s.add(user)
            s.commit()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def staff_client(app, role: str = "sales"):
    """A test client signed in to the admin; returns (client, csrf token)."""
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    r = client.post("/admin/login", data={"username": f"u_{role}", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    return client, csrf_of(client.get("/admin/password").get_data(as_text=True))


def customer_id(app, name: str) -> int:
    from sqlmodel import select

    from orders.models import Customer

    with app.extensions["ops"].uow() as uow:
        return uow.session.exec(select(Customer.id).where(Customer.name == name)).one()


def product_id(app, code: str) -> int:
    from sqlmodel import select

    from orders.models import Product

    with app.extensions["ops"].uow() as uow:
        return uow.session.exec(select(Product.id).where(Product.code == code)).one()


def issue(app, name: str = "宁波测试机械有限公司", *, enable: tuple[str, ...] = ("SH-100", "SH-200"),
          address: str | None = "宁波市北仑区新碶街道测试路 1 号") -> str:
    """Through the admin: enable products, add an address, issue the link; returns the raw token."""
    client, csrf = staff_client(app)
    cid = customer_id(app, name)
    for code in enable:
        assert client.post(f"/admin/shop/customers/{cid}/products", data={"code": code, "csrf_token": csrf}
                           ).status_code == 302
    if address:
        client.post(f"/admin/shop/customers/{cid}/addresses",
                    data={"address": address, "contact_name": "李工", "contact_phone": "13900001111", "csrf_token": csrf})
    r = client.post(f"/admin/shop/customers/{cid}/link", data={"csrf_token": csrf, "confirm": "1"})
    assert r.status_code == 302
    page = client.get(f"/admin/shop/customers/{cid}").get_data(as_text=True)
    return re.search(r"/s/([A-Za-z0-9_-]{20,})", page).group(1)


def form_of(client, token: str) -> dict:
    """The customer's form as the page serves it: CSRF token, idempotency key, product fields, earliest date."""
    html = client.get(f"/s/{token}").get_data(as_text=True)
    return {"csrf_token": csrf_of(html), "idem": re.search(r'name="idem" value="([^"]+)"', html).group(1),
            "products": re.findall(r'name="q-(\d+)"', html),
            "earliest": re.search(r'name="wanted_date"[^>]*min="([0-9-]+)"', html).group(1),
            "address_id": (re.findall(r'<option value="(\d+)"', html) or [None])[0], "html": html}


def filled(form: dict, quantities: dict[int, int], **extra) -> dict:
    data = {"csrf_token": form["csrf_token"], "idem": form["idem"], "wanted_date": form["earliest"],
            "contact_name": "李工", "contact_phone": "13900001111", "note": "请用木箱包装"}
    if form["address_id"]:
        data["address_id"] = form["address_id"]
    data.update({f"q-{pid}": str(q) for pid, q in quantities.items()})
    data.update(extra)
    return data


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()
