"""``python -m benchmarks``: run every ``benchmarks/bench_*.py`` module and print one table.

Each module exposes ``benchmarks() -> list[Result]``. Run a subset with
``python -m benchmarks book parse``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks._harness import Result


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    wanted = [a for a in argv if not a.startswith("-")]
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if wanted:
        names = [n for n in names if any(w in n for w in wanted)]
    results: list[Result] = []
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        results.extend(mod.benchmarks())
    if as_json:
        print(json.dumps({r.name: r.value for r in results}, indent=2))
        return 0
    table = Table(title="predtrade benchmarks (medians)")
    table.add_column("benchmark")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("note")
    for r in results:
        table.add_row(r.name, f"{r.value:,.1f}", r.unit, r.note)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
