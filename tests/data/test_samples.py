"""The bundled samples: present, small, readable with their declared format, documented, and cut as
the README says from the real files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from predtrade.data import SAMPLES, list_samples, open_recording, sample_path
from predtrade.data.samples import SAMPLES_DIR
from predtrade.errors import ConfigError

from ._shared import BOOKPOLY, FELIX, VIN_ORDERBOOK, need, text_lines


def _bytes(p: Path) -> int:
    return sum(f.stat().st_size for f in p.iterdir()) if p.is_dir() else p.stat().st_size


@pytest.mark.parametrize("name", list(SAMPLES))
def test_sample_opens_with_its_format_and_has_events(name: str) -> None:
    info = SAMPLES[name]
    rec = open_recording(sample_path(name))
    assert rec.format == info.format
    n = 0
    for _e in rec.events():
        n += 1
    assert n > 0 and rec.bad_lines == 0
    assert _bytes(info.path) < 1 << 20


def test_samples_total_a_few_megabytes_and_are_documented() -> None:
    assert sum(_bytes(s.path) for s in list_samples()) < 3 << 20
    readme = (SAMPLES_DIR / "README.md").read_text()
    for s in list_samples():
        assert f"`{s.name}`" in readme
        files = [f.name for f in s.path.iterdir()] if s.path.is_dir() else [s.path.name]
        for f in files:
            assert f in readme, f"{f} is not described in samples/README.md"
        assert s.licence.split(" (")[0] in readme


def test_unknown_sample_name() -> None:
    with pytest.raises(ConfigError, match="btc1h"):
        sample_path("nope")


def test_samples_are_verbatim_prefixes_or_subsets_of_the_real_files() -> None:
    full = text_lines(need(BOOKPOLY))
    assert text_lines(sample_path("btc1h")) == full[:120]
    assert text_lines(sample_path("btc5m-outcomes")) == text_lines(need(FELIX))
    ob = text_lines(sample_path("btc15m"))
    src = text_lines(need(VIN_ORDERBOOK))
    assert ob[0] == src[0]
    wins = {r["window_slug"] for r in csv.DictReader(ob)}
    assert ob[1:] == [ln for ln in src[1:] if ln.split(",")[2] in wins]
