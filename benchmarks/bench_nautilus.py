"""predtrade and NautilusTrader side by side, in one run, on the same L2 stream (the 1M-event
bench stream of :mod:`benchmarks._stream`; ``--quick``: 100k).

* Book: every level change of the stream applied to a book, with a best bid/ask read after each
  (predtrade: ``BookStore.apply`` on the parsed events; NautilusTrader: ``OrderBook.apply_delta``
  on its ``OrderBookDelta`` objects, L2_MBP), in ns per delta.
* Backtest: the whole stream through a backtest with a counting strategy and with a strategy
  that places or cancels an order every 100 events (predtrade: ``run_backtest``, SimVenue,
  NullSink, in a child process, from the compiled stream of ``predtrade data compile`` and from
  the raw recording, parsing included; NautilusTrader: ``BacktestEngine.run`` on objects built
  beforehand, L2_MBP venue, two BinaryOption instruments), in events/s. Per repeat and workload
  the runs alternate: predtrade compiled, NautilusTrader, predtrade raw.

Ratios are predtrade / NautilusTrader throughput (> 1: predtrade is faster). The backtest ratios
use predtrade's compiled-stream replay: like NautilusTrader's run, it starts from events decoded
beforehand into the model's objects (the raw figure, which parses JSON inside the run, is
reported beside it). The backtest ratio in the JSON is the lower of the two workloads.
NautilusTrader runs in its own virtualenv (``bash benchmarks/nautilus/setup.sh``); without it
the NautilusTrader figures and the ratios are null and the note says how to set it up.
"""

from __future__ import annotations

import json
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Result, options
from benchmarks._stream import CompiledBenchRecording, ensure_compiled
from benchmarks.bench_replay import SEED, run_child
from predtrade.book import BookStore
from predtrade.model.events import BookDeltas, BookSnapshot, TradePrint

ROOT = Path(__file__).resolve().parents[1]
NAUTILUS_PY = ROOT / "benchmarks" / ".nautilus-venv" / "bin" / "python"
RUNNER = ROOT / "benchmarks" / "nautilus" / "run_nautilus.py"
SETUP_HINT = "NautilusTrader not set up: bash benchmarks/nautilus/setup.sh"
#: the record layout run_nautilus.py reads (kind, outcome, side, flags, price 1e-4, size 1e-6, ts ns)
REC = struct.Struct("<BBBBIQQ")
KIND_CLEAR, KIND_LEVEL, KIND_TRADE = 0, 1, 2
FLAG_LAST, FLAG_SNAPSHOT = 1, 2


def _events(n: int) -> tuple[list, dict[str, int]]:
    stream = ensure_compiled(n, SEED)  # the raw stream and its compiled form, both cached
    outcome = {}
    for m in stream.markets().values():
        outcome[m.token_ids[0]] = 0
        outcome[m.token_ids[1]] = 1
    return list(CompiledBenchRecording(stream).events()), outcome


def write_compact(events: list, outcome: dict[str, int], path: Path) -> tuple[int, int]:
    """The stream's book and trade events as fixed-size records for run_nautilus.py;
    returns (deltas, trades) as NautilusTrader will count them."""
    pack = REC.pack
    n_delta = n_trade = 0
    with open(path, "wb") as f:
        buf = []
        for ev in events:
            t = type(ev)
            if t is BookDeltas:
                o = outcome[ev.asset_id]
                ch = ev.changes
                last = len(ch) - 1
                for i, (side, price, size) in enumerate(ch):
                    buf.append(pack(KIND_LEVEL, o, int(side), FLAG_LAST if i == last else 0,
                                    price, size, ev.ts_local))
                n_delta += len(ch)
            elif t is BookSnapshot:
                o = outcome[ev.asset_id]
                buf.append(pack(KIND_CLEAR, o, 0, 0, 0, 0, ev.ts_local))
                levels = [(0, p, s) for p, s in ev.bids] + [(1, p, s) for p, s in ev.asks]
                for i, (side, p, s) in enumerate(levels):
                    fl = FLAG_SNAPSHOT | (FLAG_LAST if i == len(levels) - 1 else 0)
                    buf.append(pack(KIND_LEVEL, o, side, fl, p, s, ev.ts_local))
                n_delta += 1 + len(levels)
            elif t is TradePrint:
                side = 0 if ev.side is None else int(ev.side)
                buf.append(pack(KIND_TRADE, outcome[ev.asset_id], side, 0, ev.price, ev.size, ev.ts_local))
                n_trade += 1
            if len(buf) >= 65_536:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    return n_delta, n_trade


def ours_book(book_events: list, n_deltas: int) -> tuple[float, float]:
    """ns per delta: BookStore.apply on every book event (plain, and with a best bid/ask read);
    one run of each."""
    store = BookStore(default_tick=100)
    apply = store.apply
    t0 = time.perf_counter_ns()
    for ev in book_events:
        apply(ev)
    plain = (time.perf_counter_ns() - t0) / n_deltas
    store = BookStore(default_tick=100)
    apply = store.apply
    t0 = time.perf_counter_ns()
    for ev in book_events:
        b = apply(ev)
        b.best_bid  # noqa: B018 - the read is part of what is measured
        b.best_ask  # noqa: B018
    return plain, (time.perf_counter_ns() - t0) / n_deltas


class Nautilus:
    """``run_nautilus.py --serve`` in NautilusTrader's virtualenv: converts the stream once, then
    runs one measurement per request, so both sides' runs can alternate on a busy machine."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [str(NAUTILUS_PY), str(RUNNER), str(path), "--serve"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.head = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            code = self.proc.wait()
            raise RuntimeError(f"run_nautilus.py stopped (exit {code}); see its messages above")
        return json.loads(line)

    def ask(self, cmd: str) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 2) if ours and theirs else None


def _median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def benchmarks() -> list[Result]:
    n = 100_000 if options.quick else 1_000_000
    repeat = 1 if options.quick else 3
    book_repeat = 3 if options.quick else 5
    events, outcome = _events(n)
    nt = None
    with tempfile.TemporaryDirectory(prefix="predtrade-nautilus-") as tmp:
        path = Path(tmp) / "l2.bin"
        n_delta, n_trade = write_compact(events, outcome, path)
        book_events = [e for e in events if type(e) is BookDeltas or type(e) is BookSnapshot]
        del events
        if NAUTILUS_PY.exists():
            nt = Nautilus(path)
        try:
            # the two sides alternate, run by run: a busy machine slows both alike
            ours_b, nt_b = [], []
            for _ in range(book_repeat):
                ours_b.append(ours_book(book_events, n_delta))
                if nt is not None:
                    nt_b.append(nt.ask("book"))
            del book_events
            ours: dict[str, list[dict]] = {"count": [], "every100": []}
            ours_raw: dict[str, list[dict]] = {"count": [], "every100": []}
            theirs: dict[str, list[dict]] = {"count": [], "every100": []}
            for _ in range(repeat):
                for name in ("count", "every100"):
                    ours[name].append(run_child(n, name, fmt="compiled"))
                    print(f"predtrade {name} compiled: {ours[name][-1]}", file=sys.stderr)
                    if nt is not None:
                        theirs[name].append(nt.ask(name))
                        print(f"nautilus {name}: {theirs[name][-1]}", file=sys.stderr)
                    ours_raw[name].append(run_child(n, name, fmt="raw"))
                    print(f"predtrade {name} raw: {ours_raw[name][-1]}", file=sys.stderr)
        finally:
            if nt is not None:
                nt.close()
    ns = statistics.median(p for p, _ in ours_b)
    ns_bbo = statistics.median(b for _, b in ours_b)
    label = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
    stream = f"{label}-event stream: {n_delta:,} deltas, {n_trade:,} trades; median of {book_repeat}"
    out = [
        Result("vs nautilus: predtrade book delta + bbo read", ns_bbo, "ns/delta",
               f"{ns:.0f} ns without the read; BookStore.apply; {stream}"),
    ]
    if nt is None:
        out.append(Result("vs nautilus: book ratio (predtrade / nautilus)", None, "x", SETUP_HINT,
                          key="nautilus_book_ratio"))
    else:
        t_ns = _median_of(nt_b, "book_apply_ns")
        t_bbo = _median_of(nt_b, "book_apply_bbo_ns")
        out += [
            Result("vs nautilus: nautilus book delta + bbo read", t_bbo, "ns/delta",
                   f"{t_ns:.0f} ns without the read; OrderBook.apply_delta L2_MBP; "
                   f"nautilus_trader {nt.head['version']}"),
            Result("vs nautilus: book ratio (predtrade / nautilus)", _ratio(t_bbo, ns_bbo), "x",
                   f"apply-only ratio {_ratio(t_ns, ns)}x", key="nautilus_book_ratio"),
        ]
    ratios = []
    for name, label_s in (("count", "counting strategy"), ("every100", "order every 100 events")):
        o = ours[name][0]
        eps = _median_of(ours[name], "events_per_s")
        eps_raw = _median_of(ours_raw[name], "events_per_s")
        work = (f"{o['evaluations']:,} evaluations, {o['orders_placed']:,} orders, "
                f"{o['cancels_sent']:,} cancels")
        note = (f"run_backtest from the compiled stream (`predtrade data compile`, events prebuilt like "
                f"NautilusTrader's: the ratio's basis); median of {repeat}; {work}")
        out.append(Result(f"vs nautilus: predtrade backtest, {label_s}", eps, "events/s", note))
        note = f"run_backtest from raw WS JSONL (parsing included); median of {repeat}"
        if nt is not None:
            t_raw = _median_of(theirs[name], "events_per_s")
            note += f"; ratio to NautilusTrader {_ratio(eps_raw, t_raw)}x"
        out.append(Result(f"vs nautilus: predtrade backtest, {label_s}, raw recording", eps_raw,
                          "events/s", note))
        if nt is not None:
            b = theirs[name][0]
            t_eps = _median_of(theirs[name], "events_per_s")
            r = _ratio(eps, t_eps)
            ratios.append(r)
            note = (f"{b['events']:,} deltas+trades, objects prebuilt; median of {repeat}; "
                    f"{b['submitted']:,} orders, {b['cancelled']:,} cancels; ratio (predtrade compiled) {r}x")
            out.append(Result(f"vs nautilus: nautilus BacktestEngine, {label_s}", t_eps, "events/s", note))
    if nt is None:
        out.append(Result("vs nautilus: backtest ratio (predtrade / nautilus)", None, "x", SETUP_HINT,
                          key="nautilus_backtest_ratio"))
    else:
        low = min((r for r in ratios if r is not None), default=None)
        out.append(Result("vs nautilus: backtest ratio (predtrade / nautilus)", low, "x",
                          f"lower of counting {ratios[0]}x and order-every-100 {ratios[1]}x "
                          f"(predtrade replaying the compiled stream, like for like)",
                          key="nautilus_backtest_ratio"))
    return out


if __name__ == "__main__":
    for r in benchmarks():
        v = "n/a" if r.value is None else f"{r.value:,.2f}"
        print(f"{r.name}: {v} {r.unit}  ({r.note})")
