"""What a run (backtest, paper or live) records, and the sink it records into.

The engine and the backtest runner write these records as they happen into a :class:`RunSink`
(an in-memory list for tests, SQLite for stored runs), so memory stays flat however long the
stream is. Reports, metrics and the parity check read them back. Money, prices and sizes are
fixed-point ints as everywhere else (prices 1e-4, sizes and cash 1e-6); timestamps are Unix ns.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import msgspec


class RunInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One run's identity: what ran on what."""

    run_id: str
    mode: str  # "backtest" | "paper" | "live"
    strategy: str
    strategy_version: int
    config: dict
    config_hash: str
    data: str
    data_format: str
    started_at: int  # wall clock, ns
    initial_cash: int
    sim: dict = msgspec.field(default_factory=dict)  # simulator models and parameters


class MarketRecord(msgspec.Struct, frozen=True, kw_only=True):
    condition_id: str
    slug: str
    token_ids: tuple[str, str]
    outcomes: tuple[str, str]
    end_ts: int | None = None
    winning_outcome: str | None = None  # label, set at resolution
    settled_pnl: int | None = None  # realized PnL of this market's settlement (cash 1e-6)


class OrderRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An order as it ended (or as it stands when the run ended)."""

    client_order_id: str
    market: str
    asset_id: str
    outcome: str  # label of the token, e.g. "Up"
    side: str  # "BUY" | "SELL"
    price: int
    size: int
    tif: str
    post_only: bool
    ts_submit: int
    state: str
    filled: int
    ts_done: int | None = None
    reason: str = ""  # reject / cancel reason


class FillRecord(msgspec.Struct, frozen=True, kw_only=True):
    ts: int
    client_order_id: str
    trade_id: str
    market: str
    asset_id: str
    outcome: str
    side: str
    price: int
    size: int
    fee: int  # cash we paid (negative: a rebate we earned)
    liquidity: str  # "MAKER" | "TAKER"
    source: str = ""  # simulator: "trade" (recorded trade print), "book" (book moved through), "taker"


class TransitionRecord(msgspec.Struct, frozen=True, kw_only=True):
    client_order_id: str
    from_state: str
    to_state: str
    cause: str
    ts_venue: int
    ts_local: int
    fill_qty: int = 0
    fill_price: int = 0
    trade_id: str = ""


class DecisionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One strategy evaluation: the snapshot's hash and what was decided, so that two runs can be
    compared decision by decision (``predtrade parity``)."""

    seq: int
    ts: int
    market: str
    snapshot_hash: str
    decision_hash: str
    reason: str
    fair_value: float | None
    mid: int | None  # YES mid x2 in price units (exact), None when a side is empty
    n_quotes: int
    n_immediate: int
    actions: int  # place + cancel actions this decision caused
    decision: bytes = b""  # msgspec-JSON of the Decision


class PnlPoint(msgspec.Struct, frozen=True, kw_only=True):
    """Account state at one instant. ``equity`` = cash + positions marked at mid (exact ints)."""

    ts: int
    cash: int
    equity: int
    realized: int
    unrealized: int
    fees: int
    reserved: int
    positions: dict[str, int]  # outcome label ("Up", "Down", or "<slug>:Up" across markets) -> shares


class BlockedRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An action a risk gate refused, and why."""

    ts: int
    market: str
    action: str  # "place" | "cancel" | "immediate"
    gate: str
    reason: str


class LatencyRecord(msgspec.Struct, frozen=True, kw_only=True):
    ts: int
    kind: str  # "place" | "cancel"
    ms: float  # simulated or measured round trip


@runtime_checkable
class RunSink(Protocol):
    """Where a run's records go. Implementations must not hold unbounded state in memory beyond
    what they are asked to keep (the SQLite sink batches and flushes)."""

    def start(self, info: RunInfo) -> None: ...
    def market(self, rec: MarketRecord) -> None: ...
    def order(self, rec: OrderRecord) -> None: ...
    def fill(self, rec: FillRecord) -> None: ...
    def transition(self, rec: TransitionRecord) -> None: ...
    def decision(self, rec: DecisionRecord) -> None: ...
    def pnl(self, rec: PnlPoint) -> None: ...
    def blocked(self, rec: BlockedRecord) -> None: ...
    def latency(self, rec: LatencyRecord) -> None: ...
    def finish(self, summary: dict) -> None: ...


class MemorySink:
    """Keeps everything in lists (tests, small runs)."""

    def __init__(self) -> None:
        self.info: RunInfo | None = None
        self.markets: list[MarketRecord] = []
        self.orders: list[OrderRecord] = []
        self.fills: list[FillRecord] = []
        self.transitions: list[TransitionRecord] = []
        self.decisions: list[DecisionRecord] = []
        self.pnl_points: list[PnlPoint] = []
        self.blocks: list[BlockedRecord] = []
        self.latencies: list[LatencyRecord] = []
        self.summary: dict | None = None

    def start(self, info: RunInfo) -> None:
        self.info = info

    def market(self, rec: MarketRecord) -> None:
        self.markets.append(rec)

    def order(self, rec: OrderRecord) -> None:
        self.orders.append(rec)

    def fill(self, rec: FillRecord) -> None:
        self.fills.append(rec)

    def transition(self, rec: TransitionRecord) -> None:
        self.transitions.append(rec)

    def decision(self, rec: DecisionRecord) -> None:
        self.decisions.append(rec)

    def pnl(self, rec: PnlPoint) -> None:
        self.pnl_points.append(rec)

    def blocked(self, rec: BlockedRecord) -> None:
        self.blocks.append(rec)

    def latency(self, rec: LatencyRecord) -> None:
        self.latencies.append(rec)

    def finish(self, summary: dict) -> None:
        self.summary = summary
