"""Stage 6: near-expiry -- stop buying, keep selling.

Near resolution a binary token's price jumps toward 0 or 1 and a wrong-side fill cannot be worked
off any more; the seed-000 bot stopped buying above 0.90 or with less than 60 s left while its
sells kept running, to exit rather than compound.
"""

from __future__ import annotations

from predtrade.model.units import ONE

from ..proposal import Proposal


def near_expiry(
    proposal: Proposal,
    *,
    yes_prob: float,
    seconds_left: float | None,
    no_buy_above: int,
    no_buy_seconds: float,
) -> Proposal:
    """Drop buy rungs (``sell=False``) when fewer than ``no_buy_seconds`` remain, and drop buys of
    a token whose fair probability or whose order price (token terms) is above ``no_buy_above``
    (price units). Sell rungs always stay. ``seconds_left=None`` (no end time) disables the time
    rule."""
    bids, asks = proposal.bids, proposal.asks
    if (
        (seconds_left is None or seconds_left >= no_buy_seconds)
        and no_buy_above >= (1.0 - yes_prob) * ONE
        and no_buy_above >= yes_prob * ONE
        and (not bids or bids[0].price <= no_buy_above)  # bids best (highest) first
        and (not asks or ONE - asks[0].price <= no_buy_above)  # asks lowest first: dearest NO
    ):
        return proposal
    if seconds_left is not None and seconds_left < no_buy_seconds:
        bids = tuple(q for q in proposal.bids if q.sell)
        asks = tuple(q for q in proposal.asks if q.sell)
        note = "no-buy:expiry"
    else:
        limit = no_buy_above / ONE
        yes_ok = yes_prob <= limit
        no_ok = 1.0 - yes_prob <= limit
        bids = tuple(q for q in proposal.bids if q.sell or (yes_ok and q.price <= no_buy_above))
        asks = tuple(q for q in proposal.asks if q.sell or (no_ok and ONE - q.price <= no_buy_above))
        note = "no-buy:price"
    if len(bids) == len(proposal.bids) and len(asks) == len(proposal.asks):
        return proposal
    return proposal.replace(bids, asks, note)
