"""Stage 6: near-expiry -- stop buying, keep selling.

Near resolution a binary token's price jumps toward 0 or 1 and a wrong-side fill cannot be worked
off any more; the seed-000 bot stopped buying above 0.90 or with less than 60 s left while its
sells kept running, to exit rather than compound.

The stage reads the fair value and the clock only through four booleans (:func:`expiry_flags`),
so a caller caching on its inputs can key on those instead of on two floats that change on every
evaluation.
"""

from __future__ import annotations

from predtrade.model.units import ONE

from ..proposal import Proposal

#: ``(nothing to check, time rule applies, YES may be bought, NO may be bought)``
ExpiryFlags = tuple[bool, bool, bool, bool]


def expiry_flags(
    yes_prob: float, seconds_left: float | None, no_buy_above: int, no_buy_seconds: float
) -> ExpiryFlags:
    """What :func:`near_expiry` needs to know about the fair value and the time left."""
    limit = no_buy_above / ONE
    return (
        (seconds_left is None or seconds_left >= no_buy_seconds)
        and no_buy_above >= (1.0 - yes_prob) * ONE
        and no_buy_above >= yes_prob * ONE,
        seconds_left is not None and seconds_left < no_buy_seconds,
        yes_prob <= limit,
        1.0 - yes_prob <= limit,
    )


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
    flags = expiry_flags(yes_prob, seconds_left, no_buy_above, no_buy_seconds)
    return near_expiry_with(proposal, flags, no_buy_above)


def near_expiry_with(proposal: Proposal, flags: ExpiryFlags, no_buy_above: int) -> Proposal:
    """:func:`near_expiry` from its :func:`expiry_flags`."""
    quiet, expiry, yes_ok, no_ok = flags
    bids, asks = proposal.bids, proposal.asks
    if (
        quiet
        and (not bids or bids[0].price <= no_buy_above)  # bids best (highest) first
        and (not asks or ONE - asks[0].price <= no_buy_above)  # asks lowest first: dearest NO
    ):
        return proposal
    if expiry:
        bids = tuple(q for q in bids if q.sell)
        asks = tuple(q for q in asks if q.sell)
        note = "no-buy:expiry"
    else:
        bids = tuple(q for q in bids if q.sell or (yes_ok and q.price <= no_buy_above))
        asks = tuple(q for q in asks if q.sell or (no_ok and ONE - q.price <= no_buy_above))
        note = "no-buy:price"
    if len(bids) == len(proposal.bids) and len(asks) == len(proposal.asks):
        return proposal
    return proposal.replace(bids, asks, note)
