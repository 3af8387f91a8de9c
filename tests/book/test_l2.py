"""OrderBook behaviour, example by example (expected values worked out by hand)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import msgspec
import pytest

from predtrade.book import NO_SNAPSHOT, OrderBook, TopOfBook
from predtrade.model import ONE, Side, UnitError
from predtrade.model.units import notional_to_cash_up

from ._builders import deltas, lv, px, snap, sz

BUY, SELL = Side.BUY, Side.SELL


def book_with(bids: list[tuple[str, str]], asks: list[tuple[str, str]], tick: int | None = 100) -> OrderBook:
    b = OrderBook("yes")
    b.apply_snapshot(snap(bids, asks, tick=tick))
    return b


@pytest.fixture
def book() -> OrderBook:
    return book_with(
        [("0.50", "10"), ("0.49", "20"), ("0.45", "30")],
        [("0.52", "5"), ("0.53", "15"), ("0.60", "25")],
    )


# ---- snapshots and deltas -------------------------------------------------------------------


def test_new_book_is_empty_and_untrusted() -> None:
    b = OrderBook("yes", tick=100)
    assert (b.best_bid, b.best_ask) == (0, ONE)
    assert b.needs_resync and b.resync_reason == NO_SNAPSHOT
    assert b.levels(BUY) == [] and b.levels(SELL) == []
    assert b.mid is None and b.spread is None and not b.is_crossed


def test_snapshot_sets_everything(book: OrderBook) -> None:
    assert book.best_bid == px("0.50") and book.best_ask == px("0.52")
    assert book.best_bid_size == sz("10") and book.best_ask_size == sz("5")
    assert not book.needs_resync and book.resync_reason is None
    assert (book.ts_venue, book.ts_local, book.updates) == (1, 2, 1)
    assert book.tick == 100


def test_snapshot_replaces_previous_levels(book: OrderBook) -> None:
    book.apply_snapshot(snap([("0.30", "1")], [("0.70", "2")], ts=9))
    assert book.levels(BUY) == [lv("0.30", "1")]
    assert book.levels(SELL) == [lv("0.70", "2")]
    assert book.size_at(BUY, px("0.50")) == 0 and book.size_at(SELL, px("0.52")) == 0
    assert book.ts_venue == 9 and book.updates == 2


def test_snapshot_level_order_does_not_matter() -> None:
    # the venue's own snapshots list bids ascending and asks descending
    b = book_with([("0.45", "30"), ("0.50", "10"), ("0.49", "20")], [("0.60", "25"), ("0.52", "5")])
    assert b.levels(BUY) == [lv("0.50", "10"), lv("0.49", "20"), lv("0.45", "30")]
    assert b.levels(SELL) == [lv("0.52", "5"), lv("0.60", "25")]


def test_delta_sets_absolute_size(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.49", "7"), (SELL, "0.53", "100.5")]))
    assert book.size_at(BUY, px("0.49")) == sz("7")  # replaced, not 20 + 7
    assert book.size_at(SELL, px("0.53")) == sz("100.5")
    assert book.n_levels(BUY) == 3 and book.n_levels(SELL) == 3


def test_zero_size_removes_level(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.49", "0"), (SELL, "0.60", "0")]))
    assert book.levels(BUY) == [lv("0.50", "10"), lv("0.45", "30")]
    assert book.levels(SELL) == [lv("0.52", "5"), lv("0.53", "15")]
    # removing a level that is not there is a no-op
    book.apply_deltas(deltas([(BUY, "0.20", "0")]))
    assert book.n_levels(BUY) == 2 and not book.needs_resync


def test_new_levels_move_best_pointers(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.51", "1"), (SELL, "0.515", "0")]))  # 0.515 off grid: skipped
    assert book.best_bid == px("0.51")
    book.set_ask(px("0.51") + 100, sz("3"))
    assert book.best_ask == px("0.52")  # same price as before: size replaced
    assert book.best_ask_size == sz("3")


def test_best_pointers_after_removals_at_the_top(book: OrderBook) -> None:
    book.set_bid(px("0.50"), 0)
    assert book.best_bid == px("0.49")
    book.set_bid(px("0.49"), 0)
    assert book.best_bid == px("0.45")  # scans over the empty 0.48..0.46
    book.set_bid(px("0.45"), 0)
    assert book.best_bid == 0 and book.n_levels(BUY) == 0
    book.set_ask(px("0.52"), 0)
    book.set_ask(px("0.53"), 0)
    assert book.best_ask == px("0.60")
    book.set_ask(px("0.60"), 0)
    assert book.best_ask == ONE and book.n_levels(SELL) == 0


def test_removal_below_the_top_keeps_best(book: OrderBook) -> None:
    book.set_bid(px("0.49"), 0)
    book.set_ask(px("0.53"), 0)
    assert (book.best_bid, book.best_ask) == (px("0.50"), px("0.52"))


def test_extreme_prices() -> None:
    b = book_with([("0.0001", "1")], [("0.9999", "2")], tick=1)
    assert (b.best_bid, b.best_ask) == (1, 9999)
    b.set_bid(1, 0)
    b.set_ask(9999, 0)
    assert (b.best_bid, b.best_ask) == (0, ONE)


def test_clear_removes_levels_only(book: OrderBook) -> None:
    book.clear()
    assert (book.best_bid, book.best_ask) == (0, ONE)
    assert book.depth(BUY) == 0 and book.depth(SELL) == 0
    assert not book.needs_resync and book.updates == 1


# ---- queries --------------------------------------------------------------------------------


def test_depth(book: OrderBook) -> None:
    assert book.depth(BUY) == sz("60")
    assert book.depth(SELL) == sz("45")
    assert book.depth(BUY, 2) == sz("30")
    assert book.depth(SELL, 1) == sz("5")
    assert book.depth(SELL, 0) == 0
    assert book.depth(SELL, 99) == sz("45")


def test_top_n_is_best_first_and_frozen(book: OrderBook) -> None:
    top = book.top(2)
    assert isinstance(top, TopOfBook)
    assert top.bids == (lv("0.50", "10"), lv("0.49", "20"))
    assert top.asks == (lv("0.52", "5"), lv("0.53", "15"))
    assert (top.best_bid, top.best_ask, top.spread) == (px("0.50"), px("0.52"), 200)
    assert top.asset_id == "yes" and not top.needs_resync
    book.set_bid(px("0.50"), 0)  # later updates do not reach a view already taken
    assert top.bids[0] == lv("0.50", "10")
    with pytest.raises(AttributeError):
        top.bids = ()  # type: ignore[misc]
    assert msgspec.structs.asdict(book.top(0)) == {
        "asset_id": "yes",
        "bids": (),
        "asks": (),
        "ts_venue": 1,
        "ts_local": 2,
        "needs_resync": False,
    }


def test_levels_limit(book: OrderBook) -> None:
    assert book.levels(SELL, 2) == [lv("0.52", "5"), lv("0.53", "15")]
    assert book.levels(BUY, 10) == [lv("0.50", "10"), lv("0.49", "20"), lv("0.45", "30")]
    with pytest.raises(ValueError):
        book.levels(BUY, -1)


def test_mid_and_spread_are_exact(book: OrderBook) -> None:
    assert book.spread == px("0.02")
    assert book.mid == Fraction(px("0.51"))
    assert book.mid_x2 == px("0.50") + px("0.52")
    book.set_ask(px("0.51"), sz("1"))
    assert book.mid == Fraction(px("0.505"))  # half-tick mid, exact
    book.set_ask(px("0.51"), 0)
    book.set_ask(px("0.52"), 0)
    book.set_ask(px("0.53"), 0)
    book.set_ask(px("0.60"), 0)
    assert book.mid is None and book.spread is None and book.best_ask_size == 0


def test_size_at_out_of_range_is_zero(book: OrderBook) -> None:
    for p in (-1, 0, ONE, ONE + 5, -ONE):
        assert book.size_at(BUY, p) == 0 and book.size_at(SELL, p) == 0


@pytest.mark.parametrize(
    ("side", "qty", "filled", "notional_usd", "worst", "n_used"),
    [
        # asks: 0.52 x 5, 0.53 x 15, 0.60 x 25
        pytest.param(BUY, "3", "3", "1.56", "0.52", 1, id="buy-inside-best"),
        pytest.param(BUY, "5", "5", "2.6", "0.52", 1, id="buy-exactly-best"),
        pytest.param(BUY, "12.5", "12.5", "6.575", "0.53", 2, id="buy-two-levels"),
        pytest.param(BUY, "100", "45", "25.55", "0.60", 3, id="buy-more-than-book"),
        # bids: 0.50 x 10, 0.49 x 20, 0.45 x 30
        pytest.param(SELL, "10.000001", "10.000001", "5.00000049", "0.49", 2, id="sell-one-micro-share-deep"),
        pytest.param(SELL, "60", "60", "28.3", "0.45", 3, id="sell-whole-side"),
    ],
)
def test_vwap_exact(
    book: OrderBook, side: Side, qty: str, filled: str, notional_usd: str, worst: str, n_used: int
) -> None:
    r = book.vwap(side, sz(qty))
    assert r.requested == sz(qty) and r.filled == sz(filled)
    # notional is price(1e-4) x size(1e-6) = 1e-10 USD units
    assert r.notional == Decimal(notional_usd) * 10**10  # 1e-10 USD units: price 1e-4 x size 1e-6
    assert r.worst_price == px(worst)
    assert r.levels_used == n_used
    assert r.avg_price == Fraction(r.notional, r.filled)
    assert r.complete == (filled == qty)


def test_vwap_average_price_hand_computed(book: OrderBook) -> None:
    r = book.vwap(BUY, sz("12"))  # 5 @ 0.52 + 7 @ 0.53 = 2.60 + 3.71 = 6.31 USD for 12 shares
    assert r.avg_price == Fraction(6310000, 12) / 100  # price units: 6.31 / 12 * 10_000
    assert notional_to_cash_up(r.notional) == 6_310_000


def test_vwap_of_nothing(book: OrderBook) -> None:
    r = book.vwap(BUY, 0)
    assert (r.filled, r.notional, r.worst_price, r.avg_price, r.complete) == (0, 0, None, None, True)
    empty = OrderBook("x")
    r = empty.vwap(SELL, sz("1"))
    assert (r.filled, r.avg_price, r.complete) == (0, None, False)
    with pytest.raises(ValueError):
        book.vwap(BUY, -1)


# ---- complement view ------------------------------------------------------------------------


def test_complement_view_maps_sides(book: OrderBook) -> None:
    no = book.complement("no-token")
    assert no.asset_id == "no-token"
    # YES asks 0.52/0.53/0.60 are NO bids 0.48/0.47/0.40; YES bids 0.50/0.49/0.45 are NO asks
    assert no.levels(BUY) == [lv("0.48", "5"), lv("0.47", "15"), lv("0.40", "25")]
    assert no.levels(SELL) == [lv("0.50", "10"), lv("0.51", "20"), lv("0.55", "30")]
    assert (no.best_bid, no.best_ask) == (px("0.48"), px("0.50"))
    assert no.size_at(SELL, px("0.51")) == sz("20")
    assert no.depth(BUY) == sz("45") and no.n_levels(SELL) == 3
    r = no.vwap(BUY, sz("15"))  # 10 @ 0.50 + 5 @ 0.51 = 7.55 USD
    assert notional_to_cash_up(r.notional) == 7_550_000 and r.worst_price == px("0.51")
    assert no.complement() is book


def test_complement_view_is_live_and_defaults_to_a_distinct_id(book: OrderBook) -> None:
    no = book.complement()
    assert no.asset_id != book.asset_id
    book.set_bid(px("0.50"), 0)
    assert no.best_ask == px("0.51")
    book.clear()
    assert (no.best_bid, no.best_ask) == (0, ONE)
    assert not hasattr(no, "set_bid") and not hasattr(no, "apply_deltas")


# ---- tick size changes ----------------------------------------------------------------------


def test_finer_tick_change_keeps_levels_and_scans_the_finer_grid(book: OrderBook) -> None:
    book.set_tick(10)
    assert book.levels(BUY)[0] == lv("0.50", "10")
    book.apply_deltas(deltas([(BUY, "0.501", "4"), (BUY, "0.495", "2")]))
    assert not book.needs_resync
    assert book.best_bid == px("0.501")
    book.set_bid(px("0.501"), 0)
    book.set_bid(px("0.50"), 0)
    assert book.best_bid == px("0.495")  # found although it lies between two 0.01 steps
    book.set_bid(px("0.495"), 0)
    assert book.best_bid == px("0.49")


def test_coarser_tick_change_rejects_new_off_grid_levels_but_not_old_ones() -> None:
    b = book_with([("0.501", "1"), ("0.49", "2")], [("0.503", "3")], tick=10)
    b.set_tick(100)
    b.apply_deltas(deltas([(BUY, "0.501", "5"), (SELL, "0.503", "0")]))
    assert not b.needs_resync  # updates to levels we hold are accepted (resting orders stay)
    assert b.size_at(BUY, px("0.501")) == sz("5") and b.best_ask == ONE
    b.apply_deltas(deltas([(SELL, "0.507", "1")]))
    assert b.needs_resync and b.rejected_levels == 1 and b.best_ask == ONE
    assert b.resync_reason is not None and "tick grid" in b.resync_reason


def test_snapshot_sets_tick() -> None:
    b = OrderBook("yes", tick=100)
    b.apply_snapshot(snap([("0.001", "1")], [("0.999", "1")], tick=10))
    assert b.tick == 10 and not b.needs_resync


@pytest.mark.parametrize("tick", [0, -100, ONE, 100.0, None])
def test_invalid_tick_is_refused(tick: object) -> None:
    with pytest.raises(UnitError):
        OrderBook("yes", tick=tick)  # type: ignore[arg-type]
    b = OrderBook("yes")
    with pytest.raises(UnitError):
        b.set_tick(tick)  # type: ignore[arg-type]


# ---- consistency ----------------------------------------------------------------------------


def test_crossed_after_event_marks_resync(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.53", "1")]))
    assert book.needs_resync and book.is_crossed
    assert book.resync_reason is not None and "crossed" in book.resync_reason


def test_crossing_only_mid_event_is_fine(book: OrderBook) -> None:
    # a bid at 0.52 first crosses, then the ask it crossed is removed in the same message
    book.apply_deltas(deltas([(BUY, "0.52", "1"), (SELL, "0.52", "0")]))
    assert not book.needs_resync
    assert (book.best_bid, book.best_ask) == (px("0.52"), px("0.53"))


def test_locked_book_counts_as_crossed(book: OrderBook) -> None:
    book.apply_deltas(deltas([(SELL, "0.50", "1")]))
    assert book.needs_resync


def test_crossed_snapshot_is_flagged() -> None:
    b = book_with([("0.55", "1")], [("0.52", "1")])
    assert b.needs_resync


@pytest.mark.parametrize(
    ("best_bid", "best_ask", "flagged"),
    [
        pytest.param(px("0.50"), px("0.52"), False, id="agree"),
        pytest.param(px("0.49"), px("0.52"), True, id="bid-differs"),
        pytest.param(px("0.50"), px("0.53"), True, id="ask-differs"),
        pytest.param(None, px("0.52"), False, id="bid-absent"),
        pytest.param(0, None, True, id="venue-says-no-bids"),
        pytest.param(None, ONE, True, id="venue-says-no-asks"),
    ],
)
def test_venue_best_prices_checked(
    book: OrderBook, best_bid: int | None, best_ask: int | None, flagged: bool
) -> None:
    book.apply_deltas(deltas([(BUY, "0.45", "1")], best_bid=best_bid, best_ask=best_ask))
    assert book.needs_resync is flagged


def test_venue_empty_side_sentinels_match_empty_sides() -> None:
    b = book_with([("0.50", "1")], [("0.60", "1")])
    # venue sends "0" for no bid and "1" (ONE) for no ask
    b.apply_deltas(deltas([(BUY, "0.50", "0"), (SELL, "0.60", "0")], best_bid=0, best_ask=ONE))
    assert not b.needs_resync
    b.apply_deltas(deltas([(BUY, "0.40", "0")], best_bid=0, best_ask=0))  # ask 0 = no asks too
    assert not b.needs_resync


def test_sequence_gap_marks_resync(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.45", "1")], seq=7))
    book.apply_deltas(deltas([(BUY, "0.45", "2")], seq=8))
    book.apply_deltas(deltas([(BUY, "0.45", "3")]))  # no seq: nothing to check
    book.apply_deltas(deltas([(BUY, "0.45", "4")], seq=9))
    assert not book.needs_resync
    book.apply_deltas(deltas([(BUY, "0.45", "5")], seq=11))
    assert book.needs_resync and "gap" in (book.resync_reason or "")
    assert book.size_at(BUY, px("0.45")) == sz("5")  # applied, but flagged


def test_repeated_sequence_number_is_a_gap(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.45", "1")], seq=3))
    book.apply_deltas(deltas([(BUY, "0.45", "1")], seq=3))
    assert book.needs_resync


def test_snapshot_clears_resync_and_restarts_sequence(book: OrderBook) -> None:
    book.apply_deltas(deltas([(BUY, "0.45", "1")], seq=1))
    book.apply_deltas(deltas([(BUY, "0.45", "1")], seq=5))
    assert book.needs_resync
    book.apply_snapshot(snap([("0.40", "1")], [("0.60", "1")]))
    assert not book.needs_resync and book.resync_reason is None
    book.apply_deltas(deltas([(BUY, "0.41", "1")], seq=100))
    assert not book.needs_resync


def test_deltas_before_snapshot_apply_but_stay_flagged() -> None:
    b = OrderBook("yes", tick=100)
    b.apply_deltas(
        deltas([(BUY, "0.40", "1"), (SELL, "0.60", "2")], best_bid=px("0.40"), best_ask=px("0.60"))
    )
    assert (b.best_bid, b.best_ask) == (px("0.40"), px("0.60"))
    assert b.needs_resync and b.resync_reason == NO_SNAPSHOT and not b.has_snapshot


@pytest.mark.parametrize(
    ("price", "size"),
    [
        pytest.param(px("0.505"), sz("1"), id="off-grid"),
        pytest.param(0, sz("1"), id="zero"),
        pytest.param(ONE, sz("1"), id="one"),
        pytest.param(-100, sz("1"), id="negative-price"),
        pytest.param(ONE + 100, sz("1"), id="above-one"),
        pytest.param(px("0.47"), -1, id="negative-size"),
    ],
)
@pytest.mark.parametrize("side", [BUY, SELL])
def test_bad_level_in_event_is_skipped_counted_and_flagged(
    book: OrderBook, side: Side, price: int, size: int
) -> None:
    before_bids, before_asks = book.levels(BUY), book.levels(SELL)
    ev = deltas([(BUY, "0.45", "31")])
    ev = type(ev)(**{**msgspec.structs.asdict(ev), "changes": ((side, price, size), *ev.changes)})
    book.apply_deltas(ev)  # must not raise
    assert book.rejected_levels == 1 and book.needs_resync
    assert book.size_at(BUY, px("0.45")) == sz("31")  # the good level in the same event applied
    assert book.levels(SELL) == before_asks
    assert book.levels(BUY) == [(p, sz("31") if p == px("0.45") else s) for p, s in before_bids]


def test_bad_level_via_direct_call_is_skipped_too(book: OrderBook) -> None:
    book.set_level(SELL, px("0.515"), sz("1"))
    book.set_bid(-5, sz("1"))
    book.set_ask(0, sz("1"))
    assert book.rejected_levels == 3 and book.resync_marks == 3
    assert book.best_ask == px("0.52") and book.best_bid == px("0.50")


def test_first_resync_reason_is_kept(book: OrderBook) -> None:
    book.mark_resync("disconnected")
    book.apply_deltas(deltas([(BUY, "0.60", "1")]))
    assert book.resync_reason == "disconnected" and book.resync_marks == 2


def test_bad_snapshot_levels_flag_the_new_snapshot() -> None:
    b = book_with([("0.50", "1"), ("0.505", "1")], [("0.60", "1")], tick=100)
    assert b.needs_resync and b.rejected_levels == 1
    assert b.levels(BUY) == [lv("0.50", "1")]


@pytest.mark.parametrize("entry", ["set_level", "set_bid/ask", "event"])
def test_scan_finds_levels_from_every_grid_seen(entry: str) -> None:
    """Levels from an earlier grid survive tick changes; removing the best level must still find
    them. 0.0025 and 0.001 grids do not nest, so the scan step must be their gcd (0.0005), not
    the finest tick; and after a change to a coarser tick it must not follow the new tick."""
    b = book_with([], [], tick=10)

    def put(side: Side, price: str, size: str) -> None:
        if entry == "event":
            b.apply_deltas(deltas([(side, price, size)]))
        elif entry == "set_level":
            b.set_level(side, px(price), sz(size))
        elif side is BUY:
            b.set_bid(px(price), sz(size))
        else:
            b.set_ask(px(price), sz(size))

    put(BUY, "0.501", "1")
    put(SELL, "0.599", "1")
    b.set_tick(100)
    put(BUY, "0.52", "2")
    put(SELL, "0.55", "2")
    put(BUY, "0.52", "0")
    put(SELL, "0.55", "0")
    assert (b.best_bid, b.best_ask) == (px("0.501"), px("0.599"))
    # one side at a time, so that each side's own code path has to get the step right
    b.apply_snapshot(snap([], [], tick=25))
    put(BUY, "0.9625", "1")
    b.set_tick(10)
    put(BUY, "0.963", "2")
    put(BUY, "0.961", "2")
    put(BUY, "0.963", "0")
    assert b.best_bid == px("0.9625")
    b.apply_snapshot(snap([], [], tick=25))
    put(SELL, "0.9775", "1")
    b.set_tick(10)
    put(SELL, "0.977", "2")
    put(SELL, "0.979", "2")
    put(SELL, "0.977", "0")
    assert b.best_ask == px("0.9775")
    assert not b.needs_resync
