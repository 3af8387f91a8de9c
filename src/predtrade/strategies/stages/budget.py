"""Stage 7: budget -- trim buy sizes to the cash we may commit.

Only buy rungs (``sell=False``) cost cash: a bid's BUY YES at ``p`` or an ask's BUY NO at
``ONE - p``. Sells need shares, which :mod:`.express` already limited to what we hold. Rungs are
served by ladder level (both sides' level 0 first, then level 1, ...), so a tight budget keeps the
quotes nearest fair value on both sides instead of the whole bid ladder and no asks.
"""

from __future__ import annotations

from predtrade.model.enums import Side
from predtrade.model.market import FeeSchedule
from predtrade.model.units import NOTIONAL_PER_CASH, ONE, cost_up
from predtrade.oms.inventory import fee_bound

from ..proposal import Proposal, Quote


def buy_reserve(price: int, size: int, fees: FeeSchedule | None, post_only: bool) -> int:
    """Cash a working BUY of ``size`` at token price ``price`` locks: its cost, rounded up, plus
    the worst-case taker fee unless it can only make (same rule as the OMS reservation)."""
    return cost_up(price, size) + fee_bound(Side.BUY, price, size, fees, post_only)


def budget(
    proposal: Proposal,
    *,
    cash: int,
    min_size: int,
    size_step: int,
    fees: FeeSchedule | None = None,
    post_only: bool = True,
) -> Proposal:
    """Keep buys while their reservations (:func:`buy_reserve`) fit in ``cash``; the first buy that
    does not fit is cut to the largest multiple of ``size_step`` that does (dropped below
    ``min_size``), and later buys get what is left."""
    left = max(cash, 0)
    if fees is None or fees.rate_ppm == 0 or (post_only and fees.taker_only):
        # no fee to reserve (the usual maker case): if everything fits, nothing to do
        total = 0
        for q in proposal.bids:
            if not q.sell:
                total -= (-q.price * q.size) // NOTIONAL_PER_CASH
        for q in proposal.asks:
            if not q.sell:
                total -= (-(ONE - q.price) * q.size) // NOTIONAL_PER_CASH
        if total <= left:
            return proposal
    order = sorted(
        [(q.level, 0, i) for i, q in enumerate(proposal.bids) if not q.sell]
        + [(q.level, 1, i) for i, q in enumerate(proposal.asks) if not q.sell]
    )
    sides: tuple[list[Quote | None], list[Quote | None]] = (list(proposal.bids), list(proposal.asks))
    changed = False
    for _, side, i in order:
        q = sides[side][i]
        assert q is not None
        price = q.price if side == 0 else ONE - q.price
        need = buy_reserve(price, q.size, fees, post_only)
        if need <= left:
            left -= need
            continue
        changed = True
        size = fit_size(price, left, size_step, fees, post_only)
        if size >= min_size and size > 0:
            sides[side][i] = Quote(q.price, size, q.sell, q.level)
            left -= buy_reserve(price, size, fees, post_only)
        else:
            sides[side][i] = None
    if not changed:
        return proposal
    bids = tuple(q for q in sides[0] if q is not None)
    asks = tuple(q for q in sides[1] if q is not None)
    return proposal.replace(bids, asks, "budget")


def fit_size(price: int, cash: int, step: int, fees: FeeSchedule | None, post_only: bool) -> int:
    """Largest multiple of ``step`` whose reservation at ``price`` fits in ``cash``."""
    if cash <= 0:
        return 0
    hi = cash * NOTIONAL_PER_CASH // price // step  # cost alone: price * size <= cash * NPC
    if buy_reserve(price, hi * step, fees, post_only) <= cash:
        return hi * step
    lo = 0  # invariant: lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if buy_reserve(price, mid * step, fees, post_only) <= cash:
            lo = mid
        else:
            hi = mid
    return lo * step
