"""EwmaVol and realized_vol: hand-computed values, convergence on synthetic GBM with irregular
sampling, bad ticks, priors, floors and deseasonalization."""

import math
import random
from collections.abc import Callable
from itertools import pairwise

import pytest

from predtrade.pricing.vol_profile import HOUR_NS, VolProfile
from predtrade.pricing.volatility import EwmaVol, realized_vol

S = 1_000_000_000  # ns per second
T0 = 1_773_619_200 * S  # 2026-03-16 00:00 UTC, a Monday


def gbm(
    rng: random.Random, n: int, sigma_at: Callable[[int], float], mean_dt_s: float, t0: int = T0
) -> tuple[list[int], list[float]]:
    """Driftless log-price path sampled at exponential (irregular) intervals; ``sigma_at(ts_ns)``
    is the true volatility per sqrt(second) over the step that starts at ts."""
    ts, px = [t0], [65_000.0]
    lp = math.log(px[0])
    for _ in range(n):
        dt_ns = max(1_000_000, int(rng.expovariate(1.0 / mean_dt_s) * S))  # at least 1 ms
        sig = sigma_at(ts[-1])
        lp += rng.gauss(0.0, sig * math.sqrt(dt_ns / S))
        ts.append(ts[-1] + dt_ns)
        px.append(math.exp(lp))
    return ts, px


def rel_sd_of_sigma(ts: list[int], halflife_s: float) -> float:
    """Standard error of the EWMA sigma estimate relative to the truth, from the estimator's own
    weights: var_hat = sum w r^2 / sum w dt with r^2 ~ var * dt * chi2(1), so
    Var(var_hat) / var^2 = 2 * sum (w dt)^2 / (sum w dt)^2, and sigma's relative error is half."""
    end = ts[-1]
    wdt = [2.0 ** (-((end - b) / S) / halflife_s) * ((b - a) / S) for a, b in pairwise(ts)]
    return 0.5 * math.sqrt(2.0 * math.fsum(x * x for x in wdt)) / math.fsum(wdt)


def test_single_return_hand_computed() -> None:
    v = EwmaVol(halflife_s=60.0)
    assert v.update(0, 100.0)
    assert v.sigma == 0.0 and not v.ready
    assert v.update(4 * S, 100.0 * math.exp(0.02))
    # r^2 / dt = 4e-4 / 4 = 1e-4 per second
    assert v.variance == pytest.approx(1e-4, rel=1e-12)
    assert v.sigma == pytest.approx(1e-2, rel=1e-12)
    assert v.count == 1 and v.ready


def test_two_returns_with_time_decay_hand_computed() -> None:
    # ticks at 0, 1 s, 3 s; returns 0.01 over 1 s then 0.02 over 2 s; half-life 2 s, so the first
    # return is one half-life old when the second arrives:
    # var = (0.01^2 * 0.5 + 0.02^2) / (1 * 0.5 + 2) = 4.5e-4 / 2.5 = 1.8e-4
    v = EwmaVol(halflife_s=2.0)
    v.update(0, 100.0)
    v.update(1 * S, 100.0 * math.exp(0.01))
    v.update(3 * S, 100.0 * math.exp(0.03))
    assert v.variance == pytest.approx(1.8e-4, rel=1e-12)


def test_prior_floor_and_readiness() -> None:
    v = EwmaVol(halflife_s=300.0, floor=2e-5, initial=8e-5)
    assert v.ready and v.sigma == pytest.approx(8e-5, rel=1e-12)
    assert EwmaVol(300.0, floor=2e-5).sigma == 2e-5  # no prior, no data: the floor
    # a dead-flat feed drives the estimate to 0, the floor holds
    flat = EwmaVol(halflife_s=10.0, floor=3e-5, initial=8e-5)
    for i in range(2_000):
        flat.update(i * S, 100.0)
    assert flat.variance < 1e-20
    assert flat.sigma == 3e-5
    assert flat.sigma_over(0, 300 * S) == 3e-5


def test_prior_fades_with_the_half_life() -> None:
    # prior 1e-3, data exactly 1e-4 (alternating +-1e-4 returns each second): after 20 half-lives
    # the prior's weight is 2^-20 of its start
    v = EwmaVol(halflife_s=10.0, initial=1e-3)
    lp = 0.0
    for i in range(201):
        v.update(i * S, math.exp(lp))
        lp += 1e-4 if i % 2 == 0 else -1e-4
    assert v.sigma == pytest.approx(1e-4, rel=1e-3)


@pytest.mark.parametrize(
    "price",
    [
        pytest.param(0.0, id="zero"),
        pytest.param(-65_000.0, id="negative"),
        pytest.param(math.nan, id="nan"),
        pytest.param(math.inf, id="inf"),
        pytest.param(0, id="int-zero"),
    ],
)
def test_bad_prices_are_counted_and_ignored(price: float) -> None:
    v = EwmaVol(halflife_s=60.0)
    v.update(0, 100.0)
    v.update(S, 101.0)
    before = (v.variance, v.last_ts, v.count)
    assert v.update(2 * S, price) is False
    assert (v.variance, v.last_ts, v.count) == before
    assert v.bad_price == 1 and v.bad_time == 0
    assert v.update(3 * S, 100.0)  # the next good tick measures from the last good one
    assert v.count == 2


@pytest.mark.parametrize("ts", [pytest.param(S, id="equal"), pytest.param(S // 2, id="earlier")])
def test_non_increasing_timestamps_are_counted_and_ignored(ts: int) -> None:
    v = EwmaVol(halflife_s=60.0)
    v.update(0, 100.0)
    v.update(S, 101.0)
    before = (v.variance, v.last_ts, v.count)
    assert v.update(ts, 150.0) is False
    assert (v.variance, v.last_ts, v.count) == before
    assert v.bad_time == 1 and v.bad_price == 0


def test_accepts_int_reference_prices() -> None:
    a, b = EwmaVol(60.0), EwmaVol(60.0)
    for i, px in enumerate((6_500_000_000_000, 6_501_000_000_000, 6_499_500_000_000)):
        a.update(i * S, px)
        b.update(i * S, px / 1e8)
    assert a.variance == pytest.approx(b.variance, rel=1e-9)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"halflife_s": 0.0}, id="halflife-zero"),
        pytest.param({"halflife_s": math.inf}, id="halflife-inf"),
        pytest.param({"halflife_s": 60.0, "floor": -1.0}, id="floor-negative"),
        pytest.param({"halflife_s": 60.0, "initial": math.nan}, id="initial-nan"),
    ],
)
def test_constructor_rejects(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        EwmaVol(**kwargs)


def test_converges_to_true_sigma_on_irregular_gbm() -> None:
    sigma, halflife = 1e-4, 1_800.0
    ts, px = gbm(random.Random(20260316), 40_000, lambda _t: sigma, mean_dt_s=0.7)
    v = EwmaVol(halflife_s=halflife)
    for t, p in zip(ts, px, strict=True):
        assert v.update(t, p)
    tol = 5.0 * rel_sd_of_sigma(ts, halflife)  # 5 standard errors (about 4%)
    assert v.sigma == pytest.approx(sigma, rel=tol)
    # the batch estimator uses every return with equal weight: much tighter
    spacing = [(b - a) / S for a, b in pairwise(ts)]
    batch_tol = 5.0 * 0.5 * math.sqrt(2 * math.fsum(x * x for x in spacing)) / math.fsum(spacing)
    assert realized_vol(px, ts) == pytest.approx(sigma, rel=batch_tol)


def test_tracks_a_volatility_regime_change() -> None:
    halflife = 300.0
    switch = T0 + 3_600 * S
    ts, px = gbm(random.Random(7), 20_000, lambda t: 1e-4 if t < switch else 3e-4, mean_dt_s=0.5)
    v = EwmaVol(halflife_s=halflife, initial=1e-4)
    for t, p in zip(ts, px, strict=True):
        v.update(t, p)
    assert (ts[-1] - switch) / S > 10 * halflife  # the old regime weighs < 2^-10
    assert v.sigma == pytest.approx(3e-4, rel=5.0 * rel_sd_of_sigma(ts, halflife) + 2.0**-10)


def test_deseasonalized_ewma_recovers_the_base_level() -> None:
    profile = VolProfile.load()
    base, halflife = 8e-5, 3_600.0
    # Monday 00:00 .. ~16:30 UTC, true sigma following the profile hour by hour: the last hours
    # are the US open (multipliers ~1.2..1.55), so a plain EWMA reads well above the base level
    ts, px = gbm(random.Random(11), 40_000, lambda t: base * profile.multiplier(t), mean_dt_s=1.5)
    assert 16 <= (ts[-1] - T0) // HOUR_NS <= 17
    seasonal = EwmaVol(halflife_s=halflife, seasonal=profile)
    plain = EwmaVol(halflife_s=halflife)
    for t, p in zip(ts, px, strict=True):
        seasonal.update(t, p)
        plain.update(t, p)
    tol = 5.0 * rel_sd_of_sigma(ts, halflife)
    assert seasonal.sigma == pytest.approx(base, rel=tol)
    assert plain.sigma > base * (1.0 + 2.0 * tol)  # the test can tell the two apart
    # pricing the next 5 minutes re-applies the profile for that hour
    now = ts[-1]
    expected = seasonal.sigma * math.sqrt(profile.variance_multiplier(now, now + 300 * S))
    assert seasonal.sigma_over(now, now + 300 * S) == pytest.approx(expected, rel=1e-12)
    assert seasonal.sigma_over(now, now + 300 * S) == pytest.approx(plain.sigma, rel=tol)
    # without a profile, sigma_over is just sigma
    assert plain.sigma_over(now, now + 300 * S) == plain.sigma


class _Constant:
    def __init__(self, m2: float) -> None:
        self.m2 = m2

    def variance_multiplier(self, start_ns: int, end_ns: int) -> float:
        return self.m2


def test_seasonal_divides_squared_returns_by_the_variance_multiplier() -> None:
    v = EwmaVol(halflife_s=60.0, seasonal=_Constant(4.0))
    v.update(0, 100.0)
    v.update(4 * S, 100.0 * math.exp(0.02))
    assert v.variance == pytest.approx(1e-4 / 4.0, rel=1e-12)
    assert v.sigma_over(0, HOUR_NS) == pytest.approx(1e-2, rel=1e-12)


def test_realized_vol_skips_bad_ticks_like_the_ewma() -> None:
    ts = [0, S, S, 2 * S, 3 * S, 4 * S]
    px = [100.0, 100.0 * math.exp(0.01), 500.0, -1.0, math.nan, 100.0 * math.exp(0.04)]
    # valid: 0 -> 1 s (r = 0.01), 1 s -> 4 s (r = 0.03): (1e-4 + 9e-4) / 4 s = 2.5e-4
    assert realized_vol(px, ts) == pytest.approx(math.sqrt(2.5e-4), rel=1e-12)


@pytest.mark.parametrize(
    ("px", "ts"),
    [
        pytest.param([100.0, 101.0], [0], id="length-mismatch"),
        pytest.param([100.0], [0], id="one-tick"),
        pytest.param([100.0, 0.0, -1.0], [0, S, 2 * S], id="one-valid-tick"),
        pytest.param([], [], id="empty"),
    ],
)
def test_realized_vol_rejects(px: list[float], ts: list[int]) -> None:
    with pytest.raises(ValueError):
        realized_vol(px, ts)
