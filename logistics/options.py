"""Settings of logistics not (yet) in config.Settings: settings.extra first, then the environment.

Proposed environment variables (for the lead to move into config.py):
  KUAIDI100_SALT            salt of Kuaidi100 push signatures; unset: pushes are refused
  KUAIDI100_KEY             Kuaidi100 authorisation key; with the salt set, shipped waybills are subscribed
  KUAIDI100_API_BASE        base of Kuaidi100's API (default https://poll.kuaidi100.com), for a stand-in
  OPS_COMPANY_NAME          company name printed on notices and the tracking page
  TRACKING_RATE_LIMIT       per-IP limit of /t/<token>, Flask-Limiter syntax (default 30/minute)
  TRACKING_TOKEN_DAYS       lifetime of a customer tracking link in days (default 180)
  OPS_CJK_FONT              explicit CJK font file for notice images (see notify.fonts)
"""

from __future__ import annotations

import os
from pathlib import Path

import config as config_module
from core.runtime import Runtime
from notify.templates.notices import DEFAULT_COMPANY


def _get(rt: Runtime, key: str, env: str, default: str | None = None) -> str | None:
    value = rt.settings.extra.get(key)
    if value is None:
        value = os.environ.get(env) or None
    return default if value is None else str(value)


def kuaidi100_salt(rt: Runtime) -> str | None:
    return _get(rt, "kuaidi100_salt", "KUAIDI100_SALT")


def kuaidi100_key(rt: Runtime) -> str | None:
    return _get(rt, "kuaidi100_key", "KUAIDI100_KEY")


def kuaidi100_api_base(rt: Runtime) -> str:
    base = _get(rt, "kuaidi100_api_base", "KUAIDI100_API_BASE", "https://poll.kuaidi100.com")
    return (base or "https://poll.kuaidi100.com").rstrip("/")


def company_name(rt: Runtime) -> str:
    return _get(rt, "company_name", "OPS_COMPANY_NAME", DEFAULT_COMPANY) or DEFAULT_COMPANY


def tracking_rate_limit(rt: Runtime) -> str:
    return _get(rt, "tracking_rate_limit", "TRACKING_RATE_LIMIT", "30/minute") or "30/minute"


def token_ttl_days(rt: Runtime) -> int:
    value = _get(rt, "tracking_token_days", "TRACKING_TOKEN_DAYS", "180")
    try:
        return max(1, int(value or 180))
    except ValueError:
        return 180


def notice_dir(rt: Runtime) -> Path:
    """Where notice PNGs are written: settings.extra['notice_dir'] or instance/notices."""
    value = rt.settings.extra.get("notice_dir")
    return Path(value) if value else config_module.INSTANCE / "notices"


def cjk_font(rt: Runtime) -> str | None:
    return _get(rt, "cjk_font", "OPS_CJK_FONT")


def public_url(rt: Runtime, token: str) -> str:
    """The customer's tracking link for a raw token."""
    return f"{rt.settings.public_base_url.rstrip('/')}/t/{token}"
