"""A sink that keeps nothing (the engine's default when no run is being recorded).

A sink may say that it drops decision records with a class attribute ``keeps_decisions = False``:
the engine then skips building them (the snapshot hash and the decision's JSON and hash are a
fifth of an evaluation) and only counts them. A sink without the attribute keeps them, so every
other sink needs no change; see :func:`keeps_decisions`."""

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


def keeps_decisions(sink: object) -> bool:
    """Whether ``sink`` wants :class:`DecisionRecord` s (``keeps_decisions`` attribute, default
    True: only a sink that says so is skipped)."""
    return getattr(sink, "keeps_decisions", True) is not False


class NullSink:
    """Implements :class:`~predtrade.backtest.records.RunSink` by dropping every record."""

    #: the engine builds no decision records for this sink (it only counts them)
    keeps_decisions = False

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
