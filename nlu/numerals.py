"""Small Chinese numerals (一 … 九十九, 百) as used for dates, lines and percentages."""

from __future__ import annotations

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUMBER_CHARS = "零〇一二两三四五六七八九十百"
# Regex fragment for a number written in Arabic or Chinese digits (1 to 3 characters).
NUM = r"(?:[0-9]{1,3}|[零〇一二两三四五六七八九十百]{1,4})"


def cn_to_int(text: str) -> int | None:
    """Convert 一, 十二, 二十八, 百, 一百 or Arabic digits to an int; None when it is not a number."""
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if text in ("百", "一百"):
        return 100
    if "百" in text:
        return None
    if "十" not in text:
        if len(text) == 1 and text in CN_DIGITS:
            return CN_DIGITS[text]
        return None
    tens_part, _, units_part = text.partition("十")
    if tens_part and tens_part not in CN_DIGITS:
        return None
    if units_part and units_part not in CN_DIGITS:
        return None
    tens = CN_DIGITS[tens_part] if tens_part else 1
    units = CN_DIGITS[units_part] if units_part else 0
    return tens * 10 + units
