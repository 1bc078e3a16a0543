"""The printable delivery note (no prices, QR link that opens the order's tracking page) and the shipping
notice downloaded and re-sent from the order page."""

from __future__ import annotations

import re

from sqlmodel import func, select

from core.db import new_session
from notify.models import Notification
from orders.status import Status
from tests.factories import order_in


def _order(app, status: Status):
    with app.extensions["ops"].uow() as uow:
        order = order_in(uow, status)
        uow.commit()
        return order


def test_delivery_note_prints_the_order_without_prices_and_its_qr_link_opens_the_tracking_page(app, signed_in):
    order = _order(app, Status.SHIPPED)
    client, token = signed_in("warehouse")
    assert 'id="print-form"' in client.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    r = client.post(f"/admin/orders/{order.order_no}/delivery-note", data={"csrf_token": token, "size": "a5"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "送货单" in html and "size: A5" in html
    assert order.order_no in html and "SF1402938475621" in html and "src=\"data:image/png;base64," in html
    assert "12.5" not in html and "单价" not in html and "金额" not in html  # the product's price stays off paper
    url = re.search(r'id="tracking-url">([^<]+)<', html).group(1)
    page = app.test_client().get(url.replace("http://testserver", ""))
    assert page.status_code == 200 and order.order_no in page.get_data(as_text=True)


def test_roles_without_paper_cannot_print(app, signed_in):
    order = _order(app, Status.SHIPPED)
    client, token = signed_in("qc")
    assert client.post(f"/admin/orders/{order.order_no}/delivery-note", data={"csrf_token": token}).status_code == 403


def test_notice_image_downloads_and_resends(app, signed_in):
    order = _order(app, Status.SHIPPED)
    client, token = signed_in("logistics")
    image = client.get(f"/admin/orders/{order.order_no}/notice.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    with new_session(app.extensions["ops"].engine) as s:
        before = s.exec(select(func.count()).select_from(Notification)).one()
    r = client.post(f"/admin/orders/{order.order_no}/notice/resend", data={"csrf_token": token},
                    follow_redirects=True)
    assert "已重新发送" in r.get_data(as_text=True)
    with new_session(app.extensions["ops"].engine) as s:
        assert s.exec(select(func.count()).select_from(Notification)).one() > before


def test_unshipped_order_has_no_notice_to_download(app, signed_in):
    order = _order(app, Status.IN_STOCK)
    client, _ = signed_in("logistics")
    r = client.get(f"/admin/orders/{order.order_no}/notice.png", follow_redirects=True)
    assert "尚未发货" in r.get_data(as_text=True)


def test_prices_print_only_for_roles_that_may_see_them_and_only_when_asked(app, signed_in):
    order = _order(app, Status.SHIPPED)  # the factory's product costs 12.5
    sales, token = signed_in("sales")
    assert 'name="prices"' in sales.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    html = sales.post(f"/admin/orders/{order.order_no}/delivery-note",
                      data={"csrf_token": token, "prices": "1"}).get_data(as_text=True)
    assert 'id="price-row"' in html and "12.50 元" in html and f"{12.5 * order.quantity:.2f} 元" in html
    plain = sales.post(f"/admin/orders/{order.order_no}/delivery-note", data={"csrf_token": token}).get_data(as_text=True)
    assert "单价" not in plain  # not asked: no prices
    warehouse, token = signed_in("warehouse")
    assert 'name="prices"' not in warehouse.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    html = warehouse.post(f"/admin/orders/{order.order_no}/delivery-note",
                          data={"csrf_token": token, "prices": "1"}).get_data(as_text=True)
    assert "单价" not in html and "12.5" not in html  # asked by a role that may not see prices: still none
