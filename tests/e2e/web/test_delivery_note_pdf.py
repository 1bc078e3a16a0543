"""The delivery note printed by real headless Chromium (page.pdf, A4 and A5): the PDF's text holds the
Chinese title, customer and order number, and the QR image inside the PDF decodes to the tracking link,
which opens that order's tracking page; the print view rendered to pixels decodes to the same link."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from sqlmodel import select

from tests.e2e.web.server import require_chromium, start_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()
pypdf = pytest.importorskip("pypdf")
zxingcpp = pytest.importorskip("zxingcpp")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(f"sqlite:///{tmp_path_factory.mktemp('print-e2e') / 'ops.db'}")
    yield srv
    srv.stop()


def _shipped_order(server) -> tuple[str, str]:
    from orders.models import Customer, Order

    with server.runtime.uow() as uow:
        order, customer = uow.session.exec(select(Order, Customer).join(Customer, Customer.id == Order.customer_id)
                                           .where(Order.status == "shipped").order_by(Order.id)).first()
        return order.order_no, customer.name


def _qr_texts(pdf: bytes) -> list[str]:
    """Every QR code found in the images embedded in the PDF."""
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            found += [r.text for r in zxingcpp.read_barcodes(image.image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_the_delivery_note_prints_to_pdf_with_chinese_text_and_a_qr_to_the_tracking_page(browser, server, size):
    order_no, customer = _shipped_order(server)
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "warehouse")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.goto(f"{server.url}/admin/orders/{order_no}")
    page.select_option("#print-form select[name=size]", size)
    page.eval_on_selector("#print-form", "f => f.removeAttribute('target')")  # print in this tab
    with page.expect_navigation():
        page.click("#print-form button[type=submit]")
    page.wait_for_selector("#tracking-qr")
    pdf = page.pdf(format=size.upper(), print_background=True)
    # The page as printed, rendered to pixels (print media, the paper's width): the QR a phone would see.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794 if size == "a4" else 559, "height": 1123 if size == "a4" else 794})
    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    assert page.locator(".noprint").is_hidden()  # the print button stays off paper
    ctx.close()
    [seen] = [r.text for r in zxingcpp.read_barcodes(shot) if r.format == zxingcpp.BarcodeFormat.QRCode]

    # CJK fonts map some characters to compatibility code points (⼈ for 人): compare in NFKC
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    flat = re.sub(r"\s+", "", text)
    assert "送货单" in text and "装箱单" in text and "发货人签字" in flat and order_no in text
    assert re.sub(r"\s+", "", unicodedata.normalize("NFKC", customer)) in flat, (customer, text)

    [link] = _qr_texts(pdf)
    assert seen == link  # the rendered page and the PDF carry the same link
    path = re.search(r"(/t/[A-Za-z0-9_\-]+)$", link)
    assert path, link
    import requests

    tracking = requests.get(server.url + path.group(1), timeout=10)
    assert tracking.status_code == 200 and order_no in tracking.text
