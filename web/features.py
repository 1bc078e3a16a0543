"""Optional parts of other packages that some panels use, detected once when the app starts.

Each entry is the imported callable or class, or None when that package has not landed; pages
render the panel only when its entry is present.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from flask import Flask, current_app

log = logging.getLogger(__name__)


def _attr(module: str, name: str):
    """`module.name`, or None when either is missing (or the module fails to import)."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    except Exception:  # a half-written module of another package must not break the admin
        log.warning("optional module %s failed to import", module, exc_info=True)
        return None
    return getattr(mod, name, None)


@dataclass(frozen=True)
class Features:
    """What other packages offer the admin right now."""

    alert_banner: object = None  # alerts.queries.banner(session) -> {"counts": {...}, "latest": [...]}
    alert_model: object = None  # alerts.models.Alert
    alert_rule_model: object = None  # alerts.models.AlertRule
    workcal_calendar: object = None  # workcal.service.calendar_for(session, settings) -> Calendar
    holiday_model: object = None  # workcal.models.HolidayOverride
    inbound_model: object = None  # bot.models.InboundMessage
    notification_log: object = None  # notify.queries.notification_log(session, ...)
    notification_resend: object = None  # notify.queries.resend(runtime or session, id)
    tracking_current: object = None  # logistics.tokens.current_token(session, order_id)
    tracking_issue: object = None  # logistics.tokens.issue_token(session, order_id) -> (raw, row)
    tracking_revoke: object = None  # logistics.tokens.revoke_for_order(session, order_id)
    tracking_public_url: object = None  # logistics.tokens.public_url(runtime, raw_token)
    dead_letter_model: object = None  # devices: scans that could not be applied


def detect() -> Features:
    """Look for each optional part once."""
    return Features(
        alert_banner=_attr("alerts.queries", "banner"),
        alert_model=_attr("alerts.models", "Alert"),
        alert_rule_model=_attr("alerts.models", "AlertRule"),
        workcal_calendar=_attr("workcal.service", "calendar_for"),
        holiday_model=_attr("workcal.models", "HolidayOverride"),
        inbound_model=_attr("bot.models", "InboundMessage"),
        notification_log=_attr("notify.queries", "notification_log"),
        notification_resend=_attr("notify.queries", "resend"),
        tracking_current=_attr("logistics.tokens", "current_token"),
        tracking_issue=_attr("logistics.tokens", "issue_token"),
        tracking_revoke=_attr("logistics.tokens", "revoke_for_order"),
        tracking_public_url=_attr("logistics.tokens", "public_url"),
        dead_letter_model=_attr("devices.models", "DeadLetter"),
    )


def init_features(app: Flask) -> Features:
    """Detect once per app and keep the result on it."""
    found = detect()
    app.extensions["web_features"] = found
    missing = [k for k, v in found.__dict__.items() if v is None]
    if missing:
        log.info("admin panels waiting for other packages: %s", ", ".join(missing))
    return found


def features() -> Features:
    """The optional parts detected for the app in context."""
    return current_app.extensions.get("web_features") or Features()
