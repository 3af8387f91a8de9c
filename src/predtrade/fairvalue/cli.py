"""``predtrade fairvalue calibrate``: score the fair-value model on resolved rounds of every source
found under ``--data`` (see :mod:`predtrade.fairvalue.datasets`)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import orjson

from predtrade.errors import ConfigError

from .calibrate import DEFAULT_HALFLIFE_S, DEFAULT_HORIZONS, ModelConfig

__all__ = ["cmd_calibrate", "parse_horizons", "register", "run"]


def register(subparsers: Any) -> None:
    fv = subparsers.add_parser("fairvalue", help="evaluate the fair-value model on recorded rounds")
    sub = fv.add_subparsers(dest="fairvalue_command", metavar="COMMAND")
    p = sub.add_parser(
        "calibrate",
        help="Brier score, log loss and reliability of the model (and the market) per horizon",
        description=(
            "Run P(up) = Phi(ln(S/K) / (sigma sqrt t)) over resolved rounds at several times to expiry, "
            "using only data received by then, and score it (and the market mid, where recorded)."
        ),
        epilog=(
            "--json prints one object: top-level 'rounds' and 'by_horizon' are the primary source's "
            "(named by 'primary': ligengxin, the Chainlink-settled source, whenever it is found); "
            "'by_source' holds every source; 'combined' pools the sources with an intra-round price path."
        ),
    )
    p.add_argument("--data", required=True, metavar="PATH",
                   help="a dataset file or folder, or a root holding several")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="DIR", help="write calibration.json and reliability.html into DIR")
    p.add_argument(
        "--horizons",
        default=",".join(str(h) for h in DEFAULT_HORIZONS),
        metavar="S,S,...",
        help="seconds before expiry (default %(default)s)",
    )
    p.add_argument("--halflife", type=float, default=DEFAULT_HALFLIFE_S, metavar="SECONDS",
                   help="EWMA half-life of the volatility (default %(default)g)")  # fmt: skip
    p.add_argument("--profile-mode", choices=("hour", "hour_weekday", "flat"), default="hour",
                   help="seasonal volatility profile (default %(default)s)")  # fmt: skip
    p.add_argument("--vol-sample", type=float, default=0.0, metavar="SECONDS",
                   help="feed the EWMA at most one tick per SECONDS (default 0: every tick)")  # fmt: skip
    p.add_argument("--bins", type=int, default=10, metavar="N", help="reliability bins (default %(default)s)")
    p.set_defaults(func=cmd_calibrate)
    fv.set_defaults(func=lambda _args: (fv.print_help(), 2)[1])


def parse_horizons(text: str) -> tuple[int, ...]:
    """``"240,120,60"`` -> ``(240, 120, 60)``: positive whole seconds, no duplicates, descending."""
    out: list[int] = []
    for part in text.split(","):
        s = part.strip()
        if not s.isdigit() or int(s) < 1:
            raise ConfigError(f"--horizons: {s!r} is not a positive whole number of seconds")
        if int(s) in out:
            raise ConfigError(f"--horizons: {s} given twice")
        out.append(int(s))
    return tuple(sorted(out, reverse=True))


def run(data: str, cfg: ModelConfig) -> dict[str, Any]:
    """Find the sources under ``data``, evaluate each, and return the report object."""
    from .datasets import evaluate_source, find_sources
    from .report import build_report

    t0 = time.perf_counter()
    sources = find_sources(data)
    results = [evaluate_source(kind, paths, cfg) for kind, paths in sources.items()]
    return build_report(results, cfg, time.perf_counter() - t0)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from predtrade.pricing import VolProfile

    horizons = parse_horizons(args.horizons)
    if not (0.0 < args.halflife < 1e9):
        raise ConfigError(f"--halflife must be positive seconds, got {args.halflife:g}")
    if not (1 <= args.bins <= 100):
        raise ConfigError(f"--bins must be within 1..100, got {args.bins}")
    if not (0.0 <= args.vol_sample < 86_400.0):
        raise ConfigError(f"--vol-sample must be within 0..86400 seconds, got {args.vol_sample:g}")
    cfg = ModelConfig(
        VolProfile.load(mode=args.profile_mode),
        horizons,
        args.halflife,
        n_bins=args.bins,
        vol_sample_s=args.vol_sample,
    )
    report = run(args.data, cfg)
    written = []
    if args.out:
        from .plot import write_outputs

        written = write_outputs(args.out, report)
    if args.json:
        sys.stdout.write(orjson.dumps(report).decode() + "\n")
        return 0
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    from .report import render

    render(report, con)
    for path in written:
        con.print(f"wrote {path}")
    return 0
