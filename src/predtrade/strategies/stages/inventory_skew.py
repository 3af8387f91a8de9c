"""Stage 4: inventory (size) skew -- shrink the rungs that would add to the heavy side.

A bid (YES-equivalent buy) raises net exposure ``net = YES - NO`` shares, an ask lowers it,
whichever token carries the rung. With ``q = min(|net|, limit) / limit``:

* the side that adds to ``|net|`` has each size scaled by ``1 - q`` (zero at the limit);
* each side's total size is capped at what would take net exposure to the limit on that side
  (bids: ``limit - net``, asks: ``limit + net``), best rungs served first, so fills can never
  carry the exposure past ``limit`` however deep the ladder is.

Applied at every price level (see :mod:`.price_skew` for why that matters).
"""

from __future__ import annotations

from ..proposal import Proposal, Quote


def inventory_skew(proposal: Proposal, *, net: int, limit: int, min_size: int, size_step: int) -> Proposal:
    """Scale and cap sizes as described in the module doc; sizes are floored to ``size_step`` and
    rungs left below ``min_size`` are dropped."""
    if limit <= 0:
        return proposal
    heavy = min(abs(net), limit)
    bid_factor = limit - heavy if net > 0 else limit  # numerator over limit
    ask_factor = limit - heavy if net < 0 else limit
    bids = _apply(proposal.bids, bid_factor, limit, max(0, limit - net), min_size, size_step)
    asks = _apply(proposal.asks, ask_factor, limit, max(0, limit + net), min_size, size_step)
    if bids is proposal.bids and asks is proposal.asks:
        return proposal
    pct = max(-100, min(100, int(net * 100 / limit)))
    return proposal.replace(bids, asks, f"inv{pct:+d}%")


def _apply(
    quotes: tuple[Quote, ...], factor: int, limit: int, room: int, min_size: int, step: int
) -> tuple[Quote, ...]:
    """The scaled, capped side; ``quotes`` itself when no rung changes (copied lazily: the usual
    case keeps most rungs)."""
    scale = factor != limit
    if not scale:  # nothing to scale: unchanged if nothing needs capping, rounding or dropping
        total = 0
        for q in quotes:
            size = q.size
            if size < min_size or size % step:
                break
            total += size
        else:
            if total <= room:
                return quotes
    out: list[Quote] | None = None
    for j, q in enumerate(quotes):
        size = q.size * factor // limit if scale else q.size
        if size > room:
            size = room
        size -= size % step
        if size < min_size or size <= 0:
            if out is None:
                out = list(quotes[:j])
            continue
        room -= size
        if size == q.size:
            if out is not None:
                out.append(q)
        else:
            if out is None:
                out = list(quotes[:j])
            out.append(Quote(q.price, size, q.sell, q.level))
    return quotes if out is None else tuple(out)
