"""``predtrade backtest``, ``backtest-show``, ``runs`` and ``parity``: run a strategy over a
recording, store the run, summarize it and render its report; list and compare stored runs.

Every run goes into a SQLite run store (default ``<out>/predtrade_runs.sqlite``) while it runs, and
its metrics are computed alongside (bounded memory), so the summary is ready the moment the replay
ends and ``backtest-show`` can re-render any stored run later.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from ..errors import ConfigError
from ..model.units import UnitError, parse_cash

DEFAULT_OUT = "out"
DB_NAME = "predtrade_runs.sqlite"
STRATEGY_NAMES = ("amm", "bands", "momentum")
PROGRESS_EVERY = 20_000


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "backtest",
        help="replay a recording through a strategy and the simulated venue; store, summarize, report",
        description="Replay a recording through a strategy and the simulated venue. The run is stored "
        "in SQLite, summarized, and rendered as one self-contained HTML report.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", metavar="PATH", help="recording file or folder")
    src.add_argument("--sample", metavar="NAME", help="bundled sample (see `predtrade data samples`)")
    p.add_argument(
        "--strategy", default="amm", metavar="NAME", help=f"one of {', '.join(STRATEGY_NAMES)} (amm)"
    )
    p.add_argument("--config", metavar="FILE", help="strategy config (.toml/.json; default: its defaults)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"where reports go ({DEFAULT_OUT})")
    p.add_argument("--db", metavar="PATH", help=f"run store (default: <out>/{DB_NAME})")
    p.add_argument("--cash", type=_cash, metavar="USDC", help="initial cash (default: the engine's)")
    p.add_argument("--json", action="store_true", help="print one JSON object (no progress bar)")
    p.add_argument("--skip-bad", action="store_true", help="count and skip corrupt lines")
    p.set_defaults(func=cmd_backtest)

    s = subparsers.add_parser("backtest-show", help="re-render a stored run's report and print its summary")
    s.add_argument("run_id", metavar="RUN_ID", help="run id, a unique prefix of one, or `latest`")
    _store_args(s)
    s.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"where the report goes ({DEFAULT_OUT})")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=cmd_show)

    r = subparsers.add_parser("runs", help="list stored runs")
    _store_args(r)
    r.add_argument("--json", action="store_true", help="print a JSON array")
    r.set_defaults(func=cmd_runs)

    q = subparsers.add_parser(
        "parity",
        help="compare two stored runs decision by decision",
        description="Compare the decision logs of two stored runs: decisions aligned by time and market; "
        "where both saw the same snapshot (hash), did they decide the same (hash)? Exit status 1 when "
        "the runs diverge, like diff.",
    )
    q.add_argument("run_a", metavar="RUN_A")
    q.add_argument("run_b", metavar="RUN_B")
    _store_args(q)
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(func=cmd_parity)


def _store_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help=f"run store (default: {DEFAULT_OUT}/{DB_NAME})")


def _cash(text: str) -> Decimal:
    try:
        value = parse_cash(text)
    except UnitError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return Decimal(text.strip())


def _emit_json(obj: object) -> None:
    sys.stdout.write(orjson.dumps(obj, default=str).decode() + "\n")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, stderr=stderr)


def _open_store(db: str | None, *, create: bool = False, out: str = DEFAULT_OUT) -> Any:
    from ..persistence import RunStore, StoreError

    path = Path(db) if db else Path(out) / DB_NAME
    if not create and not path.exists():
        raise StoreError(f"{path}: no run store here (run `predtrade backtest` first, or pass --db)")
    return RunStore(path)


def new_run_id(strategy: str) -> str:
    """``bt-20260320-094640-amm-3f9a``: sortable by time, unique, readable."""
    return f"bt-{datetime.now(UTC):%Y%m%d-%H%M%S}-{strategy}-{secrets.token_hex(2)}"


# ---- progress ---------------------------------------------------------------------------------


def estimate_events(path: Path, *, sample_lines: int = 2_000) -> int | None:
    """A cheap guess of how many events a recording holds, for the progress bar's total and ETA:
    events per byte of the first ``sample_lines`` lines (read by the real reader from a temporary
    copy of that prefix), times the file's uncompressed size (a gzip trailer's ISIZE). ``None`` when
    it cannot tell (folders, unreadable prefixes)."""
    from ..data.recording import open_recording

    if not path.is_file():
        return None
    try:
        gz = _is_gz(path)
        opener = gzip.open if gz else open
        prefix = bytearray()
        with opener(path, "rb") as fh:  # type: ignore[operator]
            for i, line in enumerate(fh):
                prefix += line
                if i + 1 >= sample_lines:
                    break
            complete = fh.read(1) == b""
        if not prefix.endswith(b"\n"):
            prefix += b"\n"
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        with tempfile.TemporaryDirectory() as tmp:
            head = Path(tmp) / name
            head.write_bytes(prefix)
            n = sum(1 for _ in open_recording(head, skip_bad=True).events())
        if complete:
            return n
        total = _uncompressed_size(path) if gz else path.stat().st_size
        return max(n, round(n * total / len(prefix))) if n else None
    except Exception:  # an estimate must never stop a run
        return None


def _is_gz(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _uncompressed_size(path: Path) -> int:
    with path.open("rb") as fh:
        fh.seek(-4, 2)
        isize = int.from_bytes(fh.read(4), "little")  # size mod 2**32
    size = path.stat().st_size
    while isize < size:  # a file > 4 GiB wrapped around; compressed data is rarely larger than this
        isize += 1 << 32
    return isize


class _Progress:
    """A rich progress bar on stderr: events, events/s, ETA against an estimated total."""

    def __init__(self, total: int | None, label: str) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TextColumn("events · {task.fields[rate]} ev/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=_console(stderr=True),
            transient=False,
        )
        self.total = total
        self.task = self.bar.add_task(label, total=total, rate="-")
        self.t0 = time.perf_counter()

    def __enter__(self) -> _Progress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def __call__(self, events: Any = None, *_args: Any, **_kw: Any) -> None:
        n = events if isinstance(events, int) else getattr(events, "events", None)
        if not isinstance(n, int):
            return
        dt = time.perf_counter() - self.t0
        if self.total is not None and n > self.total:  # the estimate was low: keep the bar honest
            self.total = int(n * 1.05)
        rate = f"{n / dt:,.0f}" if dt > 0 else "-"
        self.bar.update(self.task, completed=n, total=self.total, rate=rate)

    def done(self, events: int | None) -> None:
        if isinstance(events, int):
            self.total = events
            self(events)


# ---- backtest ---------------------------------------------------------------------------------


def cmd_backtest(args: argparse.Namespace) -> int:
    from ..data.recording import open_recording
    from ..data.samples import sample_path
    from ..errors import PredtradeError
    from ..persistence import SqliteSink
    from ..strategies import build_strategy
    from .metrics import MetricsSink, TeeSink
    from .report import render_report

    path = Path(args.data) if args.data else sample_path(args.sample)
    strategy = build_strategy(args.strategy, args.config)  # unknown name / bad config: ConfigError
    recording = open_recording(path, skip_bad=args.skip_bad)
    engine_config, risk_config = _configs(args)
    from ..backtest.runner import run_backtest
    from ..venues.sim import SimVenue

    out = Path(args.out)
    store = _open_store(args.db, create=True, out=args.out)
    run_id = new_run_id(args.strategy)
    sqlite_sink = SqliteSink(store, run_id)
    metrics = MetricsSink()
    progress = None if args.json else _Progress(estimate_events(path), args.strategy)
    try:
        with progress if progress is not None else contextlib.nullcontext():
            runner_summary = run_backtest(
                recording,
                strategy,
                venue_factory=lambda markets, books: SimVenue(markets, books),
                engine_config=engine_config,
                risk_config=risk_config,
                sink=TeeSink(sqlite_sink, metrics),
                progress=progress,
                progress_every=PROGRESS_EVERY,
                run_id=run_id,
            )
            if progress is not None:
                progress.done((runner_summary or {}).get("events"))
    except (PredtradeError, KeyboardInterrupt):
        _discard(store, run_id)  # a stored run is a complete run
        store.close()
        raise
    summary = _final_summary(metrics, runner_summary, run_id)
    summary.setdefault("bad_lines", recording.bad_lines)
    with store:
        report = render_report(store.load_run(run_id), out, summary=summary)
        summary["report"] = str(report)
        summary["db"] = store.path
        store.set_summary(run_id, summary)
    _show(summary, args.json, title=f"BACKTEST {run_id}")
    return 0


def _configs(args: argparse.Namespace) -> tuple[Any, Any]:
    from ..engine.config import EngineConfig
    from ..engine.risk import RiskConfig

    try:
        engine = EngineConfig(initial_cash=args.cash) if args.cash is not None else EngineConfig()
    except ValueError as exc:
        raise ConfigError(f"--cash: {exc}") from None
    return engine, RiskConfig()


def _discard(store: Any, run_id: str) -> None:
    with contextlib.suppress(Exception):  # the run never started, or the store is the problem
        store.delete_run(run_id)


def _final_summary(metrics: Any, runner_summary: dict | None, run_id: str) -> dict[str, Any]:
    if not metrics.finished:  # a runner that did not call finish(): use what it returned
        metrics.finish(runner_summary or {})
    elif runner_summary:
        metrics.run_summary = {**metrics.run_summary, **runner_summary}
    summary = metrics.summary()
    summary["run_id"] = run_id
    return summary


# ---- show / runs / parity -----------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    from .metrics import summarize
    from .report import render_report

    with _open_store(args.db) as store:
        run = store.load_run(args.run_id)
        summary = summarize(run)
        summary["run_id"] = run.run_id
        report = render_report(run, args.out, summary=summary)
        summary["report"] = str(report)
        summary["db"] = store.path
    _show(summary, args.json, title=f"BACKTEST {summary['run_id']}")
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    with _open_store(args.db) as store:
        rows = store.list_runs()
    items = [
        {
            "run_id": r.run_id,
            "mode": r.mode,
            "strategy": f"{r.strategy} v{r.version}",
            "data": r.data,
            "started": _iso(r.started_at),
            "finished": r.finished_at is not None,
            "events": (r.summary or {}).get("events"),
            "pnl": (r.summary or {}).get("pnl"),
            "fills": (r.summary or {}).get("fills"),
        }
        for r in rows
    ]
    if args.json:
        _emit_json(items)
        return 0
    from rich.table import Table

    table = Table(title=f"STORED RUNS ({len(items)})")
    for col, just in (
        ("run id", "left"),
        ("strategy", "left"),
        ("data", "left"),
        ("events", "right"),
        ("pnl (USDC)", "right"),
        ("fills", "right"),
    ):
        table.add_column(col, justify=just, no_wrap=col != "data")  # type: ignore[arg-type]
    for it in items:
        table.add_row(
            it["run_id"] + ("" if it["finished"] else " [yellow](unfinished)[/yellow]"),
            it["strategy"],
            Path(it["data"]).name,
            _n(it["events"]),
            _pnl(it["pnl"]),
            _n(it["fills"]),
        )
    _console().print(table)
    return 0


def cmd_parity(args: argparse.Namespace) -> int:
    from ..persistence import compare_decisions

    with _open_store(args.db) as store:
        a, b = store.load_run(args.run_a), store.load_run(args.run_b)
        res = compare_decisions(a.decisions(), b.decisions())
        out = {"run_a": a.run_id, "run_b": b.run_id, **res.to_dict()}
    if args.json:
        _emit_json(out)
        return 0 if res.identical else 1
    from rich.table import Table

    rate = res.match_rate
    table = Table(
        title=f"DECISION PARITY\nA {a.run_id}\nB {b.run_id}", show_header=False, title_justify="left"
    )
    table.add_column("field", style="bold")
    table.add_column("value", justify="right")
    table.add_row("match rate (same snapshot)", f"{100 * rate:.2f} %" if rate is not None else "-")
    for label, key in (
        ("decisions A", "decisions_a"),
        ("decisions B", "decisions_b"),
        ("paired", "paired"),
        ("same snapshot", "same_snapshot"),
        ("same decision", "matched"),
        ("different decision", "decision_mismatch"),
        ("different snapshot", "snapshot_mismatch"),
        ("only in A", "only_a"),
        ("only in B", "only_b"),
    ):
        table.add_row(label, f"{out[key]:,}")
    con = _console()
    con.print(table)
    d = res.first_divergence
    if d is None:
        con.print("[green]identical decision logs[/green]")
        return 0
    con.print(
        f"[red]first divergence[/red] ({d.kind}) at {_iso(d.ts)} in {d.market}: "
        f"A seq {d.seq_a} {d.reason_a!r} vs B seq {d.seq_b} {d.reason_b!r}",
        soft_wrap=True,
    )
    return 1


# ---- output -------------------------------------------------------------------------------------

#: what --json prints (plus everything else the summary holds)
JSON_KEYS = (
    "run_id",
    "events",
    "orders_placed",
    "orders_cancelled",
    "fills",
    "fills_by_outcome_side",
    "volume",
    "fees",
    "pnl",
    "max_drawdown",
    "sharpe",
    "brier",
    "events_per_second",
    "report",
)


def _iso(ts: int | None) -> str:
    return datetime.fromtimestamp(ts / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _n(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) else ("-" if v is None else str(v))


def _pnl(v: str | None) -> str:
    if v is None:
        return "-"
    return f"[red]{v}[/red]" if v.startswith("-") else f"[green]{v}[/green]"


def _show(summary: dict[str, Any], as_json: bool, *, title: str) -> None:
    if as_json:
        _emit_json(summary)
        return
    from rich.table import Table

    s = summary
    lat = s.get("latency_ms") or {}
    t = Table(title=title, show_header=False, title_justify="left", min_width=len(title))
    t.add_column("metric", style="bold", no_wrap=True)
    t.add_column("value", justify="right")
    positions = ", ".join(f"{k} {v}" for k, v in (s.get("max_abs_position") or {}).items())
    rows = [
        ("PnL", f"{_pnl(s.get('pnl'))} USDC"),
        (
            "realized / unrealized / settled",
            f"{s.get('realized_pnl')} / {s.get('unrealized_pnl')} / {s.get('settled_pnl')}",
        ),
        ("fees (paid / rebates)", f"{s.get('fees')} ({s.get('fees_paid')} / {s.get('rebates')})"),
        ("volume", f"{s.get('volume')} USDC"),
        (
            "orders placed / cancelled / rejected",
            " / ".join(_n(s.get(k)) for k in ("orders_placed", "orders_cancelled", "orders_rejected")),
        ),
        ("fills (orders per fill)", f"{_n(s.get('fills'))} ({_n(s.get('orders_per_fill'))})"),
        ("max drawdown", f"{s.get('max_drawdown')} USDC ({s.get('max_drawdown_pct')} %)"),
        (
            "Sharpe per round / per day (ann.)",
            f"{_n(s.get('sharpe'))} / {_n(s.get('sharpe_daily_annualised'))}",
        ),
        ("Brier fair value / market", f"{_n(s.get('brier'))} / {_n(s.get('brier_market'))}"),
        ("max |position|", positions or "-"),
        ("blocked actions", _n(s.get("blocked"))),
        ("latency p50 / p99 ms", f"{_n(lat.get('p50'))} / {_n(lat.get('p99'))}"),
        ("events (per second)", f"{_n(s.get('events'))} ({_n(s.get('events_per_second'))})"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    con = _console()
    con.print(
        f"[bold]{s.get('strategy')}[/bold] v{s.get('strategy_version')} on {s.get('data')} "
        f"({s.get('data_format')})",
        soft_wrap=True,
    )
    con.print(t)
    ftitle = "FILLS BY OUTCOME AND SIDE"
    f = Table(title=ftitle, title_justify="left", min_width=len(ftitle))
    f.add_column("outcome", style="bold")
    f.add_column("Buy", justify="right")
    f.add_column("Sell", justify="right")
    for label, sides in (s.get("fills_by_outcome_side") or {}).items():
        f.add_row(label, _n(sides.get("BUY", 0)), _n(sides.get("SELL", 0)))
    con.print(f)
    con.print(f"report: {s.get('report')}", soft_wrap=True)
