"""Estimate the hour / weekday volatility profile from fixed-length open/close windows (pure; the
file handling lives in ``scripts/build_vol_profile.py``).

For each window ``r = ln(close / open)``. With ``MS = mean(r**2)`` over all windows and ``MS_h`` over
the windows starting in UTC hour ``h``::

    hour_multiplier[h] = sqrt(MS_h / MS)          (same for weekdays)
    sigma_per_sqrt_s   = sqrt(MS / interval_s)

RMS rather than standard deviation: over 5 minutes the mean return (~1e-5) is noise next to the
RMS (~1.4e-3), and a driftless model is what the fair value uses. Because
``sum_h n_h * MS_h = N * MS``, the count-weighted mean of the squared multipliers is exactly 1
(up to the rounding to ``decimals`` places). Sums use ``math.fsum`` over time-sorted input, so
the result does not depend on the input's row order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .vol_profile import PROFILE_VERSION

__all__ = ["estimate_profile"]


def _iso(ts_s: int) -> str:
    return datetime.fromtimestamp(ts_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def estimate_profile(
    windows: Iterable[tuple[int, float, float]],
    *,
    interval_s: int,
    decimals: int = 6,
) -> dict[str, Any]:
    """Profile dict (the JSON body minus provenance fields) from ``(start_ts_s, open, close)``.

    Windows with a non-positive or non-finite price, or a start time already seen, are skipped
    and counted (``skipped``). An hour or weekday with no windows gets multiplier 1.0 and count 0.
    Raises ``ValueError`` when nothing usable remains or every return is zero.
    """
    if interval_s <= 0:
        raise ValueError(f"interval_s must be positive, got {interval_s!r}")
    rows = sorted(windows, key=lambda w: w[0])
    seen: set[int] = set()
    kept: list[tuple[int, float]] = []
    skipped = 0
    for ts, o, c in rows:
        if not (0.0 < o < math.inf and 0.0 < c < math.inf) or ts in seen:
            skipped += 1
            continue
        seen.add(ts)
        kept.append((ts, math.log(c / o)))
    if not kept:
        raise ValueError("no usable windows")
    n = len(kept)
    sq = [r * r for _, r in kept]
    ms = math.fsum(sq) / n
    if ms == 0.0:
        raise ValueError("all returns are zero: volatility is undefined")
    hour_sq: list[list[float]] = [[] for _ in range(24)]
    day_sq: list[list[float]] = [[] for _ in range(7)]
    for (ts, _), r2 in zip(kept, sq, strict=True):
        hour_sq[ts // 3600 % 24].append(r2)
        day_sq[(ts // 86400 + 3) % 7].append(r2)  # 1970-01-01 was a Thursday (Monday = 0)

    def mult(bucket: list[float]) -> float:
        return round(math.sqrt(math.fsum(bucket) / len(bucket) / ms), decimals) if bucket else 1.0

    fourth = math.fsum(x * x for x in sq) / n
    return {
        "version": PROFILE_VERSION,
        "rows": n,
        "skipped": skipped,
        "interval_s": interval_s,
        "date_range": [_iso(kept[0][0]), _iso(kept[-1][0] + interval_s)],
        "estimator": "rms of ln(close/open) per bucket / overall rms; utc; weekday 0 = Monday",
        "sigma_per_sqrt_s": float(f"{math.sqrt(ms / interval_s):.6e}"),
        "rms_return": float(f"{math.sqrt(ms):.6e}"),
        "mean_return": float(f"{math.fsum(r for _, r in kept) / n:.6e}"),
        "kurtosis": round(fourth / (ms * ms), 3),
        "multiplier_decimals": decimals,
        "hour_multiplier": [mult(b) for b in hour_sq],
        "hour_count": [len(b) for b in hour_sq],
        "weekday_multiplier": [mult(b) for b in day_sq],
        "weekday_count": [len(b) for b in day_sq],
    }
