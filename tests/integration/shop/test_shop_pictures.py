"""Product pictures: staff upload on the product admin page (re-encoded, type by content, size-limited),
customers get them only through their own link and only for products of their catalogue."""

from __future__ import annotations

import io
import re

from PIL import Image

from shop import texts
from shop.pictures import picture_dir
from tests.integration.shop.conftest import form_of, issue, png_bytes, product_id, staff_client


def _upload(client, csrf: str, pid: int, data: bytes, name: str = "p.png"):
    return client.post(f"/admin/shop/products/{pid}/picture", follow_redirects=True,
                       data={"csrf_token": csrf, "picture": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _exif_jpeg(size=(2000, 1200)) -> bytes:
    im = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x010E] = "secret-description"  # ImageDescription
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_picture_is_re_encoded_bounded_and_served_only_through_the_customers_own_link(make_shop_app):
    app = make_shop_app()
    token = issue(app, enable=("SH-100",))
    other_token = issue(app, "杭州另一家电器有限公司", enable=("SH-200",), address=None)
    admin, csrf = staff_client(app, "admin")
    p100, p200 = product_id(app, "SH-100"), product_id(app, "SH-200")
    customer = app.test_client()
    assert '<img class="pic"' not in form_of(customer, token)["html"]  # no picture yet: no <img>

    original = _exif_jpeg()
    r = _upload(admin, csrf, p100, original, "photo.jpg")
    assert r.status_code == 200 and texts.PICTURE_SAVED in r.get_data(as_text=True)
    assert _upload(admin, csrf, p200, png_bytes()).status_code == 200

    html = form_of(customer, token)["html"]
    img = re.search(r'<img class="pic" src="([^"]+)"[^>]*>', html)
    assert img and img.group(1) == f"/s/{token}/p/{p100}.jpg"
    assert 'loading="lazy"' in img.group(0) and 'width="64"' in img.group(0) and 'height="64"' in img.group(0)
    assert f'alt="{texts.PICTURE_ALT.format(name="传感器外壳")}"' in img.group(0)

    r = customer.get(f"/s/{token}/p/{p100}.jpg")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Cache-Control"].startswith("private")
    served = r.get_data()
    assert served != original and b"secret-description" not in served
    with Image.open(io.BytesIO(served)) as im:
        assert im.format == "JPEG" and max(im.size) <= 800 and im.size == (800, 480)

    unknown = customer.get(f"/s/{'x' * 43}/p/{p100}.jpg")
    assert unknown.status_code == 404
    # another customer's link, a product outside the catalogue, an unknown product: the same 404 page
    for url in (f"/s/{other_token}/p/{p100}.jpg", f"/s/{token}/p/{p200}.jpg", f"/s/{token}/p/999999.jpg"):
        r = customer.get(url)
        assert r.status_code == 404 and r.get_data() == unknown.get_data(), url
    assert customer.get(f"/s/{other_token}/p/{p200}.jpg").status_code == 200

    staff_view = admin.get(f"/admin/shop/products/{p100}/picture.jpg")
    assert staff_view.status_code == 200 and staff_view.get_data() == served
    assert f"/admin/shop/products/{p100}/picture.jpg" in admin.get(f"/admin/data/products/{p100}").get_data(as_text=True)

    r = admin.post(f"/admin/shop/products/{p100}/picture/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert texts.PICTURE_REMOVED in r.get_data(as_text=True)
    assert customer.get(f"/s/{token}/p/{p100}.jpg").status_code == 404
    assert '<img class="pic"' not in form_of(customer, token)["html"]
    assert len(list(picture_dir(app.extensions["ops"].settings).iterdir())) == 1  # only SH-200's file is left


def test_html_polyglots_other_types_and_oversize_uploads_are_refused_in_chinese(make_shop_app):
    app = make_shop_app(attachment_max_bytes=50_000)
    admin, csrf = staff_client(app, "admin")
    pid = product_id(app, "SH-100")
    for bad in (b"<html><script>alert(1)</script></html>", png_bytes()[:8] + b"<script>alert(1)</script>",
                b"%PDF-1.4\n%%EOF", b"GIF89a" + b"\0" * 40):
        r = _upload(admin, csrf, pid, bad, "evil.png")
        assert texts.PICTURE_TYPE in r.get_data(as_text=True)
    noise = Image.effect_noise((400, 400), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 50_000
    r = _upload(admin, csrf, pid, out.getvalue())
    assert texts.PICTURE_TOO_LARGE.format(mb=0.0) in r.get_data(as_text=True)
    assert admin.get(f"/admin/shop/products/{pid}/picture.jpg").status_code == 404


def test_only_managers_and_admins_upload_pictures(make_shop_app):
    app = make_shop_app()
    sales, csrf = staff_client(app, "sales")
    pid = product_id(app, "SH-100")
    r = sales.post(f"/admin/shop/products/{pid}/picture", data={"csrf_token": csrf,
                   "picture": (io.BytesIO(png_bytes()), "p.png")}, content_type="multipart/form-data")
    assert r.status_code == 403


def test_pictures_are_limited_on_their_own_counters_so_thumbnails_do_not_eat_the_pages_budget(make_shop_app):
    app = make_shop_app(rate_link="3/minute", rate_ip="100/minute")
    token = issue(app, enable=("SH-100",))
    admin, csrf = staff_client(app, "admin")
    pid = product_id(app, "SH-100")
    _upload(admin, csrf, pid, png_bytes())
    customer = app.test_client()
    pictures = [customer.get(f"/s/{token}/p/{pid}.jpg").status_code for _ in range(4)]
    assert pictures == [200, 200, 200, 429]
    assert customer.get(f"/s/{token}").status_code == 200  # the page's own budget is untouched
