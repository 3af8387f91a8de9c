import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.strategies.stages import near_expiry
from predtrade.strategies.stages.near_expiry import expiry_flags

from ._helpers import prop, q


def ladder():
    # bids: a sell (SELL NO) and a buy (BUY YES); asks: a sell (SELL YES) and a buy (BUY NO)
    return prop([q("0.48", sell=True), q("0.47")], [q("0.52", sell=True), q("0.53")])


def kinds(p):
    return (
        [("sell" if x.sell else "buy") for x in p.bids],
        [("sell" if x.sell else "buy") for x in p.asks],
    )


@pytest.mark.parametrize(
    ("yes_prob", "seconds_left", "bids", "asks"),
    [
        pytest.param(0.5, 120.0, ["sell", "buy"], ["sell", "buy"], id="normal"),
        pytest.param(0.5, None, ["sell", "buy"], ["sell", "buy"], id="no-end-time"),
        pytest.param(0.5, 59.9, ["sell"], ["sell"], id="last-minute-sells-only"),
        pytest.param(0.5, -5.0, ["sell"], ["sell"], id="after-end-sells-only"),
        pytest.param(0.93, 120.0, ["sell"], ["sell", "buy"], id="yes-above-0.90-no-yes-buys"),
        pytest.param(0.05, 120.0, ["sell", "buy"], ["sell"], id="no-above-0.90-no-no-buys"),
        pytest.param(0.90, 120.0, ["sell", "buy"], ["sell", "buy"], id="at-threshold-allowed"),
    ],
)
def test_near_expiry(yes_prob, seconds_left, bids, asks):
    out = near_expiry(
        ladder(), yes_prob=yes_prob, seconds_left=seconds_left, no_buy_above=9000, no_buy_seconds=60
    )
    assert kinds(out) == (bids, asks)


def test_order_price_above_threshold_blocks_that_buy():
    # fair value 0.85 but a skewed bid at 0.91 would buy YES above 0.90
    p = prop([q("0.91"), q("0.89")], [q("0.05")])  # ask 0.05 = BUY NO at 0.95
    out = near_expiry(p, yes_prob=0.85, seconds_left=200.0, no_buy_above=9000, no_buy_seconds=60)
    assert [x.price for x in out.bids] == [8900]
    assert out.asks == ()
    assert out.notes == ("no-buy:price",)


@given(
    p1=st.floats(0.0, 1.0),
    p2=st.floats(0.0, 1.0),
    seconds_left=st.one_of(st.none(), st.floats(-10.0, 200.0)),
)
def test_the_flags_pin_the_outcome(p1, p2, seconds_left):
    # what a cache keyed by the flags relies on: equal flags, equal result
    kw = {"seconds_left": seconds_left, "no_buy_above": 9000, "no_buy_seconds": 60}
    if expiry_flags(p1, seconds_left, 9000, 60) == expiry_flags(p2, seconds_left, 9000, 60):
        assert near_expiry(ladder(), yes_prob=p1, **kw) == near_expiry(ladder(), yes_prob=p2, **kw)
