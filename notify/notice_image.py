"""The shipping-notice image: a phone-readable PNG with the order, waybill and a tracking QR code.

750 px wide (a phone screen at 2x), drawn with a CJK font from notify.fonts, saved as a
palette PNG so a typical notice stays well under 300 KB and every notice under the group
robot's 2 MB limit.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw

from notify import texts
from notify.fonts import load_font

WIDTH = 750
MARGIN = 48
MAX_BYTES = 2 * 1024 * 1024  # WeCom group robot: image ≤ 2 MB before base64
QR_SIZE = 380
HEADER_BOTTOM = 200  # first row starts here
LABEL_WIDTH = 150  # values start at MARGIN + LABEL_WIDTH
LABEL_SIZE, VALUE_SIZE, KEY_VALUE_SIZE = 28, 32, 36
BLUE = (24, 78, 140)
INK = (33, 37, 41)
GREY = (108, 117, 125)
LINE = (222, 226, 230)
PALE = (226, 236, 248)


class NoticeTooLarge(RuntimeError):
    """The rendered PNG is larger than a group robot accepts."""


@dataclass(frozen=True)
class ShippingNotice:
    """What the notice shows; every value is already formatted text."""

    company: str
    customer: str
    order_no: str
    product: str
    quantity: str
    carrier: str
    tracking_no: str
    shipped_at: str
    eta: str
    url: str


@dataclass(frozen=True)
class RenderedNotice:
    """PNG bytes with what the channels need to send them."""

    png: bytes

    @property
    def md5(self) -> str:
        return hashlib.md5(self.png).hexdigest()

    @property
    def size(self) -> int:
        return len(self.png)


class _Canvas:
    """A growing white page with a cursor; drawn rows move the cursor down."""

    def __init__(self, font_path: str | None):
        self.font_path = font_path
        self.img = Image.new("RGB", (WIDTH, 2400), "white")
        self.draw = ImageDraw.Draw(self.img)
        self.y = 0

    def font(self, size: int):
        return load_font(size, self.font_path)

    def wrap(self, text: str, size: int, width: int) -> list[str]:
        """Split text into lines that fit `width` px (CJK breaks anywhere)."""
        font, lines, line = self.font(size), [], ""
        for ch in text:
            if font.getlength(line + ch) > width and line:
                lines.append(line)
                line = ch
            else:
                line += ch
        return lines + [line] if line else lines or [""]

    def text(self, x: int, text: str, size: int, fill=INK, bold: bool = False, width: int | None = None) -> None:
        """Draw wrapped text at the cursor and move the cursor below it."""
        width = width or WIDTH - x - MARGIN
        for line in self.wrap(text, size, width):
            self.draw.text((x, self.y), line, font=self.font(size), fill=fill,
                           stroke_width=1 if bold else 0, stroke_fill=fill)
            self.y += int(size * 1.4)


def _header(c: _Canvas, notice: ShippingNotice) -> None:
    c.draw.rectangle((0, 0, WIDTH, 168), fill=BLUE)
    c.y = 30
    c.text(MARGIN, notice.company, 30, fill="white")
    c.y += 4
    c.text(MARGIN, texts.IMAGE_TITLE, 48, fill="white", bold=True)
    c.y = HEADER_BOTTOM


def _rows(c: _Canvas, notice: ShippingNotice) -> None:
    rows = [("order_no", notice.order_no), ("customer", notice.customer), ("product", notice.product),
            ("quantity", notice.quantity), ("carrier", notice.carrier), ("tracking_no", notice.tracking_no),
            ("shipped_at", notice.shipped_at), ("eta", notice.eta)]
    for key, value in rows:
        top = c.y
        c.draw.text((MARGIN, top + 4), texts.IMAGE_LABELS[key], font=c.font(LABEL_SIZE), fill=GREY)
        big = key in ("order_no", "tracking_no")
        c.text(MARGIN + LABEL_WIDTH, value or texts.NONE_TEXT, KEY_VALUE_SIZE if big else VALUE_SIZE, bold=big)
        c.y = max(c.y, top + 50) + 14
        c.draw.line((MARGIN, c.y - 8, WIDTH - MARGIN, c.y - 8), fill=LINE, width=2)


def _qr(c: _Canvas, url: str) -> None:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    box = max(4, QR_SIZE // len(matrix))
    side = box * len(matrix)
    c.y += 24
    c.draw.rounded_rectangle((MARGIN, c.y, WIDTH - MARGIN, c.y + side + 150), radius=16, fill=PALE)
    left, top = (WIDTH - side) // 2, c.y + 20
    c.draw.rectangle((left, top, left + side - 1, top + side - 1), fill="white")
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                x, y = left + col * box, top + r * box
                c.draw.rectangle((x, y, x + box - 1, y + box - 1), fill="black")
    c.y = top + side + 16
    _centred(c, texts.QR_CAPTION, 36, BLUE, bold=True)
    _centred(c, texts.QR_HINT, 22, GREY)
    c.y += 30


def _centred(c: _Canvas, text: str, size: int, fill, bold: bool = False) -> None:
    w = c.font(size).getlength(text)
    c.draw.text(((WIDTH - w) / 2, c.y), text, font=c.font(size), fill=fill,
                stroke_width=1 if bold else 0, stroke_fill=fill)
    c.y += int(size * 1.5)


def render_notice(notice: ShippingNotice, *, font_path: str | None = None) -> RenderedNotice:
    """Draw the notice and encode it as a palette PNG; NoticeTooLarge past 2 MB."""
    c = _Canvas(font_path)
    _header(c, notice)
    _rows(c, notice)
    _qr(c, notice.url)
    _centred(c, texts.IMAGE_FOOTER, 24, GREY)
    img = c.img.crop((0, 0, WIDTH, c.y + 24))
    buf = io.BytesIO()
    # A 64-colour palette keeps anti-aliased text crisp at a tenth of the RGB size; FASTOCTREE and
    # zlib level 6 are ~7x faster than median cut with optimize, for a few KB more.
    img.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(buf, "PNG", compress_level=6)
    png = buf.getvalue()
    if len(png) > MAX_BYTES:
        raise NoticeTooLarge(f"notice image is {len(png)} bytes, over {MAX_BYTES}")
    return RenderedNotice(png)


def write_notice(directory: Path, order_no: str, version: int, rendered: RenderedNotice) -> Path:
    """Save as `<order_no>-<version>.png` (atomically) and return the absolute path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = (directory / f"{order_no}-{version}.png").resolve()
    tmp = path.with_suffix(".png.tmp")
    tmp.write_bytes(rendered.png)
    tmp.replace(path)
    return path
