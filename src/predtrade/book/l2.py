"""L2 order book of one outcome token as a bounded tick array.

A binary-outcome price lies in 1..9999 (units of 0.0001), so each side is a plain list of 10_001
sizes indexed by price, plus best bid / best ask pointers. A level update is one list store and
a compare; there is no sorting and no allocation. Only removing the best level needs a scan, to
the next non-empty slot.

**Scan step.** The scan walks with a step equal to the gcd of ``ONE`` and every price inserted
since the last snapshot, i.e. the coarsest grid all present levels lie on. That is never finer
than the gcd of the ticks seen (every valid price is a multiple of its tick), so on a 0.01 grid a
scan visits at most 100 slots, and it stays right across tick size changes without tracking them
(a finer tick refines the step as soon as a price on the finer grid arrives). It also copes with
books whose tick we do not know (``tick=1``): the prices themselves reveal the grid.

**Consistency.** The book never silently trusts itself. It is marked ``needs_resync`` (with the
first reason) when: it has had no snapshot yet; it is crossed after a whole delta event or a
snapshot; the venue's best bid/ask sent with an event disagree with ours; the event sequence has
a gap; or a level is off the tick grid / outside (0, 1) / has a negative size (that level is
skipped and counted in ``rejected_levels``; nothing is raised from the update path). Only a new
snapshot clears the flag.
"""

from __future__ import annotations

from math import gcd

from predtrade.model.enums import Side
from predtrade.model.events import BookDeltas, BookSnapshot
from predtrade.model.units import ONE, UnitError, format_price

from ._queries import BookQueries
from .types import Level, TopOfBook

# The hot path spells ONE as the literal 10000 (a constant load is cheaper than a global one).
if ONE != 10_000:  # pragma: no cover
    raise ImportError("predtrade.book.l2 assumes ONE == 10_000")

_ZEROS = [0] * (ONE + 1)
#: a side whose levels may span more scan steps than this is reset by overwriting every slot
_WALK_MAX = 1_000
NO_SNAPSHOT = "no snapshot yet"


class OrderBook(BookQueries):
    """L2 book of one outcome token. Prices are ints 1..9999 (1e-4), sizes ints (1e-6).

    ``best_bid`` (0 = no bids) and ``best_ask`` (``ONE`` = no asks) are plain attributes: read
    them directly. ``updates`` counts applied events (snapshots and delta events); direct
    ``set_*`` calls do not count as events.
    """

    __slots__ = (
        "_aceil",
        "_asks",
        "_aview",
        "_bfloor",
        "_bids",
        "_bview",
        "_last_seq",
        "_na",
        "_nb",
        "_step",
        "asset_id",
        "best_ask",
        "best_bid",
        "has_snapshot",
        "needs_resync",
        "rejected_levels",
        "resync_marks",
        "resync_reason",
        "tick",
        "ts_local",
        "ts_venue",
        "updates",
    )

    def __init__(self, asset_id: str, tick: int = 1) -> None:
        check_tick(tick)
        self.asset_id = asset_id
        self.tick = tick
        self._bids = [0] * (ONE + 1)
        self._asks = [0] * (ONE + 1)
        self._nb = 0  # number of non-empty bid levels
        self._na = 0
        self._step = ONE
        self.best_bid = 0
        self.best_ask = ONE
        self.has_snapshot = False
        self.needs_resync = True
        self.resync_reason: str | None = NO_SNAPSHOT
        self.resync_marks = 0
        self.rejected_levels = 0
        self._last_seq: int | None = None
        self.ts_venue = 0
        self.ts_local = 0
        self.updates = 0
        # the last top() view of each side, ``(n, levels)``, kept while no update reaches it:
        # a bid at or above ``_bfloor`` / an ask at or below ``_aceil`` drops it (see top())
        self._bview: tuple[int, tuple[Level, ...]] | None = None
        self._aview: tuple[int, tuple[Level, ...]] | None = None
        self._bfloor = ONE + 1
        self._aceil = -1

    # ---- hot path ----------------------------------------------------------------------------

    def set_bid(self, price: int, size: int) -> None:
        """Set the bid level at ``price`` to ``size`` (absolute; 0 removes it)."""
        if 0 < price < 10000 and not price % self.tick:
            pass
        elif not self._accept_odd(0, price, size):
            return
        if price >= self._bfloor:
            self._bview = None
        bids = self._bids
        if size > 0:
            if not bids[price]:
                self._nb += 1
                if price % self._step:
                    self._step = gcd(self._step, price)
            bids[price] = size
            if price > self.best_bid:
                self.best_bid = price
        elif size:
            self._reject(price, size)
        elif bids[price]:
            bids[price] = 0
            self._nb -= 1
            if price == self.best_bid:
                self.best_bid = self._scan_bids(price) if self._nb else 0

    def set_ask(self, price: int, size: int) -> None:
        """Set the ask level at ``price`` to ``size`` (absolute; 0 removes it)."""
        if 0 < price < 10000 and not price % self.tick:
            pass
        elif not self._accept_odd(1, price, size):
            return
        if price <= self._aceil:
            self._aview = None
        asks = self._asks
        if size > 0:
            if not asks[price]:
                self._na += 1
                if price % self._step:
                    self._step = gcd(self._step, price)
            asks[price] = size
            if price < self.best_ask:
                self.best_ask = price
        elif size:
            self._reject(price, size)
        elif asks[price]:
            asks[price] = 0
            self._na -= 1
            if price == self.best_ask:
                self.best_ask = self._scan_asks(price) if self._na else ONE

    def set_level(self, side: Side, price: int, size: int) -> None:
        """``set_bid`` for ``Side.BUY``, ``set_ask`` for ``Side.SELL``.

        Deliberately a copy of both bodies rather than a dispatch: a second Python call costs
        about a third of the whole update (benchmarks/bench_book.py). The property tests drive
        all three entry points against the same reference model.
        """
        if 0 < price < 10000 and not price % self.tick:
            pass
        elif not self._accept_odd(side, price, size):
            return
        if side:
            if price <= self._aceil:
                self._aview = None
            asks = self._asks
            if size > 0:
                if not asks[price]:
                    self._na += 1
                    if price % self._step:
                        self._step = gcd(self._step, price)
                asks[price] = size
                if price < self.best_ask:
                    self.best_ask = price
            elif size:
                self._reject(price, size)
            elif asks[price]:
                asks[price] = 0
                self._na -= 1
                if price == self.best_ask:
                    self.best_ask = self._scan_asks(price) if self._na else ONE
        else:
            if price >= self._bfloor:
                self._bview = None
            bids = self._bids
            if size > 0:
                if not bids[price]:
                    self._nb += 1
                    if price % self._step:
                        self._step = gcd(self._step, price)
                bids[price] = size
                if price > self.best_bid:
                    self.best_bid = price
            elif size:
                self._reject(price, size)
            elif bids[price]:
                bids[price] = 0
                self._nb -= 1
                if price == self.best_bid:
                    self.best_bid = self._scan_bids(price) if self._nb else 0

    def _scan_bids(self, price: int) -> int:
        """Next non-empty bid below ``price`` (there is one: the level count says so)."""
        bids = self._bids
        step = self._step
        p = price - step
        while p > 0 and not bids[p]:
            p -= step
        if p <= 0:  # unreachable unless the level count is wrong: never trust it silently
            self.mark_resync("internal: bid level count out of step with the array")
            return 0
        return p

    def _scan_asks(self, price: int) -> int:
        asks = self._asks
        step = self._step
        p = price + step
        while p < ONE and not asks[p]:
            p += step
        if p >= ONE:
            self.mark_resync("internal: ask level count out of step with the array")
            return ONE
        return p

    def _accept_odd(self, side: int, price: int, size: int) -> bool:
        """Slow path for a price off the current tick grid or out of range.

        An update to a level we already hold is accepted even off the current grid: it was on the
        grid when it arrived, and after a tick size change the venue may keep such resting orders
        and report their fills and cancels (flagging those would demand a resync that the next
        snapshot, still holding them, could not satisfy). Anything else is skipped, counted and
        flagged.
        """
        if type(price) is int and 0 < price < ONE and (self._asks if side else self._bids)[price]:
            return True
        self.rejected_levels += 1
        if type(price) is not int or not 0 < price < ONE:
            self.mark_resync(f"price {price!r} outside (0, 1)")
        else:
            self.mark_resync(f"price {format_price(price)} off the tick grid {format_price(self.tick)}")
        return False

    def _reject(self, price: int, size: int) -> None:
        self.rejected_levels += 1
        self.mark_resync(f"negative size {size} at {format_price(price)}")

    # ---- events ------------------------------------------------------------------------------

    def apply_deltas(self, ev: BookDeltas) -> None:
        """Apply one venue message's level updates (absolute sizes, 0 removes), then check the
        whole result: crossed book, the venue's own best bid/ask, sequence continuity.

        The common update (a price on the grid, a non-negative size) is applied inline, a copy
        of :meth:`set_level`'s body: this runs once per recorded delta, and the saved call is a
        fifth of the update's cost. Anything unusual goes through :meth:`set_level` itself. The
        property tests drive this and the direct entry points against one reference model."""
        tick = self.tick
        for side, price, size in ev.changes:
            if size < 0 or not 0 < price < 10000 or price % tick:
                self.set_level(side, price, size)  # off-grid, out of range, negative: slow path
            elif side:
                if price <= self._aceil:
                    self._aview = None
                asks = self._asks
                if size:
                    if not asks[price]:
                        self._na += 1
                        if price % self._step:
                            self._step = gcd(self._step, price)
                    asks[price] = size
                    if price < self.best_ask:
                        self.best_ask = price
                elif asks[price]:
                    asks[price] = 0
                    self._na -= 1
                    if price == self.best_ask:
                        self.best_ask = self._scan_asks(price) if self._na else ONE
            else:
                if price >= self._bfloor:
                    self._bview = None
                bids = self._bids
                if size:
                    if not bids[price]:
                        self._nb += 1
                        if price % self._step:
                            self._step = gcd(self._step, price)
                    bids[price] = size
                    if price > self.best_bid:
                        self.best_bid = price
                elif bids[price]:
                    bids[price] = 0
                    self._nb -= 1
                    if price == self.best_bid:
                        self.best_bid = self._scan_bids(price) if self._nb else 0
        self.ts_venue = ev.ts_venue
        self.ts_local = ev.ts_local
        self.updates += 1
        bb = self.best_bid
        ba = self.best_ask
        if bb >= ba:
            self.mark_resync(f"crossed book: bid {format_price(bb)} >= ask {format_price(ba)}")
        vb = ev.best_bid
        if vb is not None and vb != bb:
            self.mark_resync(f"venue best_bid {format_price(vb)} != ours {format_price(bb)}")
        va = ev.best_ask
        if va is not None and va != ba and not (va == 0 and ba == ONE):
            # a best_ask of 0 can only mean "no asks" (no ask can be priced at 0)
            self.mark_resync(f"venue best_ask {format_price(va)} != ours {format_price(ba)}")
        seq = ev.seq
        if seq is not None:
            last = self._last_seq
            if last is not None and seq != last + 1:
                self.mark_resync(f"sequence gap: {last} -> {seq}")
            self._last_seq = seq

    def apply_snapshot(self, ev: BookSnapshot) -> None:
        """Replace the whole book. Clears ``needs_resync`` unless the snapshot itself is bad
        (off-grid levels, crossed)."""
        self._reset()
        self.needs_resync = False
        self.resync_reason = None
        self.has_snapshot = True
        self._last_seq = None
        if ev.tick:
            try:
                self.set_tick(ev.tick)
            except UnitError as exc:
                self.mark_resync(str(exc))
        self._fill(ev.bids, 0)
        self._fill(ev.asks, 1)
        self.ts_venue = ev.ts_venue
        self.ts_local = ev.ts_local
        self.updates += 1
        if self.best_bid >= self.best_ask:
            self.mark_resync(
                f"crossed snapshot: bid {format_price(self.best_bid)} >= ask {format_price(self.best_ask)}"
            )

    def clear(self) -> None:
        """Remove every level (flags and timestamps are left as they are)."""
        self._reset()

    def _fill(self, levels: tuple[Level, ...], side: int) -> None:
        """Set a freshly reset side from a snapshot's levels. A new level on the grid with a
        positive size is stored inline (a snapshot of a 1 Hz full-depth feed has ~90 levels a
        side); anything else (a repeated price, a zero or negative size, a price off the grid or
        out of range) goes through :meth:`set_bid`/:meth:`set_ask`, whose rules then apply."""
        if not levels:
            return
        if side:  # (a snapshot resets first; this keeps _fill safe on its own)
            self._aview = None
            self._aceil = -1
        else:
            self._bview = None
            self._bfloor = ONE + 1
        tick = self.tick
        if side:
            arr, slow, n, step, best = self._asks, self.set_ask, self._na, self._step, self.best_ask
        else:
            arr, slow, n, step, best = self._bids, self.set_bid, self._nb, self._step, self.best_bid
        for price, size in levels:
            if size > 0 and 0 < price < 10000 and not price % tick and not arr[price]:
                arr[price] = size
                n += 1
                if price % step:
                    step = gcd(step, price)
                if (price < best) if side else (price > best):
                    best = price
                continue
            self._step = step  # hand the state to the slow path, then take it back
            if side:
                self._na, self.best_ask = n, best
                slow(price, size)
                n, best = self._na, self.best_ask
            else:
                self._nb, self.best_bid = n, best
                slow(price, size)
                n, best = self._nb, self.best_bid
            step = self._step
        self._step = step
        if side:
            self._na, self.best_ask = n, best
        else:
            self._nb, self.best_bid = n, best

    def _reset(self) -> None:
        """Empty both sides. Only the set levels are cleared: every one lies on the scan grid
        between the best price and the far end of its side, and the level counts say when the
        last one has been found. Overwriting all 2 x 10_001 slots would cost ~18 us per
        snapshot; a 0.01-tick side is cleared in at most 100 steps. A fine grid with a far-off
        best (more than :data:`_WALK_MAX` steps to walk) is cleared wholesale instead."""
        step = self._step
        n = self._nb
        if n:
            bids = self._bids
            p = self.best_bid
            if p // step > _WALK_MAX:
                bids[:] = _ZEROS
            else:
                while n and p > 0:
                    if bids[p]:
                        bids[p] = 0
                        n -= 1
                    p -= step
                if n:  # pragma: no cover - the level count was wrong: never leave a level behind
                    bids[:] = _ZEROS
        n = self._na
        if n:
            asks = self._asks
            p = self.best_ask
            if (ONE - p) // step > _WALK_MAX:
                asks[:] = _ZEROS
            else:
                while n and p < ONE:
                    if asks[p]:
                        asks[p] = 0
                        n -= 1
                    p += step
                if n:  # pragma: no cover
                    asks[:] = _ZEROS
        self._nb = 0
        self._na = 0
        self._step = ONE
        self.best_bid = 0
        self.best_ask = ONE
        self._bview = self._aview = None
        self._bfloor = ONE + 1
        self._aceil = -1

    def set_tick(self, new_tick: int) -> None:
        """Tick size change. Existing levels stay; new levels must lie on the new grid. The scan
        step needs no adjusting: it follows the prices actually inserted (module docstring)."""
        check_tick(new_tick)
        self.tick = new_tick

    def mark_resync(self, reason: str) -> None:
        """Flag the book as not trustworthy until the next snapshot. The first reason is kept
        (later ones are usually consequences of it); ``resync_marks`` counts every call."""
        self.resync_marks += 1
        if not self.needs_resync:
            self.needs_resync = True
            self.resync_reason = reason

    # ---- queries -----------------------------------------------------------------------------

    def size_at(self, side: Side, price: int) -> int:
        """Size resting at ``price`` on ``side`` (0 when empty or out of range)."""
        if 0 < price < ONE:
            return (self._asks if side else self._bids)[price]
        return 0

    def top_sizes(self) -> tuple[int, int]:
        """``(best_bid_size, best_ask_size)`` in one call (0 for an empty side)."""
        bb = self.best_bid
        ba = self.best_ask
        return (self._bids[bb] if bb else 0, self._asks[ba] if ba < ONE else 0)

    def n_levels(self, side: Side) -> int:
        """Number of non-empty levels on ``side``."""
        return self._na if side else self._nb

    def _levels(self, side: int, n: int | None) -> list[Level]:
        count = self._na if side else self._nb
        if n is None or n > count:
            n = count
        out: list[Level] = []
        if n <= 0:
            return out
        step = self._step
        if side:
            arr = self._asks
            p = self.best_ask
            while p < ONE:
                s = arr[p]
                if s:
                    out.append((p, s))
                    if len(out) == n:
                        break
                p += step
        else:
            arr = self._bids
            p = self.best_bid
            while p > 0:
                s = arr[p]
                if s:
                    out.append((p, s))
                    if len(out) == n:
                        break
                p -= step
        return out

    def top(self, n: int = 10) -> TopOfBook:
        """:meth:`BookQueries.top` with both sides' walks written out (a snapshot builds one or
        two of these per evaluation): the same levels, best first.

        Each side's levels are kept with the ``n`` they were read for until an update reaches
        them: a bid at or above the lowest kept bid (any bid while the side held fewer than
        ``n`` levels), an ask at or below the highest kept ask, a snapshot or a clear. A side
        that only changed deeper down (most updates) is handed out again as the same tuple."""
        if n <= 0:
            if n < 0:
                raise ValueError(f"n must be >= 0, got {n}")
            return TopOfBook(self.asset_id, (), (), self.ts_venue, self.ts_local, self.needs_resync)
        step = self._step
        v = self._bview
        if v is not None and v[0] == n:
            bids = v[1]
        else:
            p = self.best_bid
            k = self._nb if self._nb < n else n
            if not p or not k:
                bids = ()
            elif k == 1:
                bids = ((p, self._bids[p]),)
            else:
                arr = self._bids
                out = [(p, arr[p])]
                p -= step
                while p > 0:
                    s = arr[p]
                    if s:
                        out.append((p, s))
                        if len(out) == k:
                            break
                    p -= step
                bids = tuple(out)
            self._bview = (n, bids)
            self._bfloor = bids[-1][0] if len(bids) == n else 0
        v = self._aview
        if v is not None and v[0] == n:
            asks = v[1]
        else:
            p = self.best_ask
            k = self._na if self._na < n else n
            if p >= 10000 or not k:
                asks = ()
            elif k == 1:
                asks = ((p, self._asks[p]),)
            else:
                arr = self._asks
                out = [(p, arr[p])]
                p += step
                while p < 10000:
                    s = arr[p]
                    if s:
                        out.append((p, s))
                        if len(out) == k:
                            break
                    p += step
                asks = tuple(out)
            self._aview = (n, asks)
            self._aceil = asks[-1][0] if len(asks) == n else ONE
        return TopOfBook(self.asset_id, bids, asks, self.ts_venue, self.ts_local, self.needs_resync)

    def _walk(self, side: int, qty: int) -> tuple[int, int, int | None, int]:
        step = self._step
        remaining = qty
        notional = 0
        worst = None
        used = 0
        if side:
            arr = self._asks
            p = self.best_ask
            while remaining and p < ONE:
                s = arr[p]
                if s:
                    take = s if s < remaining else remaining
                    notional += p * take
                    remaining -= take
                    worst = p
                    used += 1
                p += step
        else:
            arr = self._bids
            p = self.best_bid
            while remaining and p > 0:
                s = arr[p]
                if s:
                    take = s if s < remaining else remaining
                    notional += p * take
                    remaining -= take
                    worst = p
                    used += 1
                p -= step
        return qty - remaining, notional, worst, used

    def depth(self, side: Side, n_levels: int | None = None) -> int:
        """Total size over the best ``n_levels`` levels of ``side`` (all when ``None``)."""
        if n_levels is None:  # every level lies on the step grid: one C-level strided sum
            step = self._step
            if side:
                return sum(self._asks[self.best_ask : ONE : step])
            return sum(self._bids[self.best_bid : 0 : -step])
        return super().depth(side, n_levels)

    def complement(self, asset_id: str | None = None) -> ComplementBook:
        """Read-only view of the other outcome's book implied by this one (no copy)."""
        return ComplementBook(self, asset_id)

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.asset_id!r}, bid={format_price(self.best_bid)}, "
            f"ask={format_price(self.best_ask)}, levels={self._nb}/{self._na}, "
            f"needs_resync={self.needs_resync})"
        )


class ComplementBook(BookQueries):
    """The book of the *other* outcome token implied by ``book``: YES + NO pays exactly ONE, so a
    YES bid at ``p`` is a NO ask at ``ONE - p`` and a YES ask at ``p`` a NO bid at ``ONE - p``.

    A live view over the source book's arrays (nothing is copied), read-only. ``asset_id``
    defaults to ``"<source id>:complement"`` so that it can never be mistaken for the source
    token; pass the real other token id when you know it.
    """

    __slots__ = ("_book", "asset_id")

    def __init__(self, book: OrderBook, asset_id: str | None = None) -> None:
        self._book = book
        self.asset_id = asset_id if asset_id is not None else f"{book.asset_id}:complement"

    @property
    def source(self) -> OrderBook:
        return self._book

    @property
    def best_bid(self) -> int:
        return ONE - self._book.best_ask  # no asks (ONE) -> no bids (0)

    @property
    def best_ask(self) -> int:
        return ONE - self._book.best_bid  # no bids (0) -> no asks (ONE)

    @property
    def tick(self) -> int:
        return self._book.tick

    @property
    def needs_resync(self) -> bool:
        return self._book.needs_resync

    @property
    def resync_reason(self) -> str | None:
        return self._book.resync_reason

    @property
    def ts_venue(self) -> int:
        return self._book.ts_venue

    @property
    def ts_local(self) -> int:
        return self._book.ts_local

    @property
    def updates(self) -> int:
        return self._book.updates

    def size_at(self, side: Side, price: int) -> int:
        return self._book.size_at(Side.BUY if side else Side.SELL, ONE - price)

    def n_levels(self, side: Side) -> int:
        return self._book.n_levels(Side.BUY if side else Side.SELL)

    def _levels(self, side: int, n: int | None) -> list[Level]:
        return [(ONE - p, s) for p, s in self._book._levels(0 if side else 1, n)]

    def _walk(self, side: int, qty: int) -> tuple[int, int, int | None, int]:
        # same levels in the same order; each price p becomes ONE - p, so the notional is
        # sum((ONE - p) * take) = ONE * filled - sum(p * take)
        filled, notional, worst, used = self._book._walk(0 if side else 1, qty)
        return filled, ONE * filled - notional, None if worst is None else ONE - worst, used

    def depth(self, side: Side, n_levels: int | None = None) -> int:
        return self._book.depth(Side.BUY if side else Side.SELL, n_levels)

    def complement(self) -> OrderBook:
        """The complement of the complement is the source book itself."""
        return self._book

    def __repr__(self) -> str:
        return f"ComplementBook({self.asset_id!r}, bid={self.best_bid}, ask={self.best_ask})"


def check_tick(tick: int) -> None:
    """Raise :class:`UnitError` unless ``tick`` is an int in 1..9999 price units."""
    if type(tick) is not int or not 1 <= tick < ONE:
        raise UnitError(f"tick must be an int in 1..{ONE - 1} price units, got {tick!r}")
