"""Small statistics the reports need: continuous percentiles (as PostgreSQL's percentile_cont) and the
Wilson score interval. A dozen lines each, so no numeric library is pulled in for them."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th (0..1) percentile with linear interpolation between ranks, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def wilson(failures: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval (low, high) of the proportion failures / n; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = failures / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(part: int, whole: int) -> float | None:
    """part / whole, None when whole is 0."""
    return part / whole if whole else None


def round_or_none(value: float | None, digits: int = 1) -> float | None:
    """Rounded, keeping None."""
    return None if value is None else round(value, digits)
