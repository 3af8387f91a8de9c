"""``predtrade bench [--json] [--quick] [--only NAME]``: run the benchmark suite of a source
checkout (``python -m benchmarks`` in the repository root) and print its table, or one JSON
object with the headline numbers.

The benchmarks are not part of the installed package (they need the repository's
``benchmarks/`` folder, and the NautilusTrader comparison its own virtualenv), so this command
works from a source checkout only and says so otherwise (exit code 2). The JSON object has
exactly the keys of :data:`JSON_KEYS` (``null`` when a number could not be measured, e.g.
NautilusTrader not set up) plus ``results``: every measured row.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import PredtradeError

#: the headline numbers of ``--json``, in this order
JSON_KEYS: tuple[str, ...] = (
    "decision_p50_us",
    "decision_p99_us",
    "book_delta_ns",
    "replay_events_per_s",
    "replay_peak_rss_mb",
    "nautilus_book_ratio",
    "nautilus_backtest_ratio",
)
#: rows of benchmarks that predate result keys, recognised by the start of their name
NAME_KEYS: dict[str, str] = {
    "book: delta applied + best bid/ask read": "book_delta_ns",
}


class BenchError(PredtradeError):
    """The benchmarks cannot be run from here (no source checkout)."""

    exit_code = 2


def benchmarks_dir(package_file: str | Path | None = None) -> Path:
    """The ``benchmarks/`` folder of the source checkout this package is installed from
    (editable install: ``src/predtrade/__init__.py`` -> the repository root). Raises
    :class:`BenchError` when there is none."""
    if package_file is None:
        import predtrade

        package_file = predtrade.__file__
    pkg = Path(package_file).resolve()
    root = pkg.parents[2] if len(pkg.parents) > 2 else pkg.parent
    bench = root / "benchmarks"
    if not (bench / "__main__.py").is_file():
        raise BenchError(
            f"no benchmarks/ folder at {root}: `predtrade bench` runs from a source checkout "
            "(git clone, then `make bench` or `pip install -e .`)"
        )
    return bench


def summarize(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``--json`` object: :data:`JSON_KEYS` taken from the rows that carry them (a row's
    ``key``, or for older rows the start of its ``name``), then ``results`` with every row."""
    rows = [dict(r) for r in results]
    out: dict[str, Any] = dict.fromkeys(JSON_KEYS)
    for r in rows:
        key = r.get("key") or next(
            (k for prefix, k in NAME_KEYS.items() if str(r.get("name", "")).startswith(prefix)), ""
        )
        if key in out and out[key] is None:
            out[key] = r.get("value")
    out["results"] = rows
    return out


def build_command(args: argparse.Namespace, python: str | None = None) -> list[str]:
    """The ``python -m benchmarks`` command line for the parsed options."""
    cmd = [python or sys.executable, "-m", "benchmarks"]
    if args.json:
        cmd.append("--json")
    if args.quick:
        cmd.append("--quick")
    cmd += list(args.only or ())
    return cmd


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bench",
        help="run the performance benchmarks (source checkout only)",
        description=(
            "Run the benchmark suite (python -m benchmarks in the repository root) and print its table: "
            "decision latency, book updates, replay throughput and memory, NautilusTrader side by side "
            "(bash benchmarks/nautilus/setup.sh first). The full run takes several minutes."
        ),
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (headline keys + results)")
    p.add_argument("--quick", action="store_true", help="smaller streams and fewer repeats (a fast look)")
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only the benchmarks whose module name contains NAME (repeatable): "
        "book, decision, replay, nautilus, parse, oms, sim, strategies",
    )
    p.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    root = benchmarks_dir().parent
    proc = subprocess.run(build_command(args), cwd=root, check=False)
    return proc.returncode
