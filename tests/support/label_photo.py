"""Photos for the robot's picture tests: a shipping label with a real Code 128 waybill barcode (and a QR
code of a link beside it), photographed slightly rotated, scaled, noisy and JPEG-compressed; and a photo
of nothing (a desk with no code on it)."""

from __future__ import annotations

import io
import random

import qrcode
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter


def code128(text: str, scale: int = 3) -> Image.Image:
    """A Code 128 symbol of `text` as a grayscale picture (zxing-cpp's writer)."""
    img = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=scale)
    view = memoryview(img)
    height, width = view.shape[0], view.shape[1]
    return Image.frombytes("L", (width, height), bytes(view)).resize((width, height * 2 // 3))


def _photograph(label: Image.Image, *, angle: float, scale: float, quality: int, seed: int) -> bytes:
    """Lay the label on a grey desk, turn it, scale it, add sensor noise and a little blur, save a JPEG."""
    rnd = random.Random(seed)
    desk = Image.new("RGB", (label.width + 240, label.height + 240), (118, 112, 104))
    desk.paste(label.convert("RGB"), (120 + rnd.randint(-20, 20), 120 + rnd.randint(-20, 20)))
    turned = desk.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(118, 112, 104))
    sized = turned.resize((int(turned.width * scale), int(turned.height * scale)), Image.BILINEAR)
    noise = Image.effect_noise(sized.size, 24).convert("RGB")
    noisy = Image.blend(sized, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=quality)
    return out.getvalue()


def waybill_label_photo(number: str, *, angle: float = 4.0, scale: float = 0.8, quality: int = 70,
                        seed: int = 1) -> bytes:
    """A JPEG photo of a label carrying `number` as Code 128 and a QR code of a tracking link."""
    label = Image.new("L", (820, 520), 255)
    draw = ImageDraw.Draw(label)
    draw.rectangle((6, 6, 813, 513), outline=0, width=4)
    draw.line((6, 120, 813, 120), fill=0, width=3)
    draw.text((30, 40), "EXPRESS  WAYBILL  / SENDER: ORDER HUB FACTORY", fill=0)
    bars = code128(number)
    label.paste(bars, (30, 150))
    draw.text((30, 160 + bars.height), number, fill=0)
    qr = qrcode.make("https://example.com/track?src=label").get_image().convert("L").resize((170, 170))
    label.paste(qr, (620, 330))
    return _photograph(label, angle=angle, scale=scale, quality=quality, seed=seed)


def photo_of_nothing(seed: int = 2) -> bytes:
    """A JPEG photo of a desk with a blank sheet on it: no code anywhere."""
    sheet = Image.new("L", (600, 400), 245)
    ImageDraw.Draw(sheet).text((40, 40), "notes", fill=60)
    return _photograph(sheet, angle=-3.0, scale=0.9, quality=75, seed=seed)
