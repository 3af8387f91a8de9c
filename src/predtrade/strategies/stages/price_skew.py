"""Stage 3: price skew -- move the whole ladder away from the heavy side of our inventory.

Applied at every price level. Seed 000's market maker skewed only while the price was between 0.4
and 0.6; when YES rallied past 0.6 it kept quoting neutral NO bids, filled 842 NO buys against 106
NO sells, and held the losing side into resolution. Here the shift depends on inventory alone.
"""

from __future__ import annotations

from predtrade.model.units import ONE

from ..proposal import Proposal, Quote


def skew_shift(net: int, limit: int, max_skew: int, tick: int) -> int:
    """Price shift (price units, a whole number of ticks) for net exposure ``net`` (YES - NO
    shares): ``-max_skew * net / limit``, saturating at ``|net| >= limit``, rounded toward zero
    to the tick grid. Long YES gives a negative shift (bid and offer lower: buy YES less eagerly,
    sell it more eagerly); long NO a positive one. Exact integer math."""
    if net == 0 or limit <= 0 or max_skew <= 0:
        return 0
    mag = min(abs(net), limit) * max_skew // limit
    ticks = mag // tick
    return -ticks * tick if net > 0 else ticks * tick


def price_skew(proposal: Proposal, *, net: int, limit: int, max_skew: int, tick: int) -> Proposal:
    """Shift every rung by :func:`skew_shift`; rungs pushed outside ``[tick, ONE - tick]`` are
    dropped. Both sides move together, so the gap between bids and asks is unchanged."""
    shift = skew_shift(net, limit, max_skew, tick)
    if shift == 0:
        return proposal
    lo, hi = tick - shift, ONE - tick - shift  # bounds on the price before the shift
    bids = [Quote(q.price + shift, q.size, q.sell, q.level) for q in proposal.bids if lo <= q.price <= hi]
    asks = [Quote(q.price + shift, q.size, q.sell, q.level) for q in proposal.asks if lo <= q.price <= hi]
    return proposal.replace(tuple(bids), tuple(asks), f"skew{shift:+d}")
