"""Order Hub chat-message parser: pure functions, no storage, no web."""

from .intents import STATE_CHANGING
from .parser import parse
from .result import CONTRACT_KEYS, INTENTS, ParseResult
from .segment import build_user_dict

__all__ = ["CONTRACT_KEYS", "INTENTS", "STATE_CHANGING", "ParseResult", "build_user_dict", "parse"]
