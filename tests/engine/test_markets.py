"""Markets the engine learns about and the events that change them: NewMarket, tick size
changes, top-of-book-only feeds; the engine config's validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from predtrade.engine import Engine, EngineConfig
from predtrade.model import BestBidAsk, NewMarket, TickSizeChange

from ._fakes import (
    CID,
    NO_TOKEN,
    NS,
    T0,
    YES_TOKEN,
    FakeVenue,
    ScriptedStrategy,
    both_books,
    desired,
    make_engine,
    px,
    quotes,
    sz,
)


def test_new_market_event_adds_a_tradeable_market() -> None:
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10", token="y2")))
    engine = Engine(strat, venue=FakeVenue(), config=EngineConfig(timer_s=None, min_eval_interval_s=0))
    engine.apply(NewMarket("0xnew", ("y2", "n2"), ("Up", "Down"), "btc-new", "Up or down?", T0, T0, tick=100))
    ms = engine.market_state("btc-new")
    assert ms is not None and ms.cid == "0xnew" and ms.tokens == ("y2", "n2")
    for ev in both_books(T0):
        engine.apply(
            ev.__class__(
                *(("y2", "0xnew") if ev.asset_id == YES_TOKEN else ("n2", "0xnew")),
                ev.bids,
                ev.asks,
                ev.ts_venue,
                ev.ts_local,
            )
        )
    engine.flush(T0)
    assert strat.seen[-1].market.outcomes == ("Up", "Down")
    assert engine.stats.orders_placed == 1


def test_events_of_unknown_markets_are_ignored() -> None:
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat)
    from ._fakes import book

    engine.apply(book(T0, token="someone-else", market="0xother"))
    engine.flush(T0)
    assert strat.seen == [] and "someone-else" in engine.books  # the store still keeps it


def test_tick_size_change_reaches_the_snapshot_market() -> None:
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.apply(TickSizeChange(YES_TOKEN, CID, 100, 10, T0, T0))
    engine.apply(both_books(T0 + NS, "0.481", "0.52")[0])
    engine.flush(T0 + NS)
    assert strat.seen[-1].market.tick == 10
    assert strat.seen[-1].books[0].best_bid == px("0.481")


def test_top_of_book_only_feed_is_evaluated() -> None:
    strat = ScriptedStrategy()
    engine, _, _ = make_engine(strat)
    engine.apply(BestBidAsk(YES_TOKEN, CID, px("0.40"), px("0.44"), T0, T0, sz("12"), sz("7")))
    engine.apply(BestBidAsk(NO_TOKEN, CID, px("0.56"), px("0.60"), T0, T0, sz("7"), sz("12")))
    engine.flush(T0)
    s = strat.seen[-1]
    assert s.books[0].bids == ((px("0.40"), sz("12")),) and s.books[0].asks == ((px("0.44"), sz("7")),)
    assert s.books[1].best_bid == px("0.56")
    engine.apply(BestBidAsk(YES_TOKEN, CID, px("0.40"), px("0.44"), T0 + NS, T0 + NS, sz("12"), sz("7")))
    engine.flush(T0 + NS)
    assert len(strat.seen) == 1  # same top: no trigger


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"initial_cash": Decimal("-1")}, id="negative_cash"),
        pytest.param({"initial_cash": Decimal("0.0000001")}, id="sub_micro_cash"),
        pytest.param({"book_depth": 0}, id="depth"),
        pytest.param({"timer_s": 0.0}, id="timer"),
        pytest.param({"size_tolerance_bps": 10_001}, id="tolerance"),
        pytest.param({"rate_limit_burst": 0}, id="burst"),
        pytest.param({"vol_halflife_s": 0.0}, id="halflife"),
    ],
)
def test_engine_config_refuses_impossible_values(kw) -> None:
    with pytest.raises(ValueError):
        EngineConfig(**kw)


def test_engine_config_round_trips_through_json() -> None:
    import msgspec

    c = EngineConfig(initial_cash=Decimal("250.5"), timer_s=None)
    again = msgspec.json.decode(msgspec.json.encode(c), type=EngineConfig)
    assert again == c
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"initial_cash": "1", "unknown_knob": 1}, EngineConfig)
