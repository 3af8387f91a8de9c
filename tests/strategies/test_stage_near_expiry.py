import pytest

from predtrade.strategies.stages import near_expiry

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
