"""Latency models and the exact timing of every message the venue sends back."""

from __future__ import annotations

import random
import statistics

import pytest

from predtrade.model import OrderAccepted, OrderCancelled, OrderFilled
from predtrade.venues.sim import (
    SEED001_PLACE_QUANTILES_MS,
    ConstantLatency,
    EmpiricalLatency,
    QuantileFunction,
    default_latency,
)

from ._harness import BUY, MS, SELL, Harness, at


def test_constant_latency_timings_are_exact() -> None:
    # Arrange: 20 ms in, 30 ms back; cancels 5 ms in, 7 ms back
    h = Harness(latency=ConstantLatency(20, 30, cancel_entry_ms=5, cancel_response_ms=7))
    h.snapshot([("0.48", "100")], [("0.52", "10"), ("0.54", "10")], 0)
    # Act
    taker = h.submit(BUY, "0.52", "6", 100)  # lands at 120 ms, answered at 150 ms
    maker = h.submit(BUY, "0.50", "10", 100)
    assert h.venue.next_event_ts() == at(120)
    h.trade("0.50", "3", SELL, 400)  # fills our resting bid at 400 ms; we hear at 430 ms
    h.cancel(maker, 500)  # cancel lands at 505 ms; confirmed to us at 512 ms
    h.drain()
    # Assert
    ack, fill = h.of(taker)
    assert isinstance(ack, OrderAccepted) and isinstance(fill, OrderFilled)
    assert (ack.ts_venue, ack.ts_local) == (at(120), at(150))
    assert (fill.ts_venue, fill.ts_local) == (at(120), at(150))
    ack, fill, cancelled = h.of(maker)
    assert (ack.ts_venue, ack.ts_local) == (at(120), at(150))
    assert (fill.ts_venue, fill.ts_local) == (at(400), at(430))
    assert isinstance(cancelled, OrderCancelled)
    assert (cancelled.ts_venue, cancelled.ts_local) == (at(505), at(512))


def test_advance_releases_messages_only_when_due() -> None:
    h = Harness(latency=ConstantLatency(20, 30))
    cid = h.submit(BUY, "0.40", "10", 0)
    assert h.venue.next_event_ts() == at(20)  # the arrival
    assert h.venue.advance(at(49)) == []
    assert h.venue.next_event_ts() == at(50)  # the answer
    [ack] = h.venue.advance(at(50))
    assert isinstance(ack, OrderAccepted) and ack.client_order_id == cid
    assert h.venue.next_event_ts() is None


def test_latencies_are_recorded_per_round_trip() -> None:
    h = Harness(latency=ConstantLatency(20, 30, cancel_entry_ms=5, cancel_response_ms=7))
    cid = h.submit(BUY, "0.40", "10", 100)
    h.run(200)
    h.cancel(cid, 300)
    samples = h.venue.drain_latencies()
    assert [(s.kind, s.client_order_id, s.ts, s.round_trip_ns) for s in samples] == [
        ("place", cid, at(100), 50 * MS),
        ("cancel", cid, at(300), 12 * MS),
    ]
    assert samples[0].ms == 50.0
    assert h.venue.latencies == []  # drained


def test_quantile_function_interpolates_and_clamps() -> None:
    f = QuantileFunction(SEED001_PLACE_QUANTILES_MS)
    assert f(0.5) == 38.0
    assert f(0.30) == pytest.approx(36.0 + 2.0 * 0.05 / 0.25)  # between p25 = 36 and p50 = 38
    assert f(0.0) == 34.0  # below p10: flat
    assert f(1.0) == 2787.0  # above p99: flat


@pytest.mark.parametrize(
    "points",
    [
        pytest.param([], id="empty"),
        pytest.param([(0.5, 10.0), (0.5, 12.0)], id="repeated_q"),
        pytest.param([(0.2, 10.0), (0.5, 5.0)], id="decreasing"),
        pytest.param([(1.5, 10.0)], id="q_out_of_range"),
    ],
)
def test_quantile_function_refuses_bad_points(points) -> None:
    with pytest.raises(ValueError):
        QuantileFunction(points)


def test_empirical_latency_is_deterministic_and_within_range() -> None:
    model = EmpiricalLatency(SEED001_PLACE_QUANTILES_MS)
    rng1, rng2 = random.Random(42), random.Random(42)
    s1 = [model.place(rng1) for _ in range(2000)]
    s2 = [model.place(rng2) for _ in range(2000)]
    assert s1 == s2
    rts = [e + r for e, r in s1]
    assert all(34 * MS <= rt <= 2787 * MS for rt in rts)
    assert all(abs(e - r) <= 1 for e, r in s1)  # half in, half back
    med = statistics.median(rts) / MS
    assert 36.5 < med < 39.5  # the measured median is 38 ms
    p90 = sorted(rts)[int(0.9 * len(rts))] / MS
    assert 60 < p90 < 120  # measured p90 74 ms


def test_default_latency_is_seed_001_with_cancels_at_31ms_median() -> None:
    model = default_latency()
    assert model.place_fn.median == 38.0
    assert model.cancel_fn.median == pytest.approx(31.0)
    d = model.describe()
    assert d["model"] == "EmpiricalLatency" and d["entry_share"] == 0.5


def test_same_seed_same_latencies_in_the_venue() -> None:
    def run(seed: int) -> list:
        h = Harness(latency=default_latency(), seed=seed)
        for i in range(20):
            h.submit(BUY, "0.40", "10", i * 10)
        h.drain()
        return [(e.ts_venue, e.ts_local) for e in h.events]

    assert run(1) == run(1)
    assert run(1) != run(2)
