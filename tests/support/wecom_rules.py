"""WeCom's content rules for the stand-in: what WeCom refuses, and with which errcode."""

from __future__ import annotations

import base64
import hashlib

MAX_IMAGE_BYTES = 2 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPG_MAGIC = b"\xff\xd8\xff"


def err(code: int, msg: str, **extra) -> dict:
    """A WeCom answer body."""
    return {"errcode": code, "errmsg": msg, **extra}


def nbytes(text) -> int:
    """Length in UTF-8 bytes, as WeCom counts."""
    return len(str(text or "").encode("utf-8"))


def image_problem(data: bytes, limit: int = MAX_IMAGE_BYTES) -> str | None:
    """Why WeCom would refuse these image bytes, or None."""
    if len(data) > limit:
        return f"image size {len(data)} exceeds {limit} bytes"
    if not (data.startswith(PNG_MAGIC) or data.startswith(JPG_MAGIC)):
        return "image must be PNG or JPG"
    return None


def app_content_problem(body: dict, media: dict) -> dict | None:
    """The error WeCom gives a message/send body it refuses, or None."""
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(body.get(kind), dict) else None
    if part is None:
        return err(40008, "invalid message type")
    if kind in ("text", "markdown"):
        if not part.get("content"):
            return err(44004, "empty content")
        if nbytes(part["content"]) > 2048:
            return err(40058, f"{kind}.content exceeds 2048 bytes")
    elif kind == "textcard":
        if not part.get("title") or not part.get("description") or not part.get("url"):
            return err(40058, "textcard needs title, description and url")
        if nbytes(part["title"]) > 128 or nbytes(part["description"]) > 512:
            return err(40058, "textcard title > 128 or description > 512 bytes")
    elif kind in ("image", "file", "voice"):
        found = media.get(part.get("media_id", ""))
        if found is None or (kind == "image" and found["type"] != "image"):
            return err(40007, "invalid media_id")
    elif kind not in ("news", "template_card"):
        return err(40008, "invalid message type")
    return None


def robot_content_problem(body: dict, media: dict) -> dict | None:
    """The error WeCom gives a webhook/send body it refuses, or None."""
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(body.get(kind), dict) else None
    if part is None:
        return err(40008, "invalid message type")
    limits = {"text": 2048, "markdown": 4096}
    if kind in limits:
        if not part.get("content"):
            return err(44004, "empty content")
        if nbytes(part["content"]) > limits[kind]:
            return err(40058, f"{kind}.content exceeds {limits[kind]} bytes")
        if not isinstance(part.get("mentioned_list", []), list):
            return err(40058, "mentioned_list must be a list")
    elif kind == "image":
        try:
            data = base64.b64decode(part.get("base64", ""), validate=True)
        except ValueError:
            return err(40009, "invalid base64")
        if problem := image_problem(data):
            return err(40009, problem)
        if hashlib.md5(data).hexdigest() != str(part.get("md5", "")).lower():
            return err(40009, "md5 does not match the image")
    elif kind in ("file", "voice"):
        if part.get("media_id") not in media:
            return err(40007, "invalid media_id")
    elif kind == "news":
        articles = part.get("articles") or []
        if not 1 <= len(articles) <= 8 or not all(a.get("title") and a.get("url") for a in articles):
            return err(40058, "news needs 1-8 articles with title and url")
    elif kind != "template_card":
        return err(40008, "invalid message type")
    return None
