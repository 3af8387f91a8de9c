import pytest

from predtrade.strategies.stages import inventory_skew
from predtrade.testkit.snapshots import sz

from ._helpers import prop, q, sizes

LIMIT = sz(100)
MIN = sz(5)
STEP = sz("0.01")


def ladder(n: int = 3, size: str = "10"):
    bids = [q(f"0.{48 - i}", size, level=i) for i in range(n)]
    asks = [q(f"0.{52 + i}", size, level=i) for i in range(n)]
    return prop(bids, asks)


@pytest.mark.parametrize(
    ("net", "bid_sizes", "ask_sizes"),
    [
        pytest.param(0, [10, 10, 10], [10, 10, 10], id="flat-unchanged"),
        pytest.param(40, [6, 6, 6], [10, 10, 10], id="long-yes-shrinks-bids"),
        pytest.param(-40, [10, 10, 10], [6, 6, 6], id="long-no-shrinks-asks"),
        pytest.param(60, [], [10, 10, 10], id="below-min-dropped"),  # 4 < min 5
        pytest.param(100, [], [10, 10, 10], id="at-limit-adding-side-gone"),
        pytest.param(-250, [10, 10, 10], [], id="beyond-limit"),
        # room: a bid fill can take net from 85 to at most 100: 15 shares, but 10 * 0.15 = 1.5 < 5
        pytest.param(85, [], [10, 10, 10], id="room-and-factor"),
    ],
)
def test_inventory_skew(net, bid_sizes, ask_sizes):
    signed = -sz(-net) if net < 0 else sz(net)
    out = inventory_skew(ladder(), net=signed, limit=LIMIT, min_size=MIN, size_step=STEP)
    assert sizes(out.bids) == [sz(x) for x in bid_sizes]
    assert sizes(out.asks) == [sz(x) for x in ask_sizes]


def test_room_caps_total_adding_size_best_rungs_first():
    """Flat with a ladder deeper than the limit: total bid size stops at the limit."""
    out = inventory_skew(ladder(3, "45"), net=0, limit=LIMIT, min_size=MIN, size_step=STEP)
    assert sizes(out.bids) == [sz(45), sz(45), sz(10)]
    assert sum(sizes(out.asks)) == LIMIT


def test_reducing_side_may_cross_through_zero_up_to_the_limit():
    # long 20 YES: asks may sell up to 120 (to net -100), bids may buy 80
    out = inventory_skew(ladder(3, "50"), net=sz(20), limit=LIMIT, min_size=MIN, size_step=STEP)
    assert sum(sizes(out.asks)) == sz(120)
    assert sum(sizes(out.bids)) <= sz(80)


def test_sizes_floored_to_step():
    out = inventory_skew(ladder(1, "10"), net=sz("33.333"), limit=LIMIT, min_size=MIN, size_step=STEP)
    # 10 * (100 - 33.333) / 100 = 6.6667 -> 6.66
    assert sizes(out.bids) == [sz("6.66")]
