"""Carriers of the ship form and the tracking-number formats each is known to use.

The canonical carriers are the parser's (nlu.lexicon), so chat and web name them alike. A number that
fits no known format of its carrier is refused unless the person ticks the override; even then it must
look like a waybill number at all (`随便`, `123` never pass).
"""

from __future__ import annotations

import re
import unicodedata

from logistics import texts
from nlu.lexicon import CARRIER_NAMES

SELF_PICKUP = "自提"
CARRIERS: tuple[str, ...] = tuple(dict.fromkeys(canonical for _, canonical in CARRIER_NAMES))
# carrier → (patterns of a full number, the hint shown when a number fits none)
FORMATS: dict[str, tuple[tuple[str, ...], str]] = {
    "顺丰": ((r"SF\d{12,15}",), "SF 加 12–15 位数字"),
    "京东": ((r"JD[A-Z]{0,3}\d{8,15}(?:-\d{1,3}){0,3}",), "JD 开头加数字，如 JDVA12345678901"),
    "中通": ((r"(?:7[0-9]|5[0-9]|6[0-9]|2[0-9])\d{10,13}",), "12–15 位数字，以 7、5、6 或 2 开头"),
    "圆通": ((r"YT\d{10,15}",), "YT 加 10–15 位数字"),
    "申通": ((r"(?:77|55|66|88|26|36|46|58)\d{10,13}",), "12–15 位数字，如 77 开头"),
    "韵达": ((r"(?:31|43|46|12|19|10)\d{11,13}",), "13–15 位数字，如 31、43 开头"),
    "德邦": ((r"DPK\d{10,15}", r"\d{8,12}"), "DPK 加数字，或 8–12 位数字"),
    "极兔": ((r"JT\d{10,15}",), "JT 加 10–15 位数字"),
    "EMS": ((r"[A-Z]{2}\d{9}[A-Z]{2}", r"E[A-Z]\d{9}CN", r"1\d{12}", r"EMS\d{9,15}"), "如 EA123456789CN 或 13 位数字"),
    "跨越": ((r"KYE?\d{10,15}", r"\d{11,12}"), "KY 加数字，或 11–12 位数字"),
}
_PLAUSIBLE = re.compile(r"[A-Z0-9-]{8,40}")


def normal_number(number: str) -> str:
    """Upper case, half-width, no spaces."""
    return unicodedata.normalize("NFKC", number or "").strip().replace(" ", "").upper()


def check_waybill(carrier: str, number: str, *, override: bool = False) -> tuple[str, str | None]:
    """(carrier, normalised number or None for 自提) — or ValueError with the Chinese reason."""
    carrier = (carrier or "").strip()
    if carrier not in CARRIERS:
        raise ValueError(texts.CARRIER_UNKNOWN.format(carrier=carrier, choices="、".join(CARRIERS)))
    number = normal_number(number)
    if not number:
        if carrier == SELF_PICKUP:
            return carrier, None
        raise ValueError(texts.TRACKING_MISSING)
    if not _PLAUSIBLE.fullmatch(number) or sum(ch.isdigit() for ch in number) < 6:
        raise ValueError(texts.TRACKING_BAD.format(number=number[:40]))
    patterns, hint = FORMATS.get(carrier, ((), ""))
    if patterns and not override and not any(re.fullmatch(p, number) for p in patterns):
        raise ValueError(texts.TRACKING_FORMAT.format(number=number, carrier=carrier, hint=hint))
    return carrier, number
