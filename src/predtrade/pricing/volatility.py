"""Volatility of log returns per sqrt(second) from irregularly spaced reference ticks.

Estimator (both the streaming :class:`EwmaVol` and the batch :func:`realized_vol`): a ratio of
time-decayed sums::

    var = sum_i w_i * r_i**2 / sum_i w_i * dt_i,     w_i = 2 ** (-age_i / halflife)

where ``r_i`` is the log return between consecutive ticks and ``dt_i`` their spacing in seconds.
Under a Brownian log price, ``E[r_i**2] = var * dt_i``, so this is the EWMA of "squared log return
divided by dt", weighted by how much time each observation covers. Why this form rather than
``v += alpha * (r**2/dt - v)`` per tick: the two agree when ticks are dense, but the ratio form does
not blow up on two ticks a microsecond apart (it adds ``r**2``, not ``r**2 / 1e-6``), needs no
arbitrary initial value (before the prior decays it is plain realized variance), and a long gap
counts as one long observation instead of one noisy point with full weight.

Seasonality: pass ``seasonal`` (e.g. a :class:`~predtrade.pricing.vol_profile.VolProfile`) and each
squared return is divided by the profile's mean variance multiplier over its interval. The EWMA
then tracks the *deseasonalized* (base) level, and :meth:`EwmaVol.sigma_over` re-applies the
profile for the horizon being priced. Without this, a one-hour EWMA read at 14:00 UTC would
carry the quiet morning into the US open (and the hour multiplier applied on top would double
count whatever the EWMA had already absorbed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

__all__ = ["EwmaVol", "Seasonality", "realized_vol"]

_LN2 = math.log(2.0)
_INF = math.inf
_log, _exp = math.log, math.exp
_NS = 1e-9


class Seasonality(Protocol):
    def variance_multiplier(self, start_ns: int, end_ns: int) -> float:
        """Time-averaged variance multiplier (sigma multiplier squared) over [start, end]."""
        ...


class EwmaVol:
    """Streaming, time-decayed volatility estimate from ``(ts_ns, price)`` ticks.

    ``halflife_s``: how fast old returns lose weight; ``floor``: lower bound on every sigma this
    reports (a stale feed must not make the fair value overconfident); ``initial``: optional prior
    sigma, weighted like ``halflife_s / ln 2`` seconds of data (the steady-state decayed mass), so
    it fades with the same half-life. Without a prior, ``sigma`` is ``floor`` until the first
    return. Ticks with a non-positive or non-finite price (``bad_price``) or a timestamp not after
    the last accepted one (``bad_time``) are counted and ignored; state is unchanged.
    """

    __slots__ = (
        "_k",
        "_last_log",
        "_last_ts",
        "_seasonal",
        "_sum_dt",
        "_sum_r2",
        "bad_price",
        "bad_time",
        "count",
        "floor",
        "halflife_s",
    )

    def __init__(
        self,
        halflife_s: float,
        floor: float = 0.0,
        initial: float | None = None,
        *,
        seasonal: Seasonality | None = None,
    ) -> None:
        if not (0.0 < halflife_s < math.inf):
            raise ValueError(f"halflife_s must be positive and finite, got {halflife_s!r}")
        if not (0.0 <= floor < math.inf):
            raise ValueError(f"floor must be finite and >= 0, got {floor!r}")
        if initial is not None and not (0.0 <= initial < math.inf):
            raise ValueError(f"initial must be finite and >= 0, got {initial!r}")
        self.halflife_s = float(halflife_s)
        self.floor = float(floor)
        self._k = _LN2 / self.halflife_s * _NS  # decay rate per nanosecond
        self._seasonal = seasonal
        if initial is None:
            self._sum_dt = 0.0
            self._sum_r2 = 0.0
        else:
            mass = self.halflife_s / _LN2
            self._sum_dt = mass
            self._sum_r2 = initial * initial * mass
        self._last_ts: int | None = None
        self._last_log = 0.0
        self.count = 0  # returns folded in
        self.bad_price = 0
        self.bad_time = 0

    def update(self, ts_ns: int, price: float) -> bool:
        """Fold in one tick; returns False (and counts it) when the tick is ignored."""
        if not (0.0 < price < _INF):
            self.bad_price += 1
            return False
        last = self._last_ts
        if last is None:
            self._last_ts = ts_ns
            self._last_log = _log(price)
            return True
        if ts_ns <= last:
            self.bad_time += 1
            return False
        lp = _log(price)
        dt_ns = ts_ns - last
        r = lp - self._last_log
        r2 = r * r
        if self._seasonal is not None:
            r2 /= self._seasonal.variance_multiplier(last, ts_ns)
        decay = _exp(-self._k * dt_ns)
        self._sum_r2 = self._sum_r2 * decay + r2
        self._sum_dt = self._sum_dt * decay + dt_ns * _NS
        self.count += 1
        self._last_ts = ts_ns
        self._last_log = lp
        return True

    @property
    def ready(self) -> bool:
        """True once there is a prior or at least one return."""
        return self._sum_dt > 0.0

    @property
    def variance(self) -> float:
        """(Base) variance of log returns per second; 0.0 before any data."""
        return self._sum_r2 / self._sum_dt if self._sum_dt > 0.0 else 0.0

    @property
    def sigma(self) -> float:
        """(Base) volatility per sqrt(second), at least ``floor``. With ``seasonal`` set this is
        the deseasonalized level; use :meth:`sigma_over` for a horizon."""
        s = math.sqrt(self.variance)
        return s if s > self.floor else self.floor

    def sigma_over(self, start_ns: int, end_ns: int) -> float:
        """Volatility per sqrt(second) to price the interval [start, end]: the base level times
        the square root of the profile's mean variance multiplier there (no profile: ``sigma``)."""
        sd = self._sum_dt  # self.variance, inlined (this runs on every evaluation)
        var = self._sum_r2 / sd if sd > 0.0 else 0.0
        if self._seasonal is not None:
            var *= self._seasonal.variance_multiplier(start_ns, end_ns)
        s = math.sqrt(var)
        return s if s > self.floor else self.floor

    def sigma_to(self, now_ns: int, end_ns: int | None) -> float | None:
        """:meth:`sigma_over` ``[now, end]`` for a digital expiring at ``end`` (``[now, now]``
        without an end or once it has passed), ``None`` while not :attr:`ready`: what a
        snapshot needs, in one call."""
        sd = self._sum_dt
        if not sd > 0.0:
            return None
        var = self._sum_r2 / sd
        if self._seasonal is not None:
            end = now_ns if end_ns is None or end_ns <= now_ns else end_ns
            var *= self._seasonal.variance_multiplier(now_ns, end)
        s = math.sqrt(var)
        return s if s > self.floor else self.floor

    @property
    def last_ts(self) -> int | None:
        return self._last_ts


def realized_vol(prices: Sequence[float], ts_ns: Sequence[int]) -> float:
    """Realized volatility per sqrt(second) over a whole series: ``sqrt(sum r**2 / sum dt)``.

    Same tick rules as :class:`EwmaVol` (bad prices and non-increasing timestamps are skipped).
    Raises ``ValueError`` if the sequences differ in length or contain no valid return.
    """
    if len(prices) != len(ts_ns):
        raise ValueError(f"prices and ts_ns differ in length ({len(prices)} != {len(ts_ns)})")
    r2s: list[float] = []
    total_ns = 0
    last_ts: int | None = None
    last_log = 0.0
    for price, ts in zip(prices, ts_ns, strict=True):
        if not (0.0 < price < math.inf) or (last_ts is not None and ts <= last_ts):
            continue
        lp = math.log(price)
        if last_ts is not None:
            r = lp - last_log
            r2s.append(r * r)
            total_ns += ts - last_ts
        last_ts = ts
        last_log = lp
    if not r2s:
        raise ValueError("realized_vol needs at least two valid ticks")
    return math.sqrt(math.fsum(r2s) / (total_ns * _NS))
