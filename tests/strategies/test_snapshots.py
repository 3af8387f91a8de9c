import msgspec
import pytest

from predtrade.model.enums import OrderState, Side
from predtrade.model.units import ONE
from predtrade.strategies.api import Snapshot
from predtrade.testkit.snapshots import (
    END_TS,
    NO,
    NO_TOKEN,
    START_TS,
    STRIKE,
    YES,
    YES_TOKEN,
    book,
    cash,
    make_snapshot,
    mirror,
    own_order,
    position,
    px,
    sz,
    updown_market,
)


def test_book_parses_decimal_strings_and_sorts_best_first():
    b = book(bids=[("0.47", "200"), ("0.48", "100.5")], asks=[("0.53", "1"), ("0.52", "2")])
    assert b.bids == ((4800, 100_500_000), (4700, 200_000_000))
    assert b.asks == ((5200, 2_000_000), (5300, 1_000_000))
    assert (b.best_bid, b.best_ask) == (4800, 5200)


def test_empty_book_sides():
    b = book(bids=[], asks=[])
    assert (b.best_bid, b.best_ask) == (0, ONE)


def test_mirror_swaps_sides_at_the_complement():
    m = mirror(book(bids=[("0.48", "100")], asks=[("0.52", "7")]))
    assert m.bids == ((4800, 7_000_000),)
    assert m.asks == ((5200, 100_000_000),)
    assert m.asset_id == NO_TOKEN


def test_default_snapshot_is_a_mid_round_updown_market():
    s = make_snapshot()
    assert isinstance(s, Snapshot)
    m = s.market
    assert (m.tick, m.min_order_size, m.start_ts, m.end_ts) == (100, 5_000_000, START_TS, END_TS)
    assert m.fees.rate_ppm > 0 and m.strike == STRIKE == s.round_open == s.ref_price
    assert s.seconds_to_expiry == 150.0 and s.seconds_since_start == 150.0
    assert s.books[0].asset_id == YES_TOKEN and s.books[1].asset_id == NO_TOKEN
    assert s.net_books == s.books
    assert s.positions[0].shares == s.positions[1].shares == 0
    assert s.available_cash == cash("1000")


def test_overrides_and_asset_ids():
    s = make_snapshot(
        yes_book=book(bids=[("0.60", "10")], asks=[("0.62", "10")], asset_id="whatever"),
        seconds_left=30,
        available_cash=cash("5"),
        sigma=None,
    )
    assert s.books[0].asset_id == YES_TOKEN
    assert s.books[1].best_bid == px("0.38")  # mirrored
    assert s.seconds_to_expiry == 30.0
    assert s.available_cash == 5_000_000 and s.sigma is None


def test_position_and_own_order():
    p = position(NO, "300", "0.45")
    assert (p.asset_id, p.shares, p.cost, p.avg_price) == (NO_TOKEN, sz(300), cash("135"), px("0.45"))
    assert position(YES, "10", cost="4.5").avg_price == px("0.45")
    with pytest.raises(ValueError):
        position(YES, "10", "0.4", cost="4")
    o = own_order("SELL", "0.35", "12", NO, state=OrderState.PARTIALLY_FILLED)
    assert (o.asset_id, o.side, o.price, o.remaining, o.state) == (
        NO_TOKEN,
        Side.SELL,
        3500,
        sz(12),
        OrderState.PARTIALLY_FILLED,
    )


def test_market_overrides():
    m = updown_market(tick=10, end_ts=None)
    s = make_snapshot(market=m)
    assert s.market.tick == 10 and s.seconds_to_expiry is None
    with pytest.raises(ValueError):
        make_snapshot(market=m, seconds_left=10)


def test_snapshot_is_frozen():
    s = make_snapshot()
    with pytest.raises(AttributeError):
        s.available_cash = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.books[0].needs_resync = True  # type: ignore[misc]
    assert msgspec.structs.replace(s, ts=s.ts + 1) != s
