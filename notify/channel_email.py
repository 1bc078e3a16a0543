"""Email over SMTP (`email`): recipient = address. SMTP_URL is smtp://user:pass@host:port or smtps://."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlparse

from notify import texts
from notify.channels import ChannelError, SendResult
from notify.models import Notification

TIMEOUT = 15  # seconds, per SMTP operation


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect, from SMTP_URL."""

    host: str
    port: int
    implicit_tls: bool
    user: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpServer:
    """smtp://user:pass@host:25 (STARTTLS when offered) or smtps://host:465 (TLS from the start)."""
    u = urlparse(url)
    tls = u.scheme == "smtps"
    return SmtpServer(host=u.hostname or "localhost", port=u.port or (465 if tls else 25), implicit_tls=tls,
                      user=unquote(u.username or ""), password=unquote(u.password or ""))


class EmailChannel:
    """One message per notification: UTF-8 subject and body, a stable Message-ID."""

    name = "email"
    disabled_reason = None

    def __init__(self, smtp_url: str, mail_from: str, *, timeout: float = TIMEOUT,
                 ssl_context: ssl.SSLContext | None = None):
        self.server = parse_smtp_url(smtp_url)
        self.mail_from, self.timeout = mail_from, timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, n: Notification) -> SendResult:
        """Connect, STARTTLS when offered, log in when configured, send."""
        if not n.recipient:
            raise ChannelError(texts.NO_RECIPIENT, retry=False)
        msg = self.message_of(n)
        try:
            with self._connect() as smtp:
                if self.server.user:
                    smtp.login(self.server.user, self.server.password)
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(texts.EMAIL_REFUSED.format(detail=_first_reason(exc)), retry=False) from None
        except smtplib.SMTPAuthenticationError:
            raise ChannelError(texts.EMAIL_AUTH_FAILED, retry=False) from None
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise ChannelError(texts.EMAIL_TEMPORARY.format(code=exc.smtp_code)) from None
            raise ChannelError(texts.EMAIL_REFUSED.format(detail=f"{exc.smtp_code} {_text(exc.smtp_error)}"),
                               retry=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(texts.PROVIDER_DOWN.format(service="邮件服务器", detail=type(exc).__name__)) from None
        return SendResult(provider_msgid=msg["Message-ID"])

    def message_of(self, n: Notification) -> EmailMessage:
        """The email: the same notification always gets the same Message-ID (receivers can dedupe)."""
        msg = EmailMessage()
        msg["Subject"] = n.subject or texts.DEFAULT_SUBJECT
        msg["From"] = self.mail_from
        msg["To"] = n.recipient
        msg["Date"] = formatdate(localtime=False)
        domain = self.mail_from.rpartition("@")[2] or "order-hub.local"
        digest = hashlib.sha1(f"{n.id}:{n.dedupe_key}".encode()).hexdigest()[:16]
        msg["Message-ID"] = f"<notify-{n.id}-{digest}@{domain}>"
        msg.set_content(n.body or n.subject or "", charset="utf-8")
        return msg

    def _connect(self) -> smtplib.SMTP:
        s = self.server
        if s.implicit_tls:
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.ssl_context)
        smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _first_reason(exc: smtplib.SMTPRecipientsRefused) -> str:
    for address, (code, reason) in exc.recipients.items():
        return f"{address} {code} {_text(reason)}"
    return ""
