"""Exact conversion between model probabilities (floats) and prices on the integer tick grid.

A probability is model output; a price is money. The only bridge between them is
:func:`prob_to_price`, which rounds in a direction the caller names (``"down"`` for a bid we post,
``"up"`` for an ask, ``"nearest"`` for display or fair value) and does so *exactly*. Near a grid
price or an exact half tick, where a float product ``p * steps`` could land on the wrong side,
the float is expanded to its exact binary fraction (``float.as_integer_ratio``) and divided with
integer arithmetic; elsewhere (the common case) the float product is provably far enough from the
boundary (error < 2e-12 tick, margin 1e-6 tick) that its floor is the exact floor.

One deliberate exception: a value within a billionth of a tick of a grid price counts as that
grid price. Float noise such as ``1 - 0.43 == 0.5700000000000001`` or ``0.57`` (really
0.56999999999999995...) would otherwise cost a whole tick under directed rounding (an ask at 0.58
for a fair value of 0.57); no model probability is meaningful to 1e-9 of a tick, so snapping
changes nothing real and makes ``prob_to_price(price_to_prob(x), tick, any) == x`` hold.
"""

from __future__ import annotations

from typing import Literal

from predtrade.model.units import ONE

Rounding = Literal["down", "up", "nearest"]
_ROUNDINGS = frozenset(("down", "up", "nearest"))
#: valid tick -> grid steps in ONE
_STEPS: dict[int, int] = {t: ONE // t for t in range(1, ONE // 2 + 1) if ONE % t == 0}
_FAST_LO, _FAST_MID_LO, _FAST_MID_HI, _FAST_HI = 1e-6, 0.5 - 1e-6, 0.5 + 1e-6, 1.0 - 1e-6

#: a value within ``1 / SNAP_DEN`` of a tick of a grid price is taken as that price (see module doc)
SNAP_DEN = 1_000_000_000

__all__ = ["SNAP_DEN", "Rounding", "check_tick", "price_to_prob", "prob_to_price"]


def check_tick(tick: int) -> int:
    """Validate a tick size in price units: a positive int that divides ``ONE`` and leaves at
    least one price strictly inside (0, 1)."""
    if type(tick) is not int or tick <= 0 or ONE % tick or 2 * tick > ONE:
        raise ValueError(f"tick must be a positive int dividing {ONE} with 2*tick <= {ONE}, got {tick!r}")
    return tick


def prob_to_price(p: float, tick: int = 1, rounding: Rounding = "nearest") -> int:
    """Round probability ``p`` to a price on the ``tick`` grid, clamped into ``[tick, ONE - tick]``.

    ``rounding``: ``"down"`` (largest grid price <= p), ``"up"`` (smallest grid price >= p) or
    ``"nearest"`` (exact ties go to the even tick count, so no direction is favoured). ``p`` must
    be finite and within [0, 1] (0 and 1 are legitimate model limits and clamp to the extreme
    ticks); anything else is a bug upstream and raises ``ValueError``.
    """
    m = _STEPS.get(tick)
    if m is None or type(tick) is not int:
        check_tick(tick)  # raises
    if not (0.0 <= p <= 1.0):  # also rejects NaN
        raise ValueError(f"probability must be within [0, 1], got {p!r}")
    # Fast path: the float product p * m (< 1e4) is within 2e-12 of the exact value, so when its
    # fractional part is more than 1e-6 away from 0, 1/2 and 1, floor and nearest are exact.
    x = p * m  # type: ignore[operator]
    k = int(x)
    f = x - k
    if _FAST_LO < f < _FAST_MID_LO or _FAST_MID_HI < f < _FAST_HI:
        if rounding == "down":
            pass
        elif rounding == "up":
            k += 1
        elif rounding == "nearest":
            if f > 0.5:
                k += 1
        else:
            raise ValueError(f"rounding must be 'down', 'up' or 'nearest', got {rounding!r}")
    else:
        k = _exact_ticks(p, tick, rounding)
    price = k * tick
    if price < tick:
        return tick
    if price > ONE - tick:
        return ONE - tick
    return price


def _exact_ticks(p: float, tick: int, rounding: str) -> int:
    """Grid count for ``p`` in exact integer arithmetic (near grid points and exact halves)."""
    if rounding not in _ROUNDINGS:
        raise ValueError(f"rounding must be 'down', 'up' or 'nearest', got {rounding!r}")
    num, den = float(p).as_integer_ratio()  # exact: p == num / den
    d = den * tick
    q, r = divmod(num * ONE, d)  # p in ticks == q + r / d, exactly
    if r == 0 or min(r, d - r) * SNAP_DEN <= d:  # on (or within 1e-9 tick of) a grid price
        return q if 2 * r < d else q + 1
    if rounding == "down":
        return q
    if rounding == "up":
        return q + 1
    twice = 2 * r  # nearest; an exact half goes to the even tick count
    return q + 1 if twice > d or (twice == d and q & 1) else q


def price_to_prob(price: int) -> float:
    """A price (1e-4 units) as a probability float, for model math only (never back to money
    except through :func:`prob_to_price`)."""
    if type(price) is not int or not 0 <= price <= ONE:
        raise ValueError(f"price must be an int within [0, {ONE}], got {price!r}")
    return price / ONE
