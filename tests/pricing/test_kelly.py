"""Kelly fraction, gates, NO-side symmetry and exact share sizing."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.model.enums import Outcome
from predtrade.model.units import ONE, cost_up
from predtrade.pricing.kelly import KellyParams, bet_fraction, kelly_fraction, kelly_size, win_probability

FULL = KellyParams(multiplier=1.0, max_fraction=1.0)


@pytest.mark.parametrize(
    ("p", "c", "expected"),
    [
        pytest.param(0.6, 0.5, 0.2, id="classic"),
        pytest.param(0.75, 0.5, 0.5, id="even-money"),
        pytest.param(0.3, 0.2, 0.125, id="longshot"),  # 0.1 / 0.8
        pytest.param(1.0, 0.25, 1.0, id="certain-win-all-in"),
        pytest.param(0.5, 0.5, 0.0, id="no-edge"),
        pytest.param(0.4, 0.5, -0.2, id="overpriced"),
        pytest.param(0.0, 0.9, -9.0, id="certain-loss"),
    ],
)
def test_kelly_fraction_known(p: float, c: float, expected: float) -> None:
    assert kelly_fraction(p, c) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("p", "c", "params", "expected"),
    [
        pytest.param(0.6, 0.5, FULL, 0.2, id="full"),
        pytest.param(0.6, 0.5, KellyParams(multiplier=0.5, max_fraction=1.0), 0.1, id="half-kelly"),
        pytest.param(0.6, 0.5, KellyParams(multiplier=1.0, max_fraction=0.05), 0.05, id="capped"),
        pytest.param(
            0.6, 0.5, KellyParams(multiplier=1.0, max_fraction=1.0, min_edge=0.15), 0.0, id="edge-gate"
        ),
        pytest.param(
            0.6, 0.5, KellyParams(multiplier=1.0, max_fraction=1.0, min_edge=0.1), 0.2, id="edge-at-gate"
        ),
        pytest.param(
            0.6,
            0.5,
            KellyParams(multiplier=0.5, max_fraction=1.0, min_kelly=0.11),
            0.0,
            id="kelly-gate-after-mult",
        ),
        pytest.param(
            0.6, 0.5, KellyParams(multiplier=0.5, max_fraction=1.0, min_kelly=0.09), 0.1, id="kelly-pass"
        ),
        pytest.param(0.4, 0.5, FULL, 0.0, id="negative-edge"),
        pytest.param(0.5, 0.5, FULL, 0.0, id="zero-edge"),
    ],
)
def test_bet_fraction_gates(p: float, c: float, params: KellyParams, expected: float) -> None:
    assert bet_fraction(p, c, params) == pytest.approx(expected, abs=1e-15)


def test_no_side_is_the_other_token() -> None:
    # market YES at 0.5, model P(YES) = 0.4: buying NO at 0.5 wins with 0.6 -> f* = 0.2
    assert win_probability(0.4, Outcome.NO) == pytest.approx(0.6)
    assert kelly_fraction(win_probability(0.4, Outcome.NO), 1 - 0.5) == pytest.approx(0.2)
    assert bet_fraction(win_probability(0.4, Outcome.YES), 0.5, FULL) == 0.0


def test_kelly_size_exact_known_case() -> None:
    # dyadic inputs so the float fraction is exact: f* = (0.75 - 0.5) / 0.5 = 0.5
    bankroll = 100_000_000  # 100 USDC
    size = kelly_size(0.75, 5000, bankroll, FULL)
    assert size == 100_000_000  # stake 50 USDC / 0.50 = 100 shares
    assert cost_up(5000, size) == 50_000_000
    # quarter Kelly: 12.5 USDC / 0.5 = 25 shares
    assert kelly_size(0.75, 5000, bankroll, KellyParams(multiplier=0.25, max_fraction=1.0)) == 25_000_000


def test_kelly_size_no_side_symmetry() -> None:
    # buying YES at c with P(YES) = p is the same bet as buying NO at c with P(YES) = 1 - p
    bankroll = 1_234_567_890
    for p, c in [(0.6, 5000), (0.83, 7100), (0.31, 1200)]:
        assert kelly_size(p, c, bankroll, side=Outcome.YES) == kelly_size(1 - p, c, bankroll, side=Outcome.NO)
    # and a NO quoted from a YES price c is bought at ONE - c
    assert kelly_size(0.25, ONE - 5000, 100_000_000, FULL, side=Outcome.NO) == 100_000_000


@pytest.mark.parametrize(
    ("bankroll", "min_size", "expected"),
    [
        pytest.param(0, 0, 0, id="no-cash"),
        pytest.param(-5_000_000, 0, 0, id="negative-cash"),
        pytest.param(10_000_000, 0, 10_000_000, id="small-bankroll"),  # 5 USDC stake / 0.5 = 10 shares
        pytest.param(10_000_000, 10_000_000, 10_000_000, id="exactly-min-size"),
        pytest.param(10_000_000, 10_010_000, 0, id="below-min-size"),
        pytest.param(9_999, 0, 0, id="less-than-one-step"),
    ],
)
def test_kelly_size_edges(bankroll: int, min_size: int, expected: int) -> None:
    assert kelly_size(0.75, 5000, bankroll, FULL, min_size=min_size) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"price": 0}, id="price-zero"),
        pytest.param({"price": ONE}, id="price-one"),
        pytest.param({"price": 0.5}, id="price-float"),
        pytest.param({"p_yes": 1.5}, id="p-above-one"),
        pytest.param({"p_yes": float("nan")}, id="p-nan"),
        pytest.param({"size_step": 0}, id="step-zero"),
        pytest.param({"min_size": -1}, id="min-size-negative"),
    ],
)
def test_kelly_size_rejects(kwargs: dict) -> None:
    args = {"p_yes": 0.6, "price": 5000, "bankroll": 100_000_000, **kwargs}
    with pytest.raises(ValueError):
        kelly_size(**args)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"multiplier": -0.1}, id="multiplier-negative"),
        pytest.param({"max_fraction": 1.5}, id="max-above-one"),
        pytest.param({"min_edge": float("nan")}, id="edge-nan"),
        pytest.param({"max_fraction": 0.01, "min_kelly": 0.02}, id="gate-above-cap"),
    ],
)
def test_params_reject(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        KellyParams(**kwargs)


@given(
    p=st.floats(0.0, 1.0),
    price=st.integers(1, ONE - 1),
    bankroll=st.integers(0, 10**13),
    step=st.sampled_from([1, 10_000, 1_000_000]),
    mult=st.floats(0.0, 1.0),
    cap=st.floats(0.0, 1.0),
)
def test_kelly_size_never_overspends_and_is_maximal(
    p: float, price: int, bankroll: int, step: int, mult: float, cap: float
) -> None:
    params = KellyParams(multiplier=mult, max_fraction=cap)
    size = kelly_size(p, price, bankroll, params, size_step=step)
    assert size >= 0 and size % step == 0
    f = bet_fraction(p, price / ONE, params)
    stake = int(Fraction(f) * bankroll)  # exact floor(f * bankroll)
    assert cost_up(price, size) <= stake
    assert cost_up(price, size + step) > stake  # one more step would not fit


@given(p=st.floats(0.0, 1.0), c=st.floats(0.001, 0.999), mult=st.floats(0.0, 1.0), cap=st.floats(0.0, 1.0))
def test_bet_fraction_bounded_by_kelly_and_cap(p: float, c: float, mult: float, cap: float) -> None:
    f = bet_fraction(p, c, KellyParams(multiplier=mult, max_fraction=cap))
    assert 0.0 <= f <= cap
    assert f <= max(0.0, kelly_fraction(p, c)) + 1e-15
