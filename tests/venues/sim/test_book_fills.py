"""Fills of resting orders from the book moving through our price (no trade print needed), from
trade prints through our price, and on top-of-book-only data."""

from __future__ import annotations

from predtrade.model import Liquidity

from ._harness import BUY, SELL, Harness, px, sz


def _resting_bid(h: Harness, size: str = "10") -> str:
    h.snapshot([("0.48", "100")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", size, 100)  # best bid now: nobody ahead of us at 0.50
    h.run(120)
    assert h.venue.queue_ahead(cid) == 0
    return cid


def test_ask_moving_through_our_bid_fills_at_our_price() -> None:
    # Arrange
    h = _h = Harness()
    cid = _resting_bid(h)
    # Act: someone posts 4 at 0.49 (the recording does not know our bid was there)
    h.delta([(SELL, "0.49", "4")], 200)
    h.run(300)
    # Assert
    fills = h.fills(cid)
    assert [(f.price, f.size, f.liquidity) for f in fills] == [(px("0.50"), sz("4"), Liquidity.MAKER)]
    assert _h.venue.fill_source(fills[0].trade_id) == "book"
    assert h.venue.fill_sources["book"] == 1


def test_consumed_liquidity_is_not_handed_out_twice() -> None:
    h = Harness()
    cid = _resting_bid(h)
    h.delta([(SELL, "0.49", "4")], 200)
    h.delta([(BUY, "0.47", "30")], 300)  # unrelated change: the 4 at 0.49 are still shown
    h.snapshot([("0.48", "100"), ("0.47", "30")], [("0.49", "4"), ("0.52", "50")], 400)  # and again
    h.run(500)
    assert h.filled(cid) == sz("4")
    h.delta([(SELL, "0.49", "7")], 600)  # 3 more arrive at 0.49: only those are new
    h.run(700)
    assert [f.size for f in h.fills(cid)] == [sz("4"), sz("3")]


def test_level_shrinking_below_what_we_took_frees_nothing() -> None:
    h = Harness()
    cid = _resting_bid(h)
    h.delta([(SELL, "0.49", "4")], 200)
    h.delta([(SELL, "0.49", "2")], 300)  # the recorded maker shrinks: we had it all already
    h.delta([(SELL, "0.49", "0")], 400)
    h.delta([(SELL, "0.49", "5")], 500)  # after it vanished, a new 5 is new liquidity
    h.run(600)
    assert [f.size for f in h.fills(cid)] == [sz("4"), sz("5")]


def test_book_through_fill_serves_queue_ahead_first() -> None:
    h = Harness()
    h.snapshot([("0.50", "3")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", "10", 100)
    h.run(120)
    assert h.venue.queue_ahead(cid) == sz("3")
    h.delta([(SELL, "0.50", "5")], 200)  # a crossed recording: 5 offered at our price
    h.run(300)
    assert h.filled(cid) == sz("2")  # 3 went to those ahead of us
    assert h.venue.queue_ahead(cid) == 0


def test_best_bids_of_ours_fill_first() -> None:
    h = Harness()
    h.snapshot([("0.45", "100")], [("0.52", "50")], 0)
    low = h.submit(BUY, "0.48", "10", 100)
    high = h.submit(BUY, "0.50", "10", 100)
    h.delta([(SELL, "0.47", "12")], 200)
    h.run(300)
    assert (h.filled(high), h.filled(low)) == (sz("10"), sz("2"))
    assert [f.price for f in h.fills(high)] == [px("0.50")]


def test_ask_side_resting_sell_fills_when_bids_cross() -> None:
    h = Harness()
    h.snapshot([("0.48", "100")], [("0.55", "50")], 0)
    cid = h.submit(SELL, "0.53", "10", 100)
    h.delta([(BUY, "0.54", "6")], 200)
    h.run(300)
    assert [(f.price, f.size) for f in h.fills(cid)] == [(px("0.53"), sz("6"))]


def test_our_bid_level_vanishing_is_not_a_fill() -> None:
    """L2 without trades: bids at our price disappearing may be cancels. Conservative: no fill."""
    h = Harness()
    h.snapshot([("0.50", "100")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", "10", 100)
    h.delta([(BUY, "0.50", "0"), (BUY, "0.49", "20")], 200)
    h.run(1000)
    assert h.filled(cid) == 0


def test_sell_print_below_our_bid_fills_up_to_its_size() -> None:
    h = Harness()
    cid = _resting_bid(h, size="10")
    h.trade("0.48", "6", SELL, 200)  # a seller went through 0.50 to reach 0.48
    h.trade("0.47", "9", SELL, 300)
    h.run(400)
    fills = h.fills(cid)
    assert [(f.price, f.size) for f in fills] == [(px("0.50"), sz("6")), (px("0.50"), sz("4"))]
    assert {h.venue.fill_source(f.trade_id) for f in fills} == {"trade"}


def test_buy_print_below_our_bid_is_not_for_us() -> None:
    h = Harness()
    cid = _resting_bid(h)
    h.trade("0.48", "6", BUY, 200)  # a buyer lifting asks: cannot reach bids
    h.run(400)
    assert h.filled(cid) == 0


def test_top_of_book_only_fills_only_through_the_touch() -> None:
    # Arrange: no depth book at all, only best bid/ask records with sizes
    h = Harness()
    h.bbo("0.48", "0.52", 0, bid_size="100", ask_size="50")
    cid = h.submit(BUY, "0.50", "10", 100)
    h.run(120)
    assert h.venue.queue_ahead(cid) == 0  # better than the best bid shown: nobody ahead
    # Act
    h.bbo("0.48", "0.51", 200, bid_size="100", ask_size="30")  # still above us: nothing
    h.bbo("0.48", "0.50", 300, bid_size="100", ask_size="7")  # offered at our price
    h.bbo("0.48", "0.50", 400, bid_size="100", ask_size="7")  # same record again
    h.run(500)
    # Assert
    assert [(f.price, f.size) for f in h.fills(cid)] == [(px("0.50"), sz("7"))]
    assert h.venue.fill_sources["book"] == 1


def test_top_of_book_without_sizes_gives_no_book_fill() -> None:
    h = Harness()
    h.bbo("0.48", "0.52", 0)
    cid = h.submit(BUY, "0.50", "10", 100)
    h.bbo("0.48", "0.49", 200)  # crosses our bid, but how much? unknown: nothing, counted
    h.run(300)
    assert h.filled(cid) == 0
    assert h.venue.stats["unknown_size_skips"] >= 1


def test_hidden_level_on_top_of_book_feed_joins_behind_when_shown() -> None:
    h = Harness()
    h.bbo("0.50", "0.52", 0, bid_size="40", ask_size="50")
    cid = h.submit(BUY, "0.49", "10", 100)  # below the best bid: the queue there is unknown
    h.run(120)
    assert h.venue.queue_ahead(cid) is None
    h.trade("0.49", "500", SELL, 150)  # cannot fill an order whose queue we cannot see
    assert h.filled(cid) == 0
    h.bbo("0.49", "0.52", 200, bid_size="25", ask_size="50")
    assert h.venue.queue_ahead(cid) == sz("25")
