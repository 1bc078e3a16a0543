"""Each channel against its stand-in, through the outbox's deliver job."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.types import utcnow
from notify.channel_email import EmailChannel
from notify.models import Notification
from tests.support.notify_env import (
    REDIS_15,
    deliver_again,
    forget_keys,
    notify_app,
    queue,
    row,
    unique,
    wecom_settings,
)
from tests.support.sms_standin import SmsStandin
from tests.support.smtp_standin import SmtpStandin
from tests.support.wecom_standin import WeComStandin

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def wecom():
    with WeComStandin(corp_id=unique("ww"), secret="s3cret") as w:
        yield w


@pytest.fixture
def app(wecom, sqlite_url):
    application = notify_app(sqlite_url, redis_url=REDIS_15, **wecom_settings(wecom))
    yield application
    forget_keys(application.extensions["ops"].redis, wecom.corp_id, "robot:")
    application.extensions["ops"].engine.dispose()


@pytest.fixture
def robot_key(wecom):
    key = unique("robot-")
    wecom.valid_webhook_keys.add(key)
    return key


def test_robot_text_carries_mentions(app, wecom, robot_key):
    nid = queue(app, "wecom_robot", robot_key, "SO20261120-0042 已发货", payload={"mentioned_list": ["t.sales"]})
    assert row(app, nid).status == "sent"
    assert wecom.webhook_messages == [(robot_key, {"msgtype": "text", "text": {
        "content": "SO20261120-0042 已发货", "mentioned_list": ["t.sales"]}})]


def test_robot_markdown_over_4096_bytes_is_cut_on_a_character_and_says_so(app, wecom, robot_key):
    nid = queue(app, "wecom_robot", robot_key, "超" * 2000, payload={"msgtype": "markdown"})
    assert row(app, nid).status == "sent"
    content = wecom.webhook_messages[0][1]["markdown"]["content"]
    assert len(content.encode()) <= 4096 and content.endswith("已截断）") and content.startswith("超超")


def test_robot_image_from_file_has_base64_and_md5_of_the_raw_bytes(app, wecom, robot_key, tmp_path):
    path = tmp_path / "notice.png"
    path.write_bytes(PNG)
    nid = queue(app, "wecom_robot", robot_key, "", payload={"msgtype": "image", "image_path": str(path)})
    assert row(app, nid).status == "sent"
    image = wecom.webhook_messages[0][1]["image"]
    assert base64.b64decode(image["base64"]) == PNG and image["md5"] == hashlib.md5(PNG).hexdigest()


def test_robot_image_inline_base64_is_sent_too(app, wecom, robot_key):
    nid = queue(app, "wecom_robot", robot_key, "", payload={"msgtype": "image",
                                                          "image_b64": base64.b64encode(PNG).decode()})
    assert row(app, nid).status == "sent" and len(wecom.webhook_messages) == 1


def test_robot_image_over_2_mb_fails_without_retry(app, wecom, robot_key):
    big = PNG + b"\x00" * (2 * 1024 * 1024)
    nid = queue(app, "wecom_robot", robot_key, "", payload={"msgtype": "image",
                                                          "image_b64": base64.b64encode(big).decode()})
    n = row(app, nid)
    assert (n.status, n.attempts) == ("failed", 1) and "2 MB" in n.last_error
    assert wecom.webhook_messages == []


def test_robot_bad_key_fails_without_retry(app, wecom):
    n = row(app, queue(app, "wecom_robot", "not-a-key", "hi"))
    assert n.status == "failed" and "93000" in n.last_error


def test_robot_file_is_uploaded_then_sent(app, wecom, robot_key, tmp_path):
    path = tmp_path / "出货单.xlsx"
    path.write_bytes(b"PK\x03\x04 fake workbook")
    nid = queue(app, "wecom_robot", robot_key, "", payload={"msgtype": "file", "file_path": str(path)})
    assert row(app, nid).status == "sent"
    assert wecom.uploads[0]["filename"] == "出货单.xlsx" and wecom.uploads[0]["key"] == robot_key
    assert wecom.webhook_messages[0][1] == {"msgtype": "file", "file": {"media_id": wecom.uploads[0]["media_id"]}}


def test_app_text_goes_to_the_user_with_duplicate_check(app, wecom):
    nid = queue(app, "wecom_app", "t.warehouse", "请安排入库：SO20261120-0042")
    n = row(app, nid)
    assert n.status == "sent" and n.provider_msgid.startswith("msg-")
    body = wecom.app_messages[0]
    assert (body["touser"], body["msgtype"], body["agentid"]) == ("t.warehouse", "text", 1000002)
    assert body["text"]["content"] == "请安排入库：SO20261120-0042"
    assert (body["enable_duplicate_check"], body["duplicate_check_interval"]) == (1, 1800)


def test_app_image_is_uploaded_first_then_sent_by_media_id(app, wecom, tmp_path):
    path = tmp_path / "notice.png"
    path.write_bytes(PNG)
    nid = queue(app, "wecom_app", "t.sales", "", payload={"msgtype": "image", "image_path": str(path)})
    assert row(app, nid).status == "sent"
    assert [(u["type"], u["size"], u["via"]) for u in wecom.uploads] == [("image", len(PNG), "app")]
    assert wecom.app_messages[0]["image"] == {"media_id": wecom.uploads[0]["media_id"]}


def test_app_textcard_and_markdown(app, wecom):
    queue(app, "wecom_app", "t.qc", "待质检 3 单", payload={"msgtype": "textcard", "url": "http://x/t/1",
                                                         "title": "质检提醒"})
    queue(app, "wecom_app", "t.qc", "**红色预警**", payload={"msgtype": "markdown"})
    card, md = wecom.app_messages
    assert card["textcard"] == {"title": "质检提醒", "description": "待质检 3 单", "url": "http://x/t/1",
                                "btntxt": "详情"}
    assert md["markdown"] == {"content": "**红色预警**"}


def test_app_unknown_user_fails_without_retry(app, wecom):
    wecom.valid_userids = {"t.sales"}
    n = row(app, queue(app, "wecom_app", "ghost", "hi"))
    assert n.status == "failed" and "81013" in n.last_error and wecom.app_messages == []


def test_bot_response_is_used_once_and_a_second_use_fails(app, wecom):
    url = wecom.response_url("rc-" + unique(""))
    first = queue(app, "bot_response", url, "已登记：SO20261120-0042 已发货")
    second = queue(app, "bot_response", url, "再回复一次")
    assert row(app, first).status == "sent"
    n = row(app, second)
    assert n.status == "failed" and n.attempts == 1 and "已用过" in n.last_error
    assert [body["markdown"]["content"] for _, body in wecom.bot_responses] == ["已登记：SO20261120-0042 已发货"]


def test_bot_response_older_than_an_hour_fails_without_calling_wecom(app, wecom):
    rt = app.extensions["ops"]
    url = wecom.response_url("rc-old")
    nid = queue(app, "bot_response", url, "迟到的回复", not_before=utcnow() + timedelta(hours=2))
    with rt.engine.begin() as conn:  # the reply waited in the outbox for more than an hour
        conn.execute(update(Notification).where(Notification.id == nid).values(
            created_at=utcnow() - timedelta(minutes=61), not_before=None))
    assert deliver_again(app, nid) == "failed"
    assert "1 小时" in row(app, nid).last_error and wecom.bot_responses == []


def test_bot_response_refuses_a_url_that_is_no_response_url(app, wecom):
    n = row(app, queue(app, "bot_response", "http://127.0.0.1:9/cgi-bin/message/send?response_code=x", "hi"))
    assert n.status == "failed" and "不是企业微信" in n.last_error


def test_bot_response_on_wecoms_own_host_reaches_the_api_base(app, wecom):
    n = row(app, queue(app, "bot_response", "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=rc9",
                       "好的"))
    assert n.status == "sent"
    assert wecom.bot_responses[-1][0] == "rc9"


def test_email_with_a_chinese_subject(sqlite_url):
    with SmtpStandin(login=("ops", "p@ss")) as smtp:
        app = notify_app(sqlite_url, smtp_url=smtp.url.replace("p@ss", "p%40ss"), mail_from="ops@factory.example")
        nid = queue(app, "email", "boss@example.com", "订单 SO20261120-0042 已超期 2 天。", subject="【红色预警】订单超期")
        assert row(app, nid).status == "sent"
        mail = smtp.messages[0]
        assert mail["subject"] == "【红色预警】订单超期" and mail["to"] == ["boss@example.com"]
        assert mail["body"].strip() == "订单 SO20261120-0042 已超期 2 天。" and smtp.logins == ["ops"]
        assert mail["from"] == "ops@factory.example" and mail["headers"]["Message-ID"].startswith(f"<notify-{nid}-")


def test_email_uses_starttls_when_the_server_offers_it(sqlite_url):
    with SmtpStandin(login=("ops", "pw"), starttls=True) as smtp:
        app = notify_app(sqlite_url, smtp_url=smtp.url, mail_from="ops@factory.example")
        rt = app.extensions["ops"]
        rt.channels["email"] = EmailChannel(smtp.url, "ops@factory.example",
                                                      ssl_context=smtp.client_ssl_context())
        assert row(app, queue(app, "email", "qc@example.com", "质检报告", subject="质检报告")).status == "sent"
        assert smtp.messages[0]["tls"] is True and smtp.logins == ["ops"]


def test_email_refuses_a_server_whose_certificate_is_not_trusted(sqlite_url):
    with SmtpStandin(starttls=True) as smtp:
        app = notify_app(sqlite_url, smtp_url=smtp.url, mail_from="ops@factory.example")
        n = row(app, queue(app, "email", "qc@example.com", "x", subject="s"))
        assert n.status == "retrying" and "邮件服务器" in n.last_error and smtp.messages == []


def test_email_temporary_refusal_retries_and_unknown_mailbox_fails(sqlite_url):
    with SmtpStandin() as smtp:
        app = notify_app(sqlite_url, smtp_url=smtp.url, mail_from="ops@factory.example")
        smtp.fail_next(1)
        assert row(app, queue(app, "email", "a@example.com", "x", subject="s")).status == "retrying"
        smtp.reject.add("gone@example.com")
        n = row(app, queue(app, "email", "gone@example.com", "x", subject="s"))
        assert n.status == "failed" and "550" in n.last_error


def test_sms_through_the_gateway(sqlite_url):
    with SmsStandin() as sms:
        app = notify_app(sqlite_url, sms_url=sms.url)
        assert row(app, queue(app, "sms", "13800000000", "【订单中枢】SO20261120-0042 已发货")).status == "sent"
        assert sms.messages == [{"mobile": "13800000000", "content": "【订单中枢】SO20261120-0042 已发货"}]
        bad = row(app, queue(app, "sms", "12345", "x"))
        assert bad.status == "failed" and "400" in bad.last_error
        sms.fail_next(1, status=503)
        assert row(app, queue(app, "sms", "13800000001", "y")).status == "retrying"


@pytest.mark.parametrize(("channel", "reason"), [
    ("email", "未配置 SMTP_URL，邮件渠道关闭"), ("sms", "未配置 SMS_URL，短信渠道关闭"),
    ("wecom_app", "未配置 WECOM_CORP_ID / WECOM_SECRET / WECOM_AGENT_ID，企业微信应用消息渠道关闭"),
])
def test_a_channel_that_is_off_records_skipped_with_the_reason(sqlite_url, channel, reason):
    app = notify_app(sqlite_url)
    n = row(app, queue(app, channel, "someone", "hi"))
    assert (n.status, n.last_error) == ("skipped", reason)
