"""Where a robot reply goes: WeCom's response_url, with WeCom's host swapped for WECOM_API_BASE."""

from __future__ import annotations

import requests

from notify.channel_bot_response import BotResponseChannel
from notify.wecom_api import WeComHttp


def _channel(base="http://127.0.0.1:9999"):
    return BotResponseChannel(WeComHttp(base, requests.Session()))


def test_wecom_host_is_replaced_by_the_api_base():
    ch = _channel()
    assert ch.target("https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=abc") == \
        "http://127.0.0.1:9999/cgi-bin/aibot/response?response_code=abc"


def test_a_response_url_on_another_host_is_used_as_given():
    url = "http://127.0.0.1:7777/cgi-bin/aibot/response?response_code=xyz"
    assert _channel().target(url) == url


def test_anything_but_a_response_url_is_refused():
    ch = _channel()
    for url in ("http://127.0.0.1:7777/cgi-bin/message/send?x=1", "ftp://h/cgi-bin/aibot/response?a=1",
                "https://qyapi.weixin.qq.com/cgi-bin/aibot/response", "not a url", ""):
        assert ch.target(url) is None, url
