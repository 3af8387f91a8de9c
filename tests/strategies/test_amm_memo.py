"""The AMM's memo is pure: every decision equals the plain composition of the documented stages,
whatever the strategy evaluated before (hits, misses, a book that moved, a fair value that moved
less than a tick), and the one book level it declares it reads is all its decisions depend on."""

from __future__ import annotations

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from predtrade.model.units import format_size
from predtrade.strategies._orders import buy_cash_room
from predtrade.strategies.amm import AmmConfig, AmmStrategy
from predtrade.strategies.api import Decision, Snapshot
from predtrade.strategies.fair import books_need_resync, combined_bbo, fair_value
from predtrade.strategies.proposal import to_orders
from predtrade.strategies.stages import (
    base_ladder,
    budget,
    express,
    inventory_skew,
    level_filter,
    near_expiry,
    price_skew,
    scaled_spread,
    taker_filter,
)
from predtrade.testkit.snapshots import (
    NO,
    NS,
    book,
    make_snapshot,
    mirror,
    own_order,
    position,
    updown_market,
)

from .test_amm_properties import scenario


def staged(amm: AmmStrategy, s: Snapshot) -> Decision:
    """The AMM's decision as the straight composition of the stage functions (no memo)."""
    c = amm.config
    if books_need_resync(s):
        return Decision(reason="hold: book needs resync")
    fv, src = fair_value(
        s, source=c.fair_value_source, fallback_to_mid=c.fallback_to_mid, default_sigma=c.default_sigma,
        ito=c.ito,
    )
    if fv is None:
        return Decision(reason=f"hold: no fair value ({src})")
    m = s.market
    yes, no = s.positions
    net = yes.shares - no.shares
    spread = scaled_spread(c.spread, s.sigma_multiplier, c.min_spread, c.max_spread)
    p = base_ladder(fv, spread, c.level_step, c.levels, amm._size, m.tick)
    p = level_filter(p, min_price=amm._lo, max_price=amm._hi)
    p = price_skew(p, net=net, limit=amm._limit, max_skew=amm._skew, tick=m.tick)
    p = inventory_skew(p, net=net, limit=amm._limit, min_size=m.min_order_size, size_step=amm._step)
    p = express(p, yes_shares=yes.shares, no_shares=no.shares, min_size=m.min_order_size)
    p = near_expiry(
        p, yes_prob=fv, seconds_left=s.seconds_to_expiry, no_buy_above=amm._no_buy_above,
        no_buy_seconds=c.no_buy_seconds,
    )
    p = budget(
        p, cash=buy_cash_room(s, amm._collateral), min_size=m.min_order_size, size_step=amm._step,
        fees=m.fees, post_only=c.post_only,
    )
    if c.post_only:
        bid, ask = combined_bbo(s)
        p = taker_filter(p, best_bid=bid, best_ask=ask, tick=m.tick, mode=c.taker_mode)
    notes = " ".join(p.notes)
    reason = (
        f"fv={fv:.3f}/{src} s={spread:.3f} net={format_size(net)} "
        f"{len(p.bids)}b/{len(p.asks)}a{' ' + notes if notes else ''}"
    )
    return Decision(quotes=to_orders(p, m, post_only=c.post_only), reason=reason, fair_value=fv)


def nudged(s: Snapshot, draw) -> Snapshot:
    """``s`` a moment later: the clock, the reference, a best level's size or the book moved a
    little (what a stream of evaluations looks like to the memo)."""
    kind = draw(st.sampled_from(["clock", "ref", "size", "book", "same"]))
    if kind == "clock":
        return msgspec.structs.replace(s, ts=s.ts + draw(st.integers(1, 3 * NS)))
    if kind == "ref" and s.ref_price is not None:
        return msgspec.structs.replace(s, ref_price=max(1, s.ref_price + draw(st.integers(-10**9, 10**9))))
    yes = s.books[0]
    if kind == "size" and yes.bids:
        (p, q), *rest = yes.bids
        yes = msgspec.structs.replace(yes, bids=((p, q + 1_000_000), *rest))
    elif kind == "book":
        tick = s.market.tick
        yes = book(
            bids=[(b[0] - tick, b[1]) for b in yes.bids if b[0] > tick],
            asks=[(a[0] - tick, a[1]) for a in yes.asks if a[0] - tick > 0],
        )
    else:
        return s
    books = (yes, s.books[1])
    return msgspec.structs.replace(s, books=books, net_books=books)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=scenario(), data=st.data())
def test_memoized_decisions_equal_the_staged_pipeline_along_a_stream(case, data):
    s, cfg = case
    amm = AmmStrategy(cfg)
    for _ in range(6):
        assert amm.evaluate(s) == staged(amm, s)
        assert AmmStrategy(cfg).evaluate(s) == amm.evaluate(s)  # a fresh instance agrees
        s = nudged(s, data.draw)


def test_a_hit_returns_the_stage_result_for_a_different_snapshot_with_the_same_inputs():
    amm = AmmStrategy()
    m = updown_market()  # the engine hands out the same market object until its metadata changes
    a = make_snapshot(market=m)
    b = make_snapshot(market=m, ts=a.ts + NS // 10)  # fair value moves by far less than a tick
    da, db = amm.evaluate(a), amm.evaluate(b)
    assert db == staged(amm, b)
    assert db.quotes is da.quotes  # the memo answered


def test_a_new_book_reruns_only_what_reads_it():
    amm = AmmStrategy()
    m = updown_market()
    s = make_snapshot(market=m)
    amm.evaluate(s)
    crossing = book(bids=[("0.53", "100")], asks=[("0.55", "100")])  # the 0.52 ask rung would cross
    t = make_snapshot(market=m, yes_book=crossing, no_book=mirror(crossing))
    d = amm.evaluate(t)
    assert d == staged(amm, t)
    assert "taker:move" in d.reason
    assert len(amm._pre) == 1  # the stages before the taker filter ran once for both


def test_orders_and_positions_enter_the_key():
    amm = AmmStrategy()
    m = updown_market()
    base = make_snapshot(market=m, available_cash=20_000_000)
    d0 = amm.evaluate(base)
    with_buy = make_snapshot(market=m, available_cash=20_000_000, orders=(own_order("BUY", "0.48", "10"),))
    holding = make_snapshot(
        market=m, available_cash=20_000_000, yes_position=position(shares="50", avg="0.5", market=m)
    )
    holding_no = make_snapshot(
        market=m, available_cash=20_000_000, no_position=position(NO, "50", "0.5", market=m)
    )
    for s in (with_buy, holding, holding_no, base):
        assert amm.evaluate(s) == staged(amm, s)
    assert amm.evaluate(base) == d0


def test_the_memo_stays_small():
    amm = AmmStrategy()
    m = updown_market()
    for i in range(300):
        amm.evaluate(make_snapshot(market=m, ref_price=10_000_000_000_000 + i * 2_000_000_000))
    assert len(amm._memo) <= 64 and len(amm._pre) <= 64


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_the_declared_book_depth_is_all_a_decision_reads(case):
    s, cfg = case
    depth = AmmStrategy.book_depth

    def cut(t):
        return msgspec.structs.replace(t, bids=t.bids[:depth], asks=t.asks[:depth])

    shallow = msgspec.structs.replace(
        s,
        books=(cut(s.books[0]), cut(s.books[1])),
        net_books=(cut(s.net_books[0]), cut(s.net_books[1])),
    )
    assert AmmStrategy(cfg).evaluate(shallow) == AmmStrategy(cfg).evaluate(s)


def test_config_with_a_step_off_the_tick_grid_still_matches():
    cfg = AmmConfig(level_step=0.015, levels=4)
    amm = AmmStrategy(cfg)
    m = updown_market()
    t0 = make_snapshot(market=m).ts
    for i in range(5):
        s = make_snapshot(market=m, ts=t0 + i * NS)
        assert amm.evaluate(s) == staged(amm, s)


def test_crossing_into_the_last_minute_is_not_a_hit():
    amm = AmmStrategy()
    m = updown_market()
    held = position(shares="30", avg="0.5", market=m)
    before = make_snapshot(market=m, seconds_left=61, yes_position=held)
    after = make_snapshot(market=m, seconds_left=59, yes_position=held)  # same fair value (0.5)
    d0, d1 = amm.evaluate(before), amm.evaluate(after)
    assert d1 == staged(amm, after)
    assert d0.quotes != d1.quotes  # buys stop, sells stay
