"""``predtrade`` command line. Each command group lives beside the code it drives and registers
itself here through a ``register(subparsers)`` function; modules are imported lazily so the CLI
starts fast."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .errors import PredtradeError

#: modules that contribute sub-commands, each with ``register(subparsers) -> None``
COMMAND_MODULES: tuple[str, ...] = (
    "predtrade.data.cli",
    "predtrade.fairvalue.cli",
    "predtrade.backtest.cli",
    "predtrade.benchcli",
)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="predtrade",
        description="Trading system for binary prediction markets (Polymarket first).",
    )
    parser.add_argument("--version", action="version", version=f"predtrade {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except PredtradeError as exc:
        print(f"predtrade: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `predtrade ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
