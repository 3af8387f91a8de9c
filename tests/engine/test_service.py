"""TradingService: typed, frozen answers; halt / resume / cancel_all act on the engine."""

from __future__ import annotations

import msgspec
import pytest

from predtrade.engine import TradingService
from predtrade.model import OrderFilled, TradeStatus

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


@pytest.fixture
def running():
    strat = ScriptedStrategy(
        lambda s: quotes(desired("BUY", "0.45", "10"), desired("BUY", "0.40", "5", token=NO_TOKEN))
    )
    engine, venue, _sink = make_engine(strat)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    engine.apply(
        OrderFilled(
            "v-pt-1", "t1", YES_TOKEN, px("0.45"), sz("4"), TradeStatus.MATCHED, T0 + 2 * NS, T0 + 2 * NS
        )
    )
    return engine, venue, TradingService(engine)


def test_status_is_a_frozen_snapshot(running) -> None:
    engine, _, svc = running
    st = svc.status()
    with pytest.raises(AttributeError):
        st.halted = True  # type: ignore[misc]
    assert st.open_orders == 2 and st.fills == 1 and st.orders_placed == 2
    assert st.cash == engine.inventory.cash
    assert st.reserved_cash == engine.inventory.reserved_cash > 0
    assert st.equity == engine.accounts.equity()
    assert st.markets_active == 1 and not st.halted
    # a later event does not change an answer already handed out
    engine.apply(
        OrderFilled(
            "v-pt-1", "t2", YES_TOKEN, px("0.45"), sz("6"), TradeStatus.MATCHED, T0 + 3 * NS, T0 + 3 * NS
        )
    )
    assert st.fills == 1 and svc.status().fills == 2


def test_positions_and_orders(running) -> None:
    _, _, svc = running
    (pos,) = svc.positions()
    assert (pos.asset_id, pos.outcome, pos.shares, pos.avg_price) == (YES_TOKEN, "Up", sz("4"), px("0.45"))
    assert pos.mark == (px("0.48") + px("0.52")) // 2
    assert pos.unrealized_pnl == pos.shares * pos.mark // 10_000 - pos.cost
    orders = svc.orders()
    assert [(o.client_order_id, o.state, o.remaining) for o in orders] == [
        ("pt-1", "PARTIALLY_FILLED", sz("6")),
        ("pt-2", "OPEN", sz("5")),
    ]
    assert msgspec.json.decode(msgspec.json.encode(orders[0]), type=type(orders[0])) == orders[0]


def test_halt_resume_and_cancel_all(running) -> None:
    engine, venue, svc = running
    r = svc.cancel_all()
    assert r.ok and r.cancels_sent == 2 and len(venue.cancels) == 2
    assert svc.cancel_all().cancels_sent == 0  # pending cancels are not cancelled again
    h = svc.halt("operator says stop")
    assert h.ok and svc.status().halted and svc.status().halt_reason == "operator says stop"
    assert not svc.halt("twice").ok
    assert svc.resume().ok and not svc.status().halted
    assert not svc.resume().ok
    deliver(engine, venue, T0 + 4 * NS)  # cancel acks, then (resumed) the strategy quotes again
    assert [o.client_order_id for o in svc.orders()] == ["pt-3", "pt-4"]
    done = [o for o in svc.orders(open_only=False) if o.client_order_id in ("pt-1", "pt-2")]
    assert [o.state for o in done] == ["CANCELLED", "CANCELLED"]
