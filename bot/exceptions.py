"""Errors of the chat entry points (flat list)."""


class BotError(Exception):
    """Base of the chat entry points' errors."""


class BadSignature(BotError):
    """Signature, receive id or HMAC does not match: answer 403, store nothing."""


class StaleRequest(BotError):
    """Timestamp missing or more than the allowed age away: answer 403 (replay)."""


class BadPayload(BotError):
    """The body cannot be read (not XML/JSON, cannot be decrypted): answer 400."""
