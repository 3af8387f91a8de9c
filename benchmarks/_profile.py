"""Where the time goes, for docs/PERFORMANCE.md: ``python -m benchmarks._profile decision|replay``.

* ``decision``: the timed passes of :mod:`benchmarks.bench_decision` split into phases (parse,
  ``Engine.apply``, and inside ``Engine.flush``: the snapshot, ``evaluate``, the order diff and
  actions, the decision record), medians over the messages that were evaluated; then, if
  pyinstrument is installed, a sampling profile of those passes only.
* ``replay``: a sampling profile of ``run_backtest`` with the AMM over the 100k-event stream
  (``--events N`` for another size).

The profile is printed as the functions with the most *self* time, and the same grouped by
module. pyinstrument is not a dependency: ``.venv/bin/pip install pyinstrument``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

#: module prefix -> pipeline stage, for the per-stage summary (first match wins)
STAGES: tuple[tuple[str, str], ...] = (
    ("predtrade/data", "read recording (lines, JSON record)"),
    ("benchmarks/_stream", "read recording (lines, JSON record)"),
    ("predtrade/venues/polymarket", "parse frames (venue parser)"),
    ("predtrade/book", "books (store, L2)"),
    ("predtrade/venues/sim", "simulated venue (matching, latency)"),
    ("predtrade/backtest", "replay loop (runner)"),
    ("predtrade/engine/ingest", "engine: ingest + triggers"),
    ("predtrade/engine/loop", "engine: ingest + triggers"),
    ("predtrade/engine/reference", "engine: ingest + triggers"),
    ("predtrade/engine/accounts", "engine: accounts / PnL marks"),
    ("predtrade/engine/risk", "engine: evaluation (snapshot, diff, gates, records)"),
    ("predtrade/engine", "engine: evaluation (snapshot, diff, gates, records)"),
    ("predtrade/strategies", "strategy (AMM)"),
    ("predtrade/pricing", "strategy (AMM)"),
    ("predtrade/oms", "OMS (orders, inventory)"),
    ("predtrade/model", "model (units, events)"),
)


def _module(path: str) -> str:
    mod = path.split("site-packages/")[-1]
    for root in ("predtrade/", "benchmarks/"):
        if root in mod:
            mod = root + mod.split(root, 1)[1]
    return mod.rsplit(".py", 1)[0]


def _flat(session: Any, top: int, focus: str | None = None) -> str:
    """Self time per function, per module and per pipeline stage of a pyinstrument session
    (a built-in's time counts towards the module that called it). With ``focus``, only the
    time spent inside calls of the function of that name counts."""
    by_fn: dict[tuple[str, str], float] = defaultdict(float)
    by_mod: dict[str, float] = defaultdict(float)
    root = session.root_frame()
    if root is None:
        return "(no samples)"
    roots = [root]
    if focus is not None:
        roots, todo = [], [root]
        while todo:
            f = todo.pop()
            if f.function == focus:
                roots.append(f)
            else:
                todo.extend(f.children)
    stack = [(r, r, "?") for r in roots]
    while stack:
        f, parent, parent_mod = stack.pop()
        own = f.time - sum(c.time for c in f.children)
        who = parent if f.is_synthetic else f  # pyinstrument shows self time as a "[self]" child
        path = who.file_path_short or who.file_path or "?"
        by_fn[(who.function or "?", f"{path}:{who.line_no}")] += own
        mod = parent_mod if path.startswith("<") else _module(path)
        by_mod[mod] += own
        stack.extend((c, f, mod) for c in f.children)
    by_stage: dict[str, float] = defaultdict(float)
    for mod, t in by_mod.items():
        stage = next((name for prefix, name in STAGES if mod.startswith(prefix)), "other (" + mod + ")")
        by_stage[stage] += t
    total = sum(r.time for r in roots) or 1.0
    lines = [f"total sampled: {total:.3f} s", "", f"{'self %':>7}  stage"]
    for name, t in sorted(by_stage.items(), key=lambda kv: -kv[1]):
        if t / total >= 0.002:
            lines.append(f"{100 * t / total:6.1f}%  {name}")
    lines += ["", f"{'self %':>7}  function (file:line)"]
    for (fn, where), t in sorted(by_fn.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{100 * t / total:6.1f}%  {fn}  ({where})")
    lines += ["", f"{'self %':>7}  module (built-ins counted in their caller)"]
    for mod, t in sorted(by_mod.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{100 * t / total:6.1f}%  {mod}")
    return "\n".join(lines)


def _profiler(interval: float = 0.0001) -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("(pyinstrument not installed: .venv/bin/pip install pyinstrument)", file=sys.stderr)
        return None
    return Profiler(interval=interval, async_mode="disabled")


#: what the decision profile times inside ``Engine.flush``: (owner, attribute, label, nested in
#: ``_evaluate``). Module-level functions are patched where the engine looks them up. (The
#: equity check sits in ``flush`` itself: it computes the equity only when the risk manager can
#: use it, see ``RiskManager.needs_equity``.)
_FLUSH_PARTS: tuple[tuple[str, str, str, bool], ...] = (
    ("predtrade.engine.decide:Evaluation", "_evaluate", "_evaluate", False),
    ("predtrade.engine.decide", "eval_views", "book views (venue + net)", True),
    ("predtrade.engine.decide:Evaluation", "_snapshot", "snapshot (the rest)", True),
    ("-", "evaluate", "evaluate", True),
    ("predtrade.engine.decide:Evaluation", "_execute", "_execute", True),
    ("predtrade.engine.decide:Evaluation", "_record", "_record", True),
)


def _owner(spec: str) -> Any:
    import importlib

    mod, _, cls = spec.partition(":")
    m = importlib.import_module(mod)
    return getattr(m, cls) if cls else m


def decision(top: int) -> None:
    from benchmarks import bench_decision as B
    from predtrade.strategies import AmmStrategy

    books, msgs, refs = B._messages(14_000)
    phases: dict[str, list[int]] = defaultdict(list)
    current: dict[str, int] = defaultdict(int)
    clock = time.perf_counter_ns

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*a: Any, **k: Any) -> Any:
            t0 = clock()
            try:
                return fn(*a, **k)
            finally:
                current[name] += clock() - t0

        return wrapper

    class Timed:
        name = "amm"
        version = 1

        def __init__(self, inner: Any) -> None:
            self.config = inner.config
            self.book_depth = getattr(inner, "book_depth", None)  # the engine reads it
            self.evaluate = timed("evaluate", inner.evaluate)

    saved = []
    for spec, attr, label, _ in _FLUSH_PARTS:
        if spec == "-":
            continue
        owner = _owner(spec)
        fn = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        saved.append((owner, attr, fn))
        setattr(owner, attr, timed(label, fn))
    try:
        _decision_pass(B, Timed(AmmStrategy()), books, msgs, refs, None, phases, current)
    finally:
        for owner, attr, fn in saved:
            setattr(owner, attr, fn)
    print(f"decision pass, medians over {len(phases['total'])} evaluated messages (each timer wrapper "
          "adds ~0.2 us):")
    for k, v in phases.items():
        p99 = sorted(v)[int(len(v) * 0.99)] / 1000
        print(f"  {k:<40} {statistics.median(v) / 1000:8.2f} us   p99 {p99:8.2f}")
    profiler = _profiler()
    if profiler is not None:
        _decision_pass(B, AmmStrategy(), books, msgs, refs, profiler, defaultdict(list), current)
        print()
        print("sampling profile of the timed passes (all messages, evaluated or not):")
        print(_flat(profiler.last_session, top, focus="_timed_pass"))


def _decision_pass(
    B: Any,  # the bench module
    strategy: Any,
    books: list,
    msgs: list,
    refs: list,
    profiler: Any,
    phases: dict[str, list[int]],
    current: dict[str, int],
) -> None:
    """The bench's loop, phase by phase (and under the profiler, when one is given)."""
    clock = time.perf_counter_ns
    if profiler is not None:  # sampling all along; only the samples inside _timed_pass count
        profiler.start()
    venue = B.AckVenue()
    eng = B.Engine(strategy, venue=venue, markets=[B._market()], sink=B.NullSink(), own_orders_in_books=True)
    parser = B.MarketMessageParser()
    t_book = msgs[0][0] - 500 * B.MS
    for b in books:
        for ev in parser.parse(b, t_book):
            eng.apply(ev)
    ri = 0
    for ts, raw in msgs:
        while ri < len(refs) and refs[ri].ts_local <= ts:
            for ev in venue.drain():
                eng.apply(ev)
            eng.apply(refs[ri])
            B._catch_up(eng, refs[ri].ts_local)
            ri += 1
        for ev in venue.drain():
            eng.apply(ev)
        B._catch_up(eng, ts - 1)
        current.clear()
        n_eval = eng.stats.evaluations
        t0, t1, t2, t3 = _timed_pass(parser, eng, raw, ts, clock)
        if eng.stats.evaluations != n_eval:
            phases["total"].append(t3 - t0)
            phases["parse"].append(t1 - t0)
            phases["apply (books + trigger)"].append(t2 - t1)
            phases["flush"].append(t3 - t2)
            flush = t3 - t2
            outer = inner = 0
            for _, _, label, nested in _FLUSH_PARTS:
                v = current[label]
                if label == "_evaluate":
                    phases["  flush: _evaluate"].append(v)
                    continue
                phases[f"{'      ' if nested else '    '}{label}"].append(v)
                if nested:
                    inner += v
                else:
                    outer += v
            phases["      _evaluate: rest (checks, throttle)"].append(current["_evaluate"] - inner)
            phases["    flush: rest (timers, equity, throttle)"].append(flush - outer - current["_evaluate"])
    if profiler is not None:
        profiler.stop()


def _timed_pass(parser: Any, eng: Any, raw: bytes, ts: int, clock: Callable[[], int]) -> tuple[int, ...]:
    """One market message, exactly as bench_decision times it."""
    t0 = clock()
    evs = parser.parse(raw, ts)
    t1 = clock()
    for ev in evs:
        eng.apply(ev)
    t2 = clock()
    eng.flush(ts)
    return t0, t1, t2, clock()


def replay(n: int, top: int) -> None:
    from benchmarks._stream import BenchRecording, ensure
    from predtrade.backtest.runner import run_backtest
    from predtrade.engine.sinks import NullSink
    from predtrade.strategies import AmmStrategy
    from predtrade.venues.sim import SimVenue

    rec = BenchRecording(ensure(n))
    profiler = _profiler(0.001)
    if profiler is not None:
        profiler.start()
    t0 = time.perf_counter()
    s = run_backtest(rec, AmmStrategy(), venue_factory=lambda m, b: SimVenue(m, b), sink=NullSink())
    wall = time.perf_counter() - t0
    if profiler is not None:
        profiler.stop()
    print(f"replay {n:,} events: {wall:.2f} s under the profiler ({s['evaluations']:,} evaluations)")
    if profiler is not None:
        print(_flat(profiler.last_session, top))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks._profile")
    ap.add_argument("what", choices=("decision", "replay"))
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args(argv)
    if a.what == "decision":
        decision(a.top)
    else:
        replay(a.events, a.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
