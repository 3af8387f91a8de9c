"""Fair value of an up/down round: the probability that the reference price at expiry is at or
above the strike (the round's open), i.e. a cash-or-nothing digital option.

Model: the log price is a driftless Brownian motion with volatility ``sigma`` per sqrt(second), so
with ``v = sigma * sqrt(t)``::

    P(up) = Phi(ln(S / K) / v)                      (default, "driftless in log-price")
    P(up) = Phi((ln(S / K) - v**2 / 2) / v)         (``ito=True``: driftless in *price*, i.e. a
                                                    martingale S; the Ito term lowers P slightly)

Over a 5-minute round ``v`` is ~1e-3, so the Ito term moves P by about ``phi(d) * v / 2`` (< 0.0002)
and the choice barely matters; the flag exists so the difference can be measured, not argued.

Limits are handled explicitly rather than left to ``inf``/``nan`` arithmetic: with zero variance
(``t == 0`` or ``sigma == 0``, or a product that underflows) the outcome is already known: 1 if
S >= K (the round resolves Up when close >= open, so S == K counts as Up), else 0. ``Phi`` is
computed from ``math.erfc`` so the far tails keep full relative accuracy (``1 + erf(x)`` would
cancel to 0 long before the true value underflows).

Prices may be floats or ints; reference prices in predtrade are ints in 1e-8 units
(:data:`predtrade.model.REF_SCALE`) and only their ratio matters, so :func:`prob_up_ref` takes them
as they are (int / int true division is correctly rounded in Python).
"""

from __future__ import annotations

import math

from predtrade.model.events import REF_SCALE

__all__ = [
    "norm_cdf",
    "prob_up",
    "prob_up_ref",
    "ref_to_float",
    "time_to_expiry_s",
]

_INV_SQRT2 = math.sqrt(0.5)
_INF = math.inf
_log, _sqrt, _erfc = math.log, math.sqrt, math.erfc
_NS_PER_S = 1_000_000_000


def norm_cdf(x: float) -> float:
    """Standard normal CDF via ``erfc``: accurate in the lower tail down to ~1e-308 and exact
    0.5 at 0."""
    return 0.5 * math.erfc(-x * _INV_SQRT2)


def prob_up(spot: float, strike: float, sigma: float, t_seconds: float, *, ito: bool = False) -> float:
    """P(reference at expiry >= strike).

    ``sigma``: volatility of log returns per sqrt(second) (e.g. ~8e-5 for BTC); ``t_seconds``: time
    left. Raises ``ValueError`` for non-positive or non-finite prices, negative or non-finite
    ``sigma``/``t_seconds``; for every other input the result is a float in [0, 1], never NaN.
    """
    if not (0.0 < spot < _INF and 0.0 < strike < _INF):
        raise ValueError(f"spot and strike must be positive and finite, got {spot!r}, {strike!r}")
    if not (0.0 <= sigma < _INF and 0.0 <= t_seconds < _INF):
        raise ValueError(f"sigma and t_seconds must be finite and >= 0, got {sigma!r}, {t_seconds!r}")
    return prob_up_unchecked(spot, strike, sigma, t_seconds, ito)


def prob_up_unchecked(spot: float, strike: float, sigma: float, t_seconds: float, ito: bool = False) -> float:
    """:func:`prob_up` without its argument checks, for callers whose inputs pass them by
    construction (positive finite prices, finite ``sigma`` and ``t_seconds`` >= 0): the one place
    the formula is written."""
    # ln(S/K) from the correctly rounded ratio: its sign is exact (S < K gives a ratio < 1 for any
    # two doubles or ints) and it is accurate near the money; the log difference is the fallback
    # when the ratio over- or underflows.
    try:
        ratio = spot / strike
    except OverflowError:  # int / int beyond the float range
        ratio = _INF
    x = _log(ratio) if 0.0 < ratio < _INF else _log(spot) - _log(strike)
    v = sigma * _sqrt(t_seconds)
    if v == 0.0:
        return 1.0 if x >= 0.0 else 0.0
    d = x / v  # may be +-inf when v is subnormal: erfc handles that
    if ito:
        d -= 0.5 * v  # (x - v^2/2) / v without forming v^2 (which could overflow)
    return 0.5 * _erfc(-d * _INV_SQRT2)


def prob_up_ref(spot: int, strike: int, sigma: float, t_seconds: float, *, ito: bool = False) -> float:
    """:func:`prob_up` for reference prices as ints in 1e-8 units (``ReferencePrice.price``,
    ``Market.strike``). Only the ratio enters, so no scaling (and no rounding) is needed."""
    if type(spot) is not int or type(strike) is not int:
        raise TypeError(f"reference prices must be ints (1e-8 units), got {spot!r}, {strike!r}")
    return prob_up(spot, strike, sigma, t_seconds, ito=ito)


def ref_to_float(price: int) -> float:
    """A reference price in 1e-8 units as a float in quote currency (for model math/display)."""
    return price / REF_SCALE


def time_to_expiry_s(now_ns: int, end_ns: int) -> float:
    """Seconds from ``now_ns`` to ``end_ns`` (Unix ns), floored at 0 (after expiry, the
    zero-variance limit applies)."""
    left = end_ns - now_ns
    return left / _NS_PER_S if left > 0 else 0.0
