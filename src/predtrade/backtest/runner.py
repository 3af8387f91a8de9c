"""Replay a recording through the engine and a simulated venue, on event time, as fast as the CPU
allows, streamed (the event list is never materialised; records go to the sink as they happen).

Per recorded instant ``t`` (all events sharing one ``ts_local``):

1. the venue is advanced to ``t``: whatever it has to say by then (acks, fills, cancels) goes into
   the engine *at its own time*, and the engine evaluates what those answers triggered there (as
   it does for its timers and throttled triggers coming due before ``t``);
2. each event at ``t``: ``engine.apply(ev)`` (books, reference, resolutions: the engine owns the
   book store, the venue reads it), then ``venue.on_market_event(ev)`` (resting orders trade);
3. ``engine.flush(t)``: strategies see the whole instant, actions go to ``venue.submit/cancel``.

At the end the venue is drained (answers only, no new decisions), open positions are marked at
mid, a final OrderRecord is written per order still working, and the summary is returned (and
given to ``sink.finish``). Same data and config give the same decisions and fills.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from math import gcd
from pathlib import Path
from typing import Any, Protocol

import msgspec

from predtrade.backtest.records import LatencyRecord, RunInfo, RunSink
from predtrade.book import BookStore
from predtrade.data.recording import open_recording
from predtrade.engine.config import EngineConfig
from predtrade.engine.loop import Engine
from predtrade.engine.risk import RiskConfig
from predtrade.model.events import Event
from predtrade.model.market import Market
from predtrade.model.units import format_cash, format_fixed
from predtrade.strategies.api import Strategy
from predtrade.venues.base import SimulatedVenue

VenueFactory = Callable[[dict[str, Market], BookStore], SimulatedVenue]

#: the drain after the last event stops after this many venue wake-ups (a venue that keeps
#: talking forever is a bug, not a reason to hang)
_MAX_DRAIN = 1_000_000
#: simulated latency samples are moved from the venue to the sink every this many events
_CHUNK = 10_000


class _Recording(Protocol):
    path: Path
    format: str

    def events(self) -> Iterable[Event]: ...
    def markets(self) -> dict[str, Market]: ...


def run_backtest(
    recording: _Recording | str | Path,
    strategy: Strategy,
    *,
    venue_factory: VenueFactory,
    engine_config: EngineConfig | None = None,
    risk_config: RiskConfig | None = None,
    sink: RunSink,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 10_000,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Run ``strategy`` over ``recording`` (a reader or a path) against the venue that
    ``venue_factory(markets, books)`` builds; records go to ``sink`` (started here with a
    :class:`RunInfo`, finished with the summary). ``progress(events, ts)`` is called every
    ``progress_every`` events. Returns the summary dict."""
    rec = open_recording(recording) if isinstance(recording, str | Path) else recording
    ec = engine_config if engine_config is not None else EngineConfig()
    rc = risk_config if risk_config is not None else RiskConfig()
    markets = dict(rec.markets())
    books = BookStore()
    venue = venue_factory(markets, books)
    engine = Engine(
        strategy,
        venue=venue,
        markets=markets,
        config=ec,
        risk=rc,
        sink=sink,
        books=books,
        # recorded books never contain our orders (unless the venue says it adds them)
        own_orders_in_books=bool(getattr(venue, "books_include_own_orders", False)),
    )
    sink.start(_run_info(rec, strategy, venue, ec, rc, engine.initial_cash, run_id))
    drain_lat = getattr(venue, "drain_latencies", None)
    wall0 = time.perf_counter()

    apply = engine.apply
    flush = engine.flush
    next_wake = engine.next_wake
    on_market = venue.on_market_event
    venue_next = venue.next_event_ts
    advance = venue.advance
    n = 0
    last: int | None = None
    every = progress_every if progress is not None and progress_every > 0 else 0
    # the loop body runs once per recorded event: it does the least it can (the checks of
    # ``_catch_up``'s first round are made inline, the rare work is counted down to)
    tick = gcd(_CHUNK, every) if every else _CHUNK  # n is checked at every multiple of both
    countdown = tick
    for ev in rec.events():
        t = ev.ts_local  # type: ignore[attr-defined]
        if t != last:
            if last is not None:
                flush(last)
            v = venue_next()
            if v is not None and v <= t:
                _catch_up(t, venue_next, next_wake, advance, apply, flush)
            else:
                w = next_wake()
                if w is not None and w < t:
                    _catch_up(t, venue_next, next_wake, advance, apply, flush)
            last = t
        apply(ev)
        on_market(ev)
        countdown -= 1
        if not countdown:
            n += tick
            countdown = tick
            if every and n % every == 0:
                progress(n, t)  # type: ignore[misc]
            if n % _CHUNK == 0 and drain_lat is not None:  # keep the venue's sample list short
                _write_latencies(sink, drain_lat())
    n += tick - countdown
    if last is not None:
        flush(last)
        _drain(venue_next, advance, apply)
    engine.finish()
    if drain_lat is not None:
        _write_latencies(sink, drain_lat())
    wall = time.perf_counter() - wall0
    summary = summarize(engine, venue, events=n, wall_seconds=wall)
    if progress is not None:
        progress(n, last or 0)
    sink.finish(summary)
    return summary


def _catch_up(
    t: int,
    venue_next: Callable[[], int | None],
    next_wake: Callable[[], int | None],
    advance: Callable[[int], Iterable[Event]],
    apply: Callable[[Event], None],
    flush: Callable[[int], None],
) -> None:
    """Everything due before or at ``t`` on its own: venue answers (at their delivery times)
    and engine timers / throttled triggers (strictly before ``t``: at ``t`` they run after the
    recorded events of ``t``)."""
    prev = -1
    for _ in range(_MAX_DRAIN):
        v = venue_next()
        w = next_wake()
        if v is not None and v <= t and (w is None or v <= w):
            for oe in advance(v):
                apply(oe)
            if v == t:  # answers due at t join the instant t: evaluated after its events
                return
            flush(v)
            prev = v
        elif w is not None and w < t and w > prev:
            flush(w)
            prev = w
        else:
            return


def _drain(
    venue_next: Callable[[], int | None],
    advance: Callable[[int], Iterable[Event]],
    apply: Callable[[Event], None],
) -> None:
    for _ in range(_MAX_DRAIN):
        v = venue_next()
        if v is None:
            return
        for oe in advance(v):
            apply(oe)


def _write_latencies(sink: RunSink, samples: Iterable[Any]) -> None:
    for s in samples:
        sink.latency(LatencyRecord(ts=s.ts, kind=s.kind, ms=(s.entry_ns + s.response_ns) / 1e6))


def _run_info(
    rec: _Recording,
    strategy: Strategy,
    venue: object,
    ec: EngineConfig,
    rc: RiskConfig,
    initial_cash: int,
    run_id: str | None,
) -> RunInfo:
    cfg = getattr(strategy, "config", None)
    to_dict = getattr(cfg, "to_dict", None)
    scfg = to_dict() if callable(to_dict) else (msgspec.to_builtins(cfg) if cfg is not None else {})
    chash = getattr(cfg, "config_hash", None)
    describe = getattr(venue, "describe", None)
    sim = dict(describe()) if callable(describe) else {"venue": type(venue).__name__}
    sim["engine"] = msgspec.to_builtins(ec)
    sim["risk"] = msgspec.to_builtins(rc)
    name = getattr(strategy, "name", type(strategy).__name__)
    return RunInfo(
        run_id=run_id or f"backtest-{name}",
        mode="backtest",
        strategy=name,
        strategy_version=int(getattr(strategy, "version", 0)),
        config=scfg,
        config_hash=chash() if callable(chash) else "",
        data=str(getattr(rec, "path", "")),
        data_format=str(getattr(rec, "format", "")),
        started_at=time.time_ns(),
        initial_cash=initial_cash,
        sim=sim,
    )


def summarize(engine: Engine, venue: object, *, events: int, wall_seconds: float) -> dict[str, Any]:
    """The run's summary: counts, money as exact decimal strings, speed.

    ``pnl = realized_pnl - fees + unrealized_pnl`` (= final equity - initial cash, exactly);
    ``realized_pnl`` is before fees and includes settlements; ``settled_pnl`` is the result of
    the resolved markets after their fees; ``volume`` is the exact notional of all fills."""
    st = engine.stats
    inv = engine.inventory
    value, unreal = engine.accounts.position_value()
    realized = inv.realized_pnl
    fees = inv.fees_paid
    settled = sum(
        p.realized - p.fees
        for ms in engine.markets.values()
        if ms.resolved
        for t in ms.tokens
        if (p := inv.positions.get(t)) is not None
    )
    sources = getattr(venue, "fill_sources", None)
    fills = st.fills
    return {
        "events": events,
        "orders_placed": st.orders_placed,
        "orders_cancelled": st.orders_cancelled,
        "orders_rejected": st.orders_rejected,
        "orders_rejected_locally": st.rejected_locally,
        "cancels_sent": st.cancels_sent,
        "fills": fills,
        "orders_per_fill": round(st.orders_placed / fills, 2) if fills else None,
        "fills_by_outcome_side": {k: dict(v) for k, v in st.fills_by_outcome_side.items()},
        "volume": format_fixed(st.notional, 10),
        "fees": format_cash(fees),
        "realized_pnl": format_cash(realized),
        "unrealized_pnl": format_cash(unreal),
        "settled_pnl": format_cash(settled),
        "pnl": format_cash(realized - fees + unreal),
        "final_cash": format_cash(inv.cash),
        "final_equity": format_cash(inv.cash + value),
        "initial_cash": format_cash(engine.initial_cash),
        "requotes_avoided": st.requotes_avoided,
        "orders_kept": st.orders_kept,
        "actions_deferred": st.actions_deferred,
        "waiting_on_cancels": st.waiting_on_cancels,
        "blocked_by_gate": dict(sorted(engine.risk.blocked.items())),
        "fill_sources": dict(sources) if isinstance(sources, Mapping) else {},
        "evaluations": st.evaluations,
        "settlements": st.settlements,
        "oms_errors": dict(st.oms_errors),
        "halted": engine.risk.halt_gate if engine.risk.halted else "",
        "wall_seconds": round(wall_seconds, 4),
        "events_per_second": round(events / wall_seconds) if wall_seconds > 0 else None,
    }
