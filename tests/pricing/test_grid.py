"""prob_to_price: exact directed rounding to the tick grid, snapping float noise, clamping."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.model.units import ONE, VALID_TICKS
from predtrade.pricing.grid import SNAP_DEN, check_tick, price_to_prob, prob_to_price


@pytest.mark.parametrize(
    ("p", "tick", "rounding", "expected"),
    [
        pytest.param(0.5, 100, "down", 5000, id="on-grid-down"),
        pytest.param(0.5, 100, "up", 5000, id="on-grid-up"),
        pytest.param(0.5699, 100, "down", 5600, id="down"),
        pytest.param(0.5699, 100, "up", 5700, id="up"),
        pytest.param(0.5699, 100, "nearest", 5700, id="nearest-up"),
        pytest.param(0.5649, 100, "nearest", 5600, id="nearest-down"),
        pytest.param(0.5701, 100, "up", 5800, id="just-above-grid-up"),
        pytest.param(0.57000001, 1, "up", 5701, id="finest-tick-up"),
        pytest.param(0.57000001, 1, "down", 5700, id="finest-tick-down"),
        # 0.57 is really 0.569999...95 and 1 - 0.43 is 0.5700000000000001: float noise, not a tick
        pytest.param(0.57, 100, "down", 5700, id="float-noise-below-grid"),
        pytest.param(1 - 0.43, 100, "up", 5700, id="float-noise-above-grid"),
        # exact halves (dyadic): ties go to the even tick count
        pytest.param(0.25, 1000, "nearest", 2000, id="tie-to-even-down"),
        pytest.param(0.75, 1000, "nearest", 8000, id="tie-to-even-up"),
        pytest.param(0.25, 1000, "up", 3000, id="tie-up"),
        pytest.param(0.25, 1000, "down", 2000, id="tie-down"),
        # clamps
        pytest.param(0.0, 100, "down", 100, id="zero-clamps-to-tick"),
        pytest.param(0.004, 100, "down", 100, id="below-first-tick"),
        pytest.param(1.0, 100, "up", 9900, id="one-clamps-to-one-minus-tick"),
        pytest.param(0.999, 100, "up", 9900, id="above-last-tick"),
        pytest.param(1.0, 1, "nearest", 9999, id="one-finest"),
        pytest.param(0, 10, "nearest", 10, id="int-zero"),
    ],
)
def test_prob_to_price_table(p: float, tick: int, rounding: str, expected: int) -> None:
    assert prob_to_price(p, tick, rounding) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("p", "tick", "rounding"),
    [
        pytest.param(float("nan"), 100, "down", id="nan"),
        pytest.param(-0.01, 100, "down", id="negative"),
        pytest.param(1.01, 100, "up", id="above-one"),
        pytest.param(float("inf"), 100, "up", id="inf"),
        pytest.param(0.5, 0, "up", id="tick-zero"),
        pytest.param(0.5, 3, "up", id="tick-not-dividing"),
        pytest.param(0.5, 6000, "up", id="tick-too-big"),
        pytest.param(0.5, 100.0, "up", id="tick-float"),
        pytest.param(0.5, 100, "sideways", id="bad-rounding"),
    ],
)
def test_prob_to_price_rejects(p: float, tick: int, rounding: str) -> None:
    with pytest.raises(ValueError):
        prob_to_price(p, tick, rounding)  # type: ignore[arg-type]


def test_check_tick_accepts_every_venue_tick() -> None:
    for t in VALID_TICKS:
        assert check_tick(t) == t


def _oracle(p: float, tick: int) -> tuple[Fraction, Fraction]:
    """(p in ticks as an exact Fraction, nearest grid count)."""
    x = Fraction(p) * ONE / tick
    return x, Fraction(round(x))


@given(p=st.floats(0.0, 1.0), tick=st.sampled_from(sorted(VALID_TICKS)))
def test_prob_to_price_against_fraction_oracle(p: float, tick: int) -> None:
    down, near, up = (prob_to_price(p, tick, r) for r in ("down", "nearest", "up"))
    lo, hi = tick, ONE - tick
    for v in (down, near, up):
        assert v % tick == 0
        assert lo <= v <= hi
    assert down <= near <= up
    x, k = _oracle(p, tick)
    snapped = abs(x - k) <= Fraction(1, SNAP_DEN)
    if snapped:
        exp_down = exp_up = exp_near = int(k) * tick
    else:
        exp_down = (x.numerator // x.denominator) * tick
        exp_up = exp_down + tick
        exp_near = int(k) * tick  # Fraction.__round__ is half-to-even, like the spec
    clamp = lambda v: min(hi, max(lo, v))  # noqa: E731
    assert down == clamp(exp_down)
    assert up == clamp(exp_up)
    assert near == clamp(exp_near)


@given(k=st.integers(1, ONE - 1))
def test_price_round_trip_is_exact_in_every_direction(k: int) -> None:
    p = price_to_prob(k)
    for r in ("down", "nearest", "up"):
        assert prob_to_price(p, 1, r) == k


@pytest.mark.parametrize("bad", [-1, ONE + 1, 0.5, "5000"])
def test_price_to_prob_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        price_to_prob(bad)  # type: ignore[arg-type]
