"""A local SMTP server (aiosmtpd) on 127.0.0.1 at a free port that records messages.

    with SmtpStandin() as smtp:
        settings = {"smtp_url": smtp.url, "mail_from": "ops@example.com"}
        ...
        smtp.messages[0]["subject"]  # decoded: "订单 SO… 已发货"

Each record: `from`, `to` (envelope recipients), `subject`, `body` (decoded text),
`headers` (dict), `raw` (bytes). `reject` holds recipients answered 550;
`fail_next(n)` answers the next n DATA commands 451 (try again later).
`login=("user", "pass")` turns on AUTH (accepted over plain text, test only).
`starttls=True` offers STARTTLS with a throw-away self-signed certificate;
`client_ssl_context()` trusts it, and each record says whether it came over TLS.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
import threading
from collections import deque
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _FreePortController(Controller):
    """aiosmtpd's Controller, bound to port 0: learn the real port before the self-check."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpStandin:
    """Records every message accepted; can refuse recipients or fail temporarily."""

    def __init__(self, login: tuple[str, str] | None = None, starttls: bool = False):
        self.messages: list[dict] = []
        self.reject: set[str] = set()
        self.logins: list[str] = []
        self._login = login
        self._faults: deque[int] = deque()
        self._lock = threading.Lock()
        kwargs: dict = {}
        if login:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        self._cert_dir = tempfile.TemporaryDirectory() if starttls else None
        if self._cert_dir:
            cert, key = _self_signed(Path(self._cert_dir.name))
            server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server_ctx.load_cert_chain(cert, key)
            kwargs["tls_context"] = server_ctx
        self._controller = _FreePortController(self, hostname="127.0.0.1", port=0, **kwargs)

    def __enter__(self) -> SmtpStandin:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
        if self._cert_dir:
            self._cert_dir.cleanup()

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate."""
        return ssl.create_default_context(cafile=str(Path(self._cert_dir.name) / "cert.pem"))

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def url(self) -> str:
        """Use as SMTP_URL."""
        auth = f"{self._login[0]}:{self._login[1]}@" if self._login else ""
        return f"smtp://{auth}127.0.0.1:{self.port}"

    def fail_next(self, n: int = 1) -> None:
        """The next n messages get 451 at DATA."""
        with self._lock:
            self._faults.extend([451] * n)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self._login == (
            auth_data.login.decode(), auth_data.password.decode())
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self._faults:
                return f"{self._faults.popleft()} 4.3.0 try again later"
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        part = msg.get_body(("plain", "html"))
        with self._lock:
            self.messages.append({
                "from": envelope.mail_from, "to": list(envelope.rcpt_tos), "subject": str(msg["subject"] or ""),
                "body": part.get_content() if part else "", "headers": dict(msg.items()),
                "raw": envelope.original_content, "tls": session.ssl is not None,
            })
        return "250 Message accepted for delivery"


def _self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 valid for a day: (cert path, key path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")
