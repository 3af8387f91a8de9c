from decimal import Decimal

import pytest

from predtrade.model.enums import OrderState, Side
from predtrade.strategies.bands import BandsConfig, BandsStrategy, _placed_around
from predtrade.testkit.snapshots import (
    NO,
    YES,
    book,
    make_snapshot,
    own_order,
    position,
    ref,
    sz,
    updown_market,
)

from ._helpers import orders_of, yes_space

WIDE = book(bids=[("0.30", "100")], asks=[("0.70", "100")])
BANDS = BandsStrategy()


def resting_around(center: str, size: str = "10", state: OrderState = OrderState.OPEN):
    """The two rungs bands would have placed around ``center`` when flat (bid = BUY YES, ask
    expressed as BUY NO)."""
    c = round(float(center) * 100)
    return (
        own_order("BUY", f"0.{c - 3:02d}", size, YES, state=state, client_order_id="b"),
        own_order("BUY", f"0.{100 - (c + 3):02d}", size, NO, state=state, client_order_id="a"),
    )


def test_fresh_quotes_at_plus_minus_band():
    s = make_snapshot(yes_book=WIDE)
    d = BANDS.evaluate(s)
    assert yes_space(s, d) == ([4700], [5300])
    assert [o.size for o in d.quotes] == [sz(10)] * 2
    assert d.fair_value == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("ref_text", "keep"),
    [
        pytest.param("100000", True, id="unchanged"),
        pytest.param("100002", True, id="small-move-inside-tolerance"),  # fv ~0.508
        pytest.param("100005", False, id="just-outside-tolerance"),  # fv ~0.52
        pytest.param("100020", False, id="outside-tolerance"),  # fv ~0.58
        pytest.param("99980", False, id="outside-tolerance-down"),
    ],
)
def test_keeps_resting_quotes_inside_tolerance(ref_text, keep):
    resting = resting_around("0.50", size="7")  # partially filled: remaining 7
    s = make_snapshot(yes_book=WIDE, orders=resting, ref_price=ref(ref_text))
    d = BANDS.evaluate(s)
    kept = [(o.asset_id, o.side, o.price, o.size) for o in d.quotes]
    as_resting = [(o.asset_id, o.side, o.price, o.remaining) for o in resting]
    if keep:
        assert kept == as_resting and "keep" in d.reason
        assert abs(d.fair_value - 0.5) <= 0.01 + 0.005
    else:
        assert kept != as_resting and "requote" in d.reason
        bids, asks = yes_space(s, d)
        assert bids[0] / 1e4 <= d.fair_value - 0.03 + 1e-9 and asks[0] / 1e4 >= d.fair_value + 0.03 - 1e-9


def test_pending_cancel_orders_are_not_kept():
    s = make_snapshot(yes_book=WIDE, orders=resting_around("0.50", state=OrderState.PENDING_CANCEL))
    d = BANDS.evaluate(s)
    assert "keep" not in d.reason and yes_space(s, d) == ([4700], [5300])


def test_requotes_when_only_one_side_rests():
    s = make_snapshot(yes_book=WIDE, orders=resting_around("0.50")[:1])
    d = BANDS.evaluate(s)
    assert "legs changed" in d.reason and len(d.quotes) == 2


def test_requotes_when_holdings_change_the_expression():
    # inside tolerance (no target shift configured), but we now hold YES: the ask must sell it
    cfg = BandsConfig(max_target_shift=0.0)
    s = make_snapshot(yes_book=WIDE, orders=resting_around("0.50"), yes_position=position(YES, "10", "0.47"))
    d = BandsStrategy(cfg).evaluate(s)
    assert "legs changed" in d.reason
    assert [o.price for o in orders_of(s, d, YES, Side.SELL)] == [5300]


@pytest.mark.parametrize(
    ("kw", "bids", "asks"),
    [
        pytest.param({}, [4700], [5300], id="flat"),
        # long 25 YES of 50: target 0.5 - 0.015 = 0.485: bid 0.455 -> 0.45, ask 0.515 -> 0.52
        pytest.param({"yes_position": position(YES, "25", "0.5")}, [4500], [5200], id="long-yes-shifts-down"),
        # long 50 YES (the limit): no more bids; the ask sells YES at 0.47 + 0.03 = 0.50
        pytest.param({"yes_position": position(YES, "50", "0.5")}, [], [5000], id="at-limit-sell-only"),
        pytest.param({"no_position": position(NO, "50", "0.5")}, [5000], [], id="long-no-mirror"),
    ],
)
def test_inventory_shifts_the_target(kw, bids, asks):
    s = make_snapshot(yes_book=WIDE, **kw)
    assert yes_space(s, BANDS.evaluate(s)) == (bids, asks)


def test_mid_target():
    s = make_snapshot(yes_book=book(bids=[("0.58", "9")], asks=[("0.62", "9")]), ref_price=ref("90000"))
    d = BandsStrategy(BandsConfig(target="mid")).evaluate(s)
    assert d.fair_value == pytest.approx(0.60)
    assert yes_space(s, d) == ([5700], [6300])


def test_resync_holds():
    d = BANDS.evaluate(make_snapshot(no_book=book(needs_resync=True)))
    assert d.quotes == () and "resync" in d.reason


@pytest.mark.parametrize("tick", [100, 10])
@pytest.mark.parametrize("target", [0.3, 0.4213, 0.5, 0.6666, 0.71])
def test_placed_around_recovers_the_target_within_half_a_tick(tick, target):
    """Let bands place quotes around a target (the mid), then read it back from the orders alone."""
    m = updown_market(tick=tick)
    t = round(target * 10_000)
    s = make_snapshot(market=m, yes_book=book(bids=[(t - 20, sz(1))], asks=[(t + 20, sz(1))]))
    d = BandsStrategy(BandsConfig(target="mid", band=0.05)).evaluate(s)
    assert d.fair_value == pytest.approx(target)
    orders = tuple(
        own_order(o.side, f"{o.price / 10_000:.4f}", "10", m.outcome_of(o.asset_id), market=m)
        for o in d.quotes
    )
    assert len(orders) == 2
    placed = _placed_around(orders, m.token_ids, 0.05, tick)
    assert abs(placed - target) <= tick / 2 / 10_000 + 1e-12


def test_config_defaults_are_decimal():
    assert BandsConfig().order_size == Decimal("10")
