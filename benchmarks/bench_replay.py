"""Replay backtest end to end: the AMM over a 1,000,000-event and a 4,000,000-event L2 stream
(:mod:`benchmarks._stream`: raw WebSocket frames + Chainlink ticks, read and parsed by
predtrade's own readers) with the default ``SimVenue`` and a ``NullSink``.

Each run is a fresh child process (:mod:`benchmarks._replay_child`) so that its peak RSS
(``VmHWM``) is its own: flat memory means the 4M peak is (about) the 1M peak. Events/s is
``events / wall`` of ``run_backtest`` (reading, parsing, engine, strategy, venue: everything);
the 1M figure is the median of 3 runs, the 4M one a single run. Streams are generated once and
cached (``benchmarks/.cache``, ~330 MB per million events; about 5 s per million to build).
``--quick`` uses 100k and 400k events.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks._harness import Result, options
from benchmarks._stream import ensure

ROOT = Path(__file__).resolve().parents[1]
SEED = 7


def run_child(n: int, strategy: str, seed: int = SEED) -> dict:
    """One ``run_backtest`` in a fresh interpreter; its JSON line as a dict."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._replay_child", str(n), str(seed), strategy],
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


def benchmarks() -> list[Result]:
    small, large = (100_000, 400_000) if options.quick else (1_000_000, 4_000_000)
    repeat = 3
    for n in (small, large):
        print(f"replay: preparing the {_label(n)}-event stream (cached after the first time)",
              file=sys.stderr)
        ensure(n, SEED)
    runs = []
    for i in range(repeat):
        r = run_child(small, "amm")
        print(f"replay {_label(small)} run {i + 1}: {r}", file=sys.stderr)
        runs.append(r)
    big = run_child(large, "amm")
    print(f"replay {_label(large)}: {big}", file=sys.stderr)
    eps = statistics.median(r["events_per_s"] for r in runs)
    peak = max(r["peak_rss_mb"] for r in runs)
    base = runs[0]["rss_start_mb"]
    r0 = runs[0]
    mix = (
        f"{r0['evaluations']:,} evaluations, {r0['orders_placed']:,} orders, {r0['fills']:,} fills, "
        f"{r0['settlements']} rounds settled"
    )
    return [
        Result(f"replay {_label(small)} events, AMM + SimVenue + NullSink", eps, "events/s",
               f"target >= 250,000; median of {repeat}; {mix}", key="replay_events_per_s"),
        Result(f"replay {_label(small)}: peak RSS of the process", peak, "MB",
               f"{base:.0f} MB before the run (interpreter + imports)", key="replay_peak_rss_mb"),
        Result(f"replay {_label(large)} events", big["events_per_s"], "events/s", "single run"),
        Result(f"replay {_label(large)}: peak RSS of the process", big["peak_rss_mb"], "MB",
               f"{big['peak_rss_mb'] - peak:+.1f} MB vs {_label(small)}: flat = independent of length",
               key="replay_peak_rss_4x_mb"),
    ]


if __name__ == "__main__":
    for r in benchmarks():
        print(f"{r.name}: {r.value:,.1f} {r.unit}  ({r.note})")
