"""Cancels (and their races with fills) and venue-initiated cancels at resolution."""

from __future__ import annotations

from predtrade.model import CancelRejected, OrderAccepted, OrderCancelled, OrderFilled, OrderRejected
from predtrade.testkit import Stubs
from predtrade.venues.base import CancelRequest
from predtrade.venues.sim import (
    CANCEL_ALREADY_CANCELLED,
    CANCEL_ALREADY_FILLED,
    CANCEL_NOT_FOUND,
    CANCELLED_MARKET_RESOLVED,
    REJECT_MARKET_CLOSED,
    ConstantLatency,
)

from ._harness import BUY, NO, SELL, Harness, at, px, sz


def _resting(h: Harness) -> str:
    h.snapshot([("0.48", "100")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", "10", 100)  # best bid, nobody ahead
    h.run(200)
    return cid


def test_fill_before_the_cancel_lands_stands_and_the_rest_is_cancelled() -> None:
    # Arrange: cancels take 20 ms to land and 20 ms back
    h = Harness(latency=ConstantLatency(10, 10, cancel_entry_ms=20, cancel_response_ms=20))
    cid = _resting(h)
    # Act
    h.cancel(cid, 1000)  # lands at 1020 ms
    h.trade("0.50", "4", SELL, 1005)  # before it lands: fills
    h.trade("0.50", "4", SELL, 1030)  # after: the order is gone
    h.drain()
    # Assert
    evs = h.of(cid)
    assert [type(e) for e in evs] == [OrderAccepted, OrderFilled, OrderCancelled]
    fill, cancelled = evs[1], evs[2]
    assert fill.size == sz("4") and fill.ts_venue == at(1005)
    assert (cancelled.ts_venue, cancelled.ts_local) == (at(1020), at(1040))
    assert cancelled.size_matched == sz("4")
    assert h.venue.resting_orders() == []


def test_cancel_of_a_filled_order_is_refused() -> None:
    h = Harness()
    cid = _resting(h)
    h.cancel(cid, 1000)  # lands at 1010 ms
    h.trade("0.50", "10", SELL, 1005)  # fills all of it first
    h.drain()
    refused = [e for e in h.of(cid) if isinstance(e, CancelRejected)]
    assert [e.reason for e in refused] == [CANCEL_ALREADY_FILLED]
    assert h.filled(cid) == sz("10")


def test_second_cancel_is_refused_as_already_cancelled() -> None:
    h = Harness()
    cid = _resting(h)
    h.cancel(cid, 1000)
    h.cancel(cid, 1001)
    h.drain()
    assert [type(e) for e in h.of(cid)] == [OrderAccepted, OrderCancelled, CancelRejected]
    assert h.of(cid)[-1].reason == CANCEL_ALREADY_CANCELLED


def test_cancel_of_an_unknown_order_is_refused() -> None:
    h = Harness()
    h.venue.cancel(CancelRequest(client_order_id="nobody", venue_order_id="sim-order-99", ts=at(0)))
    h.drain()
    assert h.events == [CancelRejected("sim-order-99", CANCEL_NOT_FOUND, at(10), at(20))]


def test_cancel_before_the_ack_never_overtakes_its_order() -> None:
    # the order needs 50 ms to land, the cancel only 5: the cancel still lands after it
    h = Harness(latency=ConstantLatency(50, 10, cancel_entry_ms=5, cancel_response_ms=10))
    h.snapshot([("0.48", "100")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", "10", 100)
    h.cancel(cid, 101, by_client_id=True)  # no venue id yet
    h.drain()
    ack, cancelled = h.of(cid)
    assert isinstance(ack, OrderAccepted) and isinstance(cancelled, OrderCancelled)
    assert ack.ts_venue == cancelled.ts_venue == at(150)
    assert ack.ts_local <= cancelled.ts_local


def test_cancel_of_a_rejected_order_is_not_found() -> None:
    h = Harness()
    cid = h.submit(BUY, "0.505", "10", 100)  # off the grid
    h.run(200)
    h.cancel(cid, 300, by_client_id=True)
    h.drain()
    assert isinstance(h.of(cid)[0], OrderRejected)
    [refused] = [e for e in h.events if isinstance(e, CancelRejected)]
    assert refused.reason == CANCEL_NOT_FOUND


def test_resolution_cancels_every_resting_order_of_the_market() -> None:
    # Arrange: orders on both tokens of our market, one on another market
    other = Stubs.market(condition_id="0xother", token_ids=("o-yes", "o-no"))
    h = Harness()
    h.venue.add_market(other)
    h.snapshot([("0.48", "100")], [("0.52", "50")], 0)
    yes = h.submit(BUY, "0.45", "10", 100)
    no = h.submit(SELL, "0.60", "10", 100, asset=NO)
    elsewhere = h.submit(BUY, "0.30", "10", 100, asset="o-yes", market="0xother")
    h.run(200)
    # Act
    h.resolve(1000)
    late = h.submit(BUY, "0.45", "10", 1100)
    h.drain()
    # Assert
    for cid in (yes, no):
        [cancelled] = h.cancelled(cid)
        assert cancelled.reason == CANCELLED_MARKET_RESOLVED
        assert cancelled.ts_venue == at(1000)
    assert h.cancelled(elsewhere) == []
    assert [o.client_order_id for o in h.venue.resting_orders()] == [elsewhere]
    assert h.rejected(late).reason == REJECT_MARKET_CLOSED


def test_taker_fill_then_cancel_of_the_resting_rest() -> None:
    h = Harness()
    h.snapshot([("0.48", "100")], [("0.52", "6")], 0)
    cid = h.submit(BUY, "0.52", "10", 100)  # takes 6, rests 4
    h.cancel(cid, 500)
    h.drain()
    evs = h.of(cid)
    assert [type(e) for e in evs] == [OrderAccepted, OrderFilled, OrderCancelled]
    assert evs[1].price == px("0.52") and evs[2].size_matched == sz("6")
