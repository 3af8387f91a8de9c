import msgspec
import pytest

from predtrade.model.enums import OrderState, Side
from predtrade.model.units import ONE, cost_up
from predtrade.strategies.amm import AmmConfig, AmmStrategy
from predtrade.testkit.snapshots import (
    NO,
    YES,
    book,
    cash,
    make_snapshot,
    own_order,
    position,
    px,
    ref,
    sz,
)

from ._helpers import orders_of, yes_space

AMM = AmmStrategy()


def legs(s, d):
    """[(token, side, price, shares)] with shares as a whole-number int where exact."""
    out = []
    for o in d.quotes:
        token = "YES" if s.market.outcome_of(o.asset_id) is YES else "NO"
        out.append((token, o.side.name, o.price, o.size / 1e6))
    return out


def test_flat_at_half_quotes_a_symmetric_ladder_on_both_tokens():
    s = make_snapshot()
    d = AMM.evaluate(s)
    assert d.fair_value == pytest.approx(0.5)
    # bids: BUY YES at 0.48/0.47/0.46; asks at 0.52/0.53/0.54 expressed as BUY NO at 1 - a
    assert legs(s, d) == [
        ("YES", "BUY", 4800, 10),
        ("YES", "BUY", 4700, 10),
        ("YES", "BUY", 4600, 10),
        ("NO", "BUY", 4800, 10),
        ("NO", "BUY", 4700, 10),
        ("NO", "BUY", 4600, 10),
    ]
    assert all(o.post_only and o.tif == "GTC" for o in d.quotes)
    assert d.immediate == ()
    assert "fv=0.500" in d.reason and "3b/3a" in d.reason


@pytest.mark.parametrize(
    ("mult", "top_bid", "top_ask"),
    [
        pytest.param(1.0, 4800, 5200, id="neutral"),
        pytest.param(2.0, 4600, 5400, id="volatile-hour-widens"),
        pytest.param(10.0, 4400, 5600, id="clamped-at-max-spread"),
        pytest.param(0.3, 4900, 5100, id="clamped-at-min-spread"),
    ],
)
def test_spread_follows_time_of_day_multiplier(mult, top_bid, top_ask):
    wide = book(bids=[("0.30", "100")], asks=[("0.70", "100")])
    s = make_snapshot(yes_book=wide, sigma_multiplier=mult)
    bids, asks = yes_space(s, AMM.evaluate(s))
    assert max(bids) == top_bid and min(asks) == top_ask


def test_holding_yes_sells_it_instead_of_buying_no():
    s = make_snapshot(yes_position=position(YES, "30", "0.50"))
    d = AMM.evaluate(s)
    assert orders_of(s, d, NO, Side.BUY) == []
    sells = orders_of(s, d, YES, Side.SELL)
    assert [o.price for o in sells] == [5200, 5300, 5400]
    assert sum(o.size for o in sells) == sz(30)
    # long 30 of a 100 limit: bids shrink to 70%
    assert [o.size for o in orders_of(s, d, YES, Side.BUY)] == [sz(7)] * 3


def test_near_expiry_stops_buying_and_keeps_selling():
    s = make_snapshot(seconds_left=45, yes_position=position(YES, "30", "0.50"))
    d = AMM.evaluate(s)
    assert d.quotes and all(o.side is Side.SELL for o in d.quotes)
    assert "no-buy:expiry" in d.reason


def test_stops_buying_a_token_priced_above_090():
    # fv ~0.95: YES too expensive to buy; NO buys still allowed (they are cheap), holdings sold
    s = make_snapshot(
        ref_price=ref("100160"),
        yes_book=book(bids=[("0.93", "100")], asks=[("0.97", "100")]),
        no_position=position(NO, "20", "0.10"),
    )
    d = AMM.evaluate(s)
    assert d.fair_value > 0.9
    assert orders_of(s, d, YES, Side.BUY) == []
    assert orders_of(s, d, NO, Side.SELL)  # holdings still offered


def test_budget_limited_by_available_cash_serves_level0_first():
    s = make_snapshot(available_cash=cash("10"))
    d = AMM.evaluate(s)
    assert legs(s, d) == [("YES", "BUY", 4800, 10), ("NO", "BUY", 4800, 10)]
    assert "budget" in d.reason


def test_max_collateral_counts_holdings_cost():
    cfg = AmmConfig(max_collateral="20")
    # 30 YES cost 15 -> 5 dollars left: one 10-share rung at 0.48 needs 4.80
    s = make_snapshot(yes_position=position(YES, "30", "0.50"))
    d = AmmStrategy(cfg).evaluate(s)
    buys = [o for o in d.quotes if o.side is Side.BUY]
    assert sum(cost_up(o.price, o.size) for o in buys) <= cash("5")
    assert len(buys) == 1
    assert len(orders_of(s, d, YES, Side.SELL)) == 3  # selling is never budgeted


@pytest.mark.parametrize(
    ("state", "n_buys"),
    [
        pytest.param(OrderState.OPEN, 1, id="own-resting-buy-added-back"),
        pytest.param(OrderState.PARTIALLY_FILLED, 1, id="partially-filled-added-back"),
        pytest.param(OrderState.PENDING_CANCEL, 0, id="pending-cancel-not-added-back"),
    ],
)
def test_own_resting_buys_do_not_shrink_the_ladder(state, n_buys):
    """available_cash is net of our reservations; the decision replaces our resting buys, so
    their reservation is spendable again (else a resting ladder shrinks every evaluation)."""
    s = make_snapshot(available_cash=0, orders=(own_order("BUY", "0.48", "10", YES, state=state),))
    d = AMM.evaluate(s)
    assert len([o for o in d.quotes if o.side is Side.BUY]) == n_buys


@pytest.mark.parametrize(
    ("mode", "post_only", "want_bids"),
    [
        # all three rungs (0.58/0.57/0.56) cross the 0.52 ask: moved to 0.51 and merged (30 shares)
        pytest.param("move", True, [(5100, sz(30))], id="moved-below-the-ask"),
        pytest.param("drop", True, [], id="crossing-rungs-dropped"),
        pytest.param("move", False, [(5800, sz(10)), (5700, sz(10)), (5600, sz(10))], id="not-post-only"),
    ],
)
def test_taker_filter(mode, post_only, want_bids):
    # fv ~0.60 while the book sits at 0.48/0.52
    s = make_snapshot(ref_price=ref("100025"), yes_book=book(bids=[("0.48", "100")], asks=[("0.52", "100")]))
    d = AmmStrategy(AmmConfig(taker_mode=mode, post_only=post_only)).evaluate(s)
    assert 0.58 < d.fair_value < 0.62
    assert [(o.price, o.size) for o in orders_of(s, d, YES, Side.BUY)] == want_bids
    assert all(o.post_only is post_only for o in d.quotes)


def test_taker_filter_uses_the_mirrored_no_book():
    # a NO bid at 0.50 is a YES ask at 0.50: our 0.50 YES bid would match it by minting
    s = make_snapshot(
        ref_price=ref("100004"),  # fv ~0.516: first bid at 0.49
        yes_book=book(bids=[("0.40", "100")], asks=[("0.60", "100")]),
        no_book=book(bids=[("0.505", "100")], asks=[("0.60", "100")]),
        sigma=8e-5,
    )
    bids, _ = yes_space(s, AMM.evaluate(s))
    assert max(bids) < ONE - px("0.505")


def test_resync_holds():
    s = make_snapshot(yes_book=book(needs_resync=True))
    d = AMM.evaluate(s)
    assert d.quotes == () and "resync" in d.reason


def test_no_fair_value_holds():
    s = make_snapshot(ref_price=None)
    d = AmmStrategy(AmmConfig(fallback_to_mid=False)).evaluate(s)
    assert d.quotes == () and d.fair_value is None and "no fair value" in d.reason


def test_mid_fallback_and_mid_source():
    s = make_snapshot(ref_price=None, yes_book=book(bids=[("0.58", "9")], asks=[("0.62", "9")]))
    d = AMM.evaluate(s)
    assert d.fair_value == pytest.approx(0.60) and "/mid" in d.reason
    d2 = AmmStrategy(AmmConfig(fair_value_source="mid")).evaluate(
        msgspec.structs.replace(s, ref_price=ref("1"))
    )
    assert d2.fair_value == pytest.approx(0.60)


def test_min_size_respected_after_shrinking():
    # long 55 YES: bids 10 * 0.45 = 4.5 < 5 -> no bids at all
    s = make_snapshot(yes_position=position(YES, "55", "0.5"))
    d = AMM.evaluate(s)
    assert orders_of(s, d, YES, Side.BUY) == []
    assert all(o.size >= s.market.min_order_size for o in d.quotes)
