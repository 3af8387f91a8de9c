"""Stage 1: the base ladder around a fair value.

Split in two so that a caller can tell when the ladder cannot have changed: :func:`ladder_anchor`
reduces ``(fv, spread)`` to the few values the rungs depend on (on a whole-tick step: the two
rounded first rungs), :func:`ladder_from_anchor` builds the rungs from them. :func:`base_ladder`
is the two in sequence, so a cache keyed by the anchor is exact by construction.
"""

from __future__ import annotations

import math

from predtrade.model.units import ONE
from predtrade.pricing.grid import prob_to_price

from ..proposal import Proposal, Quote

#: a ladder anchor: ``(step units, first bid or None, first ask or None)`` when the step is a whole
#: number of ticks, else ``(0, fv, spread)``
Anchor = tuple[int, float | None, float | None]


def scaled_spread(spread: float, multiplier: float, lo: float, hi: float) -> float:
    """``spread * multiplier`` clamped into ``[lo, hi]``: the time-of-day volatility multiplier
    widens quotes when the reference moves fast (seed 000: static spreads in the US open were the
    largest source of adverse selection). A non-finite or non-positive multiplier (a broken
    profile) gives the widest spread, the safe side."""
    if not (0.0 < multiplier < math.inf):
        return hi
    s = spread * multiplier
    return lo if s < lo else hi if s > hi else s


def grid_step(step: float, tick: int) -> int:
    """``step`` in price units when it is a whole number of ticks (to float noise), else 0."""
    step_units = round(step * ONE)
    if step_units > 0 and step_units % tick == 0 and abs(step * ONE - step_units) < 1e-6:
        return step_units
    return 0


def ladder_anchor(fv: float, spread: float, step: float, tick: int, step_units: int | None = None) -> Anchor:
    """Everything :func:`ladder_from_anchor` needs besides the fixed ``step``/``levels``/``size``/
    ``tick``. With a step of whole ticks, rung k is rung 0 moved k steps, exactly (``floor(x -
    n*tick) == floor(x) - n*tick`` on the grid), so the two first rungs, rounded once, pin the
    whole ladder (``None`` for a side whose first rung lies outside ``[tick, ONE - tick]``).
    ``step_units``: ``grid_step(step, tick)`` when the caller has it already."""
    su = grid_step(step, tick) if step_units is None else step_units
    if not su:
        return (0, fv, spread)
    lo = tick / ONE
    x = fv - spread
    y = fv + spread
    return (
        su,
        prob_to_price(x, tick, "down") if x >= lo else None,
        prob_to_price(y, tick, "up") if y <= 1.0 - lo else None,
    )


def ladder_from_anchor(anchor: Anchor, step: float, levels: int, size: int, tick: int) -> Proposal:
    """The rungs of :func:`base_ladder` from its :func:`ladder_anchor`."""
    su, a, b = anchor
    bids: list[Quote] = []
    asks: list[Quote] = []
    if su:
        if a is not None:  # p0 >= tick: rungs while p0 - k*su >= tick
            n = min(levels, (a - tick) // su + 1)  # type: ignore[operator]
            bids = [Quote(a - k * su, size, False, k) for k in range(n)]  # type: ignore[operator]
        if b is not None:  # a0 <= ONE - tick: rungs while a0 + k*su <= ONE - tick
            n = min(levels, (ONE - tick - b) // su + 1)  # type: ignore[operator]
            asks = [Quote(b + k * su, size, False, k) for k in range(n)]  # type: ignore[operator]
    else:
        fv, spread = a, b
        lo = tick / ONE
        hi = 1.0 - lo
        for k in range(levels):
            off = spread + k * step  # type: ignore[operator]
            x = fv - off  # type: ignore[operator]
            if x >= lo:
                p = prob_to_price(x, tick, "down")
                if not bids or p < bids[-1].price:
                    bids.append(Quote(p, size, False, k))
            y = fv + off  # type: ignore[operator]
            if y <= hi:
                p = prob_to_price(y, tick, "up")
                if not asks or p > asks[-1].price:
                    asks.append(Quote(p, size, False, k))
    # Defensive: a spread below float resolution could round both sides onto one tick.
    if bids and asks and asks[0].price <= bids[0].price:
        top = bids[0].price
        asks = [q for q in asks if q.price > top]
    return Proposal(tuple(bids), tuple(asks))


def base_ladder(fv: float, spread: float, step: float, levels: int, size: int, tick: int) -> Proposal:
    """Bids at ``fv - spread - k*step`` rounded down to the tick grid, asks at
    ``fv + spread + k*step`` rounded up, ``k = 0..levels-1``, each of ``size``.

    Rungs that would fall outside ``[tick, ONE - tick]`` are left out (not clamped: clamping would
    stack several rungs on the extreme tick), as are rungs that round onto the price of the rung
    before them. With ``spread > 0`` every bid is below every ask.
    """
    return ladder_from_anchor(ladder_anchor(fv, spread, step, tick), step, levels, size, tick)
