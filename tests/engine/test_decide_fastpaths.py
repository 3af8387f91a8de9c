"""The evaluation pass's shortcuts: book views only as deep as the strategy reads (deeper where
our own orders are netted out), the diff reused only while neither the decision's quotes nor
our orders changed, and the immediate-order preflight still looking past a shallow view."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from predtrade.model import BookSnapshot, OrderCancelled
from predtrade.strategies import AmmStrategy
from predtrade.strategies.api import Decision

from ._fakes import (
    CID,
    NO_TOKEN,
    NS,
    T0,
    YES_TOKEN,
    ScriptedStrategy,
    deliver,
    desired,
    make_engine,
    px,
    quotes,
    sz,
)

ONE = 10_000


def deep_books(ts: int, n: int = 6) -> list[BookSnapshot]:
    """YES bids 0.48, 0.47, ... and asks 0.52, 0.53, ... (n levels of 100), mirrored on NO."""
    bids = tuple((px("0.48") - i * 100, sz("100")) for i in range(n))
    asks = tuple((px("0.52") + i * 100, sz("100")) for i in range(n))
    no_bids = tuple((ONE - p, s) for p, s in asks)
    no_asks = tuple((ONE - p, s) for p, s in bids)
    yes = BookSnapshot(YES_TOKEN, CID, bids, asks, ts, ts)
    return [yes, BookSnapshot(NO_TOKEN, CID, no_bids, no_asks, ts, ts)]


class Shallow(ScriptedStrategy):
    def __init__(self, depth: Any, decide=None) -> None:
        super().__init__(decide)
        self.book_depth = depth


@pytest.mark.parametrize(
    ("strategy", "levels"),
    [
        pytest.param(ScriptedStrategy(), 4, id="undeclared-config-depth"),
        pytest.param(Shallow(1), 1, id="declared-one"),
        pytest.param(Shallow(2), 2, id="declared-two"),
        pytest.param(Shallow(10), 4, id="deeper-than-config"),
        pytest.param(Shallow(0), 4, id="zero-ignored"),
        pytest.param(Shallow("2"), 4, id="not-an-int-ignored"),
    ],
)
def test_views_are_as_deep_as_the_strategy_reads(strategy, levels):
    engine, _, _ = make_engine(strategy, book_depth=4)
    for ev in deep_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    snap = strategy.seen[-1]
    assert [len(b.bids) for b in snap.books] == [levels, levels]
    assert [len(b.asks) for b in snap.net_books] == [levels, levels]


def test_net_views_reach_past_our_own_levels():
    # our bids rest on the best two YES levels and fill them completely: the net view of a
    # depth-1 strategy still shows the best level that is not ours (0.46), not an empty side
    state = {"q": (desired("BUY", "0.48", "100"), desired("BUY", "0.47", "100"))}
    strat = Shallow(1, lambda s: quotes(*state["q"]))
    engine, venue, _ = make_engine(strat, book_depth=10)
    for ev in deep_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)  # acks: our orders now rest (the books include them, live)
    snap = strat.seen[-1]
    assert snap.net_books[0].bids[0] == (px("0.46"), sz("100"))
    assert snap.net_books[1].asks[0] == (ONE - px("0.46"), sz("100"))  # mirrored on NO
    assert snap.books[0].bids[0] == (px("0.48"), sz("100"))


def test_immediate_preflight_looks_past_a_shallow_view():
    take = desired("BUY", "0.54", "250")  # needs the 0.52, 0.53 and 0.54 asks
    strat = Shallow(1, lambda s: quotes(immediate=[take]))
    engine, venue, sink = make_engine(strat)
    for ev in deep_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert [r.price for r in venue.submits] == [px("0.54")]
    assert sink.blocks == []


def test_the_amm_gets_one_level_views_and_decides_as_with_full_ones():
    full, _, _ = make_engine(ScriptedStrategy())
    amm_engine, _, sink = make_engine(AmmStrategy())
    for e in (full, amm_engine):
        for ev in deep_books(T0):
            e.apply(ev)
        e.flush(T0)
    snap = full.strategy.seen[-1]  # type: ignore[attr-defined]
    assert len(snap.books[0].bids) == 6
    d = msgspec.json.decode(sink.decisions[-1].decision, type=Decision)
    assert d == AmmStrategy().evaluate(snap)


def test_a_constant_decision_is_re_diffed_once_our_orders_change():
    # the same Decision object every time: its diff is reused while our orders are unchanged,
    # and redone when the venue cancels our order behind our back (it is placed again)
    constant = quotes(desired("BUY", "0.45", "10"))
    engine, venue, _ = make_engine(ScriptedStrategy(lambda s: constant), timer_s=1.0)
    for ev in deep_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS // 10)  # ack
    engine.flush(T0 + 2 * NS)  # timer: nothing to do
    assert len(venue.submits) == 1 and venue.cancels == []
    vid = f"v-{venue.submits[0].client_order_id}"
    engine.apply(OrderCancelled(vid, T0 + 3 * NS, T0 + 3 * NS))
    engine.flush(T0 + 3 * NS)
    assert len(venue.submits) == 2
    assert engine.stats.orders_kept >= 1
