"""Random books, positions, fair values and configs: every AMM decision must be safe.

Invariants: no self-crossing across the pair (every YES-equivalent bid below every ask, so no YES
bid p and NO bid q with p + q >= 1), prices on the tick grid inside (0, 1), sizes at least the
market minimum, buys within available cash and max collateral, sells within holdings, post-only
rungs not crossing the net book, no buys in the last minute.
"""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from predtrade.model.enums import Outcome, Side
from predtrade.model.units import ONE, cost_up
from predtrade.strategies.amm import AmmConfig, AmmStrategy
from predtrade.strategies.fair import combined_bbo
from predtrade.testkit.snapshots import (
    STRIKE,
    book,
    make_snapshot,
    position,
    updown_market,
)

from ._helpers import yes_space

TICKS = st.sampled_from([100, 10])


@st.composite
def one_book(draw, tick: int):
    """A sane single-token book on the tick grid: bids below asks, possibly empty sides."""
    steps = ONE // tick
    bid_top = draw(st.integers(0, steps - 2))  # in ticks; 0 = no bids
    gap = draw(st.integers(1, max(1, steps - 1 - bid_top)))
    ask_top = min(bid_top + gap, steps)  # steps = no asks
    n_b = draw(st.integers(0, 3)) if bid_top else 0
    n_a = draw(st.integers(0, 3)) if ask_top < steps else 0
    bids = [
        ((bid_top - i) * tick, draw(st.integers(1, 500)) * 1_000_000) for i in range(n_b) if bid_top - i > 0
    ]
    asks = [
        ((ask_top + i) * tick, draw(st.integers(1, 500)) * 1_000_000)
        for i in range(n_a)
        if ask_top + i < steps
    ]
    return book(bids=bids, asks=asks)


@st.composite
def scenario(draw):
    tick = draw(TICKS)
    market = updown_market(tick=tick)
    yes_book = draw(one_book(tick))
    no_book = draw(one_book(tick))
    yes_sh = draw(st.sampled_from([0, 0, 0, 3, 5, 12, 40, 100, 150, 400]))
    no_sh = draw(st.sampled_from([0, 0, 0, 3, 5, 12, 40, 100, 150, 400]))
    yes_avg = draw(st.integers(1, 99))
    no_avg = draw(st.integers(1, 99))
    seconds_left = draw(st.floats(-10.0, 300.0))
    ref_move = draw(st.floats(-0.004, 0.004))
    snap = make_snapshot(
        market=market,
        yes_book=yes_book,
        no_book=no_book,
        yes_position=position(Outcome.YES, str(yes_sh), f"0.{yes_avg:02d}", market=market),
        no_position=position(Outcome.NO, str(no_sh), f"0.{no_avg:02d}", market=market),
        available_cash=draw(st.integers(0, 200)) * 1_000_000,
        ref_price=max(1, round(STRIKE * (1 + ref_move))),
        seconds_left=seconds_left,
        sigma=draw(st.one_of(st.none(), st.floats(1e-6, 5e-4))),
        sigma_multiplier=draw(st.floats(0.3, 3.0)),
    )
    cfg = AmmConfig(
        spread=draw(st.sampled_from([0.005, 0.01, 0.02, 0.05])),
        min_spread=0.001,
        max_spread=0.2,
        level_step=draw(st.sampled_from([0.001, 0.01, 0.02])),
        levels=draw(st.integers(1, 5)),
        order_size=Decimal(draw(st.sampled_from(["5", "10", "33.33"]))),
        inventory_limit=Decimal(draw(st.sampled_from(["20", "100", "1000"]))),
        max_price_skew=draw(st.sampled_from([0.0, 0.03, 0.1])),
        max_collateral=Decimal(draw(st.sampled_from(["0", "50", "1000", "1000", "1000"]))),
        taker_mode=draw(st.sampled_from(["move", "drop"])),
        fair_value_source=draw(st.sampled_from(["model", "mid"])),
    )
    return snap, cfg


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_every_amm_decision_is_safe(case):
    s, cfg = case
    d = AmmStrategy(cfg).evaluate(s)
    m = s.market
    tick = m.tick
    yes_t, no_t = m.token_ids

    bids, asks = yes_space(s, d)
    if bids and asks:
        assert max(bids) < min(asks), d.reason
    yes_buys = [o.price for o in d.quotes if o.asset_id == yes_t and o.side is Side.BUY]
    no_buys = [o.price for o in d.quotes if o.asset_id == no_t and o.side is Side.BUY]
    for p in yes_buys:
        for q in no_buys:
            assert p + q < ONE

    for o in d.quotes:
        assert o.price % tick == 0 and tick <= o.price <= ONE - tick
        assert o.size >= m.min_order_size
        assert o.post_only and o.asset_id in (yes_t, no_t)

    for i, token in enumerate((yes_t, no_t)):
        sold = sum(o.size for o in d.quotes if o.asset_id == token and o.side is Side.SELL)
        assert sold <= s.positions[i].shares

    spent = sum(cost_up(o.price, o.size) for o in d.quotes if o.side is Side.BUY)
    assert spent <= s.available_cash
    held_cost = s.positions[0].cost + s.positions[1].cost
    assert spent == 0 or held_cost + spent <= cfg.max_collateral * 1_000_000

    best_bid, best_ask = combined_bbo(s)
    assert all(b < best_ask for b in bids)
    assert all(a > best_bid for a in asks)

    if s.seconds_to_expiry < cfg.no_buy_seconds:
        assert spent == 0 and not yes_buys and not no_buys

    net = s.positions[0].shares - s.positions[1].shares
    limit = int(cfg.inventory_limit * 1_000_000)
    bid_size = sum(o.size for o in d.quotes if (o.asset_id == yes_t) == (o.side is Side.BUY))
    ask_size = sum(o.size for o in d.quotes if (o.asset_id == yes_t) != (o.side is Side.BUY))
    assert bid_size <= max(0, limit - net)
    assert ask_size <= max(0, limit + net)

    if d.quotes:
        assert d.fair_value is not None and 0.0 <= d.fair_value <= 1.0


@settings(max_examples=100, deadline=None)
@given(scenario())
def test_evaluate_is_deterministic(case):
    s, cfg = case
    strat = AmmStrategy(cfg)
    assert strat.evaluate(s) == strat.evaluate(s)
