"""Each risk gate refuses with its name and a reason, and leaves a BlockedRecord; halts cancel
every working order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from predtrade.engine import RiskConfig
from predtrade.engine.risk import RiskManager
from predtrade.model import OrderFilled, Side, TradeStatus

from ._fakes import (
    NO_TOKEN,
    NS,
    START_TS,
    T0,
    YES_TOKEN,
    ScriptedStrategy,
    both_books,
    deliver,
    desired,
    make_engine,
    px,
    quotes,
    resolved,
    sz,
    updown_market,
)

END_TS = updown_market().end_ts


def _run(decision_orders, *, risk: RiskConfig, at: int = T0, **config):
    engine, venue, sink = make_engine(
        ScriptedStrategy(lambda s: quotes(*decision_orders)), risk=risk, **config
    )
    for ev in both_books(at):
        engine.apply(ev)
    engine.flush(at)
    return engine, venue, sink


@pytest.mark.parametrize(
    ("orders", "risk", "at", "gate", "needle"),
    [
        pytest.param(
            [desired("BUY", "0.45", "4")], RiskConfig(), T0, "order_sanity", "minimum", id="min_size"
        ),
        pytest.param(
            [desired("BUY", "0.455", "10")], RiskConfig(), T0, "order_sanity", "tick", id="off_tick"
        ),
        pytest.param(
            [desired("BUY", "0.45", "10")],
            RiskConfig(start_halted=True),
            T0,
            "emergency_stop",
            "started halted",
            id="emergency_stop",
        ),
        pytest.param(
            [desired("BUY", "0.45", "10")],
            RiskConfig(no_buy_first_s=45),
            START_TS + 10 * NS,
            "window_time",
            "first 45",
            id="window_open",
        ),
        pytest.param(
            [desired("BUY", "0.45", "10")],
            RiskConfig(no_buy_last_s=30),
            END_TS - 10 * NS,
            "window_time",
            "last 30",
            id="window_close",
        ),
        pytest.param(
            [desired("BUY", "0.45", "100")],
            RiskConfig(max_market_collateral=Decimal("40")),
            T0,
            "market_collateral",
            "> 40000000",
            id="market_collateral",
        ),
        pytest.param(
            [desired("BUY", "0.45", "100")],
            RiskConfig(bankroll=Decimal("40"), max_market_collateral=None),
            T0,
            "bankroll",
            "> 40000000",
            id="bankroll",
        ),
    ],
)
def test_gate_refuses_with_its_name_and_a_record(orders, risk, at, gate, needle) -> None:
    engine, venue, sink = _run(orders, risk=risk, at=at)
    assert venue.submits == []
    assert engine.risk.blocked == {gate: 1}
    (rec,) = sink.blocks
    assert rec.gate == gate and needle in rec.reason
    # a halted engine does not evaluate at all: the record is about the evaluation
    assert rec.action == ("evaluate" if gate == "emergency_stop" else "place")
    assert rec.ts == at


def test_window_guard_lets_sells_through() -> None:
    engine, venue, _ = make_engine(
        ScriptedStrategy(lambda s: quotes(desired("SELL", "0.55", "10"))),
        risk=RiskConfig(no_buy_last_s=30),
    )
    engine.inventory.cash += 0  # a sell needs shares: give the account some via a fill first
    _give_shares(engine, venue, YES_TOKEN, "10")
    at = END_TS - 10 * NS
    for ev in both_books(at):
        engine.apply(ev)
    engine.flush(at)
    assert [r.side for r in venue.submits][-1] is Side.SELL
    assert "window_time" not in engine.risk.blocked


def test_collateral_counts_positions_and_reservations_in_the_market() -> None:
    # 10 @ 0.45 = 4.5 dollars fits an 8-dollar cap; another 10 @ 0.44 (4.4 more) does not
    _engine, venue, sink = _run(
        [desired("BUY", "0.45", "10"), desired("BUY", "0.44", "10")],
        risk=RiskConfig(max_market_collateral=Decimal("8")),
    )
    assert len(venue.submits) == 1
    assert [b.gate for b in sink.blocks] == ["market_collateral"]


def test_halt_cancels_everything_and_blocks_new_orders_until_resume() -> None:
    state = {"q": (desired("BUY", "0.45", "10"), desired("BUY", "0.40", "10", token=NO_TOKEN))}
    engine, venue, sink = make_engine(ScriptedStrategy(lambda s: quotes(*state["q"])))
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    assert engine.halt("operator") is True
    assert sorted(c.client_order_id for c in venue.cancels) == ["pt-1", "pt-2"]
    assert engine.halt("again") is False
    deliver(engine, venue, T0 + 2 * NS)  # cancel acks: evaluated, but halted -> nothing new
    assert len(venue.submits) == 2
    assert engine.stats.skipped_halted >= 1
    assert any(b.action == "halt" and b.gate == "emergency_stop" for b in sink.blocks)
    assert engine.resume() is True
    engine.apply(both_books(T0 + 3 * NS, "0.47")[0])
    engine.flush(T0 + 3 * NS)
    assert len(venue.submits) == 4


def test_daily_loss_limit_halts_for_the_day_then_resets() -> None:
    engine, venue, sink = make_engine(
        ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10"))),
        risk=RiskConfig(daily_loss_limit=Decimal("1")),
    )
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)  # day starts with equity 1000
    deliver(engine, venue, T0 + NS)
    _fill(engine, "pt-1", "0.45", "10", T0 + 2 * NS)  # long 10 YES at 0.45
    # YES collapses to 0.20/0.22: unrealized -2.4 < -1
    for ev in both_books(T0 + 3 * NS, "0.20", "0.22"):
        engine.apply(ev)
    engine.flush(T0 + 3 * NS)
    assert engine.risk.halted and engine.risk.halt_gate == "daily_loss"
    assert any(b.gate == "daily_loss" and b.action == "halt" for b in sink.blocks)
    next_day = (T0 // (86_400 * NS) + 1) * 86_400 * NS
    engine.apply(both_books(next_day, "0.21", "0.23")[0])
    engine.flush(next_day)
    assert not engine.risk.halted


def test_consecutive_losses_halt_after_n_losing_markets() -> None:
    rm = RiskManager(RiskConfig(max_consecutive_losses=2), sink=_NullSink())
    assert rm.on_settled(-5, traded=True) is False
    assert rm.on_settled(0, traded=False) is False  # not traded: does not reset the streak
    assert rm.on_settled(-1, traded=True) is True
    assert rm.halted and rm.halt_gate == "consecutive_losses"
    rm.resume()
    assert rm.on_settled(-1, traded=True) is False  # the streak restarted at resume
    assert rm.on_settled(3, traded=True) is False and rm.loss_streak == 0


def test_consecutive_losses_in_the_engine_come_from_settlements() -> None:
    engine, venue, _sink = make_engine(
        ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10"))),
        risk=RiskConfig(max_consecutive_losses=1),
    )
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    deliver(engine, venue, T0 + NS)
    _fill(engine, "pt-1", "0.45", "10", T0 + 2 * NS)
    engine.apply(resolved(T0 + 3 * NS, winner=NO_TOKEN, label="Down"))  # our YES lost
    assert engine.risk.halted and engine.risk.halt_gate == "consecutive_losses"


def test_risk_config_refuses_bad_values() -> None:
    with pytest.raises(ValueError):
        RiskConfig(daily_loss_limit=Decimal("-1"))
    with pytest.raises(ValueError):
        RiskConfig(max_consecutive_losses=0)
    with pytest.raises(ValueError):
        RiskConfig(bankroll=Decimal("0.0000001"))


# ---- helpers ------------------------------------------------------------------------------------


class _NullSink:
    def blocked(self, rec) -> None:
        pass


def _fill(engine, cid: str, price: str, size: str, ts: int) -> None:
    order = engine.oms.get(cid)
    engine.apply(
        OrderFilled(
            order.venue_order_id,
            f"trade-{cid}-{ts}",
            order.asset_id,
            px(price),
            sz(size),
            TradeStatus.MATCHED,
            ts,
            ts,
        )
    )


def _give_shares(engine, venue, token: str, size: str) -> None:
    """Buy ``size`` of ``token`` at 0.45 through the engine's own OMS (outside any strategy)."""
    order = engine.oms.submit(
        market=engine.market_state(token).cid,
        asset_id=token,
        side=Side.BUY,
        price=px("0.45"),
        size=sz(size),
        ts_local=START_TS,
    )
    engine.market_state(token).orders[order.client_order_id] = order
    from predtrade.model import OrderAccepted

    engine.apply(OrderAccepted(order.client_order_id, "v-given", START_TS, START_TS))
    engine.apply(
        OrderFilled(
            "v-given", "t-given", token, px("0.45"), sz(size), TradeStatus.MATCHED, START_TS, START_TS
        )
    )
