"""The per-round evaluation: known S, K, sigma, t -> known P; only data received by T; skips."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from predtrade.fairvalue.calibrate import (
    NS_PER_S,
    Forecast,
    ModelConfig,
    PathEvaluator,
    Round,
    mid_prob,
    score_horizon,
)
from predtrade.pricing import VolProfile

S = NS_PER_S
K = 6_000_000_000_000  # 60,000.00000000 in 1e-8 units
START = 1_780_876_800 * S
END = START + 300 * S
PHI = NormalDist().cdf


class FixedVol:
    """A volatility stub: a constant sigma, and a log of what it was told and when it was asked."""

    def __init__(self, sigma: float) -> None:
        self.sigma = sigma
        self.updates: list[tuple[int, float]] = []
        self.asked: list[tuple[int, int, int | None]] = []

    def update(self, ts_ns: int, price: float) -> bool:
        self.updates.append((ts_ns, price))
        return True

    def sigma_over(self, start_ns: int, end_ns: int) -> float:
        self.asked.append((start_ns, end_ns, self.updates[-1][0] if self.updates else None))
        return self.sigma


def _run(ticks, horizons=(60,), *, strike=K, sigma=8e-5, rounds=None, **kw):  # type: ignore[no-untyped-def]
    vol = FixedVol(sigma)
    rounds = rounds or [Round("r", START, END, strike)]
    ev = PathEvaluator(rounds, horizons, vol, **kw)
    for t_local, t_price, price in ticks:
        ev.price(t_local, t_price, price)
    return ev.finish(), ev, vol


@pytest.mark.parametrize(
    ("z", "sigma", "h"),
    [
        pytest.param(0.0, 8e-5, 60, id="at-the-money"),
        pytest.param(1.0, 8e-5, 60, id="one-sd-up"),
        pytest.param(-2.0, 5e-5, 240, id="two-sd-down"),
        pytest.param(0.5, 1.2e-4, 10, id="short-horizon"),
    ],
)
def test_known_probability(z: float, sigma: float, h: int) -> None:
    spot = round(K * math.exp(z * sigma * math.sqrt(h)))
    t = END - h * S
    out, _ev, _vol = _run([(t - S, t - 2 * S, spot)], (h,), sigma=sigma)
    assert len(out) == 1
    f = out[0]
    assert (f.horizon_s, f.t_s, f.spot, f.strike, f.sigma) == (h, float(h), spot, K, sigma)
    assert f.p_model == pytest.approx(PHI(math.log(spot / K) / (sigma * math.sqrt(h))), abs=1e-12)
    assert f.p_model == pytest.approx(PHI(z), abs=1e-6)


def test_uses_only_data_received_by_the_instant() -> None:
    t = END - 60 * S
    ticks = [
        (t - 3 * S, t - 4 * S, K + 100),
        (t, t - 1 * S, K + 200),  # received exactly at T: known at T
        (t + 1, t - S // 2, K - 10**9),  # feed time before T but received after it: not known yet
        (t + 2 * S, t + S, K - 10**9),
    ]
    out, _ev, vol = _run(ticks)
    assert [f.spot for f in out] == [K + 200]
    # the volatility had seen exactly the ticks received by T when it was asked
    assert vol.asked == [(t, END, t - 1 * S)]
    assert [u[0] for u in vol.updates] == [t - 4 * S, t - 1 * S, t - S // 2, t + S]


def test_each_horizon_sees_its_own_past() -> None:
    ticks = [(END - k * S, END - k * S, K + k) for k in range(300, -1, -1)]
    out, _ev, vol = _run(ticks, (240, 120, 10))
    by_h = {f.horizon_s: f.spot for f in out}
    assert by_h == {240: K + 240, 120: K + 120, 10: K + 10}
    assert all(last is not None and last <= start for start, _end, last in vol.asked)


@pytest.mark.parametrize(
    ("age_ns", "scored"),
    [
        pytest.param(5 * S, True, id="exactly-5s-old"),
        pytest.param(5 * S + 1, False, id="just-over-5s"),
        pytest.param(60 * S, False, id="stale"),
    ],
)
def test_skips_without_a_fresh_price(age_ns: int, scored: bool) -> None:
    t = END - 30 * S
    out, ev, _vol = _run([(t - age_ns, t - age_ns, K)], (30,))
    assert len(out) == int(scored)
    assert ev.skipped[30]["no_price"] == int(not scored)


def test_no_price_at_all_and_horizon_longer_than_round() -> None:
    out, ev, _vol = _run([], (400, 60))
    assert out == []
    assert ev.skipped[400] == {"before_start": 1}
    assert ev.skipped[60] == {"no_price": 1}


def test_missing_strike_is_skipped_not_guessed() -> None:
    t = END - 60 * S
    out, ev, _vol = _run([(START, START, K), (t, t, K + 5)], strike=None)
    assert out == []
    assert ev.skipped[60] == {"no_strike": 1}


@pytest.mark.parametrize(
    ("first_after_start_ns", "expected_strike"),
    [
        pytest.param(0, K + 1, id="tick-at-start"),
        pytest.param(3 * S, K + 1, id="3s-late"),
        pytest.param(6 * S, None, id="too-late"),
    ],
)
def test_strike_from_path(first_after_start_ns: int, expected_strike: int | None) -> None:
    t = END - 60 * S
    ticks = [
        (START - S, START - S, K - 7),  # before the start: never the strike
        (START + first_after_start_ns, START + first_after_start_ns, K + 1),
        (t, t, K + 50),
    ]
    rounds = [Round("r", START, END, None, strike_from_path=True)]
    out, ev, _vol = _run(ticks, rounds=rounds)
    if expected_strike is None:
        assert out == [] and ev.skipped[60] == {"no_strike": 1}
    else:
        assert [(f.strike, f.spot) for f in out] == [(expected_strike, K + 50)]


def test_market_quote_must_be_fresh_and_known() -> None:
    t = END - 60 * S
    rounds = [Round("a", START, END, K), Round("b", START, END, K), Round("c", START, END, K)]
    ev = PathEvaluator(rounds, (60,), FixedVol(8e-5))
    ev.price(t - S, t - S, K)
    ev.market("a", t - 2 * S, 0.7)  # fresh
    ev.market("b", t - 9 * S, 0.6)  # stale
    ev.market("c", t - 2 * S, 0.4)
    ev.market("c", t + 1, 0.9)  # after T: must not replace what was known at T
    got = {f.round_id: f.p_market for f in ev.finish()}
    assert got == {"a": 0.7, "b": None, "c": 0.4}


def test_vol_sampling_feeds_spaced_ticks_only() -> None:
    ticks = [(START + k * S, START + k * S, K + k) for k in range(0, 250)]
    _out, _ev, vol = _run(ticks, vol_sample_ns=60 * S)
    assert [u[0] for u in vol.updates] == [START + k * S for k in (0, 60, 120, 180, 240)]


def test_real_ewma_gets_exactly_the_past() -> None:
    """With the configured (seasonal) EWMA the sigma used equals that of an EWMA fed by hand with
    the ticks received up to T, and differs from one that also saw a later shock."""
    profile = VolProfile.load()
    cfg = ModelConfig(profile, horizons=(60,))
    t = END - 60 * S
    ticks = [(START + k * S, START + k * S, K + (k % 7) * 10**6) for k in range(0, 300)]
    ticks[241] = (START + 241 * S, START + 241 * S, K * 2)  # a shock after T
    ev = cfg.evaluator([Round("r", START, END, K)])
    for tl, tp, p in ticks:
        ev.price(tl, tp, p)
    (f,) = ev.finish()
    mine = cfg.new_vol()
    for tl, tp, p in ticks:
        if tl <= t:
            mine.update(tp, p)
    assert f.sigma == mine.sigma_over(t, END)
    leaky = cfg.new_vol()
    for _tl, tp, p in ticks:
        leaky.update(tp, p)
    assert leaky.sigma_over(t, END) > 2 * f.sigma  # the shock would have shown had it leaked


@pytest.mark.parametrize(
    ("bid", "ask", "expected"),
    [
        pytest.param(0.40, 0.42, 0.41, id="two-sided"),
        pytest.param(None, 0.01, 0.005, id="only-ask"),
        pytest.param(0.99, None, 0.995, id="only-bid"),
        pytest.param(None, None, None, id="empty"),
    ],
)
def test_mid_prob(bid: float | None, ask: float | None, expected: float | None) -> None:
    got = mid_prob(bid, ask)
    assert got == (pytest.approx(expected) if expected is not None else None)


def _fc(rid: str, p: float, mkt: float | None = None) -> Forecast:
    return Forecast(rid, 60, 60.0, 1.0, 1.0, 1e-4, p, mkt)


def test_score_horizon_against_hand_computed_figures() -> None:
    fs = [_fc("a", 0.8, 0.6), _fc("b", 0.3, 0.5), _fc("c", 0.9), _fc("unresolved", 0.1, 0.1)]
    outcomes = {"a": True, "b": False, "c": False}
    s = score_horizon(fs, outcomes, n_bins=10)
    assert s is not None
    assert s.n == 3
    assert s.brier == pytest.approx((0.2**2 + 0.3**2 + 0.9**2) / 3)
    assert s.log_loss == pytest.approx(-(math.log(0.8) + math.log(0.7) + math.log(0.1)) / 3)
    assert s.base_rate == pytest.approx(1 / 3)
    # the market is scored on the rounds it quoted (a, b), the model again on the same pair
    assert s.market_n == 2
    assert s.market_brier == pytest.approx((0.4**2 + 0.5**2) / 2)
    assert s.brier_paired == pytest.approx((0.2**2 + 0.3**2) / 2)
    assert s.bss_vs_market == pytest.approx(1 - (0.04 + 0.09) / (0.16 + 0.25))
    assert sum(b["count"] for b in s.bins) == 3


def test_score_horizon_empty_and_without_market() -> None:
    assert score_horizon([_fc("x", 0.5)], {}) is None
    s = score_horizon([_fc("x", 0.5)], {"x": True})
    assert s is not None and s.market_brier is None and s.bss_vs_market is None and s.market_n == 0
