"""bookpoly full-depth REST snapshots -> BookSnapshot pairs, checked against the raw JSON read
independently (stdlib json with Decimal numbers)."""

from __future__ import annotations

import inspect
import json
from decimal import Decimal
from pathlib import Path

import pytest

from predtrade.data import open_recording, sample_path
from predtrade.errors import DataError
from predtrade.model.events import BookSnapshot

from ._shared import BOOKPOLY, need, text_lines, write

SCALE_P = Decimal(10_000)
SCALE_S = Decimal(1_000_000)


def _expected(side: dict) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    def conv(levels: list[dict]) -> tuple[tuple[int, int], ...]:
        out = []
        for lv in levels:
            p, s = lv["p"] * SCALE_P, lv["s"] * SCALE_S
            assert p == p.to_integral_value() and s == s.to_integral_value()
            out.append((int(p), int(s)))
        return tuple(out)

    return conv(side["bids"]), conv(side["asks"])


def _paths() -> list:
    return [
        pytest.param(lambda: sample_path("btc1h"), id="sample"),
        pytest.param(lambda: need(BOOKPOLY), id="full"),
    ]


@pytest.mark.parametrize("get_path", _paths())
def test_every_row_becomes_yes_and_no_snapshots_exactly(get_path) -> None:  # type: ignore[no-untyped-def]
    path: Path = get_path()
    raw_rows = [json.loads(ln, parse_float=Decimal) for ln in text_lines(path)]
    rec = open_recording(path)
    assert rec.format == "bookpoly-l2"
    events = rec.events()
    assert inspect.isgenerator(events)
    evs = list(events)
    # Assert: two snapshots per row, in file (= time) order, with exact ints
    assert len(evs) == 2 * len(raw_rows)
    assert all(type(e) is BookSnapshot for e in evs)
    for row, yes, no in zip(raw_rows, evs[0::2], evs[1::2], strict=True):
        ts = row["ts_ms"] * 1_000_000
        assert (yes.asset_id, no.asset_id) == (row["yes"]["token_id"], row["no"]["token_id"])
        assert yes.market == no.market == row["condition_id"]
        assert yes.ts_venue == yes.ts_local == no.ts_local == ts
        assert (yes.bids, yes.asks) == _expected(row["yes"])
        assert (no.bids, no.asks) == _expected(row["no"])
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    assert rec.bad_lines == 0


def test_known_row_values() -> None:
    # row 2 of the recording (first row of the 00:00 window), numbers as in the file
    evs = list(open_recording(sample_path("btc1h")).events())
    yes = evs[2]
    assert yes.ts_local == 1771891201156 * 1_000_000
    assert yes.bids[:3] == ((5100, 134_490_000), (4800, 6_000_000), (4700, 75_000_000))
    assert yes.asks[0] == (5400, 35_000_000)


def test_markets_include_the_previous_window_of_row_one() -> None:
    rec = open_recording(sample_path("btc1h"))
    first, second = (json.loads(ln) for ln in text_lines(rec.path)[:2])
    markets = rec.markets()
    assert set(markets) == {first["condition_id"], second["condition_id"]}
    m = markets[second["condition_id"]]
    assert m.token_ids == (second["yes"]["token_id"], second["no"]["token_id"])
    assert m.outcomes == ("Up", "Down")
    assert m.start_ts == second["window_start"] * 10**9
    assert m.end_ts == (second["window_start"] + 3600) * 10**9
    assert markets[first["condition_id"]].start_ts == first["window_start"] * 10**9


def _rows(n: int) -> list[str]:
    return text_lines(sample_path("btc1h"))[:n]


def test_err_rows_are_counted_and_skipped(tmp_path: Path) -> None:
    rows = [json.loads(r) for r in _rows(4)]
    rows[2]["err"] = "HTTP 503"
    p = write(tmp_path / "b.jsonl", [json.dumps(r) for r in rows])
    rec = open_recording(p)
    evs = list(rec.events())
    assert len(evs) == 6
    assert rec.counters["err_rows"] == 1
    assert rec.bad_lines == 0
    assert rows[2]["ts_ms"] * 1_000_000 not in {e.ts_local for e in evs}


def test_a_corrupt_row_names_file_and_line(tmp_path: Path) -> None:
    lines = _rows(5)
    lines[3] = lines[3].replace('"p":0.51,', '"p":"zero point five",', 1)
    p = write(tmp_path / "b.jsonl", lines)
    with pytest.raises(DataError) as info:
        list(open_recording(p).events())
    assert info.value.line == 4 and info.value.path == str(p)
    rec = open_recording(p, skip_bad=True)
    assert len(list(rec.events())) == 8
    assert rec.bad_lines == 1


def test_rows_out_of_time_order_are_bad(tmp_path: Path) -> None:
    lines = _rows(4)
    lines[1], lines[2] = lines[2], lines[1]
    p = write(tmp_path / "b.jsonl", lines)
    with pytest.raises(DataError, match="out of time order") as info:
        list(open_recording(p).events())
    assert info.value.line == 3
