"""Market resolution: exact settlement (a winning share pays 1), the market's record, the market
dropped from evaluation."""

from __future__ import annotations

from decimal import Decimal

from predtrade.engine import RiskConfig
from predtrade.model import OrderAccepted, OrderFilled, Side, TradeStatus
from predtrade.model.units import cost_up, shares_value

from ._fakes import (
    CID,
    NO_TOKEN,
    NS,
    T0,
    YES_TOKEN,
    FakeVenue,
    ScriptedStrategy,
    both_books,
    deliver,
    desired,
    make_engine,
    px,
    quotes,
    resolved,
    sz,
)


def _buy(engine, token: str, price: str, size: str, ts: int, n: int) -> None:
    o = engine.oms.submit(
        market=CID, asset_id=token, side=Side.BUY, price=px(price), size=sz(size), ts_local=ts
    )
    engine.market_state(CID).orders[o.client_order_id] = o
    engine.apply(OrderAccepted(o.client_order_id, f"v{n}", ts, ts))
    engine.apply(OrderFilled(f"v{n}", f"t{n}", token, px(price), sz(size), TradeStatus.MATCHED, ts, ts))


def test_resolution_settles_exactly_and_records_the_market() -> None:
    engine, _, sink = make_engine()
    for ev in both_books(T0):
        engine.apply(ev)
    _buy(engine, YES_TOKEN, "0.45", "10", T0, 1)  # cost 4.5
    _buy(engine, NO_TOKEN, "0.30", "7.5", T0, 2)  # cost 2.25
    cash_before = engine.inventory.cash
    assert cash_before == engine.initial_cash - cost_up(px("0.45"), sz("10")) - cost_up(px("0.30"), sz("7.5"))

    engine.apply(resolved(T0 + NS, winner=YES_TOKEN, label="Up"))

    inv = engine.inventory
    assert inv.cash == cash_before + shares_value(sz("10"))  # 10 winning shares pay exactly 10
    assert inv.position(YES_TOKEN).shares == 0 and inv.position(NO_TOKEN).shares == 0
    (m,) = sink.markets
    expected = shares_value(sz("10")) - cost_up(px("0.45"), sz("10")) - cost_up(px("0.30"), sz("7.5"))
    assert m.condition_id == CID and m.winning_outcome == "Up" and m.settled_pnl == expected
    assert sink.pnl_points[-1].cash == inv.cash and sink.pnl_points[-1].positions == {}
    assert engine.stats.settlements == 1
    # the settled market's books are let go, and stray updates do not bring them back
    assert YES_TOKEN not in engine.books and NO_TOKEN not in engine.books
    for ev in both_books(T0 + 2 * NS):
        engine.apply(ev)
    assert len(engine.books) == 0 and engine.books.is_retired(YES_TOKEN)


def test_resolution_by_label_when_the_asset_id_is_unknown() -> None:
    engine, _, sink = make_engine()
    for ev in both_books(T0):
        engine.apply(ev)
    _buy(engine, NO_TOKEN, "0.40", "10", T0, 1)
    engine.apply(resolved(T0 + NS, winner="not-a-token", label="Down"))
    assert sink.markets[0].winning_outcome == "Down"
    assert engine.inventory.cash == engine.initial_cash - cost_up(px("0.40"), sz("10")) + shares_value(
        sz("10")
    )


def test_resolved_market_is_dropped_and_its_orders_cancelled() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, sink = make_engine(strat, timer_s=1.0)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS // 10)
    n = len(strat.seen)
    engine.apply(resolved(T0 + NS))
    assert [c.client_order_id for c in venue.cancels] == ["pt-1"]
    assert sink.markets == []  # settles once the order has answered
    assert YES_TOKEN in engine.books  # not settled yet: the books stay
    deliver(engine, venue, T0 + 2 * NS)  # the cancel ack
    assert [m.winning_outcome for m in sink.markets] == ["Up"]
    assert YES_TOKEN not in engine.books and NO_TOKEN not in engine.books
    for ev in both_books(T0 + 2 * NS, "0.99", "0.995"):
        engine.apply(ev)
    engine.flush(T0 + 5 * NS)
    assert len(strat.seen) == n  # no evaluation after resolution (not even the timer)
    engine.apply(resolved(T0 + 6 * NS))  # a repeated resolution is ignored
    assert len(sink.markets) == 1


def test_fill_delivered_after_the_resolution_is_settled_with_the_market() -> None:
    from predtrade.model import OrderFilled, TradeStatus

    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, _venue, sink = make_engine(strat, venue=FakeVenue(auto_ack=False))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    engine.apply(OrderAccepted("pt-1", "v1", T0 + 1, T0 + 1))
    engine.apply(resolved(T0 + NS))  # the fill matched just before is still on its way
    t = T0 + NS + 5
    engine.apply(OrderFilled("v1", "t1", YES_TOKEN, px("0.45"), sz("10"), TradeStatus.MATCHED, t, t))
    (m,) = sink.markets
    assert m.settled_pnl == shares_value(sz("10")) - cost_up(px("0.45"), sz("10"))
    assert engine.inventory.position(YES_TOKEN).shares == 0
    assert engine.inventory.cash == engine.initial_cash + m.settled_pnl


def test_settlement_does_not_wait_forever_for_a_silent_venue() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, _venue, sink = make_engine(strat, venue=FakeVenue(auto_ack=False), settle_grace_s=30.0)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    engine.apply(resolved(T0 + NS))
    assert engine.next_wake() == T0 + 31 * NS
    engine.flush(T0 + 20 * NS)
    assert sink.markets == []
    engine.flush(T0 + 31 * NS)
    assert [m.winning_outcome for m in sink.markets] == ["Up"]


def test_market_end_stops_evaluation_and_pulls_orders() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, _ = make_engine(strat, timer_s=1.0, risk=RiskConfig(no_buy_last_s=0))
    end = engine.market_state(CID).end_ts
    for ev in both_books(end - 2 * NS):
        engine.apply(ev)
    engine.flush(end - 2 * NS)
    deliver(engine, venue, end - NS)
    n = len(strat.seen)
    engine.flush(end)  # timer: the end time has come
    assert [c.client_order_id for c in venue.cancels] == ["pt-1"]
    engine.flush(end + 3 * NS)
    assert len(strat.seen) == n


def test_settled_pnl_counts_towards_consecutive_losses_only_when_traded() -> None:
    engine, _, _ = make_engine(risk=RiskConfig(max_consecutive_losses=1, daily_loss_limit=Decimal("1000")))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.apply(resolved(T0 + NS))  # nothing traded: no loss, no halt
    assert not engine.risk.halted and engine.risk.loss_streak == 0
