"""Stage 8: taker filter -- a post-only quote must not cross the book.

The book here is the **combined, net** YES-space book: our own orders removed, and the NO token
mirrored in (a NO bid at q is a YES ask at ``ONE - q``; a NO ask a YES bid), because on a binary
venue a YES bid trades against NO bids by minting as readily as against YES asks. A bid at or
above the best ask (or an ask at or below the best bid) would be rejected as post-only or, worse,
take; it is moved to the best price that still rests, or dropped.
"""

from __future__ import annotations

from typing import Literal

from predtrade.model.units import ONE

from ..proposal import Proposal, Quote

TakerMode = Literal["move", "drop"]


def taker_filter(
    proposal: Proposal, *, best_bid: int, best_ask: int, tick: int, mode: TakerMode = "move"
) -> Proposal:
    """``best_bid``/``best_ask``: the combined net YES book (0 = no bids, ``ONE`` = no asks).
    ``mode="move"``: a crossing bid goes to the highest grid price below ``best_ask``, a crossing
    ask to the lowest grid price above ``best_bid`` (dropped if that leaves (0, 1)); rungs that
    land on the same price and expression are merged. ``mode="drop"``: crossing rungs are dropped.
    Bids only move down and asks only up, so bids stay below asks."""
    if mode not in ("move", "drop"):
        raise ValueError(f"mode must be 'move' or 'drop', got {mode!r}")
    bid_to = (best_ask - 1) // tick * tick  # highest grid price strictly below best_ask
    ask_to = (best_bid // tick + 1) * tick  # lowest grid price strictly above best_bid
    moved = 0
    bids: list[Quote] = []
    for q in proposal.bids:
        if q.price < best_ask:
            bids.append(q)
            continue
        moved += 1
        if mode == "move" and bid_to >= tick:
            bids.append(Quote(bid_to, q.size, q.sell, q.level))
    asks: list[Quote] = []
    for q in proposal.asks:
        if q.price > best_bid:
            asks.append(q)
            continue
        moved += 1
        if mode == "move" and ask_to <= ONE - tick:
            asks.append(Quote(ask_to, q.size, q.sell, q.level))
    if not moved:
        return proposal
    return proposal.replace(
        _merge(bids, descending=True), _merge(asks, descending=False), f"taker:{mode}{moved}"
    )


def _merge(quotes: list[Quote], *, descending: bool) -> tuple[Quote, ...]:
    merged: dict[tuple[int, bool], Quote] = {}
    for q in quotes:
        key = (q.price, q.sell)
        prev = merged.get(key)
        if prev is not None:
            q = Quote(q.price, prev.size + q.size, q.sell, min(prev.level, q.level))
        merged[key] = q
    out = sorted(merged.values(), key=lambda q: -q.price if descending else q.price)
    return tuple(out)
