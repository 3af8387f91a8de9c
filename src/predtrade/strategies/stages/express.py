"""Stage 5: express each YES-space rung on the token that does it best.

A bid is a SELL NO at ``ONE - p`` as far as we hold NO shares, else a BUY YES at ``p``; an ask is a
SELL YES at ``a`` as far as we hold YES, else a BUY NO at ``ONE - a``. Selling what we hold reduces
risk and frees collateral instead of locking more in a complete set; it is also the only way the
seed-000 failure (a pile of NO while YES rallies) is worked off by quoting.
"""

from __future__ import annotations

from ..proposal import Proposal, Quote


def express(proposal: Proposal, *, yes_shares: int, no_shares: int, min_size: int) -> Proposal:
    """Split every rung into a sell part (held shares, best rungs first) and a buy part for the
    rest; a part below ``min_size`` is dropped (a sell part that small is not split off: the whole
    rung stays a buy). The rung's input ``sell`` flag is ignored: expression is decided here."""
    bids = _split(proposal.bids, no_shares, min_size)
    asks = _split(proposal.asks, yes_shares, min_size)
    if bids == proposal.bids and asks == proposal.asks:
        return proposal  # e.g. nothing to sell: every rung stays the buy the ladder built
    return proposal.replace(bids, asks)


def _split(quotes: tuple[Quote, ...], held: int, min_size: int) -> tuple[Quote, ...]:
    if held < min_size:  # nothing to sell on this side: plain buys stay as they are
        for q in quotes:
            if q.sell or q.size < min_size:
                break
        else:
            return quotes
    out: list[Quote] = []
    for q in quotes:
        sell = min(q.size, held) if held >= min_size else 0
        if sell < min_size:
            sell = 0
        buy = q.size - sell
        if sell:
            held -= sell
            out.append(Quote(q.price, sell, True, q.level))
        if buy >= min_size:
            out.append(q if not sell and not q.sell else Quote(q.price, buy, False, q.level))
    return tuple(out)
