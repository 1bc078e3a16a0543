"""The Chinese of the API's validation errors: marshmallow's English messages, translated where they are
shown (`errors` and `message` of a 400 answer)."""

from __future__ import annotations

import re

EXACT = {
    "Missing data for required field.": "必填。",
    "Field may not be null.": "不能为空（null）。",
    "Invalid value.": "取值无效。",
    "Invalid type.": "类型不正确。",
    "Invalid input.": "输入无效。",
    "Invalid input type.": "请求内容应为 JSON 对象。",
    "Unknown field.": "未知字段。",
    "Not a valid string.": "应为文本。",
    "Not a valid utf-8 string.": "不是有效的 UTF-8 文本。",
    "Not a valid number.": "应为数字。",
    "Not a valid integer.": "应为整数。",
    "Number too large.": "数字太大。",
    "Special numeric values (nan or infinity) are not permitted.": "不接受 NaN 或无穷大。",
    "Not a valid boolean.": "应为 true 或 false。",
    "Not a valid date.": "日期格式应为 2026-12-10。",
    "Not a valid datetime.": "时间格式应为 2026-12-10T08:00:00+08:00。",
    "Not a valid time.": "时刻格式应为 08:00。",
    "Not a valid list.": "应为列表。",
    "Not a valid tuple.": "应为列表。",
    "Not a valid mapping type.": "应为对象。",
    "Not a valid URL.": "网址格式不正确。",
    "Not a valid email address.": "邮箱格式不正确。",
    "Not a valid UUID.": "UUID 格式不正确。",
    "String does not match expected pattern.": "格式不正确。",
}
PATTERNS = [
    (re.compile(r"Must be one of: (.*)\.$"), "应为以下之一：{0}。"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"), "应在 {0} 到 {1} 之间。"),
    (re.compile(r"Must be greater than (\S+) and less than (\S+)\.$"), "应大于 {0} 且小于 {1}。"),
    (re.compile(r"Must be greater than or equal to (\S+)\.$"), "不能小于 {0}。"),
    (re.compile(r"Must be less than or equal to (\S+)\.$"), "不能大于 {0}。"),
    (re.compile(r"Must be greater than (\S+)\.$"), "应大于 {0}。"),
    (re.compile(r"Must be less than (\S+)\.$"), "应小于 {0}。"),
    (re.compile(r"Length must be between (\d+) and (\d+)\.$"), "长度应在 {0} 到 {1} 之间。"),
    (re.compile(r"Length must be (\d+)\.$"), "长度应为 {0}。"),
    (re.compile(r"Shorter than minimum length (\d+)\.$"), "长度至少为 {0}。"),
    (re.compile(r"Longer than maximum length (\d+)\.$"), "长度最多为 {0}。"),
    (re.compile(r"Not a valid (naive|aware) (\w+)\.$"), "时间格式不正确（时区）。"),
]


def zh(message):
    """One marshmallow message in Chinese; anything else (our own Chinese texts) unchanged."""
    if not isinstance(message, str):
        return message
    if message in EXACT:
        return EXACT[message]
    for pattern, text in PATTERNS:
        found = pattern.match(message)
        if found:
            return text.format(*found.groups())
    return message


def translate(errors):
    """marshmallow's nested error dict/list with every message in Chinese."""
    if isinstance(errors, dict):
        return {k: translate(v) for k, v in errors.items()}
    if isinstance(errors, list):
        return [translate(v) for v in errors]
    return zh(errors)
