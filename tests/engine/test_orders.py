"""Order events through the engine: records for transitions, fills and final order states;
typed OMS errors counted and logged, never raised out of the loop."""

from __future__ import annotations

import logging

from predtrade.model import (
    CancelRejected,
    Liquidity,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    TradeStatus,
)

from ._fakes import (
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
    sz,
)


def _placed(**kw):
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, sink = make_engine(strat, venue=FakeVenue(auto_ack=False), **kw)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    (req,) = venue.submits
    engine.apply(OrderAccepted(req.client_order_id, "v1", T0 + 1, T0 + 1))
    return engine, venue, sink, strat


def test_fill_writes_transition_fill_pnl_and_final_order_records() -> None:
    engine, _, sink, _ = _placed()
    engine.apply(
        OrderFilled(
            "v1",
            "t1",
            YES_TOKEN,
            px("0.45"),
            sz("4"),
            TradeStatus.MATCHED,
            T0 + 2,
            T0 + 2,
            Liquidity.MAKER,
            -3,
        )
    )
    engine.apply(
        OrderFilled("v1", "t1", YES_TOKEN, px("0.45"), sz("4"), TradeStatus.CONFIRMED, T0 + 3, T0 + 3)
    )
    engine.apply(OrderFilled("v1", "t2", YES_TOKEN, px("0.45"), sz("6"), TradeStatus.MATCHED, T0 + 4, T0 + 4))

    assert [(t.from_state, t.to_state) for t in sink.transitions] == [
        ("PENDING_SUBMIT", "OPEN"),
        ("OPEN", "PARTIALLY_FILLED"),
        ("PARTIALLY_FILLED", "FILLED"),
    ]
    f1, f2 = sink.fills
    assert (f1.trade_id, f1.size, f1.price, f1.fee, f1.liquidity, f1.outcome, f1.side, f1.source) == (
        "t1",
        sz("4"),
        px("0.45"),
        -3,
        "MAKER",
        "Up",
        "BUY",
        "book",
    )
    assert f2.size == sz("6") and f2.ts == T0 + 4
    (rec,) = sink.orders  # written once, when the order became terminal
    assert rec.state == "FILLED" and rec.filled == sz("10") and rec.ts_done == T0 + 4
    assert engine.stats.fills == 2 and engine.stats.fills_by_outcome_side == {"Up": {"BUY": 2, "SELL": 0}}
    assert len(sink.pnl_points) >= 2 and sink.pnl_points[-1].positions == {"Up": sz("10")}
    assert engine.market_state(YES_TOKEN).orders == {}


def test_rejection_and_cancel_reasons_reach_the_order_record() -> None:
    engine, venue, sink, _ = _placed()
    engine.apply(OrderCancelled("v1", T0 + 5, T0 + 5, "market resolved"))
    assert sink.orders[-1].state == "CANCELLED" and sink.orders[-1].reason == "market resolved"
    engine.apply(both_books(T0 + NS)[0])  # evaluates, places again
    engine.flush(T0 + NS)
    cid = venue.submits[-1].client_order_id
    engine.apply(OrderRejected(cid, "not enough balance", T0 + NS + 1, T0 + NS + 1))
    assert sink.orders[-1].state == "REJECTED" and sink.orders[-1].reason == "not enough balance"
    assert engine.stats.orders_rejected == 1 and engine.stats.orders_cancelled == 1


def test_oms_errors_are_counted_and_logged_not_raised(caplog) -> None:
    engine, _, _sink, strat = _placed()
    caplog.set_level(logging.WARNING, logger="predtrade.engine")
    # an overfill, an invalid fill and an illegal transition (an ack for an unknown fill state)
    engine.apply(
        OrderFilled("v1", "t1", YES_TOKEN, px("0.45"), sz("11"), TradeStatus.MATCHED, T0 + 2, T0 + 2)
    )
    engine.apply(OrderFilled("v1", "t2", YES_TOKEN, px("0.45"), 0, TradeStatus.MATCHED, T0 + 3, T0 + 3))
    engine.apply(
        OrderFilled("v1", "t3", YES_TOKEN, px("0.45"), sz("10"), TradeStatus.MATCHED, T0 + 4, T0 + 4)
    )
    engine.apply(OrderCancelled("v1", T0 + 5, T0 + 5))  # FILLED -> CANCELLED is illegal
    engine.apply(CancelRejected("nobody", "not found", T0 + 6, T0 + 6))  # unknown: counted by the OMS

    assert engine.stats.oms_errors == {"Overfill": 1, "InvalidFill": 1, "IllegalTransition": 1}
    assert sum("refused by the OMS" in r.getMessage() for r in caplog.records) == 3
    assert engine.inventory.position(YES_TOKEN).shares == sz("10")  # only the valid fill booked
    # the loop goes on: a book change still evaluates
    n = len(strat.seen)
    engine.apply(both_books(T0 + NS, "0.46")[0])
    engine.flush(T0 + NS)
    assert len(strat.seen) == n + 1


def test_cancel_before_ack_is_sent_when_the_ack_lands() -> None:
    state = {"q": (desired("BUY", "0.45", "10"),)}
    strat = ScriptedStrategy(lambda s: quotes(*state["q"]))
    engine, venue, _sink = make_engine(strat, venue=FakeVenue(auto_ack=False))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    state["q"] = ()
    engine.apply(both_books(T0 + 1, "0.47")[0])
    engine.flush(T0 + 1)  # the decision drops the order before its ack
    assert venue.cancels == []
    assert engine.oms.get("pt-1").state.value == "PENDING_CANCEL"
    engine.apply(OrderAccepted("pt-1", "v1", T0 + 2, T0 + 2))
    assert [(c.client_order_id, c.venue_order_id) for c in venue.cancels] == [("pt-1", "v1")]


def test_venue_that_raises_on_submit_leaves_a_rejected_order() -> None:
    class Exploding(FakeVenue):
        def submit(self, req):
            raise RuntimeError("socket closed")

    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, _, sink = make_engine(strat, venue=Exploding())
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert sink.orders[-1].state == "REJECTED" and "socket closed" in sink.orders[-1].reason
    assert engine.inventory.reserved_cash == 0
    assert engine.risk.blocked == {"venue_error": 1}


def test_strategy_exception_is_counted_and_recorded() -> None:
    def boom(s):
        raise ZeroDivisionError("bad math")

    engine, _, sink = make_engine(ScriptedStrategy(boom))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert engine.stats.strategy_errors == 1
    assert sink.blocks[-1].gate == "strategy_error" and "bad math" in sink.blocks[-1].reason


def test_decision_records_carry_hashes_fair_value_mid_and_actions() -> None:
    from predtrade.strategies.api import Decision

    engine, venue, sink = make_engine(
        ScriptedStrategy(
            lambda s: Decision(quotes=(desired("BUY", "0.45", "10"),), reason="r", fair_value=0.51)
        )
    )
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    a, b = sink.decisions
    assert (a.seq, b.seq) == (1, 2)
    assert a.mid == px("0.48") + px("0.52") and a.fair_value == 0.51 and a.reason == "r"
    assert (a.actions, b.actions) == (1, 0)
    assert a.decision_hash == b.decision_hash  # same decision
    assert a.snapshot_hash != b.snapshot_hash  # our order now shows in the snapshot
    assert len(a.snapshot_hash) == 16 and b'"reason":"r"' in a.decision


# ---- finished orders are forgotten by the OMS after a grace period -----------------------------


def test_finished_order_is_forgotten_after_the_grace_period_and_late_news_is_harmless() -> None:
    from predtrade.engine.orders import FORGET_AFTER_NS

    engine, venue, sink, _ = _placed()
    cid = venue.submits[0].client_order_id
    engine.apply(OrderCancelled("v1", T0 + 5, T0 + 5))  # finished: its record is written
    assert sink.orders[-1].client_order_id == cid and engine.oms.knows(cid)
    engine.flush(T0 + 4 + FORGET_AFTER_NS)
    assert engine.oms.knows(cid)  # still inside the grace period
    t = T0 + 5 + FORGET_AFTER_NS
    engine.flush(t)
    assert not engine.oms.knows(cid) and engine.oms.stats.forgotten == 1
    assert engine.flow.next_forget is None
    # a fill for the forgotten order (the venue's straggler): unknown to the OMS, nothing booked,
    # no error, no record
    records = (len(sink.fills), len(sink.transitions), len(sink.orders))
    cash = engine.inventory.cash
    engine.apply(OrderFilled("v1", "late", YES_TOKEN, px("0.45"), sz("2"), TradeStatus.MATCHED, t + 1, t + 1))
    assert engine.inventory.cash == cash and engine.inventory.position(YES_TOKEN).shares == 0
    assert (len(sink.fills), len(sink.transitions), len(sink.orders)) == records
    assert engine.stats.oms_errors == {} and engine.oms.stats.forgotten_hits == 1


def test_orders_owed_late_fills_are_not_forgotten_until_the_fills_arrive() -> None:
    from predtrade.engine.orders import FORGET_AFTER_NS

    engine, venue, sink, _ = _placed()
    cid = venue.submits[0].client_order_id
    engine.apply(OrderCancelled("v1", T0 + 5, T0 + 5, "", sz("4")))  # 4 matched, not reported yet
    ms = engine.market_state(YES_TOKEN)
    assert cid in ms.late and engine.inventory.reserved_cash > 0
    t = T0 + 10 * FORGET_AFTER_NS
    engine.apply(OrderCancelled("v1", t, t))  # a repeat long after: nothing to forget yet
    assert engine.oms.knows(cid) and engine.inventory.reserved_cash > 0
    engine.apply(OrderFilled("v1", "t1", YES_TOKEN, px("0.45"), sz("4"), TradeStatus.MATCHED, t + 1, t + 1))
    assert engine.inventory.position(YES_TOKEN).shares == sz("4") and engine.inventory.reserved_cash == 0
    assert sink.orders[-1].client_order_id == cid and sink.orders[-1].filled == sz("4")
    engine.flush(t + FORGET_AFTER_NS)
    assert engine.oms.knows(cid)  # the grace period runs from when it finished
    engine.flush(t + 1 + FORGET_AFTER_NS)
    assert not engine.oms.knows(cid)
