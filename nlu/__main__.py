"""`python -m nlu`: JSON lines in, one JSON line out per input line, same order."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, BinaryIO, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config import env_value

from .parser import parse
from .result import ParseResult

DEFAULT_TIMEZONE = "Asia/Shanghai"


def business_timezone() -> ZoneInfo:
    """The zone of OPS_TIMEZONE (environment, then .env), Asia/Shanghai when unset or unknown."""
    name = env_value("OPS_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        print(
            f"nlu: OPS_TIMEZONE={name!r} is not a known time zone, using {DEFAULT_TIMEZONE}", file=sys.stderr
        )
        return ZoneInfo(DEFAULT_TIMEZONE)


def _now(value: Any, zone: ZoneInfo) -> datetime:
    """The request's `now`, or the current time in the business zone when absent."""
    if value in (None, ""):
        return datetime.now(zone)
    if not isinstance(value, str):
        raise ValueError("now must be an ISO 8601 string")
    now = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return now if now.tzinfo else now.replace(tzinfo=zone)


def parse_line(raw: str, zone: ZoneInfo) -> dict[str, Any]:
    """Parse one input line; a malformed line answers intent none with empty fields."""
    try:
        request = json.loads(raw)
        if not isinstance(request, dict) or not isinstance(request.get("text"), str):
            raise ValueError("a line must be a JSON object with a string `text`")
        aliases = request.get("aliases") or {}
        result = parse(
            request["text"],
            _now(request.get("now"), zone),
            open_orders=[str(o) for o in request.get("open_orders") or []],
            aliases={str(k): str(v) for k, v in aliases.items()} if isinstance(aliases, dict) else {},
            processes=[str(p) for p in request.get("processes") or []],
        )
    except Exception as exc:  # noqa: BLE001 - one bad line must never stop the filter
        print(f"nlu: bad input line ({type(exc).__name__}: {exc})", file=sys.stderr)
        result = ParseResult()
    return result.to_contract_dict()


def run(stdin: BinaryIO, stdout: TextIO) -> int:
    """Copy stdin to stdout line by line, parsed."""
    zone = business_timezone()
    for raw in stdin:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        stdout.write(json.dumps(parse_line(line, zone), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def main() -> int:
    """Entry point of `python -m nlu`."""
    out = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    return run(sys.stdin.buffer, out)


if __name__ == "__main__":
    sys.exit(main())
