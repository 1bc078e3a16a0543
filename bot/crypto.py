"""WeCom callback crypto (doc 91144): constant-time signature check, then wechatpy's AES decryption.

wechatpy compares signatures with `!=`, parses XML with xmltodict and builds a new cipher for
every message, so we verify the signature ourselves (hmac.compare_digest) and hand the
ciphertext to one PrpCrypto made at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from wechatpy.work.crypto import PrpCrypto, WeChatCrypto
from wechatpy.work.exceptions import InvalidCorpIdException

from bot.exceptions import BadPayload, BadSignature, StaleRequest

log = logging.getLogger(__name__)

MAX_AGE = 300  # seconds a callback timestamp may be away from now


def sha1_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """msg_signature: sha1 of the sorted concatenation of token, timestamp, nonce and ciphertext."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def check_timestamp(timestamp: str | None, *, now: float | None = None, max_age: int = MAX_AGE) -> None:
    """Raise StaleRequest unless `timestamp` (unix seconds) is within `max_age` of now."""
    try:
        ts = int(str(timestamp))
    except (TypeError, ValueError):
        raise StaleRequest("timestamp missing or not a number") from None
    if abs((now if now is not None else time.time()) - ts) > max_age:
        raise StaleRequest(f"timestamp {ts} is more than {max_age}s away")


class CallbackCrypto:
    """Verify and decrypt one WeCom callback endpoint's messages (receive id = CorpID, or '' for the robot)."""

    def __init__(self, token: str, aes_key: str, receive_id: str):
        self.token = token
        self.receive_id = receive_id
        self._prp = PrpCrypto(WeChatCrypto(token, aes_key, receive_id).key)  # validates the key once

    def verify(self, signature: str | None, timestamp: str | None, nonce: str | None, encrypt: str) -> None:
        """Raise BadSignature / StaleRequest unless the request is genuine and fresh."""
        if not signature or nonce is None or not encrypt:
            raise BadSignature("signature, nonce or ciphertext missing")
        expected = sha1_signature(self.token, str(timestamp or ""), nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
            raise BadSignature("msg_signature does not match")
        check_timestamp(timestamp)

    def open(self, signature: str | None, timestamp: str | None, nonce: str | None, encrypt: str) -> str:
        """Verify, then decrypt the ciphertext to its plaintext message."""
        self.verify(signature, timestamp, nonce, encrypt)
        try:
            return self._prp.decrypt(encrypt, self.receive_id)
        except InvalidCorpIdException:
            raise BadSignature("receive id does not match") from None
        except Exception as exc:  # bad base64, bad padding, bad length: the body is junk
            raise BadPayload(f"cannot decrypt: {type(exc).__name__}") from None

    def echo(self, signature: str | None, timestamp: str | None, nonce: str | None, echostr: str) -> str:
        """URL verification: the decrypted echostr."""
        return self.open(signature, timestamp, nonce, echostr)
