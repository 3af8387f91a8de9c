"""All books of a session, keyed by asset (token) id, fed with normalized market events.

Depth books come from ``BookSnapshot`` / ``BookDeltas``. Some recordings (and the venue's
``best_bid_ask`` feed) carry only the top of book: for an asset known only that way the store
keeps a :class:`~predtrade.book.types.Bbo` record and never invents depth for it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

from predtrade.model.events import BestBidAsk, BookDeltas, BookSnapshot, Event, TickSizeChange
from predtrade.model.units import ONE, UnitError, format_price

from .l2 import OrderBook, check_tick
from .types import Bbo


class BookStore:
    """Books by asset id plus top-of-book-only records.

    Counters: ``applied`` (events that reached a book or a BBO record), ``ignored`` (event types
    the store does not handle, e.g. trade prints, and events of retired assets) and ``rejected``
    (malformed events of a type it does handle: an impossible tick, a BBO outside the price
    range).

    A book is ~160 KB (two 10_001-slot arrays), so a long replay over many short-lived markets
    must let go of the books of settled ones: :meth:`remove`.
    """

    __slots__ = (
        "_bbo",
        "_books",
        "_retired",
        "_ticks",
        "applied",
        "by_asset",
        "default_tick",
        "ignored",
        "rejected",
    )

    #: how many removed asset ids are remembered (their late events are ignored, not re-booked)
    MAX_RETIRED = 4_096

    def __init__(self, default_tick: int = 1) -> None:
        self.default_tick = default_tick
        self._books: dict[str, OrderBook] = {}
        #: the depth books by asset id, for a hot path's direct lookup: read it, never change it
        self.by_asset: Mapping[str, OrderBook] = self._books
        self._bbo: dict[str, Bbo] = {}
        self._ticks: dict[str, int] = {}  # tick sizes announced before we had the book
        self._retired: OrderedDict[str, None] = OrderedDict()
        self.applied = 0
        self.ignored = 0
        self.rejected = 0

    # ---- dispatch ----------------------------------------------------------------------------

    def apply(self, event: Event) -> OrderBook | None:
        """Route one event. Returns the depth book it changed or checked, else ``None``."""
        t = type(event)
        if t is BookDeltas:
            book = self._books.get(event.asset_id)
            if book is None:
                if self._retired and event.asset_id in self._retired:
                    self.ignored += 1
                    return None
                book = self._new_book(event.asset_id)
            book.apply_deltas(event)
            self.applied += 1
            return book
        if self._retired and getattr(event, "asset_id", None) in self._retired:
            self.ignored += 1
            return None
        if t is BookSnapshot:
            return self._on_snapshot(event)
        if t is BestBidAsk:
            return self._on_bbo(event)
        if t is TickSizeChange:
            return self._on_tick(event)
        self.ignored += 1
        return None

    def apply_deltas(self, event: BookDeltas) -> OrderBook | None:
        """:meth:`apply` for a :class:`BookDeltas` (the common event), without the dispatch."""
        book = self._books.get(event.asset_id)
        if book is None:
            if self._retired and event.asset_id in self._retired:
                self.ignored += 1
                return None
            book = self._new_book(event.asset_id)
        book.apply_deltas(event)
        self.applied += 1
        return book

    def remove(self, asset_id: str, *, retire: bool = True) -> bool:
        """Forget everything about ``asset_id`` (its depth book, its top-of-book record, a tick
        size announced for it). With ``retire`` (the default: the market is over), later events
        for it are counted in ``ignored`` instead of starting a new book, so that stray messages
        after a resolution cannot bring 160 KB back; the last :attr:`MAX_RETIRED` ids are
        remembered. Returns whether there was anything to forget."""
        had = self._books.pop(asset_id, None) is not None
        had = self._bbo.pop(asset_id, None) is not None or had
        had = self._ticks.pop(asset_id, None) is not None or had
        retired = self._retired
        if retire:
            retired[asset_id] = None
            retired.move_to_end(asset_id)
            if len(retired) > self.MAX_RETIRED:
                retired.popitem(last=False)
        else:
            retired.pop(asset_id, None)
        return had

    def is_retired(self, asset_id: str) -> bool:
        """Whether ``asset_id`` was removed with ``retire`` (and is still remembered)."""
        return asset_id in self._retired

    def _new_book(self, asset_id: str) -> OrderBook:
        book = OrderBook(asset_id, self._ticks.pop(asset_id, self.default_tick))
        self._books[asset_id] = book
        return book

    def _on_snapshot(self, ev: BookSnapshot) -> OrderBook:
        book = self._books.get(ev.asset_id)
        if book is None:
            book = self._new_book(ev.asset_id)
        book.apply_snapshot(ev)
        self._bbo.pop(ev.asset_id, None)  # depth supersedes a top-of-book-only record
        self.applied += 1
        return book

    def _on_tick(self, ev: TickSizeChange) -> OrderBook | None:
        book = self._books.get(ev.asset_id)
        try:
            if book is not None:
                book.set_tick(ev.new_tick)
            else:
                check_tick(ev.new_tick)
                self._ticks[ev.asset_id] = ev.new_tick
        except UnitError as exc:
            self.rejected += 1
            if book is not None:
                book.mark_resync(f"bad tick size change: {exc}")
            return book
        self.applied += 1
        return book

    def _on_bbo(self, ev: BestBidAsk) -> OrderBook | None:
        bb = ev.best_bid
        ba = ONE if ev.best_ask == 0 else ev.best_ask  # "0" can only mean "no asks"
        if not (0 <= bb < ONE and 0 < ba <= ONE):
            self.rejected += 1
            return None
        book = self._books.get(ev.asset_id)
        if book is not None and book.has_snapshot:
            self.applied += 1
            # An event older than our book describes a state we have already moved past.
            if ev.ts_venue >= book.ts_venue:
                why = _disagreement(book, bb, ba, ev.bid_size, ev.ask_size)
                if why:
                    book.mark_resync(f"best_bid_ask disagrees: {why}")
            return book
        self._bbo[ev.asset_id] = Bbo(
            ev.asset_id, bb, ba, ev.bid_size, ev.ask_size, ev.ts_venue, ev.ts_local, from_book=False
        )
        self.applied += 1
        return None

    # ---- access ------------------------------------------------------------------------------

    def get(self, asset_id: str) -> OrderBook | None:
        """The depth book of ``asset_id`` (``None`` if we have none)."""
        return self._books.get(asset_id)

    def __contains__(self, asset_id: object) -> bool:
        """True when we hold a depth book for ``asset_id`` (BBO-only assets are not books)."""
        return asset_id in self._books

    def __len__(self) -> int:
        return len(self._books)

    def __iter__(self) -> Iterator[OrderBook]:
        return iter(self._books.values())

    def assets(self) -> list[str]:
        """Asset ids we hold a depth book for."""
        return list(self._books)

    def bbo_assets(self) -> list[str]:
        """Asset ids known only from top-of-book events."""
        return list(self._bbo)

    def bbo(self, asset_id: str) -> Bbo | None:
        """Best bid/offer of ``asset_id``: read off its depth book once that book has had a
        snapshot, else the top-of-book-only record, else the (flagged) delta-only book."""
        book = self._books.get(asset_id)
        if book is not None and book.has_snapshot:
            return _bbo_of(book)
        rec = self._bbo.get(asset_id)
        if rec is not None:
            return rec
        return _bbo_of(book) if book is not None else None

    def needing_resync(self) -> list[str]:
        """Asset ids whose depth book must not be trusted until a fresh snapshot."""
        return [a for a, b in self._books.items() if b.needs_resync]

    def mark_resync_all(self, reason: str) -> None:
        """Flag every book (e.g. after a disconnect: updates may have been missed)."""
        for book in self._books.values():
            book.mark_resync(reason)


def _bbo_of(book: OrderBook) -> Bbo:
    return Bbo(
        book.asset_id,
        book.best_bid,
        book.best_ask,
        book.best_bid_size,
        book.best_ask_size,
        book.ts_venue,
        book.ts_local,
        from_book=True,
        needs_resync=book.needs_resync,
    )


def _disagreement(book: OrderBook, bb: int, ba: int, bid_size: int | None, ask_size: int | None) -> str:
    if bb != book.best_bid:
        return f"bid {format_price(bb)} vs ours {format_price(book.best_bid)}"
    if ba != book.best_ask:
        return f"ask {format_price(ba)} vs ours {format_price(book.best_ask)}"
    if bid_size is not None and bb and bid_size != book.best_bid_size:
        return f"bid size {bid_size} vs ours {book.best_bid_size}"
    if ask_size is not None and ba < ONE and ask_size != book.best_ask_size:
        return f"ask size {ask_size} vs ours {book.best_ask_size}"
    return ""
