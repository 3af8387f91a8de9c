"""The live decision path, per market message: raw ``price_change`` bytes -> ``MarketMessageParser``
-> ``Engine.apply`` (book store, top-of-book trigger) -> ``Engine.flush`` (snapshot,
``AmmStrategy.evaluate``, the order diff against our working orders, gates, the venue calls) with
a ``NullSink``, which keeps no decision records, so none is built. One more row times the same
pass with a sink that keeps them (the records are built after the orders have been sent).

The stream: an hourly BTC up/down round (tick 0.01, crypto taker fee, the strike set, a
reference tick every second) with a full two-token book loaded from ``book`` frames, then
realistic ``price_change`` frames from :mod:`benchmarks._stream` (each carries the YES level
and its NO mirror). Messages are spaced 250 ms apart so that each one that changes the top of
book is evaluated on arrival (the engine throttles evaluations to one per 100 ms per market);
the reported p50/p99 are over those messages only (their share is reported). The venue is a
fake that acknowledges every order and cancel at once; acknowledgements, reference ticks and
timers are fed to the engine *between* timed messages (in live trading they are separate
messages of other channels), so each timed sample is exactly one market message.

Each run builds a fresh engine and replays the same messages; p50 and p99 are the medians of
the per-run values. The pure ``evaluate`` cost is timed separately on the snapshots one run
handed to the strategy.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time

from benchmarks import _stream as S
from benchmarks._harness import Result, options, percentiles_us
from predtrade.engine import Engine
from predtrade.engine.sinks import NullSink
from predtrade.model.events import OrderAccepted, OrderCancelled, ReferencePrice
from predtrade.model.market import FeeSchedule, Market
from predtrade.strategies import AmmStrategy
from predtrade.strategies.api import Decision, Snapshot
from predtrade.venues.polymarket.parse import MarketMessageParser

NS = 1_000_000_000
MS = 1_000_000
ROUND_S = 3_600
SPACING_MS = 250
START_S = 1_771_891_200  # the bookpoly hourly round, 2026-02-24 00:00 UTC
CID = "0x" + "61" * 32
YES = S._token(11, 0, "yes")
NO = S._token(11, 0, "no")
#: BTC 1h markets: 7% crypto taker fee (p(1-p) curve), 20% maker rebate (ligengxin Gamma objects)
FEES = FeeSchedule(rate_ppm=70_000, exponent=1, taker_only=True, rebate_rate_ppm=200_000)


class AckVenue:
    """Acknowledges every order and cancel immediately (answers are handed back between timed
    messages, as a user channel would deliver them)."""

    name = "bench-ack"

    def __init__(self) -> None:
        self.out: list = []
        self.n = 0

    def submit(self, req) -> None:
        self.n += 1
        self.out.append(OrderAccepted(req.client_order_id, f"v{req.client_order_id}", req.ts, req.ts + MS))

    def cancel(self, req) -> None:
        self.out.append(OrderCancelled(req.venue_order_id or f"v{req.client_order_id}", req.ts, req.ts + MS))

    def drain(self) -> list:
        out, self.out = self.out, []
        return out


class RecordingSink(NullSink):
    """Builds every decision record as a recording sink (SQLite, memory) would, then drops it:
    what keeping the run's decisions adds to a pass."""

    keeps_decisions = True


class _Capture:
    """Wraps a strategy to keep the snapshots it is given (for the pure-evaluate timing)."""

    name = "amm"
    version = 1

    def __init__(self, inner: AmmStrategy) -> None:
        self.inner = inner
        self.config = inner.config
        self.snaps: list[Snapshot] = []

    def evaluate(self, snap: Snapshot) -> Decision:
        self.snaps.append(snap)
        return self.inner.evaluate(snap)


def _market() -> Market:
    return Market(
        condition_id=CID,
        token_ids=(YES, NO),
        outcomes=("Up", "Down"),
        tick=100,
        start_ts=START_S * NS,
        end_ts=(START_S + ROUND_S) * NS,
        strike=S._ref_units(68_000.0),
        fees=FEES,
        slug="bitcoin-up-or-down-february-24-7pm-et",
    )


def _messages(n: int, seed: int = 5) -> tuple[list[bytes], list[tuple[int, bytes]], list[ReferencePrice]]:
    """(book frames, (ts_local, price_change frame) list, reference ticks), seeded."""
    rnd = random.Random(seed)
    path = [68_000.0]
    for _ in range(ROUND_S):
        path.append(path[-1] * math.exp(rnd.gauss(0.0, S.SIGMA_PER_S)))
    strike = S._ref_units(path[0])
    k = S._Round(rnd, 50)
    t0 = START_S * 1000
    books = [S._book(CID, YES, k, False, t0).encode(), S._book(CID, NO, k, True, t0).encode()]
    msgs = []
    for i in range(n):
        ms = 1_000 + i * SPACING_MS
        sec = ms // 1000
        is_bid, c, s = k.step(S._fair_cents(path[sec], strike, ROUND_S - sec))
        k.set(is_bid, c, s)
        frame = S._price_change(CID, YES, NO, k, is_bid, c, s, t0 + ms)
        msgs.append(((t0 + ms + 80) * MS, frame.encode()))
    refs = [
        ReferencePrice("BTCUSD", S._ref_units(v), t, t + 400 * MS, "chainlink")
        for t, v in ((START_S * NS + sec * NS, v) for sec, v in enumerate(path))
    ]
    return books, msgs, refs


def _run(books, msgs, refs, strategy, sink=None) -> tuple[list[int], list[int], int, int, Engine]:
    """One fresh engine over the messages: (evaluated samples ns, other samples ns, top changes,
    orders sent, engine)."""
    venue = AckVenue()
    sink = sink if sink is not None else NullSink()
    eng = Engine(strategy, venue=venue, markets=[_market()], sink=sink, own_orders_in_books=True)
    parser = MarketMessageParser()
    parse = parser.parse
    apply = eng.apply
    flush = eng.flush
    stats = eng.stats
    t_book = msgs[0][0] - 500 * MS
    for b in books:
        for ev in parse(b, t_book):
            apply(ev)
    flush(t_book)
    ri = 0
    evaluated: list[int] = []
    other: list[int] = []
    tops = 0
    clock = time.perf_counter_ns
    for ts, raw in msgs:
        # between messages, untimed: venue answers, reference ticks, timers and throttled triggers
        while ri < len(refs) and refs[ri].ts_local <= ts:
            r = refs[ri]
            ri += 1
            for ev in venue.drain():
                apply(ev)
            apply(r)
            _catch_up(eng, r.ts_local)
        for ev in venue.drain():
            apply(ev)
        _catch_up(eng, ts - 1)
        n_eval = stats.evaluations
        n_top = stats.triggers_top
        t0 = clock()
        for ev in parse(raw, ts):
            apply(ev)
        flush(ts)
        dt = clock() - t0
        if stats.triggers_top != n_top:
            tops += 1
        (evaluated if stats.evaluations != n_eval else other).append(dt)
    return evaluated, other, tops, venue.n, eng


def _catch_up(eng: Engine, t: int) -> None:
    """Flush everything due up to ``t`` (timers, throttled triggers), in time order."""
    for _ in range(100):
        w = eng.next_wake()
        if w is None or w > t:
            return
        eng.flush(max(w, eng.now))
    eng.flush(t)


def benchmarks() -> list[Result]:
    n = 4_000 if options.quick else 14_000
    runs = 3 if options.quick else 9
    books, msgs, refs = _messages(n)
    _run(books, msgs[: n // 10], refs, AmmStrategy())  # warm up (caches, code paths)
    p50s, p99s, others = [], [], []
    share_eval = share_top = 0.0
    orders = 0
    evals = 0
    for _ in range(runs):
        ev, other, tops, orders, eng = _run(books, msgs, refs, AmmStrategy())
        p50, p99 = percentiles_us(ev)
        p50s.append(p50)
        p99s.append(p99)
        others.append(percentiles_us(other)[0])
        share_eval = len(ev) / len(msgs)
        share_top = tops / len(msgs)
        evals = len(ev)
        assert eng.stats.strategy_errors == 0, "the strategy raised during the bench"
    recorded = [percentiles_us(_run(books, msgs, refs, AmmStrategy(), RecordingSink())[0])[0]
                for _ in range(3)]
    cap = _Capture(AmmStrategy())
    _run(books, msgs, refs, cap)
    amm = AmmStrategy()
    evaluate = amm.evaluate
    clock = time.perf_counter_ns
    pure: list[int] = []
    for _ in range(3):
        for snap in cap.snaps:
            t0 = clock()
            evaluate(snap)
            pure.append(clock() - t0)
    pe50, pe99 = percentiles_us(pure)
    p50 = statistics.median(p50s)
    p99 = statistics.median(p99s)
    shown = [round(x, 1) for x in p50s]
    print(f"decision: {runs} runs x {len(msgs)} messages, p50s {shown}", file=sys.stderr)
    mix = (
        f"{evals} of {len(msgs)} msgs/run evaluated ({100 * share_eval:.1f}%; top changed in "
        f"{100 * share_top:.1f}%); {runs} runs; {orders} orders sent/run"
    )
    return [
        Result("decision: raw msg -> parse -> book -> snapshot -> AMM -> diff, p50", p50, "us",
               f"target <= 21; {mix}", key="decision_p50_us"),
        Result("decision: same, p99", p99, "us", "target <= 100; median of per-run p99",
               key="decision_p99_us"),
        Result("decision: same, p50, with a sink that keeps decision records", statistics.median(recorded),
               "us", "records (snapshot hash, decision JSON + hash) are built after the orders are sent; "
               "median of 3 runs"),
        Result("decision: msg without evaluation (parse + book + trigger check), p50",
               statistics.median(others), "us", f"{100 * (1 - share_eval):.1f}% of messages"),
        Result("decision: AmmStrategy.evaluate alone, p50", pe50, "us",
               f"p99 {pe99:.1f} us over {len(cap.snaps)} captured snapshots x3", key="amm_evaluate_p50_us"),
    ]


if __name__ == "__main__":
    for r in benchmarks():
        print(f"{r.name}: {r.value:,.2f} {r.unit}  ({r.note})")
