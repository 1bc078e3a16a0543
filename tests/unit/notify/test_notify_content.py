"""Content shaping: UTF-8 byte limits, images, robot bodies, SMTP URLs."""

from __future__ import annotations

import base64
import hashlib

import fakeredis
import pytest

from notify.channel_email import parse_smtp_url
from notify.channel_robot import RobotChannel
from notify.channels import ChannelError
from notify.content import check_image, image_bytes, truncate_utf8
from notify.models import Notification
from notify.throttle import SlidingWindow
from notify.wecom_api import WeComApiError, WeComHttp

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


def test_short_text_is_left_alone():
    assert truncate_utf8("订单已发货", 2048) == "订单已发货"


@pytest.mark.parametrize("limit", [10, 11, 12, 100, 4096])
def test_long_text_is_cut_on_a_character_boundary_and_says_so(limit):
    cut = truncate_utf8("发货" * 3000, limit, mark="…")
    assert len(cut.encode("utf-8")) <= limit
    assert cut.endswith("…") and set(cut[:-1]) <= {"发", "货"}


def test_image_comes_from_a_file_or_inline_base64(tmp_path):
    path = tmp_path / "n.png"
    path.write_bytes(PNG)
    assert image_bytes({"image_path": str(path)}) == PNG
    assert image_bytes({"image_b64": base64.b64encode(PNG).decode()}) == PNG


@pytest.mark.parametrize("payload", [{}, {"image_path": "/nonexistent/x.png"}, {"image_b64": "%%%"}])
def test_missing_or_unreadable_image_fails_for_good(payload):
    with pytest.raises(ChannelError) as err:
        image_bytes(payload)
    assert err.value.retry is False


def test_only_png_or_jpg_up_to_the_limit():
    assert check_image(PNG) == PNG
    assert check_image(b"\xff\xd8\xff\xe0jpeg") == b"\xff\xd8\xff\xe0jpeg"
    for bad in (b"GIF89a....", PNG + b"\x00" * 100):
        with pytest.raises(ChannelError) as err:
            check_image(bad, limit=64)
        assert err.value.retry is False


def robot() -> RobotChannel:
    conn = fakeredis.FakeRedis()
    return RobotChannel(WeComHttp("http://wecom.invalid"), SlidingWindow(conn, "t", ((20, 60),)))


def test_robot_image_body_has_base64_and_md5_of_raw_bytes():
    n = Notification(kind="t", channel="wecom_robot", recipient="k", dedupe_key="d",
                     payload={"msgtype": "image", "image_b64": base64.b64encode(PNG).decode()})
    body = robot().body_of(n)
    assert body == {"msgtype": "image", "image": {"base64": base64.b64encode(PNG).decode(),
                                                  "md5": hashlib.md5(PNG).hexdigest()}}


def test_robot_text_over_2048_bytes_is_truncated_with_mentions_kept():
    n = Notification(kind="t", channel="wecom_robot", recipient="k", dedupe_key="d", body="字" * 1000,
                     payload={"mentioned_list": ["@all"]})
    body = robot().body_of(n)
    assert len(body["text"]["content"].encode()) <= 2048 and body["text"]["mentioned_list"] == ["@all"]


def test_robot_unknown_msgtype_fails_for_good():
    n = Notification(kind="t", channel="wecom_robot", recipient="k", dedupe_key="d", payload={"msgtype": "voice"})
    with pytest.raises(ChannelError) as err:
        robot().body_of(n)
    assert err.value.retry is False


def test_wecom_errcodes_map_to_retry_or_not():
    assert WeComApiError(45009, "freq").deferred and WeComApiError(45009, "freq").retry_after == 60
    assert WeComApiError(-1, "busy").retry
    assert not WeComApiError(81013, "no user").retry
    assert not WeComApiError(93000, "bad key").retry


def test_smtp_url_forms():
    s = parse_smtp_url("smtp://ops%40factory.cn:p%3Ass@mail.factory.cn:587")
    assert (s.host, s.port, s.implicit_tls, s.user, s.password) == ("mail.factory.cn", 587, False, "ops@factory.cn",
                                                                     "p:ss")
    tls = parse_smtp_url("smtps://mail.factory.cn")
    assert (tls.port, tls.implicit_tls, tls.user) == (465, True, "")
