"""Knobs of the device feature, with their defaults.

config.Settings has no fields for these yet, so they are read from `Settings.extra`
(tests, create_app overrides) and then from the environment.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from config import ConfigError, Settings

DEFAULTS = {
    "mqtt_client_id": "",  # "" -> order-hub-<hostname>
    "mqtt_session_expiry": 7 * 24 * 3600,  # seconds the broker keeps our session while we are away
    "mqtt_reconnect_max_delay": 60,  # seconds, upper bound of the reconnect backoff
    "mqtt_keepalive": 30,
    "device_reading_fresh_minutes": 10,  # older readings are recorded as missing, not guessed
    "device_silence_minutes": 15,  # no message for this long -> offline alert
}

ENV_NAMES = {
    "mqtt_client_id": "MQTT_CLIENT_ID",
    "mqtt_session_expiry": "MQTT_SESSION_EXPIRY",
    "mqtt_reconnect_max_delay": "MQTT_RECONNECT_MAX_DELAY",
    "mqtt_keepalive": "MQTT_KEEPALIVE",
    "device_reading_fresh_minutes": "DEVICE_READING_FRESH_MINUTES",
    "device_silence_minutes": "DEVICE_SILENCE_MINUTES",
}


@dataclass(frozen=True)
class DeviceSettings:
    """The device knobs of one running Order Hub."""

    client_id: str
    session_expiry: int
    reconnect_max_delay: int
    keepalive: int
    reading_fresh: timedelta
    silence: timedelta


def _value(settings: Settings, name: str):
    if name in settings.extra:
        return settings.extra[name]
    raw = (os.environ.get(ENV_NAMES[name]) or "").strip()
    return raw if raw else DEFAULTS[name]


def _number(settings: Settings, name: str) -> float:
    value = _value(settings, name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{ENV_NAMES[name]} must be a number, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{ENV_NAMES[name]} must be greater than zero")
    return number


def device_settings(settings: Settings) -> DeviceSettings:
    """Read and check the device knobs; raises ConfigError naming the variable."""
    client_id = str(_value(settings, "mqtt_client_id") or f"order-hub-{socket.gethostname()}")
    return DeviceSettings(
        client_id=client_id[:64],
        session_expiry=int(_number(settings, "mqtt_session_expiry")),
        reconnect_max_delay=max(1, int(_number(settings, "mqtt_reconnect_max_delay"))),
        keepalive=max(5, int(_number(settings, "mqtt_keepalive"))),
        reading_fresh=timedelta(minutes=_number(settings, "device_reading_fresh_minutes")),
        silence=timedelta(minutes=_number(settings, "device_silence_minutes")),
    )
