"""Read-only queries shared by :class:`~predtrade.book.l2.OrderBook` and its complement view.

A concrete class provides ``best_bid``, ``best_ask``, ``asset_id``, ``ts_venue``, ``ts_local``,
``needs_resync``, ``size_at(side, price)``, ``n_levels(side)``, ``_levels(side, n)`` (a list of
``(price, size)`` best first, at most ``n``) and ``_walk(side, qty)`` (take ``qty`` from that
side best first: ``(filled, notional, worst price or None, levels used)``).
Everything here is written against those, so the two classes cannot drift apart.
"""

from __future__ import annotations

from fractions import Fraction

from predtrade.model.enums import Side
from predtrade.model.units import ONE

from .types import Level, TopOfBook, VwapResult


class BookQueries:
    """Query API over a book's two sides (``Side.BUY`` = bids, ``Side.SELL`` = asks)."""

    __slots__ = ()

    # provided by the concrete class (attributes or properties)
    best_bid: int
    best_ask: int
    asset_id: str
    ts_venue: int
    ts_local: int
    needs_resync: bool

    def size_at(self, side: Side, price: int) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def n_levels(self, side: Side) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _levels(self, side: int, n: int | None) -> list[Level]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _walk(self, side: int, qty: int) -> tuple[int, int, int | None, int]:  # pragma: no cover
        raise NotImplementedError

    # ---- top of book -------------------------------------------------------------------------

    @property
    def best_bid_size(self) -> int:
        """Size at the best bid (0 when there are no bids)."""
        bb = self.best_bid
        return self.size_at(Side.BUY, bb) if bb else 0

    @property
    def best_ask_size(self) -> int:
        """Size at the best ask (0 when there are no asks)."""
        ba = self.best_ask
        return self.size_at(Side.SELL, ba) if ba < ONE else 0

    @property
    def mid_x2(self) -> int | None:
        """``best_bid + best_ask`` (twice the mid, exact int in price units), ``None`` when a side
        is empty. Cheaper than :attr:`mid` for comparisons."""
        bb, ba = self.best_bid, self.best_ask
        if bb == 0 or ba == ONE:
            return None
        return bb + ba

    @property
    def mid(self) -> Fraction | None:
        """Exact mid price as a ``Fraction`` in price units (1e-4), ``None`` when a side is empty.
        A Fraction rather than a float because principle 1 bans floats on price paths, and rather
        than a rounded int because half-tick mids (e.g. 0.505) are common and meaningful."""
        m2 = self.mid_x2
        return None if m2 is None else Fraction(m2, 2)

    @property
    def spread(self) -> int | None:
        """``best_ask - best_bid`` in price units, ``None`` when a side is empty."""
        bb, ba = self.best_bid, self.best_ask
        if bb == 0 or ba == ONE:
            return None
        return ba - bb

    @property
    def is_crossed(self) -> bool:
        """Best bid at or above best ask (never true when a side is empty, thanks to the
        sentinels: no bid is 0, no ask is ONE)."""
        return self.best_bid >= self.best_ask

    # ---- depth ---------------------------------------------------------------------------------

    def levels(self, side: Side, n: int | None = None) -> list[Level]:
        """``(price, size)`` of the best ``n`` levels of ``side`` (all when ``None``), best first."""
        if n is not None and n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return self._levels(side, n)

    def depth(self, side: Side, n_levels: int | None = None) -> int:
        """Total size over the best ``n_levels`` levels of ``side`` (all when ``None``)."""
        if n_levels is not None and n_levels < 0:
            raise ValueError(f"n_levels must be >= 0, got {n_levels}")
        return sum(s for _, s in self._levels(side, n_levels))

    def top(self, n: int = 10) -> TopOfBook:
        """An immutable view of the best ``n`` levels per side, cheap enough for a snapshot."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return TopOfBook(
            self.asset_id,
            tuple(self._levels(0, n)),
            tuple(self._levels(1, n)),
            self.ts_venue,
            self.ts_local,
            self.needs_resync,
        )

    def vwap(self, side_to_take: Side, qty: int) -> VwapResult:
        """Walk the book as a taker of ``qty`` would: a BUY consumes asks from the best up, a
        SELL consumes bids from the best down. Exact: see :class:`VwapResult`."""
        if qty < 0:
            raise ValueError(f"qty must be >= 0, got {qty}")
        filled, notional, worst, used = self._walk(0 if side_to_take else 1, qty)
        return VwapResult(int(side_to_take), qty, filled, notional, worst, used)
