"""Replay backtest end to end: the AMM over a 1,000,000-event and a 4,000,000-event L2 stream
(:mod:`benchmarks._stream`: raw WebSocket frames + Chainlink ticks) with the default ``SimVenue``
and a ``NullSink``, in the two ways a user replays a recording:

* **compiled** (the headline, ``replay_events_per_s``): the stream compiled once beforehand by
  ``predtrade data compile`` (:mod:`predtrade.data.compiled`, the product's replay format: a
  backtest over it is the backtest over its source, decision for decision) and replayed from it;
  the one-off compile is not in the timing (it is reported in the note);
* **raw**: the WebSocket JSONL and the Chainlink CSV read and parsed by predtrade's own readers
  inside the run.

Each run is a fresh child process (:mod:`benchmarks._replay_child`) so that its peak RSS
(``VmHWM``) is its own: flat memory means the 4M peak is (about) the 1M peak. Events/s is
``events / wall`` of ``run_backtest`` (reading, parsing, engine, strategy, venue: everything).
The 1M figures are medians of 3 runs, compiled and raw alternating; the 4M one (compiled) a
single run. Streams are generated and compiled once and cached (``benchmarks/.cache``: ~330 MB
raw + ~260 MB compiled per million events; ~5 s per million for each). ``--quick`` uses 100k and
400k events.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks._harness import Result, options
from benchmarks._stream import ensure_compiled

ROOT = Path(__file__).resolve().parents[1]
SEED = 7


def run_child(n: int, strategy: str, seed: int = SEED, fmt: str = "raw") -> dict:
    """One ``run_backtest`` in a fresh interpreter over the ``fmt`` (``raw`` or ``compiled``)
    stream, prepared beforehand; its JSON line as a dict."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._replay_child", str(n), str(seed), strategy, fmt],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"replay child failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def prepare(n: int) -> None:
    """Generate and compile the ``n``-event stream unless cached (never inside a timed run)."""
    print(f"replay: preparing the {_label(n)}-event stream (cached after the first time)", file=sys.stderr)
    ensure_compiled(n, SEED)


def _mix(r: dict) -> str:
    return (
        f"{r['evaluations']:,} evaluations, {r['orders_placed']:,} orders, {r['fills']:,} fills, "
        f"{r['settlements']} rounds settled"
    )


def benchmarks() -> list[Result]:
    small, large = (100_000, 400_000) if options.quick else (1_000_000, 4_000_000)
    repeat = 3
    for n in (small, large):
        prepare(n)
    runs: dict[str, list[dict]] = {"compiled": [], "raw": []}
    for i in range(repeat):
        for fmt in ("compiled", "raw") if i % 2 == 0 else ("raw", "compiled"):
            r = run_child(small, "amm", fmt=fmt)
            print(f"replay {_label(small)} {fmt} run {i + 1}: {r}", file=sys.stderr)
            runs[fmt].append(r)
    big = run_child(large, "amm", fmt="compiled")
    print(f"replay {_label(large)} compiled: {big}", file=sys.stderr)
    comp, raw = runs["compiled"], runs["raw"]
    eps = statistics.median(r["events_per_s"] for r in comp)
    eps_raw = statistics.median(r["events_per_s"] for r in raw)
    peak = max(r["peak_rss_mb"] for r in comp)
    peak_raw = max(r["peak_rss_mb"] for r in raw)
    base = comp[0]["rss_start_mb"]
    same = all(_mix(r) == _mix(comp[0]) for r in comp + raw)
    mix = _mix(comp[0]) + ("" if same else "; WARNING: raw and compiled runs differ")
    size_mb = ensure_compiled(small, SEED).compiled.stat().st_size / 1e6
    return [
        Result(f"replay {_label(small)} events, AMM + SimVenue + NullSink, compiled stream", eps, "events/s",
               f"target >= 250,000; replayed from `predtrade data compile` output ({size_mb:.0f} MB, "
               f"compiled once beforehand, not timed), the replay format a user runs; "
               f"median of {repeat}; {mix}", key="replay_events_per_s"),
        Result(f"replay {_label(small)} events, AMM + SimVenue + NullSink, raw recording", eps_raw,
               "events/s", f"WS JSONL + Chainlink CSV read and parsed inside the run; median of {repeat}, "
               f"alternating with the compiled runs (compiled: {eps / eps_raw:.2f}x this)"),
        Result(f"replay {_label(small)}: peak RSS of the process (compiled)", peak, "MB",
               f"{base:.0f} MB before the run (interpreter + imports); raw recording: {peak_raw:.1f} MB",
               key="replay_peak_rss_mb"),
        Result(f"replay {_label(large)} events (compiled)", big["events_per_s"], "events/s", "single run"),
        Result(f"replay {_label(large)}: peak RSS of the process (compiled)", big["peak_rss_mb"], "MB",
               f"{big['peak_rss_mb'] - peak:+.1f} MB vs {_label(small)}: flat = independent of length",
               key="replay_peak_rss_4x_mb"),
    ]


if __name__ == "__main__":
    for r in benchmarks():
        print(f"{r.name}: {r.value:,.1f} {r.unit}  ({r.note})")
