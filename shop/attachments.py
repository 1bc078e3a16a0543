"""Customers' attachments: type told by the content's magic bytes (images and PDF only), stored outside static
under a random name; staff download them as attachments, never inline."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from shop import texts
from shop.exceptions import AttachmentRefused

# (magic test, extension, content type, is an image Pillow must open)
KINDS = (
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), "png", "image/png", True),
    (lambda b: b.startswith(b"\xff\xd8\xff"), "jpg", "image/jpeg", True),
    (lambda b: b[:6] in (b"GIF87a", b"GIF89a"), "gif", "image/gif", True),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", "webp", "image/webp", True),
    (lambda b: b.startswith(b"%PDF-"), "pdf", "application/pdf", False),
)


@dataclass(frozen=True)
class Sniffed:
    extension: str
    content_type: str


def sniff(data: bytes) -> Sniffed | None:
    """What the bytes are by their content (never by name or the browser's claim); None when not allowed."""
    for test, ext, ctype, image in KINDS:
        if test(data[:16]):
            if image and not _opens(data):
                return None
            return Sniffed(ext, ctype)
    return None


def _opens(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False
    return True


def check(data: bytes, limit: int) -> Sniffed:
    """The kind of an upload, or AttachmentRefused with the customer's reason."""
    if not data:
        raise AttachmentRefused(texts.ATTACHMENT_EMPTY)
    if len(data) > limit:
        raise AttachmentRefused(texts.ATTACHMENT_TOO_LARGE.format(mb=round(limit / (1 << 20), 1)))
    kind = sniff(data)
    if kind is None:
        raise AttachmentRefused(texts.ATTACHMENT_TYPE)
    return kind


def clean_filename(name: str, extension: str) -> str:
    """The customer's file name kept for staff: no path, no control or quoting characters, the sniffed extension."""
    stem = Path((name or "").replace("\\", "/")).name
    stem = re.sub(r"[\x00-\x1f\x7f\"'<>:;/|?*]", "", stem).strip(" .")[:80]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{stem or 'attachment'}.{extension}"


def store(folder: Path, data: bytes, kind: Sniffed) -> tuple[str, str]:
    """Write the bytes under a random name; returns (stored name, sha256)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind.extension}"
    (folder / name).write_bytes(data)
    return name, hashlib.sha256(data).hexdigest()


def attachment_dir(settings) -> Path:
    """Where attachments live (inside SHOP_FILES_DIR, outside every static folder)."""
    return Path(settings.shop.files_dir) / "attachments"
