"""Marks, equity and account snapshots (PnlPoint), in exact integers.

A token is marked at its book's mid rounded down to a price unit (against a long); with one side
empty, at the side that exists; with no book of its own, at the complement of its twin's mark;
with nothing at all, at the last mark we had (else at its cost basis: zero unrealized).

``equity = cash + sum(value at mark)``, so ``equity - initial cash = realized - fees + unrealized``
exactly (cash already moved by every fill, fee and payout).
"""

from __future__ import annotations

from collections.abc import Mapping

from predtrade.backtest.records import PnlPoint
from predtrade.book import BookStore
from predtrade.model.units import ONE
from predtrade.oms import Inventory

from .state import MarketState


class Accounts:
    """Reads the inventory and the books; holds only the set of tokens with a position and the
    last mark of each (both bounded by the markets traded)."""

    __slots__ = ("_last_mark", "_values", "books", "by_asset", "inventory", "open_tokens")

    def __init__(self, inventory: Inventory, books: BookStore, by_asset: Mapping[str, MarketState]) -> None:
        self.inventory = inventory
        self.books = books
        self.by_asset = by_asset
        self.open_tokens: dict[str, None] = {}
        self._last_mark: dict[str, int] = {}
        self._values: dict[str, tuple[int, int, int]] = {}  # token -> (mark, shares, value)

    def touch(self, token: str) -> None:
        """Refresh whether ``token`` has a position (after a fill or a settlement)."""
        pos = self.inventory.positions.get(token)
        if pos is not None and pos.shares:
            self.open_tokens[token] = None
        else:
            self.open_tokens.pop(token, None)
            self._last_mark.pop(token, None)
            self._values.pop(token, None)

    def mark(self, token: str) -> int | None:
        m = _book_mark(self.books, token)
        if m is None:
            ms = self.by_asset.get(token)
            if ms is not None:
                twin = ms.tokens[1] if ms.tokens[0] == token else ms.tokens[0]
                t = _book_mark(self.books, twin)
                if t is not None:
                    m = ONE - t
        if m is None:
            return self._last_mark.get(token)
        self._last_mark[token] = m
        return m

    def marks(self) -> dict[str, int]:
        out = {}
        for token in self.open_tokens:
            m = self.mark(token)
            if m is not None:
                out[token] = m
        return out

    def position_value(self) -> tuple[int, int]:
        """``(value at marks, unrealized)`` over every open position."""
        value = 0
        unreal = 0
        positions = self.inventory.positions
        for token in self.open_tokens:
            pos = positions[token]
            m = self.mark(token)
            if m is None:
                value += pos.cost
                continue
            v = pos.value(m)
            value += v
            unreal += v - pos.cost
        return value, unreal

    def equity(self) -> int:
        """``cash + sum(value at mark)``: what :meth:`position_value` adds up, computed without
        the unrealized part (the engine asks at every flush with a market pending). A token whose
        own book has both sides is marked inline, exactly as :meth:`mark` would."""
        inv = self.inventory
        total = inv.cash
        tokens = self.open_tokens
        if not tokens:
            return total
        positions = inv.positions
        get = self.books.get
        last = self._last_mark
        values = self._values
        for token in tokens:
            pos = positions[token]
            book = get(token)
            if book is not None and book.best_bid > 0 and book.best_ask < ONE:
                m: int | None = (book.best_bid + book.best_ask) // 2
                last[token] = m  # type: ignore[assignment]
            else:
                m = self.mark(token)
            if m is None:
                total += pos.cost
                continue
            shares = pos.shares
            c = values.get(token)
            if c is None or c[0] != m or c[1] != shares:  # the value depends on nothing else
                c = values[token] = (m, shares, pos.value(m))
            total += c[2]
        return total

    def exposure(self) -> int:
        """Cost basis of every open position + all cash our working orders reserve."""
        positions = self.inventory.positions
        return sum(positions[t].cost for t in self.open_tokens) + self.inventory.reserved_cash

    def market_exposure(self, ms: MarketState) -> int:
        """Cost basis held in ``ms`` + cash reserved by our working orders there."""
        inv = self.inventory
        positions = inv.positions
        total = 0
        for token in ms.tokens:
            p = positions.get(token)
            if p is not None:
                total += p.cost
        for cid in ms.orders:
            total += inv.reservation(cid)[0]
        for cid in ms.late:
            total += inv.reservation(cid)[0]
        return total

    def pnl_point(self, now: int, label_of: Mapping[str, str]) -> PnlPoint:
        inv = self.inventory
        value, unreal = self.position_value()
        positions = inv.positions
        held = {label_of.get(t, t): positions[t].shares for t in self.open_tokens}
        return PnlPoint(
            ts=now,
            cash=inv.cash,
            equity=inv.cash + value,
            realized=inv.realized_pnl,
            unrealized=unreal,
            fees=inv.fees_paid,
            reserved=inv.reserved_cash,
            positions=held,
        )


def _book_mark(books: BookStore, token: str) -> int | None:
    book = books.get(token)
    if book is not None:
        bb, ba = book.best_bid, book.best_ask
    else:
        bbo = books.bbo(token)
        if bbo is None:
            return None
        bb, ba = bbo.best_bid, bbo.best_ask
    if bb > 0 and ba < ONE:
        return (bb + ba) // 2
    if bb > 0:
        return bb
    if ba < ONE:
        return ba
    return None
