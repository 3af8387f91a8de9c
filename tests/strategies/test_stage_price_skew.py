import pytest

from predtrade.strategies.stages import price_skew, skew_shift
from predtrade.testkit.snapshots import sz

from ._helpers import prices, prop, q

LIMIT = sz(100)


@pytest.mark.parametrize(
    ("net", "max_skew", "tick", "shift"),
    [
        pytest.param(0, 300, 100, 0, id="flat"),
        pytest.param(sz(100), 300, 100, -300, id="long-yes-at-limit"),
        pytest.param(-sz(100), 300, 100, 300, id="long-no-at-limit"),
        pytest.param(sz(500), 300, 100, -300, id="saturates"),
        pytest.param(sz(50), 300, 100, -100, id="half-rounds-toward-zero"),  # 150 -> 1 tick
        pytest.param(-sz(34), 300, 100, 100, id="one-tick"),  # 102 -> 1 tick
        pytest.param(-sz(33), 300, 100, 0, id="below-one-tick"),  # 99 -> 0
        pytest.param(sz(50), 300, 10, -150, id="fine-tick"),
        pytest.param(sz(50), 0, 100, 0, id="disabled"),
    ],
)
def test_skew_shift(net, max_skew, tick, shift):
    assert skew_shift(net, LIMIT, max_skew, tick) == shift


@pytest.mark.parametrize(
    "center",
    [pytest.param(c, id=f"center-{c}") for c in ("0.15", "0.50", "0.70", "0.85")],
)
def test_skew_applies_at_every_price_level(center):
    """Seed 000's bot skewed only between 0.4 and 0.6; here a heavy NO inventory lifts the ladder
    wherever it sits."""
    c = int(float(center) * 100) * 100
    p = prop([q(f"{(c - 200) / 10_000:.2f}")], [q(f"{(c + 200) / 10_000:.2f}")])
    out = price_skew(p, net=-LIMIT, limit=LIMIT, max_skew=300, tick=100)
    assert prices(out.bids) == [c - 200 + 300]
    assert prices(out.asks) == [c + 200 + 300]
    out = price_skew(p, net=LIMIT, limit=LIMIT, max_skew=300, tick=100)
    assert prices(out.bids) == [c - 200 - 300]
    assert prices(out.asks) == [c + 200 - 300]


def test_rungs_pushed_out_of_range_are_dropped():
    p = prop([q("0.03"), q("0.02")], [q("0.97"), q("0.98")])
    out = price_skew(p, net=LIMIT, limit=LIMIT, max_skew=300, tick=100)  # shift -0.03
    assert prices(out.bids) == []  # 0.00 and -0.01 are not prices
    assert prices(out.asks) == [9400, 9500]
    out = price_skew(p, net=-LIMIT, limit=LIMIT, max_skew=300, tick=100)  # +0.03
    assert prices(out.bids) == [600, 500]
    assert prices(out.asks) == []


def test_gap_between_sides_preserved_and_input_untouched():
    p = prop([q("0.48"), q("0.47")], [q("0.52")])
    out = price_skew(p, net=sz(70), limit=LIMIT, max_skew=300, tick=100)
    assert out.asks[0].price - out.bids[0].price == p.asks[0].price - p.bids[0].price
    assert prices(p.bids) == [4800, 4700]  # the input is a different, unchanged object
    assert out.notes == ("skew-200",)
