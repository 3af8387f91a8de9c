"""Paths of the real recordings (``../shared/data`` beside the checkout) and small file builders, shared by
the data tests and the CLI tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"

BOOKPOLY = SHARED / "bookpoly_btc1h_l2" / "BTC1h_2026-02-24.jsonl"
VIN = SHARED / "vinayak_btc15m"
VIN_ORDERBOOK = VIN / "orderbook_2026-03-23.part.csv"
VIN_TICKS = VIN / "ticks_2026-03-21.part.csv"
VIN_SNAPSHOTS = VIN / "snapshots_2026-03-21.part.csv"
LIG = SHARED / "ligengxin_pm_samples"
FELIX = SHARED / "felix_btc5m_outcomes" / "polymarket_btc_5m_enriched.csv"
WS_FIXTURES = SHARED / "nautilus_trader" / "py_resources" / "ws_messages"


def need(path: Path) -> Path:
    """Skip the calling test when the shared data folder (not part of the checkout) is absent."""
    if not path.exists():
        pytest.skip(f"real data not available: {path} (expected ../shared/data beside the repo)")
    return path


def text_lines(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [ln.rstrip("\n") for ln in fh if ln.strip()]


def write(path: Path, lines: list[str], *, gz: bool = False) -> Path:
    data = "".join(ln + "\n" for ln in lines).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path
