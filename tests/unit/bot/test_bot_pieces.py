"""Small pure pieces of the bot: signature checks, screening of junk, the command table."""

from __future__ import annotations

import time

import pytest

from bot.bridge import bridge_signature, verify_bridge
from bot.crypto import CallbackCrypto, check_timestamp, sha1_signature
from bot.exceptions import BadPayload, BadSignature, StaleRequest
from bot.inbound import Incoming, looks_binary, screen
from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, signature, signed_query


def test_signature_matches_the_documented_sorted_sha1():
    assert sha1_signature("tok", "1700000000", "n1", "CIPHER") == signature("tok", "1700000000", "n1", "CIPHER")


def test_robot_ciphertext_decrypts_with_an_empty_receive_id():
    ciphertext = encrypt(BOT_AES_KEY, '{"msgid": "1"}', "")
    q = signed_query(BOT_TOKEN, ciphertext)
    crypto = CallbackCrypto(BOT_TOKEN, BOT_AES_KEY, "")
    assert crypto.open(q["msg_signature"], q["timestamp"], q["nonce"], ciphertext) == '{"msgid": "1"}'


def test_ciphertext_for_another_receive_id_is_a_bad_signature():
    ciphertext = encrypt(BOT_AES_KEY, "x", "ww_someone")
    q = signed_query(BOT_TOKEN, ciphertext)
    with pytest.raises(BadSignature):
        CallbackCrypto(BOT_TOKEN, BOT_AES_KEY, "").open(q["msg_signature"], q["timestamp"], q["nonce"], ciphertext)


def test_undecryptable_ciphertext_with_a_good_signature_is_a_bad_payload():
    q = signed_query(BOT_TOKEN, "AAAA")
    with pytest.raises(BadPayload):
        CallbackCrypto(BOT_TOKEN, BOT_AES_KEY, "").open(q["msg_signature"], q["timestamp"], q["nonce"], "AAAA")


@pytest.mark.parametrize("ts", [None, "", "abc", str(int(time.time()) - 3600), str(int(time.time()) + 3600)])
def test_missing_or_far_timestamps_are_stale(ts):
    with pytest.raises(StaleRequest):
        check_timestamp(ts)


def test_bridge_hmac_is_over_timestamp_dot_body():
    ts = str(int(time.time()))
    verify_bridge("k", ts, bridge_signature("k", ts, b"{}"), b"{}")
    with pytest.raises(BadSignature):
        verify_bridge("k", ts, bridge_signature("k", ts, b"{}"), b"{ }")


def _msg(text: str, msgtype: str = "text") -> Incoming:
    return Incoming(platform="wecom_bot", platform_msg_id="1", text=text, msgtype=msgtype)


def test_screen_ignores_long_binary_empty_and_non_text_messages():
    assert screen(_msg("SO20261120-0042 已发货")) == ""
    assert "longer" in screen(_msg("好" * 2001))
    assert screen(_msg("   "))
    assert "msgtype" in screen(_msg("x", "image"))
    assert screen(_msg("SO20261120-0042 已发货", "voice")) == ""  # WeCom's transcription is read as text
    assert looks_binary("\x00\x01\x02abc") and not looks_binary("第一行\n第二行\t完成")


def test_every_parser_intent_but_none_has_a_command_with_an_example():
    from bot.commands import COMMANDS

    intents = {"ship", "pickup", "deliver", "query", "approve", "schedule", "report", "qc_pass", "qc_fail",
               "stock_in", "ack", "help",
               # CONTRACT §5 v2 intents, and `waybill` (the bot's reading of 'SO… 顺丰 SF…' after a 已发货)
               "start", "finish", "rework_done", "cancel", "materials_ready", "outsource", "outsource_returned",
               "create", "correct", "undo", "list", "waybill"}
    assert set(COMMANDS) == intents
    assert all("：" in c.help and c.example for c in COMMANDS.values())
