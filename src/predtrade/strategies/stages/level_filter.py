"""Stage 2: level filter -- keep rungs inside a price band, drop empty and duplicate rungs."""

from __future__ import annotations

from ..proposal import Proposal, Quote


def level_filter(
    proposal: Proposal, *, min_price: int, max_price: int, max_levels: int | None = None
) -> Proposal:
    """Keep rungs whose YES price lies in ``[min_price, max_price]`` and whose size is positive;
    drop a rung whose price is not strictly better-ordered than the kept rung before it (bids
    strictly decreasing, asks strictly increasing); keep at most ``max_levels`` per side.

    The band keeps the ladder out of the extremes where a 1-tick price is a large relative move
    and the fair value is least reliable."""
    bids = _filter(proposal.bids, min_price, max_price, max_levels, descending=True)
    asks = _filter(proposal.asks, min_price, max_price, max_levels, descending=False)
    dropped = len(proposal.bids) + len(proposal.asks) - len(bids) - len(asks)
    if not dropped:
        return proposal
    return proposal.replace(bids, asks, f"band-{dropped}")


def _filter(
    quotes: tuple[Quote, ...], lo: int, hi: int, max_levels: int | None, *, descending: bool
) -> tuple[Quote, ...]:
    out: list[Quote] = []
    last: int | None = None
    for q in quotes:
        if q.size <= 0 or not lo <= q.price <= hi:
            continue
        if last is not None and (q.price >= last if descending else q.price <= last):
            continue
        out.append(q)
        last = q.price
        if max_levels is not None and len(out) >= max_levels:
            break
    return tuple(out)
