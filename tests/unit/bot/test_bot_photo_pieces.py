"""The pieces of bot/photos.py: the picture items of a robot message, WeCom's media decryption (checked
against an encryption written here from the documented scheme), and which barcodes count as waybills."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.photos import (
    PhotoError,
    carrier_of,
    decrypt_media,
    image_refs,
    media_key,
    read_codes,
    waybill_number,
)
from tests.support.label_photo import photo_of_nothing, waybill_label_photo

ENCODING_AES_KEY = base64.b64encode(bytes(range(100, 132))).decode().rstrip("=")  # 43 characters


def wecom_encrypt(data: bytes, aes_key: str) -> bytes:
    key = base64.b64decode(aes_key + "=" * (-len(aes_key) % 4))
    pad = 32 - len(data) % 32
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return enc.update(data + bytes([pad]) * pad) + enc.finalize()


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 1000])
def test_media_decrypts_with_the_robot_key_whatever_the_padding(size):
    data = bytes(i % 251 for i in range(size)) or b"x"
    assert decrypt_media(wecom_encrypt(data, ENCODING_AES_KEY), media_key(ENCODING_AES_KEY)) == data


def test_a_padded_per_link_key_works_too():
    link = base64.b64encode(bytes(range(32))).decode()  # 44 characters with '='
    assert decrypt_media(wecom_encrypt(b"picture", link), media_key(link)) == b"picture"


@pytest.mark.parametrize("spoil", [lambda c: c[:-1], lambda c: c[:-16], lambda c: c[:-17] + bytes([c[-17] ^ 1]) + c[-16:],
                                   lambda c: b""])
def test_spoiled_ciphertext_is_refused(spoil):
    cipher = wecom_encrypt(b"a picture of a label", ENCODING_AES_KEY)
    with pytest.raises(PhotoError):
        decrypt_media(spoil(cipher), media_key(ENCODING_AES_KEY))


@pytest.mark.parametrize("key", ["", "short", "!" * 43, base64.b64encode(b"sixteen bytes!!!").decode()])
def test_a_key_that_is_not_32_bytes_of_base64_is_refused(key):
    with pytest.raises(PhotoError):
        media_key(key)


def test_image_refs_of_image_and_mixed_messages():
    assert image_refs({"msgtype": "image", "image": {"url": "https://x/a", "aeskey": "k"}})[0].aeskey == "k"
    mixed = {"msgtype": "mixed", "mixed": {"msg_item": [
        {"msgtype": "text", "text": {"content": "SO20261120-0042 已发货"}},
        {"msgtype": "image", "image": {"url": "https://x/1"}},
        {"msgtype": "image", "image": {"url": "ftp://x/2"}},
        {"msgtype": "image", "image": "junk"}, "junk"]}}
    assert [r.url for r in image_refs(mixed)] == ["https://x/1"]
    assert image_refs({"msgtype": "text", "text": {"content": "hi"}}) == []
    assert image_refs({"msgtype": "image", "image": {"url": ["https://x"]}}) == []


@pytest.mark.parametrize("code, number", [
    ("SF1402938475621", "SF1402938475621"), (" sf 1402938475621", "SF1402938475621"),
    ("JDVA12345678901", "JDVA12345678901"), ("773012345678901", "773012345678901"),
    ("https://example.com/track?no=SF1402938475621", None), ("SO20261120-0042", None), ("12345", None),
    ("SF1402938475621 SF1402938475622", None),
])
def test_only_a_whole_waybill_number_counts(code, number):
    assert waybill_number(code) == number


@pytest.mark.parametrize("number, carrier", [("SF1402938475621", "顺丰"), ("JDVA12345678901", "京东"),
                                             ("YT1234567890123", "圆通"), ("773012345678901", "申通"),
                                             ("DPK1234567890", "德邦"), ("123456789", "德邦")])
def test_the_carrier_follows_from_the_number_format(number, carrier):
    assert carrier_of(number) == carrier


@pytest.mark.parametrize("angle, scale, quality", [(0, 1.0, 90), (5, 0.8, 70), (-9, 0.6, 55), (90, 0.7, 70),
                                                   (183, 0.9, 60)])
def test_the_waybill_barcode_is_read_off_turned_scaled_compressed_photos(angle, scale, quality):
    codes = read_codes(waybill_label_photo("SF1402938475621", angle=angle, scale=scale, quality=quality))
    assert [waybill_number(c) for c in codes if waybill_number(c)] == ["SF1402938475621"]


def test_a_photo_of_nothing_has_no_code_and_junk_is_not_a_picture():
    assert read_codes(photo_of_nothing()) == []
    with pytest.raises(PhotoError):
        read_codes(b"\xff\xd8 not really a jpeg")
