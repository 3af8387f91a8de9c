"""Stage 1: the base ladder around a fair value."""

from __future__ import annotations

import math

from predtrade.model.units import ONE
from predtrade.pricing.grid import prob_to_price

from ..proposal import Proposal, Quote


def scaled_spread(spread: float, multiplier: float, lo: float, hi: float) -> float:
    """``spread * multiplier`` clamped into ``[lo, hi]``: the time-of-day volatility multiplier
    widens quotes when the reference moves fast (seed 000: static spreads in the US open were the
    largest source of adverse selection). A non-finite or non-positive multiplier (a broken
    profile) gives the widest spread, the safe side."""
    if not (0.0 < multiplier < math.inf):
        return hi
    s = spread * multiplier
    return lo if s < lo else hi if s > hi else s


def base_ladder(fv: float, spread: float, step: float, levels: int, size: int, tick: int) -> Proposal:
    """Bids at ``fv - spread - k*step`` rounded down to the tick grid, asks at
    ``fv + spread + k*step`` rounded up, ``k = 0..levels-1``, each of ``size``.

    Rungs that would fall outside ``[tick, ONE - tick]`` are left out (not clamped: clamping would
    stack several rungs on the extreme tick), as are rungs that round onto the price of the rung
    before them. With ``spread > 0`` every bid is below every ask.
    """
    bids: list[Quote] = []
    asks: list[Quote] = []
    lo = tick / ONE
    hi = 1.0 - lo
    step_units = round(step * ONE)
    if step_units > 0 and step_units % tick == 0 and abs(step * ONE - step_units) < 1e-6:
        # A step of whole ticks: rung k is rung 0 moved k steps, exactly (floor(x - n*tick) ==
        # floor(x) - n*tick on the grid), so round once per side instead of once per rung.
        x = fv - spread
        if x >= lo:
            p0 = prob_to_price(x, tick, "down")
            bids = [
                Quote(p0 - k * step_units, size, False, k)
                for k in range(levels)
                if p0 - k * step_units >= tick
            ]
        y = fv + spread
        if y <= hi:
            a0 = prob_to_price(y, tick, "up")
            top = ONE - tick
            asks = [
                Quote(a0 + k * step_units, size, False, k)
                for k in range(levels)
                if a0 + k * step_units <= top
            ]
        levels = 0  # done
    for k in range(levels):
        off = spread + k * step
        x = fv - off
        if x >= lo:
            p = prob_to_price(x, tick, "down")
            if not bids or p < bids[-1].price:
                bids.append(Quote(p, size, False, k))
        y = fv + off
        if y <= hi:
            p = prob_to_price(y, tick, "up")
            if not asks or p > asks[-1].price:
                asks.append(Quote(p, size, False, k))
    # Defensive: a spread below float resolution could round both sides onto one tick.
    if bids and asks and asks[0].price <= bids[0].price:
        top = bids[0].price
        asks = [q for q in asks if q.price > top]
    return Proposal(tuple(bids), tuple(asks))
