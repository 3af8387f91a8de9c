"""Small frozen records the book hands out: a top-of-book view, a VWAP result and a BBO record.

They are immutable so a strategy snapshot can hold them by reference (no deep copies) and a
later book update can never change what a strategy already looked at.
"""

from __future__ import annotations

from fractions import Fraction

import msgspec

from predtrade.model.units import ONE

Level = tuple[int, int]  # (price in 1e-4, size in 1e-6)


class TopOfBook(msgspec.Struct, frozen=True, gc=False):
    """The best ``n`` levels of each side, best first, as of the book's last applied event.

    ``needs_resync`` is carried along so a consumer of the snapshot can refuse to act on a book
    that is known to be wrong.
    """

    asset_id: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    ts_venue: int = 0
    ts_local: int = 0
    needs_resync: bool = False

    @property
    def best_bid(self) -> int:
        """Best bid price, ``0`` when there are no bids."""
        return self.bids[0][0] if self.bids else 0

    @property
    def best_ask(self) -> int:
        """Best ask price, ``ONE`` when there are no asks."""
        return self.asks[0][0] if self.asks else ONE

    @property
    def best_bid_size(self) -> int:
        return self.bids[0][1] if self.bids else 0

    @property
    def best_ask_size(self) -> int:
        return self.asks[0][1] if self.asks else 0

    @property
    def spread(self) -> int | None:
        """``best_ask - best_bid`` in price units, ``None`` when a side is empty."""
        if not self.bids or not self.asks:
            return None
        return self.asks[0][0] - self.bids[0][0]

    @property
    def mid(self) -> Fraction | None:
        """Exact mid price in price units (1e-4), ``None`` when a side is empty."""
        if not self.bids or not self.asks:
            return None
        return Fraction(self.bids[0][0] + self.asks[0][0], 2)


class VwapResult(msgspec.Struct, frozen=True, gc=False):
    """What taking ``requested`` from the book right now would do.

    ``notional`` is the exact ``sum(price * size)`` over the levels touched, in 1e-10 units (price
    1e-4 x size 1e-6); turn it into cash with :func:`predtrade.model.units.notional_to_cash_up`
    (we pay) or ``_down`` (we receive). ``worst_price`` is the last (worst) level touched, ``None``
    when nothing was filled. ``side`` is the taker's side.
    """

    side: int
    requested: int
    filled: int
    notional: int
    worst_price: int | None
    levels_used: int

    @property
    def avg_price(self) -> Fraction | None:
        """``notional / filled`` as an exact ``Fraction`` in price units (1e-4); ``None`` when
        nothing could be filled. Computed on demand: building a Fraction costs more than the
        walk itself."""
        return Fraction(self.notional, self.filled) if self.filled else None

    @property
    def complete(self) -> bool:
        """The book held enough size to fill the whole request."""
        return self.filled == self.requested


class Bbo(msgspec.Struct, frozen=True, gc=False):
    """Best bid / offer of one asset. ``from_book`` tells whether it was read off a depth book
    (sizes are then always known) or kept from top-of-book-only events (sizes may be ``None``).
    ``best_bid == 0`` means no bid, ``best_ask == ONE`` means no ask."""

    asset_id: str
    best_bid: int
    best_ask: int
    bid_size: int | None
    ask_size: int | None
    ts_venue: int
    ts_local: int
    from_book: bool
    needs_resync: bool = False
