"""The shipping-notice image: real Chinese glyphs, the order number, a QR that decodes, size limits."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from notify import fonts, notice_image
from notify.notice_image import ShippingNotice, render_notice

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
URL = "https://ops.example.com/t/Zq3x9P2mN7vB4kL8sR1tY6wE0uI5oA2c"


def notice(**changes) -> ShippingNotice:
    values = dict(company="宁波精密金属制品有限公司", customer="宁波测试机械有限公司", order_no="SO20261120-0042",
                  product="传感器外壳 SH-100", quantity="1,200 件", carrier="顺丰", tracking_no="SF1402938475621",
                  shipped_at="2026-11-20 15:32", eta="2026-11-22（周日）", url=URL)
    values.update(changes)
    return ShippingNotice(**values)


def as_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def drawn(text: str, font, size: tuple[int, int], fill, bold: bool = False) -> Image.Image:
    """`text` drawn on white exactly as the notice draws it, in grey levels."""
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).text((0, 0), text, font=font, fill=fill, stroke_width=1 if bold else 0, stroke_fill=fill)
    return img.convert("L")


def ink_diff(a: Image.Image, b: Image.Image) -> int:
    """Pixels inked in one image and not the other (robust to the PNG's palette rounding)."""
    def ink(img: Image.Image) -> Image.Image:
        return img.point(lambda v: 255 if v < 160 else 0)

    return ImageChops.difference(ink(a), ink(b)).histogram()[255]


def test_chosen_font_draws_chinese_with_its_own_glyphs_not_boxes():
    cjk = ImageFont.truetype(str(fonts.find_cjk_font()), 48)
    latin = ImageFont.load_default(48)  # Pillow's built-in font: no CJK glyphs
    with_cjk = drawn("订单号", cjk, (200, 70), "black")
    assert with_cjk.getbbox() is not None, "the CJK string leaves ink"
    assert ImageChops.difference(with_cjk, drawn("订单号", latin, (200, 70), "black")).getbbox() is not None
    dejavu = ImageFont.truetype(DEJAVU, 48)
    assert ImageChops.difference(with_cjk, drawn("订单号", dejavu, (200, 70), "black")).getbbox() is not None
    with pytest.raises(UnicodeEncodeError):  # the bitmap font cannot even try
        drawn("订单号", ImageFont.load_default_imagefont(), (200, 70), "black")
    # Three different characters draw three different shapes (a missing-glyph box would repeat).
    shapes = [drawn(ch, cjk, (60, 70), "black").tobytes() for ch in "订单号"]
    assert len(set(shapes)) == 3
    assert fonts.draws_glyph(cjk, "中")


def test_glyph_check_notices_a_font_without_chinese():
    assert not fonts.draws_glyph(ImageFont.truetype(DEJAVU, 48), "中")
    assert fonts.draws_glyph(ImageFont.truetype(DEJAVU, 48), "A")
    assert not fonts.is_cjk_font(DEJAVU)


def test_missing_cjk_font_fails_with_a_clear_message(monkeypatch):
    fonts.find_cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "candidates", lambda explicit=None: [fonts.Path(DEJAVU)])
    try:
        with pytest.raises(fonts.CjkFontMissing, match="pylopdf-fonts-zh-cn"):
            fonts.find_cjk_font()
    finally:
        fonts.find_cjk_font.cache_clear()


def test_notice_shows_order_number_and_chinese_label_as_real_glyphs():
    img = as_image(render_notice(notice()).png).convert("L")
    top, label_x = notice_image.HEADER_BOTTOM, notice_image.MARGIN
    value_x = label_x + notice_image.LABEL_WIDTH
    cjk = fonts.load_font(notice_image.LABEL_SIZE)
    box_font = ImageFont.load_default(notice_image.LABEL_SIZE)
    label = img.crop((label_x, top + 4, label_x + 100, top + 44))
    assert ImageStat.Stat(label).mean[0] < 245, "the label leaves ink"
    assert ink_diff(label, drawn("订单号", cjk, (100, 40), notice_image.GREY)) <= 10
    assert ink_diff(label, drawn("订单号", box_font, (100, 40), notice_image.GREY)) > 200
    assert ink_diff(label, drawn("客户号", cjk, (100, 40), notice_image.GREY)) > 200
    big = fonts.load_font(notice_image.KEY_VALUE_SIZE)
    value = img.crop((value_x, top, value_x + 330, top + 50))
    assert ink_diff(value, drawn("SO20261120-0042", big, (330, 50), notice_image.INK, bold=True)) <= 10
    assert ink_diff(value, drawn("SO20261120-0043", big, (330, 50), notice_image.INK, bold=True)) > 60


def test_qr_code_decodes_to_exactly_the_tracking_url():
    img = as_image(render_notice(notice()).png)
    codes = zxingcpp.read_barcodes(img)
    assert [c.text for c in codes] == [URL]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode


def test_typical_notice_is_a_small_png_750_wide():
    rendered = render_notice(notice())
    img = Image.open(io.BytesIO(rendered.png))
    assert img.format == "PNG" and img.width == 750 and img.height < 2000
    assert rendered.size <= 300 * 1024
    assert len(rendered.md5) == 32


def test_worst_case_notice_stays_under_the_robot_limit():
    long = notice(product="超长产品名称（含规格型号）" * 12, customer="宁波某某某集团股份有限公司第一分公司" * 3,
                  url="https://ops.example.com/t/" + "x" * 200)
    rendered = render_notice(long)
    assert rendered.size <= notice_image.MAX_BYTES
    assert [c.text for c in zxingcpp.read_barcodes(as_image(rendered.png))] == [long.url]


def test_a_notice_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(notice_image, "MAX_BYTES", 1000)
    with pytest.raises(notice_image.NoticeTooLarge):
        render_notice(notice())
