"""The app's access_token: cached in Redis and shared, refreshed early, re-fetched when rejected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
import redis

from notify.adapters import build_channels
from notify.wecom_api import TokenCache, WeComHttp
from tests.support.notify_env import (
    REDIS_15,
    StepClock,
    forget_keys,
    notify_app,
    queue,
    row,
    unique,
    wecom_settings,
)
from tests.support.wecom_standin import WeComStandin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture
def wecom():
    with WeComStandin(corp_id=unique("ww"), secret="s3cret") as w:
        yield w
        forget_keys(redis.Redis.from_url(REDIS_15), w.corp_id)


def make(tmp_path, wecom, name: str = "a"):
    return notify_app(f"sqlite:///{tmp_path / (name + '.db')}", redis_url=REDIS_15, **wecom_settings(wecom))


def test_two_runtimes_and_another_process_share_one_token(tmp_path, wecom):
    first, second = make(tmp_path, wecom, "a"), make(tmp_path, wecom, "b")
    assert row(first, queue(first, "wecom_app", "t.sales", "一")).status == "sent"
    assert row(second, queue(second, "wecom_app", "t.sales", "二")).status == "sent"
    code = ("import redis, sys; from notify.wecom_api import TokenCache, WeComHttp; "
            f"t = TokenCache(redis.Redis.from_url({REDIS_15!r}), WeComHttp({wecom.base_url!r}), "
            f"{wecom.corp_id!r}, 's3cret', 1000002); print(t.get())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    cached = json.loads(first.extensions["ops"].redis.get(f"ops:wecom:token:{wecom.corp_id}:1000002"))
    assert out.stdout.strip() == cached["token"]
    assert wecom.token_fetches == 1 and len(wecom.app_messages) == 2


def test_many_processes_refreshing_at_once_fetch_once(wecom):
    results: list[str] = []

    def take():
        cache = TokenCache(redis.Redis.from_url(REDIS_15), WeComHttp(wecom.base_url), wecom.corp_id, "s3cret", 7)
        results.append(cache.get())

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8 and len(set(results)) == 1
    assert wecom.token_fetches == 1


def test_token_expired_mid_run_is_fetched_again_and_the_message_delivered(tmp_path, wecom):
    app = make(tmp_path, wecom)
    queue(app, "wecom_app", "t.sales", "第一条")
    wecom.expire_tokens()
    nid = queue(app, "wecom_app", "t.sales", "第二条")
    assert row(app, nid).status == "sent"
    assert [b["text"]["content"] for b in wecom.app_messages] == ["第一条", "第二条"]
    assert ("/cgi-bin/message/send", 42001) in wecom.calls and wecom.token_fetches == 2


def test_token_rejected_again_and_again_stops_at_the_cap_and_retries_later(tmp_path, wecom):
    wecom.token_expires_in = 0  # every token WeCom gives is already expired
    app = make(tmp_path, wecom)
    n = row(app, queue(app, "wecom_app", "t.sales", "hi"))
    assert n.status == "retrying" and "3 次" in n.last_error
    assert wecom.token_fetches == 3 and wecom.app_messages == []  # one fetch + 2 re-fetches (cap 2)


def test_token_is_refreshed_five_minutes_before_it_expires(tmp_path, wecom):
    app = make(tmp_path, wecom)
    rt = app.extensions["ops"]
    clock = StepClock()
    rt.channels.update(build_channels(rt.settings, rt.redis, clock=clock))
    queue(app, "wecom_app", "t.sales", "一")
    clock.advance(7200 - 299)
    assert row(app, queue(app, "wecom_app", "t.sales", "二")).status == "sent"
    assert wecom.token_fetches == 2
    assert all(code == 0 for _, code in wecom.calls)  # never sent with a token WeCom would refuse


def test_wrong_secret_is_a_retrying_failure_with_the_reason(tmp_path, wecom):
    app = notify_app(f"sqlite:///{tmp_path / 'x.db'}", redis_url=REDIS_15,
                     **{**wecom_settings(wecom), "wecom_secret": "wrong"})
    n = row(app, queue(app, "wecom_app", "t.sales", "hi"))
    assert n.status == "retrying" and "access_token" in n.last_error and "40001" in n.last_error
