import math
from decimal import Decimal

import pytest

from predtrade.model.enums import OrderState, Side, TimeInForce
from predtrade.model.units import cost_up
from predtrade.strategies.momentum import MomentumConfig, MomentumStrategy
from predtrade.testkit.snapshots import (
    NO,
    NS,
    START_TS,
    STRIKE,
    YES,
    book,
    cash,
    make_snapshot,
    own_order,
    position,
    px,
    sz,
)

MOM = MomentumStrategy()
UP = round(STRIKE * 1.0004)  # +0.04%: z ~ 0.91 over 30 s at sigma 8e-5 -> score ~0.30; fv ~0.66
DOWN = round(STRIKE * 0.9996)


def snap(now: int = UP, *, since_start: float = 150.0, yes_book=None, history=None, **kw):
    ts = START_TS + round(since_start * NS)
    hist = (
        history if history is not None else ((ts - 60 * NS, STRIKE), (ts - 30 * NS, STRIKE), (ts - NS, now))
    )
    yb = yes_book or book(bids=[("0.53", "100")], asks=[("0.55", "100"), ("0.56", "100")])
    return make_snapshot(ts=ts, ref_price=now, ref_history=hist, yes_book=yb, **kw)


def test_score_is_normalised_log_return():
    s = snap()
    z = math.log(UP / STRIKE) / (8e-5 * math.sqrt(30.0))
    assert MOM.score(s) == pytest.approx(z / 3.0)
    assert MOM.score(snap(round(STRIKE * 1.01))) == 1.0  # clipped
    assert MOM.score(snap(round(STRIKE * 0.99))) == -1.0


def test_enters_up_with_a_fak_buy_at_ask_plus_slippage():
    s = snap()
    d = MOM.evaluate(s)
    assert d.quotes == ()
    (o,) = d.immediate
    assert (o.asset_id, o.side, o.tif, o.post_only) == (
        s.market.token_ids[YES],
        Side.BUY,
        TimeInForce.FAK,
        False,
    )
    assert o.price == px("0.56")  # ask 0.55 + 1 tick
    # fixed stake of 5 dollars at the limit, on a 0.01-share grid
    assert o.size == sz("8.92") and cost_up(o.price, o.size) <= cash("5")
    assert d.fair_value > 0.6 and d.reason.startswith("enter Up")


def test_enters_down_symmetrically():
    # YES book 0.43/0.45: NO asks at 0.55 (mirror)
    s = snap(DOWN, yes_book=book(bids=[("0.45", "100"), ("0.44", "100")], asks=[("0.47", "100")]))
    (o,) = MOM.evaluate(s).immediate
    assert o.asset_id == s.market.token_ids[NO] and o.side is Side.BUY and o.price == px("0.56")


@pytest.mark.parametrize(
    ("kw", "why"),
    [
        pytest.param({"now": round(STRIKE * 1.00005)}, "score", id="weak-signal"),
        pytest.param(
            {"yes_book": book(bids=[("0.60", "100")], asks=[("0.63", "100")])}, "edge", id="no-edge"
        ),
        pytest.param({"since_start": 30.0}, "window", id="first-45s"),
        pytest.param({"since_start": 280.0}, "window", id="last-30s"),
        pytest.param({"history": ()}, "history", id="no-history"),
        pytest.param({"history": ((START_TS + 140 * NS, STRIKE),)}, "history", id="history-too-short"),
        pytest.param(
            {"yes_book": book(bids=[("0.53", "100")], asks=[("0.55", "3"), ("0.57", "100")])},
            "preflight",
            id="thin-book",
        ),
        pytest.param({"yes_book": book(bids=[("0.53", "100")], asks=[])}, "no Up ask", id="no-ask"),
        pytest.param({"available_cash": cash("2")}, "size below min", id="no-cash"),
        pytest.param(
            {"orders": (own_order("BUY", "0.56", "8", YES, state=OrderState.PENDING_SUBMIT),)},
            "in flight",
            id="order-in-flight",
        ),
        pytest.param(
            {"yes_position": position(YES, "0", cost="0", realized_pnl="1.5")},
            "one position",
            id="already-traded-this-round",
        ),
        pytest.param({"yes_book": book(needs_resync=True)}, "resync", id="resync"),
    ],
)
def test_holds(kw, why):
    kw = dict(kw)
    d = MOM.evaluate(snap(kw.pop("now", UP), **kw))
    assert d.immediate == () and d.quotes == ()
    assert why in d.reason, d.reason


def test_no_reference_holds():
    d = MOM.evaluate(make_snapshot(ref_price=None, ts=START_TS + 150 * NS))
    assert d.immediate == () and "no fair value" in d.reason


def test_edge_counts_the_taker_fee():
    # fv ~0.658; ask 0.59 -> gross edge ~0.068 passes 0.05, but the fee (0.07 * 0.59 * 0.41 = 0.017)
    # leaves ~0.051; at ask 0.60 it is ~0.041 and fails
    ok = snap(yes_book=book(bids=[("0.57", "100")], asks=[("0.59", "100"), ("0.60", "100")]))
    no = snap(yes_book=book(bids=[("0.58", "100")], asks=[("0.60", "100"), ("0.61", "100")]))
    assert MOM.evaluate(ok).immediate
    assert "edge" in MOM.evaluate(no).reason


def test_max_entry_price():
    s = snap(yes_book=book(bids=[("0.53", "100")], asks=[("0.55", "100"), ("0.56", "100")]))
    d = MomentumStrategy(MomentumConfig(max_entry_price=0.55)).evaluate(s)
    assert d.immediate == () and "max entry" in d.reason


@pytest.mark.parametrize(
    ("avg", "bid", "exit_why"),
    [
        pytest.param("0.40", "0.50", "take profit", id="tp-at-threshold"),
        pytest.param("0.40", "0.49", None, id="tp-not-yet"),
        pytest.param("0.50", "0.41", "stop loss", id="sl-at-threshold"),
        pytest.param("0.50", "0.42", None, id="sl-not-yet"),
    ],
)
def test_take_profit_and_stop_loss(avg, bid, exit_why):
    pos = position(YES, "10", avg)
    yb = book(bids=[(bid, "100")], asks=[(f"{float(bid) + 0.02:.2f}", "100")])
    s = snap(yes_book=yb, yes_position=pos, since_start=285.0)  # exits ignore the window guards
    d = MOM.evaluate(s)
    if exit_why is None:
        assert d.immediate == () and d.reason.startswith("hold Up")
        return
    (o,) = d.immediate
    assert (o.side, o.price, o.size, o.tif, o.post_only) == (
        Side.SELL,
        px(bid),
        sz(10),
        TimeInForce.FAK,
        False,
    )
    assert exit_why in d.reason


def test_exit_slippage_and_dust():
    pos = position(NO, "10", "0.40")
    yb = book(bids=[("0.40", "100")], asks=[("0.45", "100")])  # NO bid 0.55 = +37.5%
    d = MomentumStrategy(MomentumConfig(exit_slippage_ticks=2)).evaluate(snap(yes_book=yb, no_position=pos))
    (o,) = d.immediate
    assert o.asset_id == snap().market.token_ids[NO] and o.price == px("0.53")
    dust = position(NO, "3", "0.40")
    d = MOM.evaluate(snap(yes_book=yb, no_position=dust))
    assert d.immediate == () and "below min size" in d.reason


def test_kelly_sizing_scales_with_edge_and_caps_at_max_fraction():
    cfg = MomentumConfig(sizing="kelly", kelly_multiplier=0.25, kelly_max_fraction=0.05)
    strat = MomentumStrategy(cfg)
    weak = strat.evaluate(snap(round(STRIKE * 1.0003), available_cash=cash("1000")))
    strong = strat.evaluate(snap(round(STRIKE * 1.0008), available_cash=cash("1000")))
    (w,), (st_,) = weak.immediate, strong.immediate
    assert 0 < w.size < st_.size
    assert cost_up(st_.price, st_.size) <= cash("50")  # 5% of bankroll
    # quarter Kelly of the weak case, from the formula: f = 0.25 * (p - c) / (1 - c)
    p, c = weak.fair_value, w.price / 10_000
    expected_stake = 0.25 * (p - c) / (1 - c) * 1000
    assert cost_up(w.price, w.size) / 1e6 == pytest.approx(expected_stake, abs=0.01)


def test_stake_config_accepts_decimal_text():
    assert MomentumConfig(stake="2.5").stake == Decimal("2.5")
