import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.model.units import ONE
from predtrade.strategies.stages import base_ladder, scaled_spread
from predtrade.strategies.stages.ladder import grid_step, ladder_anchor

from ._helpers import prices, sizes

TEN = 10_000_000


@pytest.mark.parametrize(
    ("fv", "spread", "step", "levels", "tick", "bids", "asks"),
    [
        pytest.param(0.5, 0.02, 0.01, 3, 100, [4800, 4700, 4600], [5200, 5300, 5400], id="centered"),
        # 0.503 - 0.02 = 0.483 rounds DOWN to 0.48; 0.503 + 0.02 = 0.523 rounds UP to 0.53
        pytest.param(0.503, 0.02, 0.01, 2, 100, [4800, 4700], [5300, 5400], id="directed-rounding"),
        pytest.param(0.503, 0.02, 0.01, 2, 10, [4830, 4730], [5230, 5330], id="tick-0.001"),
        # float noise: 0.57 - 0.02 is 0.5499999999999999 but is the grid price 0.55
        pytest.param(0.57, 0.02, 0.01, 1, 100, [5500], [5900], id="float-noise-snaps"),
        # near 0: rungs below one tick are left out, not stacked on 0.01
        pytest.param(0.035, 0.02, 0.01, 3, 100, [100], [600, 700, 800], id="low-edge"),
        pytest.param(0.965, 0.02, 0.01, 3, 100, [9400, 9300, 9200], [9900], id="high-edge"),
        # a step below the tick rounds several rungs onto one price: keep one
        pytest.param(0.5, 0.02, 0.004, 3, 100, [4800, 4700], [5200, 5300], id="step-below-tick-dedup"),
    ],
)
def test_base_ladder(fv, spread, step, levels, tick, bids, asks):
    p = base_ladder(fv, spread, step, levels, TEN, tick)
    assert prices(p.bids) == bids
    assert prices(p.asks) == asks
    assert set(sizes(p.bids) + sizes(p.asks)) <= {TEN}
    assert all(not x.sell for x in p.bids + p.asks)


def test_levels_are_numbered_from_fair_value():
    p = base_ladder(0.5, 0.02, 0.01, 3, TEN, 100)
    assert [x.level for x in p.bids] == [0, 1, 2]
    assert [x.level for x in p.asks] == [0, 1, 2]


@pytest.mark.parametrize(
    ("mult", "expected"),
    [
        pytest.param(1.0, 0.02, id="neutral"),
        pytest.param(1.94, 0.0388, id="us-open-widens"),
        pytest.param(0.55, 0.011, id="asia-narrows"),
        pytest.param(0.3, 0.01, id="clamped-low"),
        pytest.param(5.0, 0.06, id="clamped-high"),
        pytest.param(math.nan, 0.06, id="nan-is-widest"),
        pytest.param(0.0, 0.06, id="zero-is-widest"),
        pytest.param(math.inf, 0.06, id="inf-is-widest"),
    ],
)
def test_scaled_spread(mult, expected):
    assert scaled_spread(0.02, mult, 0.01, 0.06) == pytest.approx(expected)


@given(
    fv=st.floats(0.0, 1.0),
    spread=st.floats(0.0001, 0.3),
    step=st.floats(0.0001, 0.1),
    levels=st.integers(1, 8),
    tick=st.sampled_from([10, 100, 1000]),
)
def test_ladder_is_ordered_on_grid_and_never_crossed(fv, spread, step, levels, tick):
    p = base_ladder(fv, spread, step, levels, TEN, tick)
    b, a = prices(p.bids), prices(p.asks)
    assert b == sorted(set(b), reverse=True)
    assert a == sorted(set(a))
    assert all(x % tick == 0 and tick <= x <= ONE - tick for x in b + a)
    if b and a:
        assert b[0] < a[0]
    # directed rounding: no bid above fv - spread, no ask below fv + spread (to float noise)
    assert all(x / ONE <= fv - spread + 1e-9 for x in b)
    assert all(x / ONE >= fv + spread - 1e-9 for x in a)


@given(
    fv=st.floats(0.0, 1.0),
    d=st.floats(-0.02, 0.02),
    spread=st.floats(0.0001, 0.3),
    step=st.sampled_from([0.01, 0.02, 0.001, 0.015]),
    levels=st.integers(1, 6),
    tick=st.sampled_from([10, 100]),
)
def test_the_anchor_pins_the_ladder(fv, d, spread, step, levels, tick):
    # what a cache keyed by the anchor relies on: equal anchors, equal ladders
    fv2 = min(1.0, max(0.0, fv + d))
    a, b = ladder_anchor(fv, spread, step, tick), ladder_anchor(fv2, spread, step, tick)
    if a == b:
        one = base_ladder(fv, spread, step, levels, TEN, tick)
        assert one == base_ladder(fv2, spread, step, levels, TEN, tick)


@pytest.mark.parametrize(
    ("step", "tick", "units"),
    [
        pytest.param(0.01, 100, 100, id="one-tick"),
        pytest.param(0.02, 100, 200, id="two-ticks"),
        pytest.param(0.015, 100, 0, id="off-grid"),
        pytest.param(0.004, 100, 0, id="below-tick"),
        pytest.param(0.001, 10, 10, id="fine-tick"),
    ],
)
def test_grid_step(step, tick, units):
    assert grid_step(step, tick) == units


def test_an_off_grid_step_anchors_on_the_fair_value_itself():
    assert ladder_anchor(0.5, 0.02, 0.015, 100) == (0, 0.5, 0.02)
    assert ladder_anchor(0.503, 0.02, 0.01, 100) == (100, 4800, 5300)
    assert ladder_anchor(0.01, 0.02, 0.01, 100) == (100, None, 300)  # no bid rung above 0.01
