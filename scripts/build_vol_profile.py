#!/usr/bin/env python3
"""Regenerate ``src/predtrade/pricing/vol_profile_v1.json`` from BTC 5-minute open/close data.

    .venv/bin/python scripts/build_vol_profile.py \\
        --data /work/shared/data/felix_btc5m_outcomes/polymarket_btc_5m_enriched.csv \\
        --out src/predtrade/pricing/vol_profile_v1.json [--evaluate]

Input: a CSV with ``timestamp`` (window start, Unix s), ``btc_open`` and ``btc_close`` columns
(row order irrelevant). Output is deterministic: same input bytes, same output bytes (provenance
is the file name and its SHA-256, never an absolute path or the current time).

``--evaluate`` also prints a chronological hold-out comparison of the profile modes (fit on the
first half, score the second half): the QLIKE loss ``log(f) + r**2 / f`` of a deseasonalized
EWMA variance forecast ``f`` for each 5-minute return, relative to no profile (lower is better).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from predtrade.errors import DataError
from predtrade.pricing.vol_profile import VolProfile
from predtrade.pricing.vol_profile_estimate import estimate_profile
from predtrade.pricing.volatility import EwmaVol

INTERVAL_S = 300
KEY_ORDER = (
    "version", "source", "source_sha256", "rows", "skipped", "interval_s", "date_range", "estimator",
    "sigma_per_sqrt_s", "rms_return", "mean_return", "kurtosis", "multiplier_decimals",
    "hour_multiplier", "hour_count", "weekday_multiplier", "weekday_count",
)  # fmt: skip


def read_windows(path: Path) -> list[tuple[int, float, float]]:
    """``(start_ts_s, open, close)`` rows; a malformed row is a ``DataError`` naming its line."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = {"timestamp", "btc_open", "btc_close"} - set(reader.fieldnames or ())
            if missing:
                raise DataError(str(path), f"missing columns: {', '.join(sorted(missing))}")
            out = []
            for row in reader:
                try:
                    out.append((int(row["timestamp"]), float(row["btc_open"]), float(row["btc_close"])))
                except (TypeError, ValueError) as e:
                    raise DataError(str(path), f"bad row: {e}", line=reader.line_num) from e
            return out
    except OSError as e:
        raise DataError(str(path), f"cannot read: {e}") from e


def render(profile: dict[str, Any]) -> str:
    """One key per line, values compact: diff-friendly and byte-stable."""
    keys = [k for k in KEY_ORDER if k in profile] + sorted(k for k in profile if k not in KEY_ORDER)
    body = ",\n".join(f" {json.dumps(k)}: {json.dumps(profile[k])}" for k in keys)
    return "{\n" + body + "\n}\n"


def build(data: Path) -> dict[str, Any]:
    windows = read_windows(data)
    profile = estimate_profile(windows, interval_s=INTERVAL_S)
    profile["source"] = data.name
    profile["source_sha256"] = hashlib.sha256(data.read_bytes()).hexdigest()
    return profile


def evaluate(windows: Sequence[tuple[int, float, float]], halflives: Sequence[float | None]) -> str:
    """Hold-out mean QLIKE per profile mode and EWMA half-life (``None`` = static: the training
    sigma times the profile, no EWMA), in both directions: fit on the first half and score the
    second, then fit on the second and score the first (the EWMA always runs forward in time).
    Lower is better; ``*`` marks the best mode per row."""
    rows = sorted(set(windows))
    split = len(rows) // 2
    split_ts = rows[split][0]
    modes = ("flat", "hour", "hour_weekday")
    lines = []
    for fit_rows, scored in ((rows[:split], "second"), (rows[split:], "first")):
        fitted = estimate_profile(fit_rows, interval_s=INTERVAL_S)
        lines.append(
            f"fit on the {'first' if scored == 'second' else 'second'} half, scored on the {scored} half"
            f" (split at {_iso(split_ts)}); mean QLIKE log(f) + r^2/f:"
        )
        lines.append(f"{'halflife_s':>10} " + " ".join(f"{m:>12}" for m in modes))
        for hl in halflives:
            loss = [_qlike(rows, fitted, mode, hl, split_ts, scored == "second") for mode in modes]
            best = min(range(len(modes)), key=loss.__getitem__)
            cells = " ".join(f"{x:>11.4f}{'*' if k == best else ' '}" for k, x in enumerate(loss))
            lines.append(f"{'static' if hl is None else f'{hl:.0f}':>10} {cells}")
    return "\n".join(lines)


def _qlike(
    rows: Sequence[tuple[int, float, float]],
    fitted: dict[str, Any],
    mode: str,
    halflife: float | None,
    split_ts: int,
    score_after: bool,
) -> float:
    prof = VolProfile.from_dict(fitted, mode=mode)  # type: ignore[arg-type]
    ewma = None if halflife is None else EwmaVol(halflife, initial=prof.base_sigma, seasonal=prof)
    total, n = 0.0, 0
    for ts, o, c in rows:
        start_ns, end_ns = ts * 1_000_000_000, (ts + INTERVAL_S) * 1_000_000_000
        if ewma is not None:
            ewma.update(start_ns, o)  # ignored (bad_time) when it equals the last close's ts
        if (ts >= split_ts) == score_after:
            sig = prof.sigma_over(start_ns, end_ns) if ewma is None else ewma.sigma_over(start_ns, end_ns)
            f = sig * sig * INTERVAL_S
            r = math.log(c / o)
            total += math.log(f) + r * r / f
            n += 1
        if ewma is not None:
            ewma.update(end_ns, c)
    return total / n


def _iso(ts_s: int) -> str:
    return datetime.fromtimestamp(ts_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="CSV with timestamp, btc_open, btc_close")
    ap.add_argument("--out", type=Path, required=True, help="where to write the profile JSON")
    ap.add_argument("--evaluate", action="store_true", help="also print the hold-out mode comparison")
    args = ap.parse_args(argv)
    try:
        profile = build(args.data)
        VolProfile.from_dict(profile, where=str(args.out))  # refuse to write a table we cannot load
        args.out.write_text(render(profile), encoding="utf-8")
        print(
            f"wrote {args.out}: {profile['rows']} rows, {profile['date_range'][0]} .. "
            f"{profile['date_range'][1]}, sigma {profile['sigma_per_sqrt_s']:.4e}/sqrt(s)"
        )
        if args.evaluate:
            halflives = (None, 900.0, 1800.0, 3600.0, 7200.0, 6 * 3600.0, 24 * 3600.0)
            print(evaluate(read_windows(args.data), halflives))
    except (DataError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
