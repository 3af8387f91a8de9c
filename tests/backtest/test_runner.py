"""The backtest runner: event-time driving order, streamed records, summary, determinism, and an
end-to-end run of the real AMM against the real simulated venue on the bundled sample."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from predtrade.backtest.records import FillRecord, MarketRecord, MemorySink, PnlPoint
from predtrade.backtest.runner import run_backtest
from predtrade.data.samples import sample_path
from predtrade.engine import EngineConfig, RiskConfig
from predtrade.model.events import Event
from predtrade.model.market import Market
from tests.engine._fakes import (
    CID,
    MARKET,
    NS,
    T0,
    FakeVenue,
    ScriptedStrategy,
    both_books,
    desired,
    quotes,
    ref,
    resolved,
)

SUMMARY_KEYS = {
    "events",
    "orders_placed",
    "orders_cancelled",
    "orders_rejected",
    "fills",
    "fills_by_outcome_side",
    "volume",
    "fees",
    "realized_pnl",
    "unrealized_pnl",
    "settled_pnl",
    "pnl",
    "requotes_avoided",
    "actions_deferred",
    "blocked_by_gate",
    "fill_sources",
    "wall_seconds",
    "events_per_second",
}


class ListRecording:
    """A recording held in memory (tests only: real readers stream from files)."""

    path = Path("memory")
    format = "test"

    def __init__(self, events: list[Event], markets: dict[str, Market]) -> None:
        self._events = events
        self._markets = markets

    def events(self):
        return iter(self._events)

    def markets(self) -> dict[str, Market]:
        return self._markets


class OrderedSink(MemorySink):
    """A memory sink that also keeps every record in arrival order."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[object] = []

    def fill(self, rec):
        super().fill(rec)
        self.log.append(rec)

    def pnl(self, rec):
        super().pnl(rec)
        self.log.append(rec)

    def market(self, rec):
        super().market(rec)
        self.log.append(rec)


class CallLog(FakeVenue):
    """A fake venue that logs the runner's calls."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.calls: list[tuple[str, int]] = []

    def advance(self, ts):
        out = super().advance(ts)
        self.calls.append(("advance", ts))
        return out

    def on_market_event(self, ev):
        self.calls.append(("market", ev.ts_local))
        super().on_market_event(ev)

    def submit(self, req):
        self.calls.append(("submit", req.ts))
        super().submit(req)


def _stream() -> list[Event]:
    evs: list[Event] = []
    for i in range(5):  # the YES ask dips to 0.47 at T0 + 3 s (fills a resting bid at 0.47)
        t = T0 + i * NS
        bid, ask = ("0.46", "0.47") if i == 3 else ("0.48" if i % 2 else "0.47", "0.52")
        evs += both_books(t, bid, ask)
        evs.append(ref(t, 100_000 * 10**8 + i))
    evs.append(resolved(T0 + 10 * NS))
    return evs


def _run(strategy, venue, sink=None, **kw):
    sink = sink if sink is not None else MemorySink()
    summary = run_backtest(
        ListRecording(_stream(), {CID: MARKET}),
        strategy,
        venue_factory=lambda markets, books: venue,
        engine_config=EngineConfig(timer_s=None, **kw),
        risk_config=RiskConfig(no_buy_last_s=0),
        sink=sink,
    )
    return summary, sink


def test_driving_order_venue_first_then_events_then_decisions() -> None:
    venue = CallLog(latency_ns=NS // 2)
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    _run(strat, venue)
    calls = venue.calls
    assert calls[:6] == [
        # both books and the reference of instant T0 reach the venue before the decision of T0
        ("market", T0),
        ("market", T0),
        ("market", T0),
        ("submit", T0),
        # the ack due at T0 + 0.5 s is delivered at its own time, before the events of T0 + 1 s
        ("advance", T0 + NS // 2),
        ("market", T0 + NS),
    ]
    assert strat.seen[1].ts == T0 + NS // 2  # the ack was evaluated at its own time
    assert strat.seen[0].books[1].asset_id == MARKET.token_ids[1]  # the NO book was there too


def test_summary_and_records() -> None:
    venue = FakeVenue(fill_on_cross=True)
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.47", "10")))
    summary, sink = _run(strat, venue)
    assert set(summary) >= SUMMARY_KEYS
    assert summary["events"] == len(_stream())
    assert summary["fills"] == 1 and summary["fills_by_outcome_side"] == {"Up": {"BUY": 1, "SELL": 0}}
    assert summary["volume"] == "4.7"
    assert summary["fill_sources"] == {"book": 1}
    # bought 10 Up at 0.47, Up won: +5.3
    assert summary["settled_pnl"] == "5.3" and summary["pnl"] == "5.3" and summary["unrealized_pnl"] == "0"
    assert sink.info is not None and sink.info.mode == "backtest" and sink.summary == summary
    assert [m.winning_outcome for m in sink.markets] == ["Up"]
    assert {o.client_order_id for o in sink.orders} == {r.client_order_id for r in venue.submits}


def test_unresolved_positions_are_marked_at_mid() -> None:
    venue = FakeVenue(fill_on_cross=True)
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.47", "10")))
    sink = MemorySink()
    summary = run_backtest(
        ListRecording(_stream()[:-1], {CID: MARKET}),  # no resolution
        strat,
        venue_factory=lambda m, b: venue,
        engine_config=EngineConfig(timer_s=None),
        risk_config=RiskConfig(no_buy_last_s=0),
        sink=sink,
    )
    # last books: YES 0.47/0.52 -> mark 0.495; 10 shares bought at 0.47: +0.25
    assert summary["unrealized_pnl"] == "0.25" and summary["pnl"] == "0.25"
    assert sink.markets[0].winning_outcome is None
    assert sink.pnl_points[-1].unrealized == 250_000


def test_progress_is_reported() -> None:
    seen = []
    run_backtest(
        ListRecording(_stream(), {CID: MARKET}),
        ScriptedStrategy(),
        venue_factory=lambda m, b: FakeVenue(),
        sink=MemorySink(),
        progress=lambda n, ts: seen.append((n, ts)),
        progress_every=4,
    )
    n = len(_stream())  # 16
    assert [k for k, _ in seen] == [4, 8, 12, 16, n]  # every 4 events, and once at the end
    assert seen[-1][1] == T0 + 10 * NS


@pytest.mark.parametrize("every", [1, 3, 7, 16, 17, 0])
def test_progress_and_event_count_for_any_interval(every: int) -> None:
    seen = []
    summary = run_backtest(
        ListRecording(_stream(), {CID: MARKET}),
        ScriptedStrategy(),
        venue_factory=lambda m, b: FakeVenue(),
        sink=MemorySink(),
        progress=lambda n, ts: seen.append(n),
        progress_every=every,
    )
    n = len(_stream())
    assert summary["events"] == n
    want = list(range(every, n + 1, every)) if every else []
    assert seen == [*want, n]


# ---- the real thing -----------------------------------------------------------------------------


def _amm_run(path: Path, **config):
    from predtrade.strategies import build_strategy
    from predtrade.venues.sim import SimVenue

    sink = OrderedSink()
    summary = run_backtest(
        path,
        build_strategy("amm"),
        venue_factory=lambda markets, books: SimVenue(markets, books),
        engine_config=EngineConfig(**config),
        sink=sink,
    )
    return summary, sink


@pytest.fixture(scope="module")
def btc15m():
    return _amm_run(sample_path("btc15m"))


def test_end_to_end_amm_on_the_btc15m_sample(btc15m) -> None:
    summary, sink = btc15m
    assert set(summary) >= SUMMARY_KEYS
    assert summary["fills"] > 10
    assert summary["orders_placed"] / summary["fills"] < 50  # no requote storm (seed 000: 594)
    assert summary["requotes_avoided"] > 0
    assert summary["fill_sources"] and sum(summary["fill_sources"].values()) == summary["fills"]
    assert len(sink.fills) == summary["fills"] and len(sink.decisions) == summary["evaluations"]
    assert len(sink.markets) == 3 and all(m.winning_outcome for m in sink.markets)
    assert sum(len(v) for v in (sink.orders,)) == summary["orders_placed"]  # one record per order
    for p in sink.pnl_points:  # cash never negative, nor what is left after reservations
        assert p.cash >= 0 and p.cash - p.reserved >= 0


def test_positions_always_equal_the_sum_of_fills(btc15m) -> None:
    _, sink = btc15m
    net: dict[str, int] = defaultdict(int)
    slug = {}
    for rec in sink.log:
        if isinstance(rec, FillRecord):
            label = f"{rec.market}:{rec.outcome}"
            net[label] += rec.size if rec.side == "BUY" else -rec.size
            slug[label] = rec.market
        elif isinstance(rec, MarketRecord):  # settled: both positions closed
            for k in [k for k in net if k.startswith(rec.condition_id + ":")]:
                del net[k]
        elif isinstance(rec, PnlPoint):
            assert rec.positions == {k: v for k, v in net.items() if v}


def test_pnl_identity(btc15m) -> None:
    from decimal import Decimal

    summary, sink = btc15m
    pnl = Decimal(summary["realized_pnl"]) - Decimal(summary["fees"]) + Decimal(summary["unrealized_pnl"])
    assert pnl == Decimal(summary["pnl"])
    assert Decimal(summary["final_equity"]) - Decimal(summary["initial_cash"]) == pnl
    assert sum(m.settled_pnl for m in sink.markets) == int(Decimal(summary["settled_pnl"]) * 10**6)


def test_same_data_and_config_give_identical_decisions_and_fills(btc15m) -> None:
    _, first = btc15m
    _, again = _amm_run(sample_path("btc15m"))
    key = lambda d: (d.seq, d.ts, d.market, d.snapshot_hash, d.decision_hash, d.actions)  # noqa: E731
    assert [key(d) for d in again.decisions] == [key(d) for d in first.decisions]
    assert again.fills == first.fills
    assert again.orders == first.orders


def test_end_to_end_on_the_bookpoly_depth_sample() -> None:
    summary, sink = _amm_run(sample_path("btc1h"))
    assert summary["events"] > 0 and summary["evaluations"] > 0
    assert len(sink.decisions) == summary["evaluations"]
    for p in sink.pnl_points:
        assert p.cash >= 0
