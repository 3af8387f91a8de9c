"""The snapshot builder: net books (own orders removed, complement mirrored), frozen views,
positions, own orders, reference fields."""

from __future__ import annotations

import itertools

import msgspec
import pytest

from predtrade.book.types import TopOfBook
from predtrade.engine.snapshot import net_books
from predtrade.model import OrderState, Side
from predtrade.model.units import ONE
from predtrade.oms import Inventory, OrderManager
from predtrade.testkit.snapshots import STRIKE

from ._fakes import (
    NO_TOKEN,
    NS,
    T0,
    YES_TOKEN,
    ScriptedStrategy,
    book,
    both_books,
    deliver,
    desired,
    make_engine,
    px,
    quotes,
    ref,
    sz,
)


def _top(asset: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> TopOfBook:
    return TopOfBook(asset, tuple((px(p), sz(s)) for p, s in bids), tuple((px(p), sz(s)) for p, s in asks))


def _acked(om: OrderManager, asset: str, side: Side, price: str, size: str):
    from predtrade.testkit.stubs import Stubs

    o = om.submit(market="m", asset_id=asset, side=side, price=px(price), size=sz(size))
    om.apply(Stubs.accepted(o))
    return o


def test_net_books_remove_own_orders_and_their_mirror() -> None:
    # Arrange: YES bid 0.48 x100 includes our YES bid of 30; the YES ask 0.55 x50 includes our
    # NO bid at 0.45 x20 (mirrored: 1 - 0.45 = 0.55 on the ask side)
    om = OrderManager(Inventory(10**12))
    _acked(om, YES_TOKEN, Side.BUY, "0.48", "30")
    _acked(om, NO_TOKEN, Side.BUY, "0.45", "20")
    yes = _top(YES_TOKEN, [("0.48", "100"), ("0.47", "10")], [("0.55", "50"), ("0.56", "10")])
    no = _top(NO_TOKEN, [("0.45", "50"), ("0.44", "10")], [("0.52", "100"), ("0.53", "10")])

    # Act
    ny, nn = net_books(yes, no, om.open_orders(), YES_TOKEN)

    # Assert
    assert ny.bids == ((px("0.48"), sz("70")), (px("0.47"), sz("10")))
    assert ny.asks == ((px("0.55"), sz("30")), (px("0.56"), sz("10")))
    assert nn.bids == ((px("0.45"), sz("30")), (px("0.44"), sz("10")))
    assert nn.asks == ((px("0.52"), sz("70")), (px("0.53"), sz("10")))


def test_net_books_drop_levels_that_are_only_ours_and_skip_unacked_orders() -> None:
    om = OrderManager(Inventory(10**12))
    _acked(om, YES_TOKEN, Side.BUY, "0.48", "100")
    om.submit(market="m", asset_id=YES_TOKEN, side=Side.BUY, price=px("0.47"), size=sz("10"))  # no ack
    yes = _top(YES_TOKEN, [("0.48", "100"), ("0.47", "10")], [("0.52", "5")])
    no = _top(NO_TOKEN, [("0.48", "5")], [("0.52", "100"), ("0.53", "10")])

    ny, nn = net_books(yes, no, om.open_orders(), YES_TOKEN)

    assert ny.bids == ((px("0.47"), sz("10")),)  # the pending-submit order is not subtracted
    assert nn.asks == ((px("0.53"), sz("10")),)
    assert ny.asks is yes.asks or ny.asks == yes.asks


def test_net_books_without_own_orders_return_the_same_objects() -> None:
    yes = _top(YES_TOKEN, [("0.48", "100")], [("0.52", "100")])
    no = _top(NO_TOKEN, [("0.48", "100")], [("0.52", "100")])
    ny, nn = net_books(yes, no, [], YES_TOKEN)
    assert ny is yes and nn is no


def test_engine_snapshot_nets_our_resting_orders() -> None:
    strat = ScriptedStrategy(
        lambda s: quotes(desired("BUY", "0.48", "30"), desired("BUY", "0.45", "20", NO_TOKEN))
    )
    engine, venue, _ = make_engine(strat)
    for ev in both_books(T0, "0.48", "0.55"):
        engine.apply(ev)
    engine.flush(T0)  # places both orders
    assert len(venue.submits) == 2
    deliver(engine, venue, T0 + NS)  # acks arrive: trigger (d) evaluates again

    snap = strat.seen[-1]
    assert snap.books[0].bids == ((px("0.48"), sz("100")),)
    assert snap.net_books[0].bids == ((px("0.48"), sz("70")),)
    assert snap.net_books[0].asks == ((px("0.55"), sz("80")),)  # our NO bid 0.45 x20 mirrored
    assert snap.net_books[1].bids == ((px("0.45"), sz("80")),)
    assert snap.net_books[1].asks == ((px("0.52"), sz("70")),)
    assert {o.state for o in snap.orders} == {OrderState.OPEN}


def test_replay_engine_does_not_net_recorded_books() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.48", "30")))
    engine, venue, _ = make_engine(strat, own_orders_in_books=False)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    snap = strat.seen[-1]
    assert snap.net_books == snap.books


def test_snapshot_is_frozen_and_carries_positions_cash_and_orders() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.40", "10")))
    engine, venue, _ = make_engine(strat)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    snap = strat.seen[-1]
    with pytest.raises(AttributeError):
        snap.ts = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        snap.books[0].bids = ()  # type: ignore[misc]
    assert snap.ts == T0
    assert snap.market.condition_id == engine.markets[snap.market.condition_id].cid
    assert snap.positions[0].asset_id == YES_TOKEN and snap.positions[0].shares == 0
    assert snap.available_cash == engine.initial_cash  # taken before the decision's order
    assert snap.round_open == STRIKE
    # the next snapshot sees our order and the cash it reserves
    deliver(engine, venue, T0 + NS)
    snap2 = strat.seen[-1]
    assert [(o.side, o.price, o.remaining) for o in snap2.orders] == [(Side.BUY, px("0.40"), sz("10"))]
    assert snap2.available_cash == engine.inventory.available_cash < snap.available_cash


def test_unchanged_books_reuse_the_same_top_of_book_views() -> None:
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat, timer_s=1.0)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    engine.flush(T0 + 2 * NS)  # timer evaluation, nothing changed
    a, b = strat.seen[-2], strat.seen[-1]
    assert b.ts > a.ts
    assert b.books[0] is a.books[0] and b.books[1] is a.books[1]


def test_missing_token_book_is_read_as_the_complement() -> None:
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat)
    engine.apply(book(T0, bids=[("0.40", "7")], asks=[("0.45", "9")]))
    engine.flush(T0)
    no = strat.seen[-1].books[1]
    assert no.asset_id == NO_TOKEN
    assert no.bids == ((ONE - px("0.45"), sz("9")),)
    assert no.asks == ((ONE - px("0.40"), sz("7")),)


def test_reference_fields_history_sigma_and_multiplier() -> None:
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat, ref_history_s=10.0, ref_history_step_s=1.0)
    for ev in both_books(T0):
        engine.apply(ev)
    for i in range(30):  # 30 ticks 0.5 s apart
        engine.apply(ref(T0 + i * NS // 2, STRIKE + i * 10**8))
    now = T0 + 15 * NS
    engine.flush(now)
    s = strat.seen[-1]
    assert s.ref_price == STRIKE + 29 * 10**8
    ts = [t for t, _ in s.ref_history]
    assert all(b - a >= NS for a, b in itertools.pairwise(ts))  # at most one point per step
    assert ts[-1] - ts[0] <= 10 * NS
    assert s.sigma is not None and s.sigma > 0
    assert s.sigma_multiplier == pytest.approx(engine._profile.multiplier(now))


def test_round_open_is_taken_from_the_first_reference_tick_of_the_round() -> None:
    from predtrade.testkit.snapshots import updown_market

    m = updown_market(strike=None)
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat, market=m, round_open_max_lag_s=5.0)
    start = m.start_ts
    engine.apply(ref(start - NS, 111))  # before the round: not its open
    engine.apply(ref(start + 2 * NS, 222))  # first tick inside the lag window
    engine.apply(ref(start + 3 * NS, 333))
    assert engine.markets[m.condition_id].round_open == 222


def test_round_open_not_derived_when_the_first_tick_comes_too_late() -> None:
    from predtrade.testkit.snapshots import updown_market

    m = updown_market(strike=None)
    engine, _, _ = make_engine(market=m, round_open_max_lag_s=5.0)
    engine.apply(ref(m.start_ts + 6 * NS, 222))
    assert engine.markets[m.condition_id].round_open is None


def test_snapshot_hash_changes_with_content_and_is_stable() -> None:
    from predtrade.engine.snapshot import snapshot_hash

    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    s = strat.seen[-1]
    assert snapshot_hash(s) == snapshot_hash(msgspec.structs.replace(s))
    assert snapshot_hash(s) != snapshot_hash(msgspec.structs.replace(s, available_cash=s.available_cash - 1))
