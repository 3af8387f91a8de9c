"""When the engine evaluates: top-of-book changes, reference ticks, timers, our own order
updates; throttled per market on event time; never on a book that needs a resync."""

from __future__ import annotations

from predtrade.model import BookDeltas, Side

from ._fakes import (
    CID,
    NS,
    T0,
    ScriptedStrategy,
    both_books,
    deliver,
    deltas,
    desired,
    make_engine,
    quotes,
    ref,
)


def _started(**config):
    strat = ScriptedStrategy()
    engine, venue, sink = make_engine(strat, **config)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert len(strat.seen) == 1  # the first books are a top-of-book change
    return strat, engine, venue, sink


def test_deep_book_change_does_not_evaluate() -> None:
    strat, engine, _, _ = _started()
    engine.apply(deltas(T0 + NS, ("BUY", "0.40", "55"), ("SELL", "0.60", "10")))  # below/above the top
    engine.flush(T0 + NS)
    assert len(strat.seen) == 1
    assert engine.stats.triggers_top == 2  # only the two initial books


def test_top_of_book_price_or_size_change_evaluates() -> None:
    strat, engine, _, _ = _started()
    engine.apply(deltas(T0 + NS, ("BUY", "0.48", "150")))  # best bid size changed
    engine.flush(T0 + NS)
    engine.apply(deltas(T0 + 2 * NS, ("SELL", "0.51", "5")))  # new best ask
    engine.flush(T0 + 2 * NS)
    assert [s.ts for s in strat.seen] == [T0, T0 + NS, T0 + 2 * NS]
    assert strat.seen[-1].books[0].best_ask == 5100


def test_throttle_defers_a_trigger_until_the_window_passes() -> None:
    strat, engine, _, _ = _started(min_eval_interval_s=0.5)
    engine.apply(deltas(T0 + NS // 10, ("BUY", "0.48", "150")))
    engine.flush(T0 + NS // 10)  # 0.1 s after the last evaluation: throttled, kept pending
    assert len(strat.seen) == 1
    assert engine.next_wake() == T0 + NS // 2
    engine.apply(deltas(T0 + NS // 5, ("BUY", "0.48", "160")))
    engine.flush(T0 + NS // 5)
    assert len(strat.seen) == 1
    engine.flush(T0 + NS // 2)  # the window has passed: one evaluation for both triggers
    assert len(strat.seen) == 2
    assert strat.seen[-1].books[0].best_bid_size == 160_000_000


def test_timer_fires_on_event_time() -> None:
    strat, engine, _, _ = _started(timer_s=1.0)
    engine.flush(T0 + NS // 2)
    assert len(strat.seen) == 1
    assert engine.next_wake() == T0 + NS
    engine.flush(T0 + NS)
    engine.flush(T0 + 2 * NS)
    assert [s.ts for s in strat.seen] == [T0, T0 + NS, T0 + 2 * NS]
    assert engine.stats.triggers_timer == 2


def test_reference_tick_evaluates_markets_with_a_strike() -> None:
    strat, engine, _, _ = _started()
    engine.apply(ref(T0 + NS, 100_000 * 10**8))
    engine.flush(T0 + NS)
    assert len(strat.seen) == 2
    assert strat.seen[-1].ref_price == 100_000 * 10**8


def test_reference_tick_does_not_evaluate_markets_without_a_round_open() -> None:
    from predtrade.testkit.snapshots import updown_market

    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat, market=updown_market(strike=None, start_ts=None))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    engine.apply(ref(T0 + NS, 100_000 * 10**8))
    engine.flush(T0 + NS)
    assert len(strat.seen) == 1


def test_reference_trigger_can_be_turned_off() -> None:
    strat, engine, _, _ = _started(eval_on_reference=False)
    engine.apply(ref(T0 + NS, 100_000 * 10**8))
    engine.flush(T0 + NS)
    assert len(strat.seen) == 1


def test_our_order_changing_state_evaluates() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, _ = make_engine(strat)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert len(venue.submits) == 1
    deliver(engine, venue, T0 + NS)  # the ack: trigger (d)
    assert len(strat.seen) == 2
    assert engine.stats.triggers_order == 1
    assert len(venue.submits) == 1  # the same decision keeps the working order


def test_book_needing_resync_blocks_evaluation_cancels_and_records_once() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, sink = make_engine(strat)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    n_eval = len(strat.seen)
    # a sequence gap marks the YES book for resync
    engine.apply(BookDeltas(*_delta_args(T0 + 2 * NS, seq=1)))
    engine.apply(BookDeltas(*_delta_args(T0 + 2 * NS, seq=5)))
    engine.flush(T0 + 2 * NS)
    engine.apply(deltas(T0 + 3 * NS, ("BUY", "0.48", "170")))
    engine.flush(T0 + 3 * NS)
    assert len(strat.seen) == n_eval  # no evaluation while the book is wrong
    assert [c.client_order_id for c in venue.cancels] == ["pt-1"]  # protective cancel
    blocked = [b for b in sink.blocks if b.gate == "book_resync"]
    assert len(blocked) == 1 and "sequence gap" in blocked[0].reason
    assert engine.stats.skipped_resync == 2


def test_book_resync_hold_mode_keeps_orders() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, _ = make_engine(strat, on_book_resync="hold")
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    engine.apply(BookDeltas(*_delta_args(T0 + 2 * NS, seq=1)))
    engine.apply(BookDeltas(*_delta_args(T0 + 2 * NS, seq=5)))
    engine.flush(T0 + 2 * NS)
    assert venue.cancels == []


def _delta_args(ts: int, *, seq: int) -> tuple:
    from ._fakes import YES_TOKEN

    return (YES_TOKEN, CID, ((Side.BUY, 4000, 1_000_000),), ts, ts, None, None, None, seq)
