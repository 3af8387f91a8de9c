"""Per-asset matching state of the simulated venue: what the data shows (read from the shared
:class:`~predtrade.book.BookStore`), what we took from it (the *overlay*), and our resting
orders by side and price with their queue positions.

The store is the recording; it cannot know about us. So the venue keeps, per book side and
price, the size our taker fills (and book-through fills) consumed, and subtracts it from what
the store shows. When that level next changes in the data, the consumed amount is capped at the
new displayed size (never simply cleared: a 1 Hz snapshot showing the same untouched level again
must not hand us the same liquidity twice). Every rule is spelled out in ``docs/SIMULATOR.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

from predtrade.book import Bbo, BookStore, OrderBook
from predtrade.model.enums import Side
from predtrade.model.events import BestBidAsk, BookDeltas, BookSnapshot, TradePrint
from predtrade.model.market import Market
from predtrade.model.units import ONE

from .models import QueueModel
from .orders import DONE, Level, SimOrder

BUY = Side.BUY
SELL = Side.SELL

#: fill sources
SOURCE_TRADE = "trade"  # a recorded trade print at or through our price
SOURCE_BOOK = "book"  # the opposite side of the book moved through our resting price
SOURCE_TAKER = "taker"  # our order crossed the book on arrival

#: ``AssetSim.bid_top`` / ``ask_top`` with no order on that side: no book price reaches them
NO_BID = -1
NO_ASK = 1 << 62

#: ``(order, price, size, source)``; a resting order's fills are always at its own price
MakerFill = tuple[SimOrder, int, int, str]


class AssetSim:
    """Matching state of one outcome token."""

    __slots__ = (
        "_partial",
        "_queue",
        "_store",
        "ask_top",
        "asset_id",
        "bid_top",
        "levels",
        "market",
        "n_resting",
        "overlay",
        "unknown_size",
        "window_ns",
    )

    def __init__(
        self, asset_id: str, market: Market, store: BookStore, queue: QueueModel, partial: bool
    ) -> None:
        self.asset_id = asset_id
        self.market = market
        self._store = store
        self._queue = queue
        self._partial = partial
        self.window_ns = queue.match_window_ns
        #: our resting orders: levels[side][price], side BUY = bids, SELL = asks
        self.levels: tuple[dict[int, Level], dict[int, Level]] = ({}, {})
        #: our best resting prices, kept with ``levels`` (the venue's per-event check reads them
        #: instead of taking max/min of the levels): highest BUY (NO_BID when none), lowest SELL
        #: (NO_ASK when none)
        self.bid_top = NO_BID
        self.ask_top = NO_ASK
        #: liquidity we consumed: overlay[book side][price] -> size
        self.overlay: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self.n_resting = 0
        #: fill opportunities skipped because the data gave no size (top-of-book feeds)
        self.unknown_size = 0

    @property
    def active(self) -> bool:
        """Anything for a market event to act on (resting orders or consumed liquidity)."""
        return bool(self.n_resting or self.overlay[0] or self.overlay[1])

    # ---- what the data shows -------------------------------------------------------------------

    def _view(self) -> tuple[OrderBook | None, Bbo | None]:
        """The depth book (preferred once it has had a snapshot), else the top-of-book-only
        record, else a delta-only book, else nothing."""
        store = self._store
        book = store.get(self.asset_id)
        if book is not None and book.has_snapshot:
            return book, None
        rec = store.bbo(self.asset_id)
        if rec is None:
            return None, None
        if rec.from_book:
            return book, None
        return None, rec

    def raw_best(self, side: Side) -> int:
        """Best price of a book side as recorded (0 = no bids, ONE = no asks)."""
        return self._best_in(*self._view(), side)

    @staticmethod
    def _best_in(book: OrderBook | None, rec: Bbo | None, side: Side) -> int:
        if book is not None:
            return book.best_ask if side else book.best_bid
        if rec is not None:
            return rec.best_ask if side else rec.best_bid
        return ONE if side else 0

    def _raw_size(self, book: OrderBook | None, rec: Bbo | None, side: Side, price: int) -> int | None:
        if book is not None:
            return book.size_at(side, price)
        if rec is None:
            return None
        if side:
            best, size = rec.best_ask, rec.ask_size
            if best >= ONE or price < best:
                return 0  # nothing there, or better than every ask shown
        else:
            best, size = rec.best_bid, rec.bid_size
            if best <= 0 or price > best:
                return 0
        return size if price == best else None  # behind the best level: hidden

    def visible(self, side: Side, price: int) -> int | None:
        """Others' size at ``(side, price)`` net of what we consumed; ``None`` when the data
        cannot show it (a top-of-book-only feed, below the best level or without sizes)."""
        return self._visible_in(*self._view(), side, price)

    def _visible_in(self, book: OrderBook | None, rec: Bbo | None, side: Side, price: int) -> int | None:
        raw = self._raw_size(book, rec, side, price)
        if raw is None:
            return None
        used = self.overlay[side].get(price, 0)
        return raw - used if raw > used else 0

    def liquidity(self, taker_side: Side, limit: int, *, count: bool = True) -> list[list[int]]:
        """``[price, available]`` of the opposite side that a ``taker_side`` order limited at
        ``limit`` could take, best first, net of the overlay (levels fully consumed are left
        out). A top-of-book level without a size counts as nothing (``unknown_size``)."""
        opp = SELL if taker_side == BUY else BUY
        book, rec = self._view()
        ov = self.overlay[opp]
        out: list[list[int]] = []
        if book is not None:
            n, start = 8, 0
            while True:
                lvls = book.levels(opp, n)
                for price, size in lvls[start:]:
                    if (price > limit) if opp else (price < limit):
                        return out
                    avail = size - ov.get(price, 0)
                    if avail > 0:
                        out.append([price, avail])
                if len(lvls) < n:
                    return out
                start = len(lvls)
                n *= 4
        if rec is not None:
            if opp:
                price, size = rec.best_ask, rec.ask_size
                if price >= ONE or price > limit:
                    return out
            else:
                price, size = rec.best_bid, rec.bid_size
                if price <= 0 or price < limit:
                    return out
            if size is None:
                if count:
                    self.unknown_size += 1
                return out
            avail = size - ov.get(price, 0)
            if avail > 0:
                out.append([price, avail])
        return out

    def crosses(self, side: Side, price: int) -> bool:
        """Would an order at ``price`` trade on arrival? (post-only check). A top-of-book level
        without a size still counts as crossing: something is there."""
        best = self.raw_best(SELL if side == BUY else BUY)
        if (best > price) if side == BUY else (best < price):
            return False
        if self.liquidity(side, price, count=False):
            return True
        _, rec = self._view()
        if rec is not None:
            return (rec.ask_size if side == BUY else rec.bid_size) is None
        return False

    def consume(self, taker_side: Side, liq: list[list[int]], qty: int) -> list[tuple[int, int]]:
        """Take ``qty`` from ``liq`` (as returned by :meth:`liquidity`), best first, recording it
        in the overlay. Returns ``(price, size)`` per level touched."""
        ov = self.overlay[SELL if taker_side == BUY else BUY]
        out: list[tuple[int, int]] = []
        for lv in liq:
            if qty <= 0:
                break
            price, avail = lv
            take = avail if avail < qty else qty
            if take <= 0:
                continue
            ov[price] = ov.get(price, 0) + take
            lv[1] = avail - take
            qty -= take
            out.append((price, take))
        return out

    # ---- our resting orders ----------------------------------------------------------------------

    def rest(self, order: SimOrder) -> None:
        """Put ``order`` on the book behind everything displayed at its price."""
        side, price = order.side, order.price
        vis = self.visible(side, price)
        book_side = self.levels[side]
        level = book_side.get(price)
        if level is None:
            level = book_side[price] = Level(side, price, vis)
            if side:
                if price < self.ask_top:
                    self.ask_top = price
            elif price > self.bid_top:
                self.bid_top = price
        ahead = vis
        if level.orders and ahead is not None:
            before = level.orders[-1].ahead
            if before is not None and before > ahead:
                ahead = before  # FIFO: never ahead of our own earlier order
        order.ahead = ahead
        order.credit = 0
        level.orders.append(order)
        self.n_resting += 1

    def remove(self, order: SimOrder) -> None:
        book_side = self.levels[order.side]
        level = book_side.get(order.price)
        if level is None or order not in level.orders:
            return
        level.orders.remove(order)
        self.n_resting -= 1
        if not level.orders:
            del book_side[order.price]
            if order.side:
                self.ask_top = min(book_side) if book_side else NO_ASK
            else:
                self.bid_top = max(book_side) if book_side else NO_BID

    def resting(self) -> Iterable[SimOrder]:
        for book_side in self.levels:
            for level in list(book_side.values()):
                yield from list(level.orders)

    def _fill(self, order: SimOrder, size: int, source: str, out: list[MakerFill]) -> None:
        order.remaining -= size
        if order.remaining <= 0:
            self.remove(order)
            order.state = DONE
            order.done_reason = "filled"
        out.append((order, order.price, size, source))

    # ---- market events -----------------------------------------------------------------------------

    def on_deltas(self, ev: BookDeltas, now: int) -> list[MakerFill]:
        """Level updates: consumed levels among them are capped, our levels among them see the
        new displayed size, then resting orders the opposite side now reaches are filled.

        Runs for every delta of a token we rest on, so the usual case (a level where we neither
        rest nor consumed anything, no opposite price at or through ours) touches no list and
        calls nothing but :meth:`_view`; the checks before :meth:`_through_book` are the ones
        it would make first itself."""
        book = self._store.get(self.asset_id)
        if book is not None and book.has_snapshot:
            rec = None
        else:
            book, rec = self._view()
        ov_bids, ov_asks = self.overlay
        our_bids, our_asks = self.levels
        touched: list[Level] | None = None
        for side, price, _ in ev.changes:
            ov = ov_asks if side else ov_bids
            if ov and price in ov:
                self._cap(ov, price, self._raw_size(book, rec, side, price))
            mine = our_asks if side else our_bids
            if mine:
                level = mine.get(price)
                if level is not None:
                    if touched is None:
                        touched = [level]
                    elif level not in touched:
                        touched.append(level)
        if touched is not None:
            for level in touched:
                self._displayed(level, self._visible_in(book, rec, level.side, level.price), now)
        out: list[MakerFill] = []
        if self.n_resting:
            if rec is None and book is not None:
                reach = book.best_ask <= self.bid_top or book.best_bid >= self.ask_top
            else:
                reach = (our_bids and self._best_in(book, rec, SELL) <= max(our_bids)) or (
                    our_asks and self._best_in(book, rec, BUY) >= min(our_asks)
                )
            if reach:
                self._through_book(out, book, rec)
        return out

    def on_snapshot(self, ev: BookSnapshot | BestBidAsk, now: int) -> list[MakerFill]:
        """A snapshot (or a top-of-book record) replaced what we knew: every consumed level and
        every level we rest at is looked at again."""
        book, rec = self._view()
        for side in (BUY, SELL):
            ov = self.overlay[side]
            for price in list(ov):
                self._cap(ov, price, self._raw_size(book, rec, side, price))
        for side in (BUY, SELL):
            for level in list(self.levels[side].values()):
                self._displayed(level, self._visible_in(book, rec, side, level.price), now)
        out: list[MakerFill] = []
        if self.n_resting:
            self._through_book(out, book, rec)
        return out

    @staticmethod
    def _cap(ov: dict[int, int], price: int, raw: int | None) -> None:
        """A consumed level changed in the data: we can have taken at most what it now shows.
        ``None`` (hidden behind a top-of-book feed's best level) keeps what we had."""
        if raw is None:
            return
        used = ov[price]
        if raw <= 0:
            del ov[price]
        elif raw < used:
            ov[price] = raw

    def _displayed(self, level: Level, new: int | None, now: int) -> None:
        """Others' displayed size at one of our levels is now ``new``: move the queue."""
        prev = level.last_size
        level.last_size = new
        traded = level.trade_vol
        level.trade_vol = 0
        orders = level.orders
        if new is None:
            return  # hidden: nothing learned
        if prev is None:  # visible again (or for the first time): only the cap applies
            for o in orders:
                o.ahead = new if o.ahead is None else min(o.ahead, new)
            return
        dec = prev - new
        unexplained = dec - traded if dec > traded else 0
        if unexplained:
            if level.dec_vol and now - level.dec_ts > self.window_ns:
                level.dec_vol = 0
            level.dec_vol += unexplained
            level.dec_ts = now
        queue = self._queue
        window = self.window_ns
        floor = 0
        for o in orders:
            a = o.ahead
            if a is None:
                a2 = new
            else:
                a2 = queue.on_decrease(a, max(0, prev - a), unexplained) if unexplained > 0 else a
                if a2 > new:
                    a2 = new
                if a2 < a:
                    if o.credit and now - o.credit_ts > window:
                        o.credit = 0
                    o.credit += a - a2
                    o.credit_ts = now
            if a2 < floor:
                a2 = floor  # FIFO: never ahead of our own earlier order at this price
            o.ahead = a2
            floor = a2

    def _through_book(self, out: list[MakerFill], book: OrderBook | None, rec: Bbo | None) -> None:
        """The opposite side shows liquidity at or through a resting price: that liquidity would
        have traded with the queue at our price, so with us after the queue ahead. Best-priced
        of our orders first, FIFO within a price; fills at our (maker) price."""
        partial = self._partial
        for side in (BUY, SELL):
            book_side = self.levels[side]
            if not book_side:
                continue
            if side == BUY:
                best = self._best_in(book, rec, SELL)
                if best > max(book_side):
                    continue  # the usual case: nothing offered at or below our best bid
                prices = sorted((p for p in book_side if p >= best), reverse=True)
            else:
                best = self._best_in(book, rec, BUY)
                if best < min(book_side):
                    continue
                prices = sorted(p for p in book_side if p <= best)
            for price in prices:
                liq = self.liquidity(side, price)
                if not liq:
                    break  # worse-priced levels of ours reach even less
                for o in list(book_side[price].orders):
                    total = sum(a for _, a in liq)
                    if total <= 0 or o.ahead is None:
                        break
                    used_ahead = min(total, o.ahead)
                    fill = min(o.remaining, total - used_ahead)
                    if fill and not partial and fill < o.remaining:
                        fill = 0
                    o.ahead -= used_ahead
                    self.consume(side, liq, used_ahead + fill)
                    if fill:
                        self._fill(o, fill, SOURCE_BOOK, out)
                    else:
                        break  # later orders at this price may not jump the queue

    def on_trade(self, ev: TradePrint, now: int) -> list[MakerFill]:
        """A recorded trade. The aggressor's side says which of our levels it can reach: a sell
        hits bids (our BUYs), a buy lifts asks (our SELLs). Prints without a side only move the
        queue at their own price, on both sides."""
        out: list[MakerFill] = []
        qty, price = ev.size, ev.price
        if qty <= 0:
            return out
        aggressor = ev.side
        if aggressor is None:
            for side in (BUY, SELL):
                level = self.levels[side].get(price)
                if level is not None:
                    self._note_print(level, qty, now)
                    self._queue_trade(level, qty, now, out)
            return out
        side = BUY if aggressor == SELL else SELL  # the side of ours it can hit
        book_side = self.levels[side]
        level = book_side.get(price)
        if level is not None:
            self._note_print(level, qty, now)
        budget = qty
        if side == BUY:
            through = sorted((p for p in book_side if p > price), reverse=True)
        else:
            through = sorted(p for p in book_side if p < price)
        for p in through:
            # the aggressor went through our price: it had at least ``qty`` more to trade and
            # would have met us first; the queue there is left to the data to clear
            for o in list(book_side[p].orders):
                fill = min(o.remaining, budget)
                if fill and not self._partial and fill < o.remaining:
                    fill = 0
                if not fill:
                    break
                budget -= fill
                self._fill(o, fill, SOURCE_TRADE, out)
            if budget <= 0:
                return out
        if level is not None:
            self._queue_trade(level, budget, now, out)
        return out

    def _note_print(self, level: Level, qty: int, now: int) -> None:
        """Remember a print at one of our levels so that the displayed decrease it causes is not
        taken for a cancel as well, unless a decrease seen just before already showed it."""
        seen = level.dec_vol if level.dec_vol and now - level.dec_ts <= self.window_ns else 0
        matched = seen if seen < qty else qty
        level.dec_vol = seen - matched
        level.trade_vol += qty - matched

    def _queue_trade(self, level: Level, qty: int, now: int, out: list[MakerFill]) -> None:
        """A trade of ``qty`` at our price: it consumes the queue ahead first, what exceeds it
        fills us. Our own earlier orders at the price count as queue ahead of a later one (and
        are assumed to absorb the volume first: conservative for the later one)."""
        window = self.window_ns
        partial = self._partial
        front_ours = 0
        for o in list(level.orders):
            before = o.remaining
            a = o.ahead
            if a is None:
                front_ours += before
                continue
            credit = o.credit
            if credit and now - o.credit_ts > window:
                credit = 0
            c = credit if credit < qty else qty
            o.credit = credit - c
            v = qty - c
            progress = v - front_ours if v > front_ours else 0
            o.ahead = a - progress if a > progress else 0
            reach = progress - a
            if reach > 0:
                fill = before if before < reach else reach
                if partial or fill == before:
                    self._fill(o, fill, SOURCE_TRADE, out)
            front_ours += before
