"""Settings read from the environment (and a `.env` file in the repo root), in one place.

Every variable of CONTRACT §2 and every further knob lives here: one typed, frozen `Settings` with a
nested section per feature (`settings.bot`, `settings.devices`, …). Each field names its environment
variable, default, kind and meaning; `from_env` reads and checks them all at start-up, and a malformed
value raises `ConfigError` naming the variable, so start-up stops with one clear line instead of a
traceback deep inside a request. `python config.py` prints README's configuration table.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from dataclasses import replace as dc_replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """A configuration variable is missing or malformed."""


def _scheme_is(*schemes: str) -> Callable[[str], bool]:
    return lambda v: urlparse(v).scheme in schemes and bool(urlparse(v).netloc)


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _is_rate(value: str) -> bool:
    from limits import parse  # Flask-Limiter's own parser; imported only when a rate is checked

    try:
        parse(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Kind:
    """How a variable's text becomes a value, and what a good value is (`want` completes "must be …")."""

    want: str
    parse: Callable[[str], Any] = str
    ok: Callable[[Any], bool] = lambda v: True


TEXT = Kind("text")
WHOLE = Kind("a whole number, e.g. 1000002", int)
COUNT = Kind("a whole number greater than zero", int, lambda v: v > 0)
SECONDS = Kind("a number of seconds greater than zero", float, lambda v: v > 0)
MINUTES = Kind("a number of minutes greater than zero", float, lambda v: v > 0)
HOURS = Kind("a number of hours greater than zero", float, lambda v: v > 0)
PORT = Kind("a port number from 1 to 65535", int, lambda v: 0 < v < 65536)
HTTP_URL = Kind("an http:// or https:// URL", str, _scheme_is("http", "https"))
WS_URL = Kind("a ws:// or wss:// URL", str, _scheme_is("ws", "wss"))
CLOCK = Kind("a time of day as HH:MM, e.g. 08:00", str, lambda v: bool(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v)))
RATE = Kind("a rate limit such as 30/minute", str, _is_rate)
FLAG = Kind("on or off: 1/0, true/false, yes/no, on/off", _flag)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


ZONE = Kind("a known time zone such as Asia/Shanghai", str, _is_zone)
AES_KEY = Kind("the 43-character EncodingAESKey", str, lambda v: len(v) == 43)


def knob(env: str, default: Any, meaning: str, kind: Kind = TEXT, shown: str | None = None) -> Any:
    """A settings field read from variable `env`; `shown` is the default as README tells it."""
    return field(default=default, metadata={"env": env, "meaning": meaning, "kind": kind, "shown": shown})


@dataclass(frozen=True)
class BotSettings:
    """The WeCom intelligent robot's long connection."""

    ws_url: str = knob("WECOM_BOT_WS_URL", "wss://openws.work.weixin.qq.com",
                       "WebSocket endpoint of the robot's long connection", WS_URL)
    ping_interval: float = knob("WECOM_BOT_PING_INTERVAL", 30, "seconds between heartbeats on the long connection",
                                SECONDS)


@dataclass(frozen=True)
class DeviceSettings:
    """The MQTT client of scanners and sensors."""

    client_id: str = knob("MQTT_CLIENT_ID", "", "our MQTT client id (at most 64 characters are used)",
                          shown="`order-hub-<hostname>`")
    session_expiry: int = knob("MQTT_SESSION_EXPIRY", 7 * 24 * 3600,
                               "seconds the broker keeps our session while we are away", COUNT)
    reconnect_max_delay: int = knob("MQTT_RECONNECT_MAX_DELAY", 60, "upper bound in seconds of the reconnect backoff",
                                    COUNT)
    keepalive: int = knob("MQTT_KEEPALIVE", 30, "MQTT keepalive in seconds",
                          Kind("a whole number of seconds, 5 or more", int, lambda v: v >= 5))
    reading_fresh_minutes: float = knob("DEVICE_READING_FRESH_MINUTES", 10,
                                        "older sensor readings are recorded as missing, not guessed", MINUTES)
    silence_minutes: float = knob("DEVICE_SILENCE_MINUTES", 15, "no message for this long raises an offline alert",
                                  MINUTES)

    @property
    def mqtt_client_id(self) -> str:
        """The client id sent to the broker."""
        import socket

        return (self.client_id or f"order-hub-{socket.gethostname()}")[:64]

    @property
    def reading_fresh(self) -> timedelta:
        return timedelta(minutes=self.reading_fresh_minutes)

    @property
    def silence(self) -> timedelta:
        return timedelta(minutes=self.silence_minutes)


@dataclass(frozen=True)
class LogisticsSettings:
    """Kuaidi100, shipping notices and the customer tracking page."""

    kuaidi100_salt: str | None = knob("KUAIDI100_SALT", None, "salt that signs Kuaidi100 pushes",
                                      shown="unset: pushes are refused")
    kuaidi100_key: str | None = knob("KUAIDI100_KEY", None, "Kuaidi100 key; with the salt, shipped waybills are subscribed",
                                     shown="unset: no subscription")
    kuaidi100_api_base: str = knob("KUAIDI100_API_BASE", "https://poll.kuaidi100.com", "base of Kuaidi100's API",
                                   HTTP_URL)
    company_name: str | None = knob("OPS_COMPANY_NAME", None, "company name on notices and the tracking page",
                                    shown="unset: the demo company's name")
    tracking_rate_limit: str = knob("TRACKING_RATE_LIMIT", "30/minute", "per-IP limit of the tracking page `/t/…`",
                                    RATE)
    tracking_token_days: int = knob("TRACKING_TOKEN_DAYS", 180, "lifetime of a customer tracking link in days", COUNT)
    notice_dir: str = knob("OPS_NOTICE_DIR", str(INSTANCE / "notices"), "folder of the shipping-notice images",
                           shown="`instance/notices`")


@dataclass(frozen=True)
class NotifySettings:
    """Outgoing notifications."""

    cjk_font: str | None = knob("OPS_CJK_FONT", None, "font file that draws Chinese on notice images",
                                shown="unset: Noto Sans SC of `pylopdf-fonts-zh-cn`, then system fonts")
    outbox_lease_seconds: float = knob("OUTBOX_LEASE_SECONDS", 120,
                                       "how long a claimed notification stays one worker's before another may take it",
                                       SECONDS)
    groupsend_remind_hours: float = knob("GROUPSEND_REMIND_HOURS", 4,
                                         "a customer-group send not confirmed by its group owner after this long "
                                         "reminds the owner", HOURS)
    groupsend_escalate_hours: float = knob("GROUPSEND_ESCALATE_HOURS", 8,
                                           "still not confirmed after this long: the owner's manager is told", HOURS)
    wecom_cards: bool = knob("WECOM_CARDS", False, "send alerts and next steps as WeCom template cards with buttons "
                             "(确认收到 / 去处理 / 审核通过); needs the app callback (WECOM_TOKEN, WECOM_AES_KEY)", FLAG,
                             shown="off: plain text")


@dataclass(frozen=True)
class AlertSettings:
    """The alert sweep."""

    sweep_budget_seconds: float = knob("ALERT_SWEEP_BUDGET_SECONDS", 40,
                                       "a sweep takes no new batch after this long (RQ's job timeout is 180 s)",
                                       Kind("a number of seconds, 0 or more", float, lambda v: v >= 0))


@dataclass(frozen=True)
class PlanningSettings:
    """Working hours and line capacity, until the admin sets them in the database."""

    shift_start: str = knob("OPS_SHIFT_START", "08:00", "shift start when the admin has set none", CLOCK)
    shift_end: str = knob("OPS_SHIFT_END", "17:30", "shift end when the admin has set none", CLOCK)
    line_day_hours: float = knob("OPS_LINE_DAY_HOURS", 24.0, "standard hours a production line can do per working "
                                 "day when its row under 产线与产能 in the admin sets none (scheduling and the "
                                 "planning board's load in % of capacity)", HOURS)


@dataclass(frozen=True)
class DataSettings:
    """Order import from the ERP and the nightly export."""

    import_window_days: int = knob("IMPORT_WINDOW_DAYS", 90, "`ops import-orders` skips rows whose order date is "
                                   "older than this many days", COUNT)
    export_dir: str = knob("EXPORT_DIR", "", "folder of the nightly order export (xlsx)",
                           shown="unset: `instance/exports`")
    export_keep_days: int = knob("EXPORT_KEEP_DAYS", 30, "nightly export files older than this many days are "
                                 "deleted", COUNT)
    export_at: str = knob("EXPORT_AT", "02:30", "time of day (business time zone) of the nightly export", CLOCK)


@dataclass(frozen=True)
class WebSettings:
    """Web logins and the reverse proxy in front of `ops serve`."""

    trusted_proxy_hops: int = knob("TRUSTED_PROXY_HOPS", 0,
                                   "reverse proxies in front of the server whose X-Forwarded-For/-Proto are trusted",
                                   Kind("a whole number, 0 or more", int, lambda v: v >= 0))
    session_idle_minutes: float = knob("SESSION_IDLE_MINUTES", 720,
                                       "a web login unused for this long must sign in again", MINUTES)
    login_rate_account: str = knob("LOGIN_RATE_ACCOUNT", "5/minute;20/hour", "failed sign-ins allowed per account",
                                   RATE)
    login_rate_ip: str = knob("LOGIN_RATE_IP", "20/minute;100/hour", "failed sign-ins allowed per client address",
                              RATE)
    metrics_allow: str = knob("METRICS_ALLOW", "127.0.0.1,::1",
                              "client addresses or networks (comma-separated) that may read `/metrics`; others get 404",
                              Kind("addresses or networks such as 127.0.0.1,10.0.0.0/8 (or empty)", str,
                                   lambda v: _networks(v) is not None))
    metrics_token: str | None = knob("METRICS_TOKEN", None,
                                     "bearer token that also opens `/metrics` from any address (a wrong one: 403)",
                                     Kind("a token of at least 16 characters", str, lambda v: len(v) >= 16),
                                     shown="unset: addresses only")
    wecom_oauth_base: str = knob("WECOM_OAUTH_BASE", "https://open.weixin.qq.com",
                                 "base of WeCom's OAuth2 authorize page (sign-in inside WeCom), so a local server can "
                                 "stand in", HTTP_URL)

    @property
    def metrics_networks(self) -> list:
        """METRICS_ALLOW as ip_network objects."""
        return _networks(self.metrics_allow) or []


def _networks(value: str) -> list | None:
    """Comma-separated addresses/networks as ip_network objects; None when one is malformed."""
    import ipaddress

    try:
        return [ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]
    except ValueError:
        return None


@dataclass(frozen=True)
class ShopSettings:
    """The customers' private ordering links `/s/…`."""

    rate_link: str = knob("SHOP_RATE_LINK", "60/minute;600/day", "requests allowed per ordering link", RATE)
    rate_ip: str = knob("SHOP_RATE_IP", "120/minute", "requests allowed per client address on ordering links", RATE)
    submit_rate_link: str = knob("SHOP_SUBMIT_RATE_LINK", "20/hour;60/day", "order submissions allowed per "
                                 "ordering link", RATE)
    attachment_max_bytes: int = knob("SHOP_ATTACHMENT_MAX_BYTES", 10 << 20, "largest drawing/photo a customer may "
                                     "attach (bytes)", COUNT)
    files_dir: str = knob("SHOP_FILES_DIR", str(INSTANCE / "shop"), "folder of customers' attachments and "
                          "ordering-link QR cards (never served as static files)", shown="`instance/shop`")
    lead_days: int = knob("SHOP_LEAD_DAYS", 7, "fewest working days from today to the earliest date offered to "
                          "customers (later when scheduling now would finish later; the customer's delivery "
                          "buffer is added)", Kind("a whole number, 0 or more", int,
                                                                            lambda v: v >= 0))
    max_lines: int = knob("SHOP_MAX_LINES", 20, "products one ordering-form submission may carry", COUNT)


SECTIONS = {"bot": BotSettings, "devices": DeviceSettings, "logistics": LogisticsSettings,
            "notify": NotifySettings, "alerts": AlertSettings, "planning": PlanningSettings, "data": DataSettings,
            "web": WebSettings, "shop": ShopSettings}
_OFF_APP, _OFF_BOT = "unset: WeCom app off", "unset: robot off"


def link_host(host: str) -> str:
    """The host of a defaulted PUBLIC_BASE_URL: HOST itself, but for a wildcard (`0.0.0.0`, `::`), which a
    link cannot open, this machine's address on the interface its outgoing traffic takes (a UDP connect
    picks it and sends nothing); HOST unchanged when there is no route (the start notice then warns)."""
    try:
        wildcard = ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host
    if not wildcard:
        return host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere, only a route is looked up
            return probe.getsockname()[0]
    except OSError:
        return host


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one running Order Hub."""

    database_url: str = knob("DATABASE_URL", f"sqlite:///{INSTANCE / 'ops.db'}",
                             "SQLAlchemy URL (`postgresql+psycopg://user@host/db` in production)",
                             Kind("an SQLAlchemy URL such as sqlite:///ops.db", str, lambda v: "://" in v), shown="`sqlite:///instance/ops.db`")
    redis_url: str | None = knob("REDIS_URL", None, "Redis for RQ, caches, pub/sub",
                                 Kind("a URL such as redis://host:6379/0", str, _scheme_is("redis", "rediss", "unix")),
                                 shown="unset: embedded in-process Redis (single process only)")
    secret_key: str = knob("SECRET_KEY", "", "sessions and signed links",
                           shown="generated once, kept in `instance/secret_key`")
    host: str = knob("HOST", "127.0.0.1", "where `ops run` and `ops serve` listen")
    port: int = knob("PORT", 5000, "where `ops run` and `ops serve` listen", PORT)
    public_base_url: str = knob("PUBLIC_BASE_URL", "", "base of links in QR codes and messages", HTTP_URL,
                                shown="`http://<HOST>:<PORT>`; with HOST `0.0.0.0` this machine's LAN address")
    timezone: str = knob("OPS_TIMEZONE", "Asia/Shanghai", "business time zone", ZONE)
    wecom_corp_id: str | None = knob("WECOM_CORP_ID", None, "WeCom self-built app: corp id", shown=_OFF_APP)
    wecom_agent_id: int | None = knob("WECOM_AGENT_ID", None, "WeCom self-built app: agent id", WHOLE, shown=_OFF_APP)
    wecom_secret: str | None = knob("WECOM_SECRET", None, "WeCom self-built app: secret", shown=_OFF_APP)
    wecom_token: str | None = knob("WECOM_TOKEN", None, "WeCom self-built app: callback token", shown=_OFF_APP)
    wecom_aes_key: str | None = knob("WECOM_AES_KEY", None, "WeCom self-built app: callback EncodingAESKey",
                                     AES_KEY, shown=_OFF_APP)
    wecom_bot_id: str | None = knob("WECOM_BOT_ID", None, "WeCom intelligent robot: long-connection id",
                                    shown=_OFF_BOT)
    wecom_bot_secret: str | None = knob("WECOM_BOT_SECRET", None, "WeCom intelligent robot: long-connection secret",
                                        shown=_OFF_BOT)
    wecom_bot_token: str | None = knob("WECOM_BOT_TOKEN", None, "WeCom intelligent robot: callback token",
                                       shown=_OFF_BOT)
    wecom_bot_aes_key: str | None = knob("WECOM_BOT_AES_KEY", None, "WeCom intelligent robot: callback EncodingAESKey",
                                         AES_KEY, shown=_OFF_BOT)
    wecom_bot_mode: str = knob("WECOM_BOT_MODE", "callback", "`callback` (HTTP) or `longconn` (WebSocket)",
                               Kind("callback or longconn", str, lambda v: v in ("callback", "longconn")))
    wecom_api_base: str = knob("WECOM_API_BASE", "https://qyapi.weixin.qq.com", "base of every WeCom API call",
                               HTTP_URL)
    bridge_secret: str | None = knob("BRIDGE_SECRET", None, "HMAC key of `/bridge/messages` and `/bridge/outbox`",
                                     shown="unset: bridge off")
    mqtt_url: str | None = knob("MQTT_URL", None, "broker of scanners and sensors, e.g. `mqtt://127.0.0.1:1883`",
                                Kind("a URL such as mqtt://127.0.0.1:1883", str, _scheme_is("mqtt", "mqtts", "tcp")), shown="unset: devices off")
    smtp_url: str | None = knob("SMTP_URL", None, "outgoing mail, `smtp://user:pass@host:25` (STARTTLS when "
                                "offered) or `smtps://`",
                                Kind("a URL such as smtp://user:pass@host:25", str, _scheme_is("smtp", "smtps")), shown="unset: email off")
    mail_from: str | None = knob("MAIL_FROM", None, "sender address of outgoing mail", shown="unset: email off")
    sms_url: str | None = knob("SMS_URL", None, "HTTP SMS gateway (below)", HTTP_URL, shown="unset: SMS off")
    bot: BotSettings = field(default_factory=BotSettings)
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    logistics: LogisticsSettings = field(default_factory=LogisticsSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    planning: PlanningSettings = field(default_factory=PlanningSettings)
    data: DataSettings = field(default_factory=DataSettings)
    web: WebSettings = field(default_factory=WebSettings)
    shop: ShopSettings = field(default_factory=ShopSettings)
    # Not variables: knobs for tests and in-process runs.
    run_jobs_inline: bool = False
    start_background: bool = False
    # True when PUBLIC_BASE_URL was unset and follows HOST and PORT.
    public_base_url_defaulted: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        if not self.public_base_url:
            object.__setattr__(self, "public_base_url", f"http://{link_host(self.host)}:{self.port}")
            object.__setattr__(self, "public_base_url_defaulted", True)

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
        """A copy with some values changed; a section takes a dict of its fields (`alerts={...}`)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        if self.public_base_url_defaulted:
            values["public_base_url"] = ""  # keeps following HOST and PORT
        for name, value in changes.items():
            if name in SECTIONS and isinstance(value, dict):
                value = dc_replace(values[name], **value)
            values[name] = value
        return Settings(**values)


def knobs(cls: type = Settings, prefix: str = "") -> list[tuple[str, Any]]:
    """Every variable-backed field as (dotted path, dataclass field), sections included."""
    found = []
    for f in fields(cls):
        if "env" in f.metadata:
            found.append((prefix + f.name, f))
        elif f.name in SECTIONS:
            found += knobs(SECTIONS[f.name], f"{f.name}.")
    return found


ENV_NAMES = {path: f.metadata["env"] for path, f in knobs()}


def load_dotenv_file(path: Path = ROOT / ".env") -> None:
    """Read `.env` without overriding variables already set in the environment."""
    if path.exists():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def env_value(name: str, path: Path = ROOT / ".env") -> str | None:
    """One variable from the environment, else `.env`, without building Settings (for `python -m nlu`)."""
    value = (os.environ.get(name) or "").strip()
    if not value and path.is_file():
        from dotenv import dotenv_values

        value = (dotenv_values(path).get(name) or "").strip()
    return value or None


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


def _parse(f, raw: str) -> Any:
    kind: Kind = f.metadata["kind"]
    try:
        return kind.parse(raw)
    except ValueError:
        raise ConfigError(f"{f.metadata['env']} must be {kind.want}, got {raw!r}") from None


def from_env(env: dict | None = None, instance: Path = INSTANCE) -> Settings:
    """Build Settings from environment variables, validating each one."""
    if env is None:
        load_dotenv_file()
        env = dict(os.environ)
    top: dict = {}
    sections: dict[str, dict] = {name: {} for name in SECTIONS}
    for path, f in knobs():
        raw = (env.get(f.metadata["env"]) or "").strip()
        if raw:
            section, _, name = path.rpartition(".")
            (sections[section] if section else top)[name] = _parse(f, raw)
    top.setdefault("secret_key", _secret_key(instance))
    settings = Settings(**top, **{name: SECTIONS[name](**values) for name, values in sections.items()})
    validate(settings)
    return settings


def _passes(kind: Kind, value: Any) -> bool:
    try:
        return bool(kind.ok(value))
    except (TypeError, ValueError):  # an override of the wrong type, e.g. "7" for a number
        return False


def validate(s: Settings) -> None:
    """Raise ConfigError naming the first variable that is malformed or missing."""
    for path, f in knobs():
        section, _, name = path.rpartition(".")
        value = getattr(getattr(s, section) if section else s, name)
        kind: Kind = f.metadata["kind"]
        if value not in (None, "") and not _passes(kind, value):
            raise ConfigError(f"{f.metadata['env']} must be {kind.want}, got {value!r}")
    if s.smtp_url and not s.mail_from:
        raise ConfigError("MAIL_FROM is needed when SMTP_URL is set")
    if bool(s.wecom_corp_id) != bool(s.wecom_secret):
        raise ConfigError("WECOM_CORP_ID and WECOM_SECRET must be set together")
    if s.wecom_app_enabled and s.wecom_agent_id is None:
        raise ConfigError("WECOM_AGENT_ID is needed when WECOM_CORP_ID and WECOM_SECRET are set")
    if s.notify.wecom_cards and not (s.wecom_app_enabled and s.wecom_callback_enabled):
        # WeCom refuses cards with buttons from an app without a callback, and the clicks would have nowhere to go
        raise ConfigError("WECOM_CARDS needs the WeCom app and its callback: WECOM_CORP_ID, WECOM_SECRET, "
                          "WECOM_AGENT_ID, WECOM_TOKEN and WECOM_AES_KEY")


def markdown_table() -> str:
    """README's configuration table, one row per variable, in declaration order."""
    rows = ["| variable | setting | meaning | default |", "| --- | --- | --- | --- |"]
    for path, f in knobs():
        shown = f.metadata["shown"] or f"`{f.default}`"
        rows.append(f"| `{f.metadata['env']}` | `{path}` | {f.metadata['meaning']} | {shown} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
