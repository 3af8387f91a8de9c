"""A sink that keeps nothing (the engine's default when no run is being recorded)."""

from __future__ import annotations

from predtrade.backtest.records import (
    BlockedRecord,
    DecisionRecord,
    FillRecord,
    LatencyRecord,
    MarketRecord,
    OrderRecord,
    PnlPoint,
    RunInfo,
    TransitionRecord,
)


class NullSink:
    """Implements :class:`~predtrade.backtest.records.RunSink` by dropping every record."""

    def start(self, info: RunInfo) -> None:
        pass

    def market(self, rec: MarketRecord) -> None:
        pass

    def order(self, rec: OrderRecord) -> None:
        pass

    def fill(self, rec: FillRecord) -> None:
        pass

    def transition(self, rec: TransitionRecord) -> None:
        pass

    def decision(self, rec: DecisionRecord) -> None:
        pass

    def pnl(self, rec: PnlPoint) -> None:
        pass

    def blocked(self, rec: BlockedRecord) -> None:
        pass

    def latency(self, rec: LatencyRecord) -> None:
        pass

    def finish(self, summary: dict) -> None:
        pass
