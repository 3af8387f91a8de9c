"""Queue position of resting orders: trades at our price, displayed-size decreases, the queue
models, and how a decrease and its trade print are not counted twice."""

from __future__ import annotations

import pytest

from predtrade.model import Liquidity
from predtrade.venues.sim import NoPartialFill, ProbQueue, RiskAverse

from ._harness import BUY, SELL, Harness, px, sz

QUEUES = [pytest.param(RiskAverse(), id="risk_averse"), pytest.param(ProbQueue(2), id="prob_queue_2")]


def _bid_behind_100(h: Harness, size: str = "20") -> str:
    """Book: 100 shares bid at 0.50, asks from 0.52. We join at 0.50 behind those 100."""
    h.snapshot([("0.50", "100")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", size, 100)
    h.run(120)
    assert h.venue.queue_ahead(cid) == sz("100")
    return cid


@pytest.mark.parametrize("queue", QUEUES)
def test_100_ahead_trades_60_then_50_fill_10(queue) -> None:
    # Arrange
    h = Harness(queue=queue)
    cid = _bid_behind_100(h)
    # Act: two sells hit the bid at our price
    h.trade("0.50", "60", SELL, 200)
    assert h.venue.queue_ahead(cid) == sz("40")
    assert h.filled(cid) == 0
    h.trade("0.50", "50", SELL, 300)
    h.run(400)
    # Assert: 40 ahead consumed first, the other 10 filled us, at our price, as maker
    fills = h.fills(cid)
    assert [(f.price, f.size, f.liquidity) for f in fills] == [(px("0.50"), sz("10"), Liquidity.MAKER)]
    assert h.venue.fill_source(fills[0].trade_id) == "trade"
    assert h.venue.fill_sources == {"trade": 1, "book": 0, "taker": 0}
    assert h.venue.queue_ahead(cid) == 0


@pytest.mark.parametrize("queue", QUEUES)
@pytest.mark.parametrize(
    "depth_first", [pytest.param(False, id="print_then_book"), pytest.param(True, id="book_then_print")]
)
def test_trade_and_its_book_decrease_count_once(queue, depth_first: bool) -> None:
    """The recording holds each trade twice: as a print and as the level shrinking. Whatever the
    order of the two messages, the acceptance case still fills exactly 10."""
    h = Harness(queue=queue)
    cid = _bid_behind_100(h)
    ms = 200.0
    for trade, left in (("60", "40"), ("50", "0")):
        if depth_first:
            h.delta([(BUY, "0.50", left)], ms)
            h.trade("0.50", trade, SELL, ms + 1)
        else:
            h.trade("0.50", trade, SELL, ms)
            h.delta([(BUY, "0.50", left)], ms + 1)
        ms += 100
    h.run(ms + 100)
    assert h.filled(cid) == sz("10")


def test_size_decrease_moves_us_up_but_never_fills() -> None:
    # Arrange
    h = Harness(queue=RiskAverse())
    cid = _bid_behind_100(h)
    # Act: others cancel 70 of the 100 ahead (no trade print)
    h.delta([(BUY, "0.50", "30")], 200)
    # Assert
    assert h.venue.queue_ahead(cid) == sz("30")
    h.delta([(BUY, "0.50", "0")], 300)  # the whole level vanishes: still no fill
    h.run(1000)
    assert h.venue.queue_ahead(cid) == 0
    assert h.filled(cid) == 0


def test_risk_averse_ignores_decrease_that_leaves_queue_below_display() -> None:
    h = Harness(queue=RiskAverse())
    cid = _bid_behind_100(h)
    h.delta([(BUY, "0.50", "150")], 200)  # 50 join behind us
    h.delta([(BUY, "0.50", "120")], 300)  # 30 cancelled: RiskAverse assumes from behind
    assert h.venue.queue_ahead(cid) == sz("100")


def test_trade_long_after_a_cancel_is_not_absorbed() -> None:
    """A decrease moved us up; a print more than the match window later is a new trade."""
    h = Harness(queue=RiskAverse(match_window_ms=1000))
    cid = _bid_behind_100(h)
    h.delta([(BUY, "0.50", "30")], 200)
    h.trade("0.50", "40", SELL, 5000)
    h.run(6000)
    assert h.filled(cid) == sz("10")


def test_trade_right_after_a_decrease_is_taken_as_the_same_event() -> None:
    """Conservative: the print could be the trade the decrease already showed."""
    h = Harness(queue=RiskAverse(match_window_ms=1000))
    cid = _bid_behind_100(h)
    h.delta([(BUY, "0.50", "30")], 200)
    h.trade("0.50", "40", SELL, 250)
    h.run(1000)
    assert h.filled(cid) == 0
    assert h.venue.queue_ahead(cid) == sz("30")


@pytest.mark.parametrize(
    ("queue", "after", "expected_ahead"),
    [
        # 100 ahead, 100 behind, 50 cancelled (no print). Share from ahead = (100/200)^n.
        pytest.param(RiskAverse(), "150", "100", id="risk_averse_no_credit"),
        pytest.param(ProbQueue(1), "150", "75", id="prob1_proportional"),
        pytest.param(ProbQueue(2), "150", "87.5", id="prob2_quarter"),
        pytest.param(ProbQueue(3), "150", "93.75", id="prob3_eighth"),
    ],
)
def test_queue_models_attribute_a_cancel(queue, after: str, expected_ahead: str) -> None:
    h = Harness(queue=queue)
    cid = _bid_behind_100(h)
    h.delta([(BUY, "0.50", "200")], 200)  # 100 more join behind us
    h.delta([(BUY, "0.50", after)], 300)
    assert h.venue.queue_ahead(cid) == sz(expected_ahead)


def test_prob_queue_takes_from_ahead_what_behind_cannot_hold() -> None:
    # 100 ahead, 10 behind, 50 cancelled: (100/110)^3 * 50 = 37.57 < 50 - 10, so 40 came from ahead
    h = Harness(queue=ProbQueue(3))
    cid = _bid_behind_100(h)
    h.delta([(BUY, "0.50", "110")], 200)
    h.delta([(BUY, "0.50", "60")], 300)
    assert h.venue.queue_ahead(cid) == sz("60")


def test_decrease_explained_by_prints_does_not_move_prob_queue_twice() -> None:
    h = Harness(queue=ProbQueue(1))
    cid = _bid_behind_100(h)
    h.delta([(BUY, "0.50", "200")], 200)  # 100 behind
    h.trade("0.50", "30", SELL, 300)  # queue ahead 100 -> 70
    h.delta([(BUY, "0.50", "170")], 301)  # the same 30 leaving the display: no further move
    assert h.venue.queue_ahead(cid) == sz("70")


def test_our_orders_at_one_price_fill_in_time_priority() -> None:
    h = Harness()
    h.snapshot([("0.50", "100")], [("0.52", "50")], 0)
    first = h.submit(BUY, "0.50", "10", 100)
    second = h.submit(BUY, "0.50", "10", 150)
    h.trade("0.50", "115", SELL, 300)  # 100 others, then first (10), then 5 of second
    h.run(400)
    assert (h.filled(first), h.filled(second)) == (sz("10"), sz("5"))


def test_sell_orders_queue_on_the_ask_side() -> None:
    h = Harness()
    h.snapshot([("0.48", "50")], [("0.52", "30")], 0)
    cid = h.submit(SELL, "0.52", "10", 100)
    h.trade("0.52", "35", BUY, 200)  # buyers lift 30 ahead of us, then 5 of ours
    h.trade("0.52", "35", SELL, 300)  # a sell at 0.52 cannot reach asks: ignored
    h.run(400)
    assert h.filled(cid) == sz("5")


def test_no_partial_fill_waits_for_one_trade_covering_the_rest() -> None:
    h = Harness(exchange=NoPartialFill())
    cid = _bid_behind_100(h, size="20")
    h.trade("0.50", "60", SELL, 200)
    h.trade("0.50", "50", SELL, 300)  # would reach 10 of our 20: nothing under NoPartialFill
    assert h.filled(cid) == 0
    h.trade("0.50", "25", SELL, 5000)  # queue is empty now; 25 >= 20 fills us whole
    h.run(6000)
    assert [f.size for f in h.fills(cid)] == [sz("20")]


def test_unknown_aggressor_moves_queue_at_its_price_only() -> None:
    h = Harness()
    cid = _bid_behind_100(h)
    h.trade("0.45", "500", None, 200)  # below our bid, side unknown: no trade-through fill
    assert h.filled(cid) == 0
    h.trade("0.50", "105", None, 300)  # at our price: queue then us
    h.run(400)
    assert h.filled(cid) == sz("5")
