"""Shaping message content for providers: byte limits, images and files from the payload."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from notify import texts
from notify.channels import ChannelError

MAX_IMAGE_BYTES = 2 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPG_MAGIC = b"\xff\xd8\xff"


def truncate_utf8(text: str, limit: int, mark: str = texts.TRUNCATED) -> str:
    """`text` cut to at most `limit` UTF-8 bytes on a character boundary, saying so when cut."""
    raw = (text or "").encode("utf-8")
    if len(raw) <= limit:
        return text or ""
    room = max(limit - len(mark.encode("utf-8")), 0)
    return raw[:room].decode("utf-8", errors="ignore") + mark


def image_bytes(payload: dict) -> bytes:
    """The image of a notification: `image_path` (a file) or `image_b64` (inline)."""
    if payload.get("image_b64"):
        try:
            return base64.b64decode(payload["image_b64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ChannelError(texts.IMAGE_UNREADABLE.format(detail=exc), retry=False) from None
    if payload.get("image_path"):
        try:
            return Path(payload["image_path"]).read_bytes()
        except OSError as exc:
            raise ChannelError(texts.IMAGE_UNREADABLE.format(detail=exc.strerror or exc), retry=False) from None
    raise ChannelError(texts.IMAGE_MISSING, retry=False)


def check_image(data: bytes, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """Refuse (for good) images WeCom would refuse: not PNG/JPG, or larger than `limit`."""
    if not (data.startswith(PNG_MAGIC) or data.startswith(JPG_MAGIC)):
        raise ChannelError(texts.IMAGE_BAD_FORMAT, retry=False)
    if len(data) > limit:
        raise ChannelError(texts.IMAGE_TOO_LARGE.format(size=len(data)), retry=False)
    return data


def image_filename(data: bytes) -> str:
    """A file name with the right extension for an upload."""
    return "image.png" if data.startswith(PNG_MAGIC) else "image.jpg"


def file_of(payload: dict) -> tuple[str, bytes]:
    """(name, bytes) of the file a notification carries in `file_path`."""
    path = payload.get("file_path")
    if not path:
        raise ChannelError(texts.FILE_MISSING, retry=False)
    try:
        return Path(path).name, Path(path).read_bytes()
    except OSError as exc:
        raise ChannelError(texts.IMAGE_UNREADABLE.format(detail=exc.strerror or exc), retry=False) from None
