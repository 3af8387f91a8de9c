import pytest

from predtrade.model.market import FeeSchedule
from predtrade.model.units import ONE, cost_up
from predtrade.strategies.stages import budget as budget_stage
from predtrade.strategies.stages.budget import buy_reserve
from predtrade.testkit.snapshots import cash, sz

from ._helpers import prop, q, sizes

MIN = sz(5)
STEP = sz("0.01")


def ladder():
    return prop(
        [q("0.48", level=0), q("0.47", level=1)],
        [q("0.52", level=0), q("0.53", level=1)],  # BUY NO at 0.48 / 0.47
    )


def total_cost(p):
    return sum(cost_up(x.price, x.size) for x in p.bids if not x.sell) + sum(
        cost_up(ONE - x.price, x.size) for x in p.asks if not x.sell
    )


@pytest.mark.parametrize(
    ("budget", "bids", "asks"),
    [
        pytest.param(cash("100"), [10, 10], [10, 10], id="fits"),
        # level 0 on both sides (9.60), level-1 bid (4.70), then 2.70 / 0.47 -> 5.74 NO
        pytest.param(cash("17"), [10, 10], [10, "5.74"], id="trim-last"),
        # after level 0, 2.40 / 0.47 = 5.106 -> 5.10 of the level-1 bid; nothing left for the ask
        pytest.param(cash("12"), [10, "5.1"], [10], id="level0-both-sides-first"),
        pytest.param(cash("9.6"), [10], [10], id="exactly-level0"),
        pytest.param(cash("7"), [10], [], id="rest-below-min"),  # 2.20 / 0.48 = 4.58 < 5
        pytest.param(0, [], [], id="no-cash"),
        pytest.param(-cash("5"), [], [], id="negative-room"),
    ],
)
def test_budget(budget, bids, asks):
    out = budget_stage(ladder(), cash=budget, min_size=MIN, size_step=STEP)
    assert sizes(out.bids) == [sz(x) for x in bids]
    assert sizes(out.asks) == [sz(x) for x in asks]
    assert total_cost(out) <= max(0, budget)


def test_sells_are_free_and_never_trimmed():
    p = prop([q("0.48", "50", sell=True)], [q("0.52", "50", sell=True)])
    assert budget_stage(p, cash=0, min_size=MIN, size_step=STEP) is p


def test_taker_fee_reserved_when_not_post_only():
    fees = FeeSchedule(rate_ppm=70_000, exponent=1, taker_only=True)
    p = prop([q("0.50", "10")], [])
    need = cost_up(5000, sz(10)) + fees.taker_fee(5000, sz(10))  # 5.00 + 0.175
    assert buy_reserve(5000, sz(10), fees, post_only=True) == cost_up(5000, sz(10))
    assert buy_reserve(5000, sz(10), fees, post_only=False) == need
    out = budget_stage(p, cash=cash("5"), min_size=MIN, size_step=STEP, fees=fees, post_only=False)
    (only,) = out.bids
    assert only.size < sz(10)
    assert buy_reserve(5000, only.size, fees, False) <= cash("5")
    assert buy_reserve(5000, only.size + STEP, fees, False) > cash("5")  # largest that fits
    assert budget_stage(p, cash=cash("5"), min_size=MIN, size_step=STEP, fees=fees, post_only=True) is p
