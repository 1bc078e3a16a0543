"""Settings read from the environment (and a `.env` file in the repo root).

Every variable of CONTRACT §2 lives here with its default. A needed value that is
missing or malformed raises `ConfigError` naming the variable, so start-up stops
with one clear line instead of a traceback deep inside a request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """A configuration variable is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one running Order Hub."""

    database_url: str = f"sqlite:///{INSTANCE / 'ops.db'}"
    redis_url: str | None = None
    secret_key: str = ""
    public_base_url: str = "http://127.0.0.1:5000"
    timezone: str = "Asia/Shanghai"
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None
    wecom_token: str | None = None
    wecom_aes_key: str | None = None
    wecom_bot_id: str | None = None
    wecom_bot_secret: str | None = None
    wecom_bot_token: str | None = None
    wecom_bot_aes_key: str | None = None
    wecom_bot_mode: str = "callback"
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    bridge_secret: str | None = None
    mqtt_url: str | None = None
    smtp_url: str | None = None
    mail_from: str | None = None
    sms_url: str | None = None
    # Not in the contract; knobs for tests and deployments.
    run_jobs_inline: bool = False
    start_background: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def wecom_app_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_secret)

    @property
    def wecom_callback_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_token and self.wecom_aes_key)

    @property
    def wecom_bot_enabled(self) -> bool:
        return bool(self.wecom_bot_token and self.wecom_bot_aes_key) or bool(
            self.wecom_bot_id and self.wecom_bot_secret
        )

    def replace(self, **changes) -> Settings:
        """A copy with some values changed (tests pass overrides this way)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


ENV_NAMES = {
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "secret_key": "SECRET_KEY",
    "public_base_url": "PUBLIC_BASE_URL",
    "timezone": "OPS_TIMEZONE",
    "wecom_corp_id": "WECOM_CORP_ID",
    "wecom_agent_id": "WECOM_AGENT_ID",
    "wecom_secret": "WECOM_SECRET",
    "wecom_token": "WECOM_TOKEN",
    "wecom_aes_key": "WECOM_AES_KEY",
    "wecom_bot_id": "WECOM_BOT_ID",
    "wecom_bot_secret": "WECOM_BOT_SECRET",
    "wecom_bot_token": "WECOM_BOT_TOKEN",
    "wecom_bot_aes_key": "WECOM_BOT_AES_KEY",
    "wecom_bot_mode": "WECOM_BOT_MODE",
    "wecom_api_base": "WECOM_API_BASE",
    "bridge_secret": "BRIDGE_SECRET",
    "mqtt_url": "MQTT_URL",
    "smtp_url": "SMTP_URL",
    "mail_from": "MAIL_FROM",
    "sms_url": "SMS_URL",
}


def load_dotenv_file(path: Path = ROOT / ".env") -> None:
    """Read `.env` without overriding variables already set in the environment."""
    if path.exists():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def _secret_key(instance: Path) -> str:
    """Generate the secret key once and keep it under instance/."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def from_env(env: dict | None = None, instance: Path = INSTANCE) -> Settings:
    """Build Settings from environment variables, validating each one."""
    if env is None:
        load_dotenv_file()
        env = dict(os.environ)
    raw = {attr: (env.get(name) or "").strip() or None for attr, name in ENV_NAMES.items()}
    values: dict = {k: v for k, v in raw.items() if v is not None}
    if "wecom_agent_id" in values:
        try:
            values["wecom_agent_id"] = int(values["wecom_agent_id"])
        except ValueError:
            raise ConfigError("WECOM_AGENT_ID must be a whole number, e.g. 1000002") from None
    values.setdefault("secret_key", _secret_key(instance))
    settings = Settings(**values)
    validate(settings)
    return settings


def validate(s: Settings) -> None:
    """Raise ConfigError naming the first variable that is malformed."""
    if "://" not in s.database_url:
        raise ConfigError(f"DATABASE_URL is not an SQLAlchemy URL: {s.database_url!r}")
    if s.redis_url and urlparse(s.redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL must look like redis://host:6379/0")
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"OPS_TIMEZONE is not a known time zone: {s.timezone!r}") from None
    for attr, scheme in (("public_base_url", ("http", "https")), ("wecom_api_base", ("http", "https"))):
        if urlparse(getattr(s, attr)).scheme not in scheme:
            raise ConfigError(f"{ENV_NAMES[attr]} must start with http:// or https://")
    if s.wecom_bot_mode not in ("callback", "longconn"):
        raise ConfigError("WECOM_BOT_MODE must be callback or longconn")
    for attr in ("wecom_aes_key", "wecom_bot_aes_key"):
        key = getattr(s, attr)
        if key is not None and len(key) != 43:
            raise ConfigError(f"{ENV_NAMES[attr]} must be the 43-character EncodingAESKey")
    if s.mqtt_url and urlparse(s.mqtt_url).scheme not in ("mqtt", "mqtts", "tcp"):
        raise ConfigError("MQTT_URL must look like mqtt://127.0.0.1:1883")
    if s.smtp_url:
        if urlparse(s.smtp_url).scheme not in ("smtp", "smtps"):
            raise ConfigError("SMTP_URL must look like smtp://user:pass@host:25")
        if not s.mail_from:
            raise ConfigError("MAIL_FROM is needed when SMTP_URL is set")
    if s.sms_url and urlparse(s.sms_url).scheme not in ("http", "https"):
        raise ConfigError("SMS_URL must be an http(s) URL")
    wecom_app = [s.wecom_corp_id, s.wecom_secret]
    if any(wecom_app) and not all(wecom_app):
        raise ConfigError("WECOM_CORP_ID and WECOM_SECRET must be set together")
    if s.wecom_app_enabled and s.wecom_agent_id is None:
        raise ConfigError("WECOM_AGENT_ID is needed when WECOM_CORP_ID and WECOM_SECRET are set")
