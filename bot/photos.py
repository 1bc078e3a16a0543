"""Photos sent to the robot (docs 100719, 结构体说明 图片/图文混排): download, decrypt, read the barcodes.

WeCom hands the robot a picture as a download URL (valid five minutes) of the encrypted file. The
official aibot SDK (WecomTeam/aibot-node-sdk, src/crypto.ts) decrypts it with AES-256-CBC: key = the
base64 AES key (the per-link `aeskey` in long-connection mode, else the robot's EncodingAESKey), IV =
the key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes; the plaintext is the raw image,
with none of the random/length/receive-id framing of callback bodies.

This runs in the job, never in the webhook. The barcodes are read with zxing-cpp (Code 128 of a
waybill label, QR …); only codes that look like a tracking number are kept, each with the carrier its
format implies, so the parser reads them as if the sender had typed them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from logistics.waybill_format import FORMATS, normal_number
from nlu.entities import find_tracking

log = logging.getLogger(__name__)

MAX_IMAGES = 4  # pictures read per message (a mixed message may carry several)
MAX_BYTES = 10 << 20  # larger downloads are refused: a phone photo is a few MB
MAX_PIXELS = 40_000_000  # Pillow's decompression-bomb guard, stated here
TIMEOUT = (5, 20)  # connect, read (seconds); the URL is valid for five minutes
BLOCK = 32


class PhotoError(Exception):
    """A picture that could not be fetched, decrypted or opened; `reason` is a short code for the record."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageRef:
    """One encrypted picture of a message: its download URL and the per-link key when WeCom sent one."""

    url: str
    aeskey: str | None = None


@dataclass
class PhotoReading:
    """What the pictures of one message gave: decoded codes, waybill numbers, and per-picture records."""

    records: list[dict] = field(default_factory=list)
    waybills: list[tuple[str, str | None]] = field(default_factory=list)  # (number, carrier)
    failed: int = 0

    @property
    def codes(self) -> list[str]:
        return [c for r in self.records for c in r.get("codes", [])]


def image_refs(body: dict) -> list[ImageRef]:
    """The pictures of a robot message: `image`, or the image items of `mixed` (in order, at most MAX_IMAGES)."""
    if not isinstance(body, dict):
        return []
    items = []
    if body.get("msgtype") == "image":
        items.append(body.get("image"))
    elif body.get("msgtype") == "mixed":
        mixed = body.get("mixed")
        for item in (mixed.get("msg_item") if isinstance(mixed, dict) else None) or []:
            if isinstance(item, dict) and item.get("msgtype") == "image":
                items.append(item.get("image"))
    refs = []
    for image in items:
        url = image.get("url") if isinstance(image, dict) else None
        if isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= 4096:
            key = image.get("aeskey")
            refs.append(ImageRef(url, key if isinstance(key, str) and key else None))
    return refs[:MAX_IMAGES]


def media_key(aes_key: str) -> bytes:
    """The 32-byte AES key of a base64 key (EncodingAESKey's 43 characters, or a padded 44)."""
    text = aes_key.strip()
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise PhotoError("bad_key") from None
    if len(key) != 32:
        raise PhotoError("bad_key")
    return key


def decrypt_media(data: bytes, key: bytes) -> bytes:
    """AES-256-CBC (IV = key[:16]) with PKCS#7 padding to 32 bytes, checked byte by byte."""
    if not data or len(data) % 16:
        raise PhotoError("bad_length")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(data) + dec.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
        raise PhotoError("bad_padding")
    return plain[:-pad]


def download(url: str, *, session: requests.Session | None = None) -> bytes:
    """The encrypted bytes behind a picture URL (at most MAX_BYTES)."""
    getter = session or requests
    try:
        with getter.get(url, timeout=TIMEOUT, stream=True) as r:
            if r.status_code != 200:
                raise PhotoError(f"http_{r.status_code}")
            chunks, size = [], 0
            for chunk in r.iter_content(64 << 10):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise PhotoError("too_large")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise PhotoError(f"download_{type(exc).__name__}") from None
    return b"".join(chunks)


def read_codes(image_bytes: bytes) -> list[str]:
    """The texts of the barcodes in a picture (any rotation); PhotoError when it is not a picture."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(image_bytes)) as img:
            img.load()
            gray = img.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PhotoError("not_an_image") from None
    return list(dict.fromkeys(b.text for b in zxingcpp.read_barcodes(gray) if b.text))


def carrier_of(number: str) -> str | None:
    """The carrier a tracking number's format implies: its prefix (SF…, JD…), else the one carrier
    whose formats (logistics.waybill_format) it alone fits."""
    found = find_tracking(number.lower())
    if len(found) == 1 and found[0].written and found[0].end - found[0].start == len(number):
        return found[0].written
    fits = [carrier for carrier, (patterns, _) in FORMATS.items() if any(re.fullmatch(p, number) for p in patterns)]
    return fits[0] if len(fits) == 1 else None


def waybill_number(code: str) -> str | None:
    """The code as a tracking number, when it is one (a whole waybill number, not a URL or an order)."""
    number = normal_number(code)
    found = find_tracking(number.lower())
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(number):
        return found[0].value
    return None


def read_photos(refs: list[ImageRef], robot_aes_key: str | None, *,
                session: requests.Session | None = None) -> PhotoReading:
    """Download, decrypt and decode every picture; a failure is recorded per picture, never raised."""
    reading = PhotoReading()
    for ref in refs:
        record: dict = {"url": ref.url[:512], "key": "message" if ref.aeskey else "robot"}
        try:
            key_text = ref.aeskey or robot_aes_key
            if not key_text:
                raise PhotoError("no_key")
            plain = decrypt_media(download(ref.url, session=session), media_key(key_text))
            record |= {"bytes": len(plain), "sha256": hashlib.sha256(plain).hexdigest()}
            record["codes"] = [c[:200] for c in read_codes(plain)][:10]
        except PhotoError as exc:
            record["error"] = exc.reason
            reading.failed += 1
            log.info("photo %s unreadable: %s", ref.url[:80], exc.reason)
        reading.records.append(record)
        for code in record.get("codes", []):
            number = waybill_number(code)
            if number and number not in [n for n, _ in reading.waybills]:
                reading.waybills.append((number, carrier_of(number)))
    return reading
