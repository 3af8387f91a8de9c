"""Property tests: OrderBook against a trivial dict-based reference model.

Random sequences of snapshots, delta events, direct level updates and tick changes (prices on
random tick grids, plus off-grid and out-of-range ones; sizes including 0 and the odd negative)
are applied to both; every query must agree after every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.book import ComplementBook, OrderBook
from predtrade.book._queries import BookQueries
from predtrade.model import ONE, BookDeltas, BookSnapshot, Side

TICKS = [1, 10, 25, 50, 100, 1000]
SIZES = st.one_of(
    st.sampled_from([0, 0, 0, 1, 1_000_000, 123_456_789]),
    st.integers(0, 10**12),
    st.just(-1),
)


@dataclass
class Ref:
    """The obvious model: a dict per side and the rules spelled out plainly."""

    tick: int = 1
    bids: dict[int, int] = field(default_factory=dict)
    asks: dict[int, int] = field(default_factory=dict)
    flagged: bool = True  # no snapshot yet
    rejected: int = 0
    marks: int = 0  # every inconsistency noticed, so a spurious extra one cannot hide
    last_seq: int | None = None

    def mark(self) -> None:
        self.marks += 1
        self.flagged = True

    def side(self, side: int) -> dict[int, int]:
        return self.asks if side else self.bids

    def best_bid(self) -> int:
        return max(self.bids, default=0)

    def best_ask(self) -> int:
        return min(self.asks, default=ONE)

    def set(self, side: int, p: int, s: int) -> None:
        levels = self.side(side)
        ok_price = 0 < p < ONE and (p % self.tick == 0 or p in levels)
        if not ok_price or s < 0:
            self.rejected += 1
            self.mark()
        elif s == 0:
            levels.pop(p, None)
        else:
            levels[p] = s

    def snapshot(self, tick: int | None, bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> None:
        self.bids, self.asks = {}, {}
        self.flagged = False
        self.last_seq = None
        if tick:
            self.tick = tick
        for p, s in bids:
            self.set(0, p, s)
        for p, s in asks:
            self.set(1, p, s)
        if self.best_bid() >= self.best_ask():
            self.mark()

    def deltas(
        self, changes: list[tuple[int, int, int]], vb: int | None, va: int | None, seq: int | None
    ) -> None:
        for side, p, s in changes:
            self.set(side, p, s)
        bb, ba = self.best_bid(), self.best_ask()
        if bb >= ba:
            self.mark()
        if vb is not None and vb != bb:
            self.mark()
        if va is not None and va != ba and not (va == 0 and ba == ONE):
            self.mark()
        if seq is not None:
            if self.last_seq is not None and seq != self.last_seq + 1:
                self.mark()
            self.last_seq = seq

    def sorted_levels(self, side: int) -> list[tuple[int, int]]:
        return sorted(self.side(side).items(), reverse=not side)

    def vwap(self, take_side: int, qty: int) -> tuple[int, int, int | None]:
        remaining, notional, worst = qty, 0, None
        for p, s in self.sorted_levels(1 - take_side):
            if not remaining:
                break
            t = min(s, remaining)
            notional += p * t
            remaining -= t
            worst = p
        return qty - remaining, notional, worst


@st.composite
def price_for(draw: st.DrawFn, tick: int, side: int) -> int:
    """Mostly on the current grid near the middle (so levels collide and get removed), sometimes
    on another grid, at the edges or out of range."""
    kind = draw(st.integers(0, 39))
    if kind == 0:
        return draw(st.sampled_from([0, ONE, -1, ONE + 1, 1, ONE - 1, -ONE]))
    if kind == 1:
        other = draw(st.sampled_from(TICKS))
        return other * draw(st.integers(1, (ONE - 1) // other))
    centre = 5000 // tick
    lo, hi = (centre - 12, centre + 3) if side == 0 else (centre - 3, centre + 12)
    lo, hi = max(lo, 1), min(hi, (ONE - 1) // tick)
    return tick * draw(st.integers(lo, hi))


def stored_levels(book: OrderBook, side: int) -> dict[int, int]:
    """Every non-empty slot of the book's price array: what a reset that forgot a level (the
    reset clears only the levels it finds by walking from the best price) would leave behind,
    even where no query walks."""
    arr = book._asks if side else book._bids
    return {p: s for p, s in enumerate(arr) if s}


def check_same(book: OrderBook, ref: Ref, data: st.DataObject) -> None:
    assert stored_levels(book, 0) == ref.bids
    assert stored_levels(book, 1) == ref.asks
    assert book.best_bid == ref.best_bid()
    assert book.best_ask == ref.best_ask()
    for side in (Side.BUY, Side.SELL):
        expected = ref.sorted_levels(side)
        assert book.levels(side) == expected
        assert book.n_levels(side) == len(expected)
        assert book.depth(side) == sum(s for _, s in expected)
        n = data.draw(st.integers(0, 6), label="n")
        assert book.levels(side, n) == expected[:n]
        # top() keeps each side's levels until an update reaches them: after every step, asked
        # for any depth (the kept one or another), it equals the generic walk and the model
        top = book.top(n)
        assert (top.bids if side is Side.BUY else top.asks) == tuple(expected[:n])
        assert top == BookQueries.top(book, n)
        assert book.depth(side, n) == sum(s for _, s in expected[:n])
        for p, s in expected:
            assert book.size_at(side, p) == s
    assert book.needs_resync is ref.flagged
    assert book.rejected_levels == ref.rejected
    assert book.resync_marks == ref.marks
    assert book.is_crossed == (ref.best_bid() >= ref.best_ask())
    for take in (Side.BUY, Side.SELL):
        qty = data.draw(st.integers(0, 3 * 10**12), label="qty")
        r = book.vwap(take, qty)
        filled, notional, worst = ref.vwap(take, qty)
        assert (r.filled, r.notional, r.worst_price) == (filled, notional, worst)
        assert r.avg_price == (Fraction(notional, filled) if filled else None)


def mirrored(book: OrderBook) -> OrderBook:
    """A real book built from the source's levels mirrored through 1 - p."""
    m = OrderBook("mirror")
    m.apply_snapshot(
        BookSnapshot(
            "mirror",
            "m",
            bids=tuple((ONE - p, s) for p, s in book.levels(Side.SELL)),
            asks=tuple((ONE - p, s) for p, s in book.levels(Side.BUY)),
            ts_venue=0,
            ts_local=0,
        )
    )
    return m


def check_complement(view: ComplementBook, m: OrderBook, data: st.DataObject) -> None:
    assert (view.best_bid, view.best_ask) == (m.best_bid, m.best_ask)
    assert (view.best_bid_size, view.best_ask_size) == (m.best_bid_size, m.best_ask_size)
    assert (view.mid, view.mid_x2, view.spread, view.is_crossed) == (m.mid, m.mid_x2, m.spread, m.is_crossed)
    top_v, top_m = view.top(5), m.top(5)
    assert (top_v.bids, top_v.asks) == (top_m.bids, top_m.asks)
    for side in (Side.BUY, Side.SELL):
        assert view.levels(side) == m.levels(side)
        assert view.depth(side) == m.depth(side)
        assert view.n_levels(side) == m.n_levels(side)
        for p, _ in m.levels(side):
            assert view.size_at(side, p) == m.size_at(side, p)
        qty = data.draw(st.integers(0, 3 * 10**12), label="qty")
        assert view.vwap(side, qty) == m.vwap(side, qty)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), entry=st.sampled_from(["set_level", "set_bid/ask", "event"]))
def test_book_matches_reference_model(data: st.DataObject, entry: str) -> None:
    tick0 = data.draw(st.sampled_from(TICKS), label="tick0")
    book, ref = OrderBook("yes", tick=tick0), Ref(tick=tick0)
    seq = 0
    for _ in range(data.draw(st.integers(1, 30), label="steps")):
        op = data.draw(st.sampled_from(["snapshot", "deltas", "deltas", "deltas", "level", "level", "tick"]))
        if op == "snapshot":
            tick = data.draw(st.one_of(st.none(), st.sampled_from(TICKS)), label="snap tick")
            t = tick or ref.tick
            bids = data.draw(st.lists(st.tuples(price_for(t, 0), SIZES.filter(lambda s: s != 0)), max_size=8))
            asks = data.draw(st.lists(st.tuples(price_for(t, 1), SIZES.filter(lambda s: s != 0)), max_size=8))
            book.apply_snapshot(BookSnapshot("yes", "m", tuple(bids), tuple(asks), 1, 2, tick=tick))
            ref.snapshot(tick, bids, asks)
        elif op == "deltas":
            changes = data.draw(
                st.lists(
                    st.integers(0, 1).flatmap(lambda s: st.tuples(st.just(s), price_for(ref.tick, s), SIZES)),
                    min_size=1,
                    max_size=5,
                )
            )
            # the venue's best prices: usually the truth after the event, sometimes wrong or absent
            probe = Ref(ref.tick, dict(ref.bids), dict(ref.asks))
            for s, p, z in changes:
                probe.set(s, p, z)
            vb = data.draw(
                st.sampled_from([None, probe.best_bid(), probe.best_bid(), probe.best_bid() + 100])
            )
            va = data.draw(st.sampled_from([None, probe.best_ask(), probe.best_ask(), 0, 1]))
            ev_seq = data.draw(st.sampled_from([None, seq + 1, seq + 1, seq + 1, seq + 2, seq]))
            if ev_seq is not None:
                seq = ev_seq
            if entry == "event":
                ev = BookDeltas(
                    "yes", "m", tuple((Side(s), p, z) for s, p, z in changes), 3, 4, vb, va, seq=ev_seq
                )
                book.apply_deltas(ev)
                ref.deltas(changes, vb, va, ev_seq)
            else:  # the same updates through the direct entry points, no event-level checks
                for s, p, z in changes:
                    _direct(book, entry, s, p, z)
                    ref.set(s, p, z)
        elif op == "level":
            s = data.draw(st.integers(0, 1))
            p = data.draw(price_for(ref.tick, s))
            z = data.draw(SIZES)
            _direct(book, entry, s, p, z)
            ref.set(s, p, z)
        else:
            t = data.draw(st.sampled_from(TICKS), label="new tick")
            book.set_tick(t)
            ref.tick = t
        check_same(book, ref, data)
        check_complement(book.complement(), mirrored(book), data)


def _direct(book: OrderBook, entry: str, side: int, price: int, size: int) -> None:
    if entry == "set_level":
        book.set_level(Side(side), price, size)
    elif side:
        book.set_ask(price, size)
    else:
        book.set_bid(price, size)


@settings(max_examples=200, deadline=None)
@given(
    entry=st.sampled_from(["set_level", "set_bid/ask", "event"]),
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("tick"), st.sampled_from(TICKS)),
            st.tuples(st.just(0), st.integers(1, 4999), st.integers(1, 10**9)),
            st.tuples(st.just(1), st.integers(5001, 9999), st.integers(1, 10**9)),
        ),
        max_size=40,
    ),
)
def test_removing_best_repeatedly_walks_every_level(entry: str, ops: list[tuple]) -> None:
    """Levels inserted across tick size changes (finer and coarser); emptying each side from the
    top must visit every level once, best first, then reach the sentinel without a spurious
    resync: the scan step must never skip a level, whatever grid each level came from."""
    book = OrderBook("yes", tick=1)
    book.apply_snapshot(BookSnapshot("yes", "m", (), (), 0, 0))
    levels: dict[int, dict[int, int]] = {0: {}, 1: {}}
    for op in ops:
        if op[0] == "tick":
            book.set_tick(op[1])
            continue
        side, p, s = op
        t = book.tick
        if side == 0:  # bids below 0.5, asks above: never crossed
            p = max(t, p - p % t)
        else:
            p = p - p % t + (t if p % t else 0)
            p = p - t if p >= ONE else p
        _update(book, entry, side, p, s)
        levels[side][p] = s
    seen_bids = []
    while book.best_bid:
        seen_bids.append(book.best_bid)
        _update(book, entry, 0, book.best_bid, 0)
    seen_asks = []
    while book.best_ask < ONE:
        seen_asks.append(book.best_ask)
        _update(book, entry, 1, book.best_ask, 0)
    assert seen_bids == sorted(levels[0], reverse=True)
    assert seen_asks == sorted(levels[1])
    assert book.n_levels(Side.BUY) == book.n_levels(Side.SELL) == 0
    assert book.rejected_levels == 0 and book.resync_marks == 0


def _update(book: OrderBook, entry: str, side: int, price: int, size: int) -> None:
    if entry == "event":
        book.apply_deltas(BookDeltas("yes", "m", ((Side(side), price, size),), 0, 0))
    else:
        _direct(book, entry, side, price, size)


@settings(max_examples=150, deadline=None)
@given(
    tick=st.sampled_from(TICKS),
    books=st.lists(
        st.tuples(
            st.lists(st.tuples(st.integers(-2, ONE + 1), SIZES), max_size=40),
            st.lists(st.tuples(st.integers(-2, ONE + 1), SIZES), max_size=40),
        ),
        min_size=1,
        max_size=6,
    ),
    fine=st.booleans(),
)
def test_snapshots_replace_every_level_on_any_grid(
    tick: int, books: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]], fine: bool
) -> None:
    """Consecutive snapshots over the whole price range (wide books on fine grids, where the reset
    overwrites whole arrays, and narrow ones, where it walks from the best price; repeated prices,
    zero, negative, off-grid and out-of-range levels): after each one the stored levels are
    exactly the reference model's."""
    book, ref = OrderBook("yes", tick=1 if fine else tick), Ref(tick=1 if fine else tick)
    for bids, asks in books:
        snap_tick = None if fine else tick
        if not fine:  # mostly on the grid: the walk from the best price is what is tested
            bids = [(p - p % tick if p > 0 and s % 7 else p, s) for p, s in bids]
            asks = [(p - p % tick if p > 0 and s % 7 else p, s) for p, s in asks]
        book.apply_snapshot(BookSnapshot("yes", "m", tuple(bids), tuple(asks), 1, 2, tick=snap_tick))
        ref.snapshot(snap_tick, bids, asks)
        assert stored_levels(book, 0) == ref.bids
        assert stored_levels(book, 1) == ref.asks
        assert (book.best_bid, book.best_ask) == (ref.best_bid(), ref.best_ask())
        assert (book.n_levels(Side.BUY), book.n_levels(Side.SELL)) == (len(ref.bids), len(ref.asks))
        assert (book.rejected_levels, book.resync_marks) == (ref.rejected, ref.marks)
