"""Topics and JSON payloads of scanners and sensors, parsed and checked (pure, no I/O)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devices import texts
from devices.exceptions import BadPayload

SCAN_TOPIC = "ops/scan/+"
SENSOR_TOPIC = "ops/sensor/+"
STATUS_TOPIC = "ops/status/+"
HUB_STATUS_TOPIC = "ops/status/order-hub"
ACTIONS = ("stock_in", "ship", "report", "qc_pass", "qc_fail", "pickup", "receive")
# `receive` books goods against a purchase line instead of moving an order (CONTRACT §4).
LINE_ACTIONS = ("receive",)
QUANTITY_RANGE = (0.0, 1e9)
MAX_BYTES = 16 * 1024
# A device clock ahead of ours by more than this is not trusted: the receipt time is used.
CLOCK_SKEW = timedelta(minutes=2)
TEMPERATURE_RANGE = (-60.0, 150.0)
HUMIDITY_RANGE = (0.0, 100.0)


@dataclass(frozen=True)
class Scan:
    """One scan: who did what to which order, and when (device time, sanity-checked)."""

    event_id: str
    order_no: str
    action: str
    operator: str
    at: datetime
    process: str | None = None
    percent: float | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    reason: str | None = None
    po_no: str | None = None
    material: str | None = None
    quantity: float | None = None
    batch: str | None = None

    def fields(self) -> dict:
        """What the order move carries, plus the scan's own id and time for the record."""
        out = {"event_id": self.event_id, "scanned_at": self.at.isoformat()}
        for name in ("carrier", "tracking_no", "reason", "process", "percent", "po_no", "material", "quantity",
                     "batch"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True)
class Reading:
    """One temperature/humidity reading and when it was measured."""

    temperature: float
    humidity: float
    at: datetime


def clean(text: str) -> str:
    """Text safe to store anywhere: NUL and other control characters (PostgreSQL refuses NUL) shown escaped."""
    return "".join(c if c >= " " or c in "\n\t" else f"\\x{ord(c):02x}" for c in text)


def device_of(topic: str) -> str:
    """The device id of `ops/<kind>/<device_id>`; BadPayload for anything else."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != "ops" or not parts[2]:
        raise BadPayload(texts.BAD_TOPIC.format(topic=topic))
    return parts[2]


def load_object(text: str) -> dict:
    """The JSON object of a payload, or BadPayload."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise BadPayload(texts.TOO_LARGE.format(limit=MAX_BYTES))
    try:
        data = json.loads(text)
    except ValueError:
        raise BadPayload(texts.NOT_JSON) from None
    if not isinstance(data, dict):
        raise BadPayload(texts.NOT_OBJECT)
    return data


def _text(data: dict, name: str, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadPayload(texts.NOT_TEXT.format(field=name))
    return clean(str(value).strip())[:200]


def _number(data: dict, name: str, bounds: tuple[float, float]) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise BadPayload(texts.BAD_NUMBER.format(field=name)) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadPayload(texts.BAD_NUMBER.format(field=name))
    if not bounds[0] <= value <= bounds[1]:
        raise BadPayload(texts.OUT_OF_RANGE.format(field=name, value=value))
    return float(value)


def event_time(raw, *, received_at: datetime, tz: ZoneInfo) -> datetime:
    """When the device says it happened: ISO 8601 (naive = factory time) or Unix seconds/ms.

    Missing -> the receipt time. A time ahead of the receipt time is a wrong device clock
    (nothing is measured after it arrives): the receipt time is used instead.
    """
    if raw is None or raw == "":
        return received_at
    try:
        if isinstance(raw, bool):
            raise ValueError
        if isinstance(raw, int | float):
            seconds = raw / 1000 if raw > 1e11 else raw
            at = datetime.fromtimestamp(seconds, UTC)
        else:
            at = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
            if at.tzinfo is None:
                at = at.replace(tzinfo=tz)
    except (ValueError, OverflowError, OSError):
        raise BadPayload(texts.BAD_TS.format(value=str(raw)[:60])) from None
    at = at.astimezone(UTC)
    return received_at if at > received_at + CLOCK_SKEW else min(at, received_at)


def parse_scan(text: str, *, received_at: datetime, tz: ZoneInfo) -> Scan:
    """A Scan from an `ops/scan/<device_id>` payload, or BadPayload with the reason."""
    data = load_object(text)
    line_action = str(data.get("action") or "").strip().lower() in LINE_ACTIONS
    required = ("event_id", "action", "operator") if line_action else ("event_id", "order_no", "action", "operator")
    values = {name: _text(data, name) for name in required}
    missing = [name for name in required if not values[name]]
    if missing:
        raise BadPayload(texts.MISSING_FIELDS.format(fields="、".join(missing)))
    action = values["action"].lower()
    if action not in ACTIONS:
        raise BadPayload(texts.UNKNOWN_ACTION.format(action=values["action"], allowed="、".join(ACTIONS)))
    try:
        percent = _number(data, "percent", (0.0, 100.0))
    except BadPayload:
        raise BadPayload(texts.BAD_PERCENT) from None
    if line_action:
        return _line_scan(data, values, action, received_at, tz)
    scan = Scan(
        event_id=values["event_id"], order_no=values["order_no"].upper(), action=action,
        operator=values["operator"], at=event_time(data.get("ts"), received_at=received_at, tz=tz),
        process=_text(data, "process"), percent=percent, carrier=_text(data, "carrier"),
        tracking_no=_text(data, "tracking_no"), reason=_text(data, "reason"),
    )
    if action == "report" and (scan.process is None or scan.percent is None):
        missing = [n for n in ("process", "percent") if getattr(scan, n) is None]
        raise BadPayload(texts.MISSING_FIELDS.format(fields="、".join(missing)))
    return scan


def _line_scan(data: dict, values: dict, action: str, received_at: datetime, tz: ZoneInfo) -> Scan:
    """A purchase-line scan (`receive`): po_no, material and quantity instead of an order number."""
    quantity = _number(data, "quantity", QUANTITY_RANGE)
    scan = Scan(event_id=values["event_id"], order_no="", action=action, operator=values["operator"],
                at=event_time(data.get("ts"), received_at=received_at, tz=tz), po_no=_text(data, "po_no"),
                material=_text(data, "material"), quantity=quantity, batch=_text(data, "batch"))
    missing = [n for n in ("po_no", "material", "quantity") if not getattr(scan, n)]
    if missing:
        raise BadPayload(texts.MISSING_FIELDS.format(fields="、".join(missing)))
    return scan


def parse_reading(text: str, *, received_at: datetime, tz: ZoneInfo) -> Reading:
    """A Reading from an `ops/sensor/<device_id>` payload, or BadPayload with the reason."""
    data = load_object(text)
    temperature = _number(data, "temperature", TEMPERATURE_RANGE)
    humidity = _number(data, "humidity", HUMIDITY_RANGE)
    missing = [n for n, v in (("temperature", temperature), ("humidity", humidity)) if v is None]
    if missing:
        raise BadPayload(texts.MISSING_FIELDS.format(fields="、".join(missing)))
    return Reading(temperature, humidity, event_time(data.get("ts"), received_at=received_at, tz=tz))


def parse_presence(text: str) -> str | None:
    """'online' or 'offline' from a status payload (plain text or {"status": …}); None when empty."""
    value = text.strip()
    if not value:
        return None
    if value.startswith("{"):
        try:
            value = str(json.loads(value).get("status", ""))
        except (ValueError, AttributeError):
            raise BadPayload(texts.BAD_STATUS.format(value=text[:60])) from None
    value = value.strip().lower()
    if value not in ("online", "offline"):
        raise BadPayload(texts.BAD_STATUS.format(value=text[:60]))
    return value
