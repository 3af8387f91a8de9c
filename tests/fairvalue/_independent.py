"""An independent, deliberately plain count of the ligengxin rounds the calibration can score,
straight from the vendor files (stdlib only): a resolved market with a strike, and for at least one
horizon T = end - h >= start, the last price row received (recv_ms) at or before T has a feed time
no more than 5 s before T."""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import json
from collections.abc import Sequence
from pathlib import Path


def _open_text(p: Path) -> io.TextIOBase:
    return gzip.open(p, "rt", encoding="utf-8") if p.name.endswith(".gz") else open(p, encoding="utf-8")  # type: ignore[return-value]


def scorable_rounds(day_dirs: Sequence[Path], horizons: Sequence[int]) -> tuple[int, int]:
    """(resolved markets, resolved markets with a strike and a fresh price at some horizon)."""
    total = scorable = 0
    seen: set[str] = set()
    for d in day_dirs:
        with _open_text(next(d.glob("*markets*.jsonl*"))) as fh:
            markets = [json.loads(line) for line in fh if line.strip()]
        latest: dict[int, int] = {}  # feed ms -> latest recv ms (a correction replaces the original)
        with _open_text(next(d.glob("*prices*.csv*"))) as fh:
            for row in csv.DictReader(fh):
                f, r = int(row["feed_ts_ms"]), int(row["recv_ms"])
                latest[f] = max(r, latest.get(f, r))
        rows = sorted((r, f) for f, r in latest.items())
        recvs = [r for r, _f in rows]
        for m in markets:
            if m["condition_id"] in seen:
                continue
            seen.add(m["condition_id"])
            if not (m.get("resolved") and sorted(m.get("outcome_prices") or []) == ["0", "1"]):
                continue
            total += 1
            if not m.get("strike_value"):
                continue
            for h in horizons:
                t = (m["end_sec"] - h) * 1000
                if t < m["start_sec"] * 1000:
                    continue
                i = bisect.bisect_right(recvs, t) - 1
                if i >= 0 and t - rows[i][1] <= 5000:
                    scorable += 1
                    break
    return total, scorable
