"""The decision diff (keep / cancel / place with hysteresis), the per-market rate limit and
immediate orders (preflight liquidity, FAK, no doubling while one is in flight)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from predtrade.engine.execution import plan_quotes, preflight_depth, within
from predtrade.model import OrderState, Side, TimeInForce
from predtrade.strategies.api import DesiredOrder

from ._fakes import (
    NO_TOKEN,
    NS,
    T0,
    YES_TOKEN,
    ScriptedStrategy,
    both_books,
    deliver,
    desired,
    make_engine,
    px,
    quotes,
    sz,
)

PS, OPEN, PF, PC = (
    OrderState.PENDING_SUBMIT,
    OrderState.OPEN,
    OrderState.PARTIALLY_FILLED,
    OrderState.PENDING_CANCEL,
)


@dataclass
class W:
    """A working order as the diff reads it."""

    client_order_id: str
    side: Side
    price: int
    size: int
    filled: int = 0
    state: OrderState = OPEN
    asset_id: str = YES_TOKEN
    tif: TimeInForce = TimeInForce.GTC
    post_only: bool = True


def w(cid: str, side: str, price: str, size: str, filled: str = "0", state: OrderState = OPEN, **kw) -> W:
    return W(cid, Side.parse(side), px(price), sz(size), sz(filled), state, **kw)


def d(side: str, price: str, size: str, **kw) -> DesiredOrder:
    return desired(side, price, size, **kw)


CASES = [
    pytest.param(
        [w("a", "BUY", "0.45", "10")], [d("BUY", "0.45", "10")], ["a"], [], 0, 0, id="same_order_kept"
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10")], [d("BUY", "0.44", "10")], [], ["a"], 1, 0, id="price_moved_requote"
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10", filled="1")],
        [d("BUY", "0.45", "10")],
        ["a"],
        [],
        0,
        1,
        id="partial_fill_within_tolerance_kept",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10", filled="5")],
        [d("BUY", "0.45", "10")],
        [],
        ["a"],
        1,
        0,
        id="partial_fill_beyond_tolerance_requoted",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "11")], [d("BUY", "0.45", "10")], ["a"], [], 0, 1, id="size_up_within"
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "13")], [d("BUY", "0.45", "10")], [], ["a"], 1, 0, id="size_up_beyond"
    ),
    pytest.param(
        [w("a", "SELL", "0.45", "10")], [d("BUY", "0.45", "10")], [], ["a"], 1, 0, id="side_differs"
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10", asset_id=NO_TOKEN)],
        [d("BUY", "0.45", "10")],
        [],
        ["a"],
        1,
        0,
        id="token_differs",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10", post_only=False)],
        [d("BUY", "0.45", "10")],
        [],
        ["a"],
        1,
        0,
        id="post_only_differs",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10", state=PS)],
        [d("BUY", "0.45", "10")],
        ["a"],
        [],
        0,
        0,
        id="pending_submit_counts",
    ),
    pytest.param([w("a", "BUY", "0.45", "10", state=PS)], [], [], ["a"], 0, 0, id="pending_submit_cancelled"),
    pytest.param(
        [w("a", "BUY", "0.45", "10", state=PC)],
        [d("BUY", "0.45", "10")],
        [],
        [],
        1,
        0,
        id="pending_cancel_neither_kept_nor_recancelled",
    ),
    pytest.param([w("a", "BUY", "0.45", "10", state=PC)], [], [], [], 0, 0, id="pending_cancel_left_alone"),
    pytest.param(
        [w("a", "BUY", "0.45", "10"), w("b", "BUY", "0.45", "10")],
        [d("BUY", "0.45", "10")],
        ["a"],
        ["b"],
        0,
        0,
        id="duplicate_working_cancelled",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10")],
        [d("BUY", "0.45", "10"), d("BUY", "0.45", "10")],
        ["a"],
        [],
        1,
        0,
        id="two_desired_at_one_price",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10"), w("b", "SELL", "0.55", "10"), w("c", "BUY", "0.44", "10")],
        [d("SELL", "0.55", "10"), d("BUY", "0.44", "10"), d("BUY", "0.45", "10")],
        ["b", "c", "a"],
        [],
        0,
        0,
        id="same_orders_another_order_all_kept",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10"), w("b", "SELL", "0.55", "10"), w("c", "BUY", "0.44", "9")],
        [d("SELL", "0.55", "10"), d("BUY", "0.44", "10"), d("BUY", "0.45", "10")],
        ["b", "c", "a"],
        [],
        0,
        1,
        id="reordered_with_one_inside_tolerance",
    ),
    pytest.param(
        [w("a", "BUY", "0.45", "10"), w("b", "BUY", "0.45", "10"), w("c", "BUY", "0.44", "10")],
        [d("BUY", "0.44", "10"), d("BUY", "0.45", "10"), d("BUY", "0.43", "10")],
        ["c", "a"],
        ["b"],
        1,
        0,
        id="reordered_with_a_duplicate_price",
    ),
    pytest.param([], [d("BUY", "0.45", "10"), d("SELL", "0.55", "10")], [], [], 2, 0, id="nothing_working"),
    pytest.param(
        [w("a", "BUY", "0.45", "10"), w("b", "SELL", "0.55", "10")],
        [],
        [],
        ["a", "b"],
        0,
        0,
        id="pull_everything",
    ),
]


@pytest.mark.parametrize(("working", "want", "keep", "cancel", "n_place", "avoided"), CASES)
def test_plan_quotes(working, want, keep, cancel, n_place, avoided) -> None:
    plan = plan_quotes(want, working, size_tolerance_bps=2_000, tick=100)
    assert [o.client_order_id for o in plan.keep] == keep
    assert [o.client_order_id for o in plan.cancel] == cancel
    assert len(plan.place) == n_place
    assert plan.avoided == avoided


def test_price_tolerance_keeps_an_order_a_tick_away_nearest_first() -> None:
    working = [w("far", "BUY", "0.43", "10"), w("near", "BUY", "0.44", "10")]
    plan = plan_quotes([d("BUY", "0.45", "10")], working, price_tolerance_ticks=2, tick=100)
    assert [o.client_order_id for o in plan.keep] == ["near"]
    assert [o.client_order_id for o in plan.cancel] == ["far"]
    assert plan.avoided == 1
    exact = plan_quotes([d("BUY", "0.45", "10")], working, price_tolerance_ticks=0, tick=100)
    assert not exact.keep and len(exact.place) == 1


@pytest.mark.parametrize(
    ("remaining", "desired_size", "bps", "ok"),
    [
        (8, 10, 2_000, True),
        (7, 10, 2_000, False),
        (12, 10, 2_000, True),
        (10, 10, 0, True),
        (11, 10, 0, False),
    ],
)
def test_within_is_exact(remaining: int, desired_size: int, bps: int, ok: bool) -> None:
    assert within(remaining, desired_size, bps) is ok


def test_preflight_depth_counts_levels_at_or_better_than_the_limit() -> None:
    from predtrade.book.types import TopOfBook

    top = TopOfBook(
        YES_TOKEN, ((px("0.48"), 5), (px("0.47"), 7)), ((px("0.52"), 3), (px("0.53"), 4), (px("0.55"), 9))
    )
    assert preflight_depth(top, Side.BUY, px("0.53")) == 7
    assert preflight_depth(top, Side.BUY, px("0.51")) == 0
    assert preflight_depth(top, Side.SELL, px("0.47")) == 12
    assert preflight_depth(top, Side.SELL, px("0.49")) == 0


# ---- in the engine ------------------------------------------------------------------------------


def _ladder(n: int, side: str = "BUY", start: str = "0.40") -> tuple[DesiredOrder, ...]:
    p0 = px(start)
    return tuple(DesiredOrder(YES_TOKEN, Side.parse(side), p0 - i * 100, sz("10")) for i in range(n))


def test_unchanged_decision_sends_nothing_and_a_moved_one_sends_the_minimum() -> None:
    state = {"q": _ladder(3)}
    engine, venue, sink = make_engine(ScriptedStrategy(lambda s: quotes(*state["q"])))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    assert len(venue.submits) == 3 and venue.cancels == []
    state["q"] = _ladder(3, start="0.39")  # one rung leaves, one arrives, two stay
    engine.apply(both_books(T0 + 2 * NS, "0.47")[0])
    engine.flush(T0 + 2 * NS)
    assert len(venue.submits) == 4
    assert [c.client_order_id for c in venue.cancels] == ["pt-1"]
    assert venue.submits[-1].price == px("0.37")
    decisions = sink.decisions
    assert [r.actions for r in decisions] == [3, 0, 2]


def test_rate_limit_defers_the_excess_to_the_next_evaluation() -> None:
    engine, venue, _ = make_engine(
        ScriptedStrategy(lambda s: quotes(*_ladder(5))), rate_limit_per_s=1.0, rate_limit_burst=3
    )
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert len(venue.submits) == 3
    assert engine.stats.actions_deferred == 2
    engine.flush(T0 + NS // 2)  # re-evaluated (deferred actions re-trigger) but no token yet
    assert len(venue.submits) == 3
    engine.flush(T0 + 2 * NS)  # two tokens refilled
    assert len(venue.submits) == 5


def test_cancels_go_before_places_under_the_rate_limit() -> None:
    state = {"q": _ladder(2)}
    engine, venue, _ = make_engine(
        ScriptedStrategy(lambda s: quotes(*state["q"])), rate_limit_per_s=0.001, rate_limit_burst=3
    )
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    state["q"] = _ladder(2, start="0.30")
    engine.flush(T0 + 2 * NS)  # one token left: spent on a cancel
    engine.apply(both_books(T0 + 3 * NS, "0.47")[0])
    engine.flush(T0 + 3 * NS)
    assert len(venue.cancels) == 1 and len(venue.submits) == 2


def test_immediate_order_goes_out_as_fak_after_preflight() -> None:
    take = desired("BUY", "0.52", "60", tif=TimeInForce.GTC, post_only=True)
    engine, venue, _ = make_engine(ScriptedStrategy(lambda s: quotes(immediate=[take])))
    for ev in both_books(T0, size="100"):
        engine.apply(ev)
    engine.flush(T0)
    assert len(venue.submits) == 1
    req = venue.submits[0]
    assert req.tif is TimeInForce.FAK and req.post_only is False and req.price == px("0.52")
    # evaluated again while the FAK is in flight: not doubled
    engine.apply(both_books(T0 + NS // 100, "0.47")[0])
    engine.flush(T0 + NS // 100)
    assert len(venue.submits) == 1
    assert engine.risk.blocked == {"in_flight": 1}


def test_immediate_order_without_liquidity_is_blocked() -> None:
    take = desired("BUY", "0.52", "150")
    engine, venue, sink = make_engine(ScriptedStrategy(lambda s: quotes(immediate=[take])))
    for ev in both_books(T0, size="100"):
        engine.apply(ev)
    engine.flush(T0)
    assert venue.submits == []
    assert [b.gate for b in sink.blocks] == ["liquidity"]
    assert sink.blocks[0].action == "immediate"


def test_immediate_preflight_looks_past_the_snapshot_depth() -> None:
    from predtrade.model import BookSnapshot

    from ._fakes import CID

    asks = tuple((px("0.50") + i * 100, sz("10")) for i in range(6))  # 10 at each of 0.50..0.55
    take = desired("BUY", "0.55", "55")
    engine, venue, _ = make_engine(ScriptedStrategy(lambda s: quotes(immediate=[take])), book_depth=3)
    engine.apply(BookSnapshot(YES_TOKEN, CID, ((px("0.45"), sz("10")),), asks, T0, T0))
    engine.flush(T0)
    assert len(venue.submits) == 1


def test_a_quote_with_an_immediate_time_in_force_is_refused() -> None:
    engine, venue, sink = make_engine(
        ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10", tif=TimeInForce.FAK, post_only=False)))
    )
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert venue.submits == []
    assert [(b.gate, b.action) for b in sink.blocks] == [("order_sanity", "place")]


def test_a_sell_waiting_for_its_shares_to_come_back_from_a_cancel_is_not_a_refusal() -> None:
    from predtrade.model import OrderAccepted, OrderFilled, TradeStatus

    state = {"q": (desired("SELL", "0.55", "10"),)}
    engine, venue, sink = make_engine(ScriptedStrategy(lambda s: quotes(*state["q"])))
    # own 10 YES shares first
    o = engine.oms.submit(
        market=engine.market_state(YES_TOKEN).cid,
        asset_id=YES_TOKEN,
        side=Side.BUY,
        price=px("0.45"),
        size=sz("10"),
    )
    engine.apply(OrderAccepted(o.client_order_id, "v0", T0, T0))
    engine.apply(OrderFilled("v0", "t0", YES_TOKEN, px("0.45"), sz("10"), TradeStatus.MATCHED, T0, T0))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    assert [(r.side, r.price) for r in venue.submits] == [(Side.SELL, px("0.55"))]
    state["q"] = (desired("SELL", "0.56", "10"),)
    engine.apply(both_books(T0 + 2 * NS, "0.47")[0])
    engine.flush(T0 + 2 * NS)  # cancel sent; the new sell needs the shares the old one holds
    assert len(venue.cancels) == 1 and len(venue.submits) == 1
    assert engine.stats.waiting_on_cancels == 1 and sink.blocks == []
    deliver(engine, venue, T0 + 3 * NS)  # cancel ack -> evaluation -> the new sell goes out
    assert [(r.side, r.price) for r in venue.submits][-1] == (Side.SELL, px("0.56"))
