"""Product pictures: staff upload PNG/JPEG/WEBP (told by content), the app re-encodes them with Pillow into a
bounded JPEG so none of the uploaded bytes (EXIF, appended payloads, polyglots) is ever served."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, ImageOps

from shop import texts
from shop.attachments import sniff
from shop.exceptions import AttachmentRefused

MAX_SIDE = 800  # px, longest side of the stored picture
ALLOWED = {"png", "jpg", "webp"}
JPEG_QUALITY = 85


def reencode(data: bytes, limit: int) -> bytes:
    """The picture to store (a fresh JPEG, at most MAX_SIDE px a side), or AttachmentRefused in Chinese."""
    if not data:
        raise AttachmentRefused(texts.PICTURE_EMPTY)
    if len(data) > limit:
        raise AttachmentRefused(texts.PICTURE_TOO_LARGE.format(mb=round(limit / (1 << 20), 1)))
    kind = sniff(data)
    if kind is None or kind.extension not in ALLOWED:
        raise AttachmentRefused(texts.PICTURE_TYPE)
    try:
        with Image.open(io.BytesIO(data)) as im:
            im = ImageOps.exif_transpose(im)
            if im.mode in ("RGBA", "LA", "P"):
                rgba = im.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                im = flat
            else:
                im = im.convert("RGB")
            im.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise AttachmentRefused(texts.PICTURE_TYPE) from None
    return out.getvalue()


def picture_dir(settings) -> Path:
    """Where product pictures live (inside SHOP_FILES_DIR, outside every static folder)."""
    return Path(settings.shop.files_dir) / "pictures"


def store(settings, data: bytes) -> str:
    """Write re-encoded bytes under a random name; returns the name."""
    folder = picture_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    (folder / name).write_bytes(data)
    return name


def path_of(settings, name: str | None) -> Path | None:
    """The file of a stored picture name, or None (names are ours: hex + .jpg, never a path)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = picture_dir(settings) / name
    return path if path.is_file() else None


def forget(settings, name: str | None) -> None:
    path = path_of(settings, name)
    if path is not None:
        path.unlink(missing_ok=True)
