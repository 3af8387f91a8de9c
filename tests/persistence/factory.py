"""Hand-built run records with every field defaulted (override what a test is about)."""

from __future__ import annotations

from typing import Any

from predtrade.backtest.records import (
    BlockedRecord,
    DecisionRecord,
    FillRecord,
    LatencyRecord,
    MarketRecord,
    MemorySink,
    OrderRecord,
    PnlPoint,
    RunInfo,
    TransitionRecord,
)

T0 = 1_774_000_000_000_000_000  # 2026-03-20T09:46:40Z in ns
SEC = 1_000_000_000
DAY = 86_400 * SEC
USDC = 1_000_000
UP, DOWN = "tok-up", "tok-down"


def info(**kw: Any) -> RunInfo:
    base: dict[str, Any] = dict(
        run_id="run-1",
        mode="backtest",
        strategy="amm",
        strategy_version=3,
        config={"spread": "0.02"},
        config_hash="abc123",
        data="/data/btc15m.csv.gz",
        data_format="vinayak-orderbook",
        started_at=T0,
        initial_cash=1000 * USDC,
        sim={"queue": "RiskAverse", "latency_ms": 50},
    )
    base.update(kw)
    return RunInfo(**base)


def market(cid: str = "m1", **kw: Any) -> MarketRecord:
    base: dict[str, Any] = dict(
        condition_id=cid,
        slug=f"btc-updown-15m-{cid}",
        token_ids=(f"{cid}-{UP}", f"{cid}-{DOWN}"),
        outcomes=("Up", "Down"),
        end_ts=T0 + 900 * SEC,
    )
    base.update(kw)
    return MarketRecord(**base)


def order(coid: str = "o1", **kw: Any) -> OrderRecord:
    base: dict[str, Any] = dict(
        client_order_id=coid,
        market="m1",
        asset_id=f"m1-{UP}",
        outcome="Up",
        side="BUY",
        price=4500,
        size=10 * USDC,
        tif="GTC",
        post_only=True,
        ts_submit=T0,
        state="CANCELLED",
        filled=0,
        ts_done=T0 + SEC,
        reason="replaced",
    )
    base.update(kw)
    return OrderRecord(**base)


def fill(n: int = 0, **kw: Any) -> FillRecord:
    base: dict[str, Any] = dict(
        ts=T0 + n * SEC,
        client_order_id=f"o{n}",
        trade_id=f"t{n}",
        market="m1",
        asset_id=f"m1-{UP}",
        outcome="Up",
        side="BUY",
        price=4500,
        size=10 * USDC,
        fee=0,
        liquidity="MAKER",
        source="trade",
    )
    base.update(kw)
    return FillRecord(**base)


def transition(**kw: Any) -> TransitionRecord:
    base: dict[str, Any] = dict(
        client_order_id="o1",
        from_state="OPEN",
        to_state="PARTIALLY_FILLED",
        cause="fill",
        ts_venue=T0 + 2 * SEC,
        ts_local=T0 + 2 * SEC + 5,
        fill_qty=3 * USDC,
        fill_price=4500,
        trade_id="t1",
    )
    base.update(kw)
    return TransitionRecord(**base)


def decision(seq: int = 0, **kw: Any) -> DecisionRecord:
    base: dict[str, Any] = dict(
        seq=seq,
        ts=T0 + seq * SEC,
        market="m1",
        snapshot_hash=f"s{seq}",
        decision_hash=f"d{seq}",
        reason="quote",
        fair_value=0.55,
        mid=2 * 5000,
        n_quotes=2,
        n_immediate=0,
        actions=1,
        decision=b'{"quotes":[]}',
    )
    base.update(kw)
    return DecisionRecord(**base)


def pnl(ts: int = T0, equity: int = 1000 * USDC, **kw: Any) -> PnlPoint:
    base: dict[str, Any] = dict(
        ts=ts,
        cash=equity,
        equity=equity,
        realized=0,
        unrealized=0,
        fees=0,
        reserved=0,
        positions={},
    )
    base.update(kw)
    return PnlPoint(**base)


def blocked(gate: str = "max_position", **kw: Any) -> BlockedRecord:
    base: dict[str, Any] = dict(ts=T0, market="m1", action="place", gate=gate, reason="over limit")
    base.update(kw)
    return BlockedRecord(**base)


def latency(ms: float = 42.5, **kw: Any) -> LatencyRecord:
    base: dict[str, Any] = dict(ts=T0, kind="place", ms=ms)
    base.update(kw)
    return LatencyRecord(**base)


def full_run(run_id: str = "run-1") -> MemorySink:
    """A small run with at least one record of every type (and two markets, one resolved)."""
    s = MemorySink()
    s.start(info(run_id=run_id))
    s.market(market("m1"))
    s.market(market("m2", end_ts=None))
    for i in range(3):
        s.order(order(f"o{i}", state=("FILLED", "CANCELLED", "REJECTED")[i], price=4500 + i))
        s.fill(fill(i, price=4500 + i, size=(i + 1) * USDC, fee=(-1) ** i * 1234))
    s.fill(fill(9, outcome="Down", asset_id=f"m1-{DOWN}", side="SELL", source="book", liquidity="TAKER"))
    s.transition(transition())
    for i in range(4):
        s.decision(
            decision(
                i,
                market="m1" if i < 3 else "m2",
                fair_value=None if i == 2 else 0.5 + i / 10,
                mid=None if i == 1 else 9000 + i,
            )
        )
    for i, eq in enumerate((1000, 1010, 990, 1005)):
        s.pnl(
            pnl(
                T0 + i * 60 * SEC,
                eq * USDC,
                realized=i * 7,
                unrealized=-i,
                positions={"Up": i * USDC, "btc-updown-15m-m2:Down": -i},
            )
        )
    s.blocked(blocked())
    s.latency(latency(42.5))
    s.latency(latency(7.25, kind="cancel"))
    s.market(market("m1", winning_outcome="Up", settled_pnl=-5 * USDC))
    s.finish({"events": 1234, "elapsed_s": 0.5})
    return s


def feed(src: MemorySink, sink: Any) -> None:
    """Send ``src``'s records into ``sink`` in the order full_run made them (close enough: tables
    in turn, with the resolution record last)."""
    from predtrade.backtest.metrics import replay

    replay(src, sink)
