"""``python -m benchmarks [--json | --markdown] [--quick] [NAME ...]``: run every
``benchmarks/bench_*.py`` module (or those whose name contains one of the NAMEs) and print one
table (``--markdown``: as a Markdown table).

Each module exposes ``benchmarks() -> list[Result]``. ``--json`` prints one object instead:
the headline keys of :data:`predtrade.benchcli.JSON_KEYS`, ``results`` (every row) and
``machine``. Progress goes to stderr, so stdout holds only the table or the JSON.
``--quick`` shrinks the streams and repeats (never used for the documented numbers).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks._harness import Result, options
from predtrade import _accel
from predtrade.benchcli import summarize


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "build": _accel.describe(),
    }


def _fmt(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"


def markdown(results: list[Result]) -> str:
    """The rows as a Markdown table (for docs/PERFORMANCE.md)."""
    lines = ["| benchmark | value | unit | note |", "|---|---:|---|---|"]
    for r in results:
        note = r.note.replace("|", "/")
        lines.append(f"| {r.name} | {_fmt(r.value)} | {r.unit} | {note} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    as_md = "--markdown" in argv
    options.quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("-")]
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if wanted:
        names = [n for n in names if any(w in n for w in wanted)]
        if not names:
            print(f"no benchmark matches {' '.join(wanted)}", file=sys.stderr)
            return 2
    results: list[Result] = []
    failed = False
    for name in names:
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr)
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            results.extend(mod.benchmarks())
        except Exception as exc:  # one broken bench must not hide the others
            failed = True
            traceback.print_exc()
            results.append(Result(f"{name}: FAILED", None, "", f"{type(exc).__name__}: {exc}"[:200]))
        print(f"[bench] {name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if as_json:
        out = summarize(dataclasses.asdict(r) for r in results)
        out["machine"] = machine()
        print(json.dumps(out, indent=2))
        return 1 if failed else 0
    m = machine()
    if as_md:
        print(markdown(results))
        return 1 if failed else 0
    title = (
        f"predtrade benchmarks (medians) - {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
        f"{m['build']}"
    )
    table = Table(title=title + (" [--quick]" if options.quick else ""))
    table.add_column("benchmark")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("note")
    for r in results:
        table.add_row(r.name, _fmt(r.value), r.unit, r.note)
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped into a file or a doc: do not wrap at 80 columns
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
