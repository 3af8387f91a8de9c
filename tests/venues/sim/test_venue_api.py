"""The public surface the engine and the run record rely on."""

from __future__ import annotations

import msgspec
import pytest

from predtrade.book import BookStore
from predtrade.model import CancelRejected
from predtrade.testkit import Stubs
from predtrade.venues.base import SimulatedVenue, Venue
from predtrade.venues.sim import (
    CANCEL_ALREADY_FILLED,
    CANCEL_NOT_FOUND,
    ConstantLatency,
    EmpiricalLatency,
    NoPartialFill,
    ProbQueue,
    RiskAverse,
    SimVenue,
)

from ._harness import BUY, NO, SELL, Harness, px, sz


def test_sim_venue_satisfies_the_venue_protocols() -> None:
    venue = SimVenue([Stubs.market()], BookStore())
    assert isinstance(venue, Venue) and isinstance(venue, SimulatedVenue)
    assert venue.name == "sim"
    assert venue.next_event_ts() is None
    assert venue.advance(Stubs.T0) == []


def test_markets_may_be_given_as_a_mapping() -> None:
    m = Stubs.market()
    h = Harness()
    h.venue = SimVenue({m.condition_id: m}, h.store, latency=ConstantLatency(1, 1))
    cid = h.submit(BUY, "0.40", "10", 0)
    h.drain()
    assert h.vid(cid)


def test_describe_names_every_model_and_is_json() -> None:
    venue = SimVenue(
        [Stubs.market()],
        BookStore(),
        latency=EmpiricalLatency([(0.5, 40.0), (0.9, 80.0)]),
        queue=ProbQueue(3, match_window_ms=250),
        exchange=NoPartialFill(),
        seed=11,
    )
    d = venue.describe()
    assert d["latency"]["model"] == "EmpiricalLatency"
    assert d["latency"]["place_quantiles_ms"] == [[0.5, 40.0], [0.9, 80.0]]
    assert d["queue"] == {"model": "ProbQueue", "power": 3, "match_window_ms": 250}
    assert d["exchange"] == {"model": "NoPartialFill"}
    assert d["seed"] == 11
    msgspec.json.encode(d)


def test_defaults_are_the_conservative_models() -> None:
    d = SimVenue([Stubs.market()], BookStore()).describe()
    assert d["queue"]["model"] == RiskAverse.name
    assert d["exchange"]["model"] == "PartialFill"
    assert d["latency"]["place_quantiles_ms"][2] == [0.5, 38.0]


@pytest.mark.parametrize("power", [0, -1, 1.5])
def test_prob_queue_power_must_be_a_positive_int(power) -> None:
    with pytest.raises(ValueError):
        ProbQueue(power)


def test_resting_orders_and_stats() -> None:
    h = Harness()
    h.snapshot([("0.48", "100")], [("0.52", "50")], 0)
    a = h.submit(BUY, "0.48", "10", 100)
    b = h.submit(SELL, "0.60", "10", 100, asset=NO)
    h.submit(BUY, "0.52", "5", 100)  # a taker
    h.drain()
    assert [r.client_order_id for r in h.venue.resting_orders(Stubs.YES)] == [a]
    assert [r.client_order_id for r in h.venue.resting_orders(NO)] == [b]
    assert h.venue.resting_orders("unknown") == []
    [r] = h.venue.resting_orders(Stubs.YES)
    assert (r.side, r.price, r.size, r.remaining, r.ahead) == (BUY, px("0.48"), sz("10"), sz("10"), sz("100"))
    assert h.venue.queue_ahead("nobody") is None
    stats = h.venue.stats
    assert stats["submitted"] == 3 and stats["accepted"] == 3 and stats["fills_taker"] == 1
    assert stats["open_orders"] == 2
    assert h.venue.fill_source("sim-999") is None


# ---- memory stays bounded over a long run -----------------------------------------------------------


def _taker_round(h: Harness, i: int) -> str:
    """A one-level ask at a new price and a taker that takes all of it: one fill, one finished
    order (a level already taken is not offered again by the next snapshot)."""
    t = 1_000 * i
    ask = f"0.{52 + i}"
    h.snapshot([("0.48", "100")], [(ask, "10")], t)
    cid = h.submit(BUY, ask, "10", t + 1)
    h.run(t + 500)
    return cid


def test_trade_sources_are_bounded_oldest_forgotten_first() -> None:
    h = Harness(max_sources=3)
    cids = [_taker_round(h, i) for i in range(5)]
    trades = [h.fills(c)[0].trade_id for c in cids]
    assert [h.venue.fill_source(t) for t in trades] == [None, None, "taker", "taker", "taker"]
    assert h.venue.fill_sources["taker"] == 5  # the counts keep every fill
    assert len(h.venue._trade_source) == 3


def test_finished_orders_are_bounded_and_a_late_cancel_is_still_answered() -> None:
    h = Harness(max_done=2)
    cids = [_taker_round(h, i) for i in range(4)]
    assert len(h.venue._done) <= 2 * 2  # client id and venue id of each remembered order
    # the newest is still known as filled, the oldest only as not found; both are answered
    h.cancel(cids[-1], 10_000)
    h.cancel(cids[0], 10_001)
    h.drain()
    assert [e.reason for e in h.of(cids[-1]) if isinstance(e, CancelRejected)] == [CANCEL_ALREADY_FILLED]
    assert [e.reason for e in h.of(cids[0]) if isinstance(e, CancelRejected)] == [CANCEL_NOT_FOUND]


def test_default_bounds_are_modest() -> None:
    v = SimVenue([Stubs.market()], BookStore())
    assert v._max_done <= 10_000 and v._max_sources <= 10_000
