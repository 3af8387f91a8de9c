"""Rebuild the bundled samples in ``src/predtrade/samples/`` from the shared data folder.

    .venv/bin/python tests/data/build_samples.py [--data ../shared/data]

Cuts are made on whole lines, copied byte for byte (no re-formatting), then gzip-compressed with a
fixed mtime so that a rebuild is byte-identical. Not a test module (no ``test_`` prefix).
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "predtrade" / "samples"

#: vinayak orderbook windows kept (three consecutive complete 15-minute windows: Up, Up, Down)
ORDERBOOK_WINDOWS = ("btc-updown-15m-1774241100", "btc-updown-15m-1774242000", "btc-updown-15m-1774242900")
TICKS_FROM_MS = 1774125600000  # 2026-03-21 20:40:00 UTC, both outcome blocks, to the end of the copy
SNAPSHOT_ROWS = 60
BOOKPOLY_ROWS = 120
CHAINLINK_DAY = "2026-06-08"
CHAINLINK_FROM_S = 1780876800  # 2026-06-08 00:00:00 UTC
CHAINLINK_TO_S = CHAINLINK_FROM_S + 3 * 3600  # 03:00:00 UTC (inclusive: the last round's closing tick)


def write_gz(path: Path, lines: Iterable[bytes]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        for line in lines:
            gz.write(line)
            n += 1
    return n


def read_lines(path: Path) -> list[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return [ln if ln.endswith(b"\n") else ln + b"\n" for ln in fh]


def build(data: Path) -> None:
    # bookpoly: the first rows, row 1 (previous hourly window) included
    lines = read_lines(data / "bookpoly_btc1h_l2" / "BTC1h_2026-02-24.jsonl")[:BOOKPOLY_ROWS]
    print("btc1h", write_gz(OUT / "bookpoly_BTC1h_2026-02-24.head120.jsonl.gz", lines))

    vin = data / "vinayak_btc15m"
    lines = read_lines(vin / "orderbook_2026-03-23.part.csv")
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.split(b",")[2].decode() in ORDERBOOK_WINDOWS]
    print("btc15m", write_gz(OUT / "vinayak_orderbook_2026-03-23.3windows.csv.gz", keep))

    lines = read_lines(vin / "ticks_2026-03-21.part.csv")
    keep = [lines[0]] + [ln for ln in lines[1:] if int(ln.split(b",", 1)[0]) >= TICKS_FROM_MS]
    print("btc15m-ticks", write_gz(OUT / "vinayak_ticks_2026-03-21.slice.csv.gz", keep))

    lines = read_lines(vin / "snapshots_2026-03-21.part.csv")[: SNAPSHOT_ROWS + 1]
    print("btc15m-snapshots", write_gz(OUT / "vinayak_snapshots_2026-03-21.head60.csv.gz", lines))

    day = data / "ligengxin_pm_samples" / CHAINLINK_DAY
    out = OUT / f"ligengxin_{CHAINLINK_DAY}"
    lines = read_lines(day / f"BTC-5m-markets-{CHAINLINK_DAY}.jsonl.gz")
    keep = [
        ln
        for ln in lines
        if (m := json.loads(ln))["start_sec"] >= CHAINLINK_FROM_S and m["end_sec"] <= CHAINLINK_TO_S
    ]
    print("btc5m markets", write_gz(out / f"BTC-5m-markets-{CHAINLINK_DAY}.slice.jsonl.gz", keep))
    lines = read_lines(day / f"BTCUSD-prices-{CHAINLINK_DAY}.csv.gz")
    lo, hi = CHAINLINK_FROM_S * 1000, CHAINLINK_TO_S * 1000
    keep = [lines[0]] + [ln for ln in lines[1:] if lo <= int(ln.split(b",", 1)[0]) <= hi]
    print("btc5m prices", write_gz(out / f"BTCUSD-prices-{CHAINLINK_DAY}.slice.csv.gz", keep))

    lines = read_lines(data / "felix_btc5m_outcomes" / "polymarket_btc_5m_enriched.csv")
    print("btc5m-outcomes", write_gz(OUT / "felix_polymarket_btc_5m_enriched.csv.gz", lines))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    build(ap.parse_args().data)
