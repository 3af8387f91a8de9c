import pytest

from predtrade.model.enums import Outcome, Side
from predtrade.model.units import ONE
from predtrade.strategies.proposal import leg
from predtrade.strategies.stages import express
from predtrade.testkit.snapshots import sz

from ._helpers import prop, q

MIN = sz(5)


def parts(quotes):
    return [(x.price, x.size // 1_000_000, x.sell) for x in quotes]


@pytest.mark.parametrize(
    ("yes", "no", "bids", "asks"),
    [
        pytest.param(0, 0, [(4800, 10, False)], [(5200, 10, False)], id="flat-buys-both-tokens"),
        pytest.param(30, 0, [(4800, 10, False)], [(5200, 10, True)], id="hold-yes-sells-yes"),
        pytest.param(0, 30, [(4800, 10, True)], [(5200, 10, False)], id="hold-no-sells-no"),
        pytest.param(7, 0, [(4800, 10, False)], [(5200, 7, True)], id="split-remainder-below-min"),
        pytest.param(4, 0, [(4800, 10, False)], [(5200, 10, False)], id="holding-below-min-not-sold"),
        pytest.param(30, 30, [(4800, 10, True)], [(5200, 10, True)], id="complete-sets-sold-both-ways"),
    ],
)
def test_express_single_rung(yes, no, bids, asks):
    out = express(prop([q("0.48")], [q("0.52")]), yes_shares=sz(yes), no_shares=sz(no), min_size=MIN)
    assert parts(out.bids) == bids
    assert parts(out.asks) == asks


def test_holdings_are_spent_best_rung_first_and_split():
    p = prop([], [q("0.52", level=0), q("0.53", level=1), q("0.54", level=2)])
    out = express(p, yes_shares=sz(16), no_shares=0, min_size=MIN)
    # 10 sold at 0.52, 6 sold at 0.53 + 4 (below min) not bought, 0.54 bought in full
    assert parts(out.asks) == [(5200, 10, True), (5300, 6, True), (5400, 10, False)]
    assert [x.level for x in out.asks] == [0, 1, 2]
    assert sum(x.size for x in out.asks if x.sell) <= sz(16)


@pytest.mark.parametrize(
    ("is_bid", "sell", "outcome", "side", "price"),
    [
        pytest.param(True, False, Outcome.YES, Side.BUY, 4800, id="bid-buy-yes"),
        pytest.param(True, True, Outcome.NO, Side.SELL, ONE - 4800, id="bid-sell-no"),
        pytest.param(False, False, Outcome.NO, Side.BUY, ONE - 4800, id="ask-buy-no"),
        pytest.param(False, True, Outcome.YES, Side.SELL, 4800, id="ask-sell-yes"),
    ],
)
def test_leg_table(is_bid, sell, outcome, side, price):
    assert leg(q("0.48", sell=sell), is_bid) == (outcome, side, price)
