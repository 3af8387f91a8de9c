"""open_recording: format detection, errors that name file and line, skip_bad, truncated gzip,
streaming (generators, flat memory)."""

from __future__ import annotations

import gzip
import inspect
import tracemalloc
from pathlib import Path

import pytest

from predtrade.data import ALL_FORMATS, open_recording, sample_path
from predtrade.errors import DataError

from ._shared import (
    BOOKPOLY,
    FELIX,
    LIG,
    VIN_ORDERBOOK,
    VIN_SNAPSHOTS,
    VIN_TICKS,
    WS_FIXTURES,
    need,
    text_lines,
    write,
)


@pytest.mark.parametrize(
    ("get_path", "fmt"),
    [
        pytest.param(lambda: need(BOOKPOLY), "bookpoly-l2", id="bookpoly"),
        pytest.param(lambda: need(VIN_ORDERBOOK), "vinayak-orderbook", id="orderbook"),
        pytest.param(lambda: need(VIN_TICKS), "vinayak-ticks", id="ticks"),
        pytest.param(lambda: need(VIN_SNAPSHOTS), "vinayak-snapshots", id="snapshots"),
        pytest.param(lambda: need(LIG / "2026-07-24"), "ligengxin-day", id="ligengxin-day"),
        pytest.param(
            lambda: need(LIG / "2026-07-24" / "BTC-5m-markets-2026-07-24.jsonl.gz"),
            "ligengxin-markets",
            id="markets",
        ),
        pytest.param(
            lambda: need(LIG / "2026-07-24" / "BTCUSD-prices-2026-07-24.csv.gz"),
            "chainlink-prices",
            id="chainlink",
        ),
        pytest.param(lambda: need(FELIX), "felix-outcomes", id="felix"),
        pytest.param(lambda: need(WS_FIXTURES), "polymarket-ws-fixtures", id="ws-fixture-dir"),
        pytest.param(lambda: need(WS_FIXTURES / "book.json"), "polymarket-ws-fixtures", id="ws-fixture-file"),
    ],
)
def test_detects_each_real_format(get_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    rec = open_recording(get_path())
    assert rec.format == fmt
    assert inspect.isgenerator(rec.events())


def test_every_format_is_listed_once() -> None:
    names = [f.format for f in ALL_FORMATS]
    assert len(names) == len(set(names)) and all(names)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file") as info:
        open_recording(tmp_path / "absent.jsonl")
    assert info.value.path == str(tmp_path / "absent.jsonl")
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("name", "first"),
    [
        pytest.param("x.csv", "a,b,c", id="csv-unknown-columns"),
        pytest.param("x.jsonl", '{"hello": 1}', id="json-unknown-keys"),
        pytest.param("x.txt", "just some text", id="text"),
        pytest.param("x.jsonl", "{not json", id="broken-json"),
    ],
)
def test_unknown_format(tmp_path: Path, name: str, first: str) -> None:
    p = write(tmp_path / name, [first, first])
    with pytest.raises(DataError, match="unknown format") as info:
        open_recording(p)
    assert str(p) in str(info.value)


def test_unknown_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataError, match="unknown format"):
        open_recording(tmp_path)


def test_empty_file_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(DataError, match="unknown format"):
        open_recording(tmp_path / "e.csv")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_corrupt_line_in_the_middle(tmp_path: Path, gz: bool) -> None:
    lines = text_lines(sample_path("btc15m"))[:200]
    lines[100] = lines[100][: len(lines[100]) // 2]  # a half-written row
    p = write(tmp_path / ("o.csv.gz" if gz else "o.csv"), lines, gz=gz)
    rec = open_recording(p)
    with pytest.raises(DataError) as info:
        list(rec.events())
    assert (info.value.path, info.value.line) == (str(p), 101)
    assert f"{p}:101:" in str(info.value)
    rec = open_recording(p, skip_bad=True)
    assert len([e for e in rec.events() if type(e).__name__ == "BookSnapshot"]) == 2 * 198
    assert rec.bad_lines == 1


def test_skip_bad_counts_every_bad_line(tmp_path: Path) -> None:
    lines = text_lines(sample_path("btc5m-outcomes"))[:500]
    for i in (10, 11, 250, 499):
        lines[i] = lines[i].replace(",up,", ",sideways,").replace(",down,", ",sideways,")
    p = write(tmp_path / "felix.csv", lines)
    rec = open_recording(p, skip_bad=True)
    n = len(list(rec.events()))
    assert rec.bad_lines == 4
    assert n == 3 * (499 - 4)
    # a second pass counts afresh
    list(rec.events())
    assert rec.bad_lines == 4


def _truncated(tmp_path: Path, src: Path, name: str) -> Path:
    data = gzip.compress("\n".join(text_lines(src)).encode() + b"\n")
    p = tmp_path / name
    p.write_bytes(data[: int(len(data) * 0.6)])
    return p


@pytest.mark.parametrize(
    ("sample", "name"),
    [
        pytest.param("btc15m", "orderbook.csv.gz", id="in-order-csv"),
        pytest.param("btc15m-ticks", "ticks.csv.gz", id="merged-csv"),
        pytest.param("btc1h", "book.jsonl.gz", id="jsonl"),
    ],
)
def test_truncated_gzip(tmp_path: Path, sample: str, name: str) -> None:
    p = _truncated(tmp_path, sample_path(sample), name)
    with pytest.raises(DataError, match="truncated or corrupt gzip") as info:
        list(open_recording(p).events())
    assert info.value.path == str(p) and info.value.line is not None and info.value.line > 1
    # with skip_bad the intact part is replayed and the cut counts as one bad line
    rec = open_recording(p, skip_bad=True)
    evs = list(rec.events())
    assert evs and rec.bad_lines == 1
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)


def test_gzip_cut_inside_the_first_line(tmp_path: Path) -> None:
    data = gzip.compress(b"x" * 100_000 + b"\n")
    p = tmp_path / "cut.jsonl.gz"
    p.write_bytes(data[:50])
    with pytest.raises(DataError, match="gzip") as info:
        open_recording(p)
    assert info.value.line == 1


@pytest.mark.parametrize(
    ("get_path", "rows"),
    [
        pytest.param(
            lambda: need(LIG / "2026-06-08" / "BTCUSD-prices-2026-06-08.csv.gz"), 84_558, id="chainlink"
        ),
        pytest.param(lambda: need(FELIX), 3 * 20_928, id="felix-unsorted"),
    ],
)
def test_memory_stays_flat_while_streaming(get_path, rows: int) -> None:  # type: ignore[no-untyped-def]
    # holding the events in a list would take about 14 MB for the chainlink day
    rec = open_recording(get_path())
    tracemalloc.start()
    n = 0
    for _e in rec.events():
        n += 1
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == rows
    assert peak < 3 << 20, f"peak {peak} bytes while streaming {n} events"


def test_early_stop_closes_the_file(tmp_path: Path) -> None:
    rec = open_recording(sample_path("btc15m-ticks"))
    it = rec.events()
    first = [next(it) for _ in range(10)]
    it.close()  # what `book --at` does when it stops early
    assert len(first) == 10
