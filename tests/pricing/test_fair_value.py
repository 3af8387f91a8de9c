"""Fair value of 'reference at expiry >= strike': known values, limits, symmetry, monotonicity."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from predtrade.model.events import REF_SCALE
from predtrade.pricing.fair_value import norm_cdf, prob_up, prob_up_ref, ref_to_float, time_to_expiry_s

# Standard normal CDF values from published tables (Abramowitz & Stegun 26.2; tails from the
# asymptotic series), not from this implementation.
PHI = {
    0.0: 0.5,
    1.0: 0.8413447460685429,
    -1.0: 0.15865525393145707,
    2.0: 0.9772498680518208,
    -3.0: 0.0013498980316301035,
    -5.0: 2.866515718791939e-07,
    -10.0: 7.619853024160527e-24,
    -20.0: 2.7536241186062337e-89,
}


@pytest.mark.parametrize(("x", "expected"), [pytest.param(x, v, id=f"x={x}") for x, v in PHI.items()])
def test_norm_cdf_known_values_including_far_tail(x: float, expected: float) -> None:
    # relative tolerance: the erfc form keeps full relative accuracy in the lower tail, where
    # 0.5 * (1 + erf(x / sqrt 2)) would already be exactly 0 at x = -10
    assert norm_cdf(x) == pytest.approx(expected, rel=1e-12)


K = 65_000.0


@pytest.mark.parametrize(
    ("spot", "sigma", "t", "expected"),
    [
        # ln(S/K) / (sigma sqrt t) = 0.01 / (1e-3 * 10) = 1
        pytest.param(K * math.exp(0.01), 1e-3, 100.0, PHI[1.0], id="d=+1"),
        pytest.param(K * math.exp(-0.01), 1e-3, 100.0, PHI[-1.0], id="d=-1"),
        # 0.01 / (5e-4 * 10) = 2
        pytest.param(K * math.exp(0.01), 5e-4, 100.0, PHI[2.0], id="d=+2"),
        # 0.03 / (1e-3 * sqrt(100)) ... = -3 for a drop
        pytest.param(K * math.exp(-0.03), 1e-3, 100.0, PHI[-3.0], id="d=-3"),
        # time scaling only through sigma * sqrt(t): 0.01 / (2e-3 * sqrt 25) = 1
        pytest.param(K * math.exp(0.01), 2e-3, 25.0, PHI[1.0], id="d=+1-other-scaling"),
    ],
)
def test_prob_up_hand_computed(spot: float, sigma: float, t: float, expected: float) -> None:
    assert prob_up(spot, K, sigma, t) == pytest.approx(expected, rel=1e-9)


def test_prob_up_realistic_btc_round() -> None:
    # $100 above a 65,000 open, sigma 8e-5/sqrt(s), 5 minutes left:
    # d = ln(65100/65000) / (8e-5 * sqrt 300) = 0.00153728 / 0.00138564 = 1.10944; Phi(1.10944) = 0.86638
    assert prob_up(65_100.0, 65_000.0, 8e-5, 300.0) == pytest.approx(0.86638, abs=1e-4)


@pytest.mark.parametrize(
    ("spot", "strike", "sigma", "t", "expected"),
    [
        pytest.param(101.0, 100.0, 1e-4, 0.0, 1.0, id="t0-above"),
        pytest.param(99.0, 100.0, 1e-4, 0.0, 0.0, id="t0-below"),
        pytest.param(100.0, 100.0, 1e-4, 0.0, 1.0, id="t0-at-strike-resolves-up"),
        pytest.param(101.0, 100.0, 0.0, 300.0, 1.0, id="sigma0-above"),
        pytest.param(99.0, 100.0, 0.0, 300.0, 0.0, id="sigma0-below"),
        pytest.param(100.0, 100.0, 0.0, 300.0, 1.0, id="sigma0-at-strike"),
        pytest.param(100.0, 100.0, 8e-5, 300.0, 0.5, id="atm-is-half"),
        pytest.param(100.0, 100.0, 5e-324, 1.0, 0.5, id="atm-subnormal-variance-still-half"),
        pytest.param(100.0, 100.0, 1e-200, 1e-250, 1.0, id="variance-underflows-to-zero"),
        pytest.param(100.0 + 1e-12, 100.0, 5e-324, 1.0, 1.0, id="tiny-variance-above"),
        pytest.param(100.0 - 1e-12, 100.0, 5e-324, 1.0, 0.0, id="tiny-variance-below"),
        pytest.param(1e300, 1e-300, 1.0, 1.0, 1.0, id="ratio-overflows"),
        pytest.param(1e-300, 1e300, 1.0, 1.0, 0.0, id="ratio-underflows"),
        pytest.param(101.0, 100.0, 1e300, 1e300, 0.5, id="huge-variance-driftless"),
    ],
)
def test_prob_up_limits(spot: float, strike: float, sigma: float, t: float, expected: float) -> None:
    assert prob_up(spot, strike, sigma, t) == expected


@pytest.mark.parametrize("above", [True, False])
def test_prob_up_converges_to_the_known_outcome_as_time_runs_out(above: bool) -> None:
    spot = 100.05 if above else 99.95
    values = [prob_up(spot, 100.0, 1e-4, t) for t in (300.0, 30.0, 3.0, 0.3, 0.03, 0.0)]
    ordered = values if above else [-v for v in values]
    assert ordered == sorted(ordered)  # monotone towards the limit
    assert values[-2] == pytest.approx(1.0 if above else 0.0, abs=1e-12)
    assert values[-1] == (1.0 if above else 0.0)


def test_ito_variant_known_value_and_direction() -> None:
    # at the money with v = sigma sqrt t = 2: Phi(-v/2) = Phi(-1)
    assert prob_up(100.0, 100.0, 1.0, 4.0, ito=True) == pytest.approx(PHI[-1.0], rel=1e-12)
    # zero variance: the drift term vanishes, at-the-money still resolves Up
    assert prob_up(100.0, 100.0, 0.0, 4.0, ito=True) == 1.0
    # huge variance: a martingale price almost surely ends below any strike
    assert prob_up(100.0, 100.0, 1e300, 1e300, ito=True) == 0.0


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((0.0, 100.0, 1e-4, 1.0), id="spot-zero"),
        pytest.param((-1.0, 100.0, 1e-4, 1.0), id="spot-negative"),
        pytest.param((100.0, 0.0, 1e-4, 1.0), id="strike-zero"),
        pytest.param((100.0, -5.0, 1e-4, 1.0), id="strike-negative"),
        pytest.param((math.nan, 100.0, 1e-4, 1.0), id="spot-nan"),
        pytest.param((math.inf, 100.0, 1e-4, 1.0), id="spot-inf"),
        pytest.param((100.0, 100.0, -1e-4, 1.0), id="sigma-negative"),
        pytest.param((100.0, 100.0, 1e-4, -1.0), id="t-negative"),
        pytest.param((100.0, 100.0, math.nan, 1.0), id="sigma-nan"),
        pytest.param((100.0, 100.0, 1e-4, math.inf), id="t-inf"),
    ],
)
def test_prob_up_rejects_bad_input(args: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError):
        prob_up(*args)


prices = st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False)
nonneg = st.floats(0.0, 1e300, allow_nan=False, allow_infinity=False)


@given(spot=prices, strike=prices, sigma=nonneg, t=nonneg, ito=st.booleans())
def test_prob_up_is_a_probability_for_any_finite_input(
    spot: float, strike: float, sigma: float, t: float, ito: bool
) -> None:
    p = prob_up(spot, strike, sigma, t, ito=ito)
    assert 0.0 <= p <= 1.0  # NaN fails this


@given(
    spot=st.floats(1e-3, 1e9),
    strike=st.floats(1e-3, 1e9),
    sigma=st.floats(1e-7, 1.0),
    t=st.floats(1e-3, 1e7),
)
def test_symmetry_driftless(spot: float, strike: float, sigma: float, t: float) -> None:
    assume(spot != strike)
    total = prob_up(spot, strike, sigma, t) + prob_up(strike, spot, sigma, t)
    # ln(K/S) and -ln(S/K) differ by at most ~2 ulp of the ratio; phi <= 0.4 turns that into
    # at most 0.4 * 2 * 1.2e-16 / v of probability
    v = sigma * math.sqrt(t)
    assert total == pytest.approx(1.0, abs=1e-15 + 1e-16 / v)


@given(spot=prices, strike=prices, t=nonneg)
def test_symmetry_zero_variance(spot: float, strike: float, t: float) -> None:
    assume(spot != strike)
    assert prob_up(spot, strike, 0.0, t) + prob_up(strike, spot, 0.0, t) == 1.0


@given(
    s1=st.floats(1.0, 1e6),
    s2=st.floats(1.0, 1e6),
    strike=st.floats(1.0, 1e6),
    sigma=st.floats(0.0, 1.0),
    t=st.floats(0.0, 1e6),
    ito=st.booleans(),
)
def test_monotonic_in_spot(s1: float, s2: float, strike: float, sigma: float, t: float, ito: bool) -> None:
    lo, hi = min(s1, s2), max(s1, s2)
    assert prob_up(lo, strike, sigma, t, ito=ito) <= prob_up(hi, strike, sigma, t, ito=ito)


moderate = {
    "spot": st.floats(1.0, 1e6),
    "strike": st.floats(1.0, 1e6),
    "sigma": st.floats(1e-6, 1.0),
    "t": st.floats(1e-3, 1e6),
}


@given(**moderate)
def test_ito_term_never_raises_the_probability(spot: float, strike: float, sigma: float, t: float) -> None:
    assert prob_up(spot, strike, sigma, t, ito=True) <= prob_up(spot, strike, sigma, t)


@given(**moderate)
def test_depends_on_sigma_and_t_only_through_sigma_sqrt_t(
    spot: float, strike: float, sigma: float, t: float
) -> None:
    # (2 sigma) * sqrt(t / 4) == sigma * sqrt(t) exactly in binary floating point
    assert prob_up(spot, strike, sigma, t) == prob_up(spot, strike, 2 * sigma, t / 4)


def test_prob_up_ref_takes_fixed_point_ints() -> None:
    spot = 65_100 * REF_SCALE
    strike = 65_000 * REF_SCALE + 12_345_678  # 65000.12345678
    expected = prob_up(spot / REF_SCALE, strike / REF_SCALE, 8e-5, 300.0)
    assert prob_up_ref(spot, strike, 8e-5, 300.0) == pytest.approx(expected, rel=1e-13)
    assert prob_up_ref(strike, strike, 0.0, 0.0) == 1.0
    assert ref_to_float(strike) == 65_000.12345678
    with pytest.raises(TypeError):
        prob_up_ref(65_100.0, strike, 8e-5, 300.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        prob_up_ref(0, strike, 8e-5, 300.0)


def test_prob_up_ref_one_unit_apart_at_zero_variance() -> None:
    strike = 6_500_000_000_000  # 65,000.00000000
    assert prob_up_ref(strike + 1, strike, 0.0, 0.0) == 1.0
    assert prob_up_ref(strike - 1, strike, 0.0, 0.0) == 0.0


@pytest.mark.parametrize(
    ("now", "end", "expected"),
    [
        pytest.param(0, 300_000_000_000, 300.0, id="five-minutes"),
        pytest.param(1_000, 1_500, 5e-7, id="sub-microsecond"),
        pytest.param(10, 10, 0.0, id="at-expiry"),
        pytest.param(20, 10, 0.0, id="after-expiry-floors-at-zero"),
    ],
)
def test_time_to_expiry_s(now: int, end: int, expected: float) -> None:
    assert time_to_expiry_s(now, end) == expected
