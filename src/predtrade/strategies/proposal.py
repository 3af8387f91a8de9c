"""The proposal a strategy pipeline passes from stage to stage.

A :class:`Proposal` is a ladder in **YES-price terms**: ``bids`` raise our YES-equivalent exposure,
``asks`` lower it. Each rung is one :class:`Quote` whose ``sell`` flag says how it is expressed on
the venue (a binary market lets the same exposure change be traded on either token):

=========  ==================  =============================
rung       ``sell=False``      ``sell=True`` (held shares)
=========  ==================  =============================
bid at p   BUY YES at p        SELL NO at ``ONE - p``
ask at a   BUY NO at ONE - a   SELL YES at a
=========  ==================  =============================

Working in YES terms makes the pair-wide invariants one comparison: every bid below every ask
means we never quote against ourselves across the pair (a YES bid at p and a NO bid at q with
``p + q >= ONE`` is exactly a YES bid at or above a YES ask at ``ONE - q``). Net exposure
(YES shares - NO shares) moves the same way whichever token a rung is expressed on, so skew and
inventory stages need not know the expression; budget (buys cost cash, sells need shares) and
the final conversion do.

Everything here is frozen: a stage returns a new proposal and never mutates its input.
"""

from __future__ import annotations

import msgspec

from predtrade.model.enums import Outcome, Side, TimeInForce
from predtrade.model.market import Market
from predtrade.model.units import ONE

from .api import DesiredOrder

_EMPTY: tuple = ()


class Quote(msgspec.Struct, frozen=True, gc=False):
    """One rung: YES-equivalent ``price`` (1e-4), ``size`` (1e-6 shares), how it is expressed
    (``sell``, see the module table) and its ladder ``level`` (0 = closest to fair value; budget
    serves lower levels first)."""

    price: int
    size: int
    sell: bool = False
    level: int = 0


class Proposal(msgspec.Struct, frozen=True, gc=False):
    """YES-space bids (best = highest first) and asks (best = lowest first), plus short notes
    that the strategy folds into ``Decision.reason``."""

    bids: tuple[Quote, ...] = _EMPTY
    asks: tuple[Quote, ...] = _EMPTY
    notes: tuple[str, ...] = _EMPTY

    def replace(
        self,
        bids: tuple[Quote, ...] | None = None,
        asks: tuple[Quote, ...] | None = None,
        note: str | None = None,
    ) -> Proposal:
        """A new proposal with the given sides replaced and ``note`` appended."""
        return Proposal(
            self.bids if bids is None else bids,
            self.asks if asks is None else asks,
            self.notes if note is None else (*self.notes, note),
        )

    @property
    def empty(self) -> bool:
        return not self.bids and not self.asks


def leg(quote: Quote, is_bid: bool) -> tuple[Outcome, Side, int]:
    """``(token, side, token price)`` that expresses ``quote`` on the venue."""
    p = quote.price
    if is_bid:
        return (Outcome.NO, Side.SELL, ONE - p) if quote.sell else (Outcome.YES, Side.BUY, p)
    return (Outcome.YES, Side.SELL, p) if quote.sell else (Outcome.NO, Side.BUY, ONE - p)


def to_orders(
    proposal: Proposal, market: Market, *, post_only: bool = True, tif: TimeInForce = TimeInForce.GTC
) -> tuple[DesiredOrder, ...]:
    """The venue orders of a proposal: bids first, then asks, best first."""
    yes, no = market.token_ids
    buy, sell = Side.BUY, Side.SELL
    out = [
        DesiredOrder(no, sell, ONE - q.price, q.size, tif, post_only)
        if q.sell
        else DesiredOrder(yes, buy, q.price, q.size, tif, post_only)
        for q in proposal.bids
    ]
    out += [
        DesiredOrder(yes, sell, q.price, q.size, tif, post_only)
        if q.sell
        else DesiredOrder(no, buy, ONE - q.price, q.size, tif, post_only)
        for q in proposal.asks
    ]
    return tuple(out)
