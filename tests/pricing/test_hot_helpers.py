"""The one-call helpers the decision pass uses equal what they stand for, bit for bit:
``EwmaVol.sigma_to`` (readiness + the horizon rule + ``sigma_over``), ``VolProfile.multiplier_span``
(the multiplier holds over the whole UTC hour it reports), and the fair value written out in
``model_fair_value`` and in the AMM (``prob_up`` on the same inputs)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.pricing.fair_value import prob_up
from predtrade.pricing.vol_profile import HOUR_NS, VolProfile
from predtrade.pricing.volatility import EwmaVol
from predtrade.strategies.amm import AmmConfig, AmmStrategy
from predtrade.strategies.fair import model_fair_value
from predtrade.testkit.snapshots import make_snapshot, updown_market

NS = 1_000_000_000
T = 1_771_891_200 * NS


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 30), st.floats(60_000, 70_000)), max_size=6),
    st.one_of(st.none(), st.floats(1e-6, 1e-3)),
    st.integers(0, 3 * 3600),
    st.one_of(st.none(), st.integers(-600, 3 * 3600)),
    st.booleans(),
)
def test_sigma_to_is_ready_then_sigma_over_the_horizon(ticks, initial, at, end, seasonal) -> None:
    vol = EwmaVol(300.0, 1e-5, initial, seasonal=VolProfile.load() if seasonal else None)
    ts = T
    for dt, price in ticks:
        ts += dt * NS
        vol.update(ts, price)
    now = T + at * NS
    end_ns = None if end is None else T + end * NS
    want = None
    if vol.ready:
        want = vol.sigma_over(now, now if end_ns is None or end_ns <= now else end_ns)
    assert vol.sigma_to(now, end_ns) == want


@given(st.integers(0, 2**62))
def test_the_multiplier_holds_over_the_span_it_reports(ts: int) -> None:
    p = VolProfile.load()
    start, end, m = p.multiplier_span(ts)
    assert start <= ts < end == start + HOUR_NS
    assert m == p.multiplier(ts) == p.multiplier(start) == p.multiplier(end - 1)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 10**14),
    st.integers(1, 10**14),
    st.one_of(st.none(), st.floats(1e-7, 1e-2), st.just(0.0), st.just(math.inf)),
    st.floats(0.5, 2.0),
    st.integers(-10, 900),
    st.booleans(),
)
def test_the_written_out_fair_value_is_prob_up(ref, strike, sigma, mult, left_s, ito) -> None:
    market = updown_market()
    snap = make_snapshot(market=market, ref_price=ref, round_open=strike, sigma=sigma,
                         sigma_multiplier=mult, ts=market.end_ts - left_s * NS)  # fmt: skip
    s = sigma if sigma is not None and 0.0 < sigma < math.inf else 8e-5 * mult
    t = left_s if left_s > 0 else 0.0
    want = prob_up(ref, strike, s, float(t), ito=ito)
    assert model_fair_value(snap, 8e-5, ito=ito) == want
    d = AmmStrategy(AmmConfig(ito=ito, default_sigma=8e-5)).evaluate(snap)
    assert d.fair_value == want
