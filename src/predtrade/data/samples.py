"""Small excerpts of real recordings shipped inside the package (``predtrade/samples/``), so that
demos and tests run without the full data. Origins and licences: ``samples/README.md``."""

from __future__ import annotations

from pathlib import Path

import msgspec

from ..errors import ConfigError

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


class SampleInfo(msgspec.Struct, frozen=True):
    name: str
    file: str  # relative to SAMPLES_DIR (a file or a folder)
    format: str
    description: str
    licence: str

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / self.file


SAMPLES: dict[str, SampleInfo] = {
    s.name: s
    for s in (
        SampleInfo(
            "btc1h",
            "bookpoly_BTC1h_2026-02-24.head120.jsonl.gz",
            "bookpoly-l2",
            "Polymarket BTC hourly up/down: full-depth books of both tokens, 1 Hz, first 120 polls",
            "no licence stated",
        ),
        SampleInfo(
            "btc15m",
            "vinayak_orderbook_2026-03-23.3windows.csv.gz",
            "vinayak-orderbook",
            "Polymarket BTC 15m: top of book + Binance BTCUSDT + outcome, 1 Hz, 3 complete windows",
            "no licence stated",
        ),
        SampleInfo(
            "btc15m-ticks",
            "vinayak_ticks_2026-03-21.slice.csv.gz",
            "vinayak-ticks",
            "Polymarket BTC 15m: BBO changes and trades of both tokens, 20:40-20:47 UTC",
            "no licence stated",
        ),
        SampleInfo(
            "btc15m-snapshots",
            "vinayak_snapshots_2026-03-21.head60.csv.gz",
            "vinayak-snapshots",
            "Polymarket BTC 15m: 20-level books of the Down token, first 60 rows",
            "no licence stated",
        ),
        SampleInfo(
            "btc5m-chainlink",
            "ligengxin_2026-06-08",
            "ligengxin-day",
            "Polymarket BTC 5m markets (strike, outcome) + Chainlink BTC/USD, 2026-06-08 00:00-03:00 UTC",
            "no licence stated (vendor sample)",
        ),
        SampleInfo(
            "btc5m-outcomes",
            "felix_polymarket_btc_5m_enriched.csv.gz",
            "felix-outcomes",
            "Polymarket BTC 5m rounds Dec 2025-Mar 2026: outcome + Binance open/close (complete file)",
            "MIT",
        ),
    )
}


def list_samples() -> list[SampleInfo]:
    return list(SAMPLES.values())


def sample_path(name: str) -> Path:
    """Path of the bundled sample ``name`` (see :data:`SAMPLES`)."""
    info = SAMPLES.get(name)
    if info is None:
        raise ConfigError(f"unknown sample {name!r} (available: {', '.join(SAMPLES)})")
    return info.path
