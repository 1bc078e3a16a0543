"""Quoted messages and voice transcriptions in WeCom robot payloads (docs 100719): the text they carry."""

from __future__ import annotations

import re

ACK_WORDS = frozenset({"收到", "好的", "好", "明白", "知道了", "收到了", "已收到", "ok", "OK", "好嘞", "马上处理", "在处理"})
_MENTION = re.compile(r"@\S+")
_PUNCT = re.compile(r"[\s,，.。!！~～、]+")


def item_text(item) -> str:
    """The text of one message body: text.content, voice.content (WeCom's transcription) or mixed text items."""
    if not isinstance(item, dict):
        return ""
    kind = item.get("msgtype")
    if kind in ("text", "voice"):
        inner = item.get(kind)
        content = inner.get("content") if isinstance(inner, dict) else None
        return content if isinstance(content, str) else ""
    if kind == "mixed":
        mixed = item.get("mixed")
        items = mixed.get("msg_item") if isinstance(mixed, dict) else None
        return " ".join(t for i in items if (t := item_text(i))) if isinstance(items, list) else ""
    return ""


def quoted_text(raw: dict) -> str:
    """The text of the message a robot message quotes ('' when none)."""
    quote = raw.get("quote") if isinstance(raw, dict) else None
    return item_text(quote)[:2000]


def ack_words_only(text: str) -> bool:
    """True for a bare acknowledgement such as '@订单助手 收到！'."""
    core = _PUNCT.sub("", _MENTION.sub("", text or ""))
    return core in ACK_WORDS or core.lower() in ACK_WORDS
