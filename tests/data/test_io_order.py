"""Line access, sorted-run merging and the receipt-time re-ordering, on small generated files."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.data._convert import scaled18_to_ref, slug_window
from predtrade.data._csv import first_field_int
from predtrade.data._io import LineFile, TruncatedStream
from predtrade.data._order import LocalClock, merged_lines, scan_runs
from predtrade.errors import DataError
from predtrade.model.events import ReferencePrice
from predtrade.model.units import UnitError


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_lines_numbers_offsets_and_blank_lines(tmp_path: Path, gz: bool) -> None:
    body = b"h\nA1\n\nB22\r\nC333"  # blank line 3, CRLF, no final newline
    p = tmp_path / ("f.gz" if gz else "f.txt")
    p.write_bytes(gzip.compress(body) if gz else body)
    lf = LineFile(p)
    got = list(lf.lines())
    assert [(n, raw) for n, _o, raw in got] == [(1, b"h"), (2, b"A1"), (4, b"B22"), (5, b"C333")]
    # offsets let a second pass resume exactly at a line
    n, off, _raw = got[2]
    assert [raw for _n, _o, raw in lf.lines(offset=off, lineno=n)] == [b"B22", b"C333"]
    assert lf.first_line() == "h"


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        LineFile(tmp_path / "nope.csv")


def test_truncated_gzip_raises_with_the_line_reached(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b"line %d\n" % i for i in range(20_000)))
    p = tmp_path / "cut.gz"
    p.write_bytes(data[: len(data) // 2])
    lf = LineFile(p)
    seen = 0
    with pytest.raises(TruncatedStream) as info:
        for _n, _o, _raw in lf.lines():
            seen += 1
    assert info.value.line == seen + 1
    assert "gzip" in info.value.reason


def _write_blocks(tmp_path: Path, blocks: list[list[int]], gz: bool) -> Path:
    lines = ["ts,block,idx"]
    for b, block in enumerate(blocks):
        lines += [f"{ts},{b},{i}" for i, ts in enumerate(block)]
    body = ("\n".join(lines) + "\n").encode()
    p = tmp_path / ("runs.csv.gz" if gz else "runs.csv")
    p.write_bytes(gzip.compress(body) if gz else body)
    return p


@settings(max_examples=60, deadline=None)
@given(
    blocks=st.lists(
        st.lists(st.integers(0, 50), min_size=1, max_size=30).map(sorted), min_size=1, max_size=6
    ),
    gz=st.booleans(),
)
def test_merged_lines_is_a_stable_sort_of_the_blocks(
    tmp_path_factory: pytest.TempPathFactory, blocks: list[list[int]], gz: bool
) -> None:
    path = _write_blocks(tmp_path_factory.mktemp("runs"), blocks, gz)
    lf = LineFile(path)
    runs, trunc = scan_runs(lf, first_field_int)
    assert trunc is None
    out = [raw.decode().split(",") for _n, raw in merged_lines(lf, runs, first_field_int)]
    # Assert: a permutation of the input rows, sorted by ts; equal ts keep file order
    rows = [[str(ts), str(b), str(i)] for b, block in enumerate(blocks) for i, ts in enumerate(block)]
    assert sorted(out) == sorted(rows)
    keys = [(int(r[0]), int(r[1]), int(r[2])) for r in out]
    assert keys == sorted(keys)


def test_runs_that_do_not_overlap_are_read_one_after_the_other(tmp_path: Path) -> None:
    # day blocks in reverse order, like the felix file
    blocks = [[300, 301, 302], [200, 201], [100, 101, 102]]
    lf = LineFile(_write_blocks(tmp_path, blocks, gz=True))
    runs, _ = scan_runs(lf, first_field_int)
    assert [(r.first, r.last, r.count) for r in runs] == [(300, 302, 3), (200, 201, 2), (100, 102, 3)]
    ts = [int(raw.split(b",")[0]) for _n, raw in merged_lines(lf, runs, first_field_int)]
    assert ts == [100, 101, 102, 200, 201, 300, 301, 302]


def _ev(venue: int, local: int) -> ReferencePrice:
    return ReferencePrice("X", venue, venue, local)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1_000), st.integers(0, 300)), max_size=80))
def test_local_clock_sorts_by_receipt_time_when_receipts_trail_venue_times(
    steps: list[tuple[int, int]],
) -> None:
    # rows sorted by venue time; each receipt is 0..300 after its venue time
    venue = 0
    evs = []
    for step, lag in steps:
        venue += step
        evs.append(_ev(venue, venue + lag))
    clock = LocalClock()
    out = []
    for e in evs:
        assert not clock.late(e.ts_local)
        clock.push(e)
        out.extend(clock.release(e.ts_venue))
    out.extend(clock.flush())
    assert sorted(out, key=lambda e: (e.ts_local, e.ts_venue)) == sorted(
        evs, key=lambda e: (e.ts_local, e.ts_venue)
    )
    assert [e.ts_local for e in out] == sorted(e.ts_local for e in evs)


def test_local_clock_buffers_only_the_receipt_window() -> None:
    clock = LocalClock()
    released = []
    for i in range(10_000):
        clock.push(_ev(i * 10, i * 10 + 25))  # receipts 2.5 rows late
        released.extend(clock.release(i * 10))
        assert len(clock._heap) <= 3
    assert len(released) + len(list(clock.flush())) == 10_000


def test_local_clock_flags_an_event_that_cannot_be_placed() -> None:
    clock = LocalClock()
    clock.push(_ev(100, 100))
    assert [e.ts_local for e in clock.release(100)] == [100]
    assert clock.late(99)
    assert not clock.late(100)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("63304200301195075000000", 6330420030120, id="round-up-above-half"),
        pytest.param("63304200301190000000000", 6330420030119, id="exact"),
        pytest.param("63304200301195000000000", 6330420030120, id="half-to-even-up"),
        pytest.param("63304200301185000000000", 6330420030118, id="half-to-even-down"),
        pytest.param("63304200301184999999999", 6330420030118, id="below-half"),
        pytest.param("0", 0, id="zero"),
    ],
)
def test_scaled18_to_ref_rounds_half_to_even(text: str, expected: int) -> None:
    assert scaled18_to_ref(text) == expected


@pytest.mark.parametrize("text", ["", "-1", "1.5", "1e18", "abc"])
def test_scaled18_to_ref_rejects_non_integers(text: str) -> None:
    with pytest.raises(UnitError):
        scaled18_to_ref(text)


@settings(max_examples=200)
@given(st.integers(0, 10**30), st.integers(0, 10**30))
def test_scaled18_rounding_is_monotone(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert scaled18_to_ref(str(lo)) <= scaled18_to_ref(str(hi))


@pytest.mark.parametrize(
    ("slug", "window"),
    [
        pytest.param("btc-updown-15m-1774241100", (1774241100, 1774242000), id="15m"),
        pytest.param("btc-updown-5m-1780876500", (1780876500, 1780876800), id="5m"),
        pytest.param("eth-updown-1h-1771891200", (1771891200, 1771894800), id="1h"),
        pytest.param("bitcoin-up-or-down-february-23", None, id="no-window"),
    ],
)
def test_slug_window(slug: str, window: tuple[int, int] | None) -> None:
    assert slug_window(slug) == window


def test_random_gzip_run_reads_match_plain(tmp_path: Path) -> None:
    rng = random.Random(7)
    blocks = [sorted(rng.randrange(0, 5_000) for _ in range(rng.randrange(50, 400))) for _ in range(8)]
    plain = LineFile(_write_blocks(tmp_path, blocks, gz=False))
    sub = tmp_path / "gz"
    sub.mkdir()
    gzf = LineFile(_write_blocks(sub, blocks, gz=True))
    a = [raw for _n, raw in merged_lines(plain, scan_runs(plain, first_field_int)[0], first_field_int)]
    b = [raw for _n, raw in merged_lines(gzf, scan_runs(gzf, first_field_int)[0], first_field_int)]
    assert a == b
    assert len(a) == sum(map(len, blocks))
