"""Compiled recordings: the exact event stream of any recording, replayed from a binary file."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.backtest.records import MemorySink
from predtrade.backtest.runner import run_backtest
from predtrade.data import CompiledRecording, compile_recording, format_ws_record, open_recording, sample_path
from predtrade.data import compiled as C
from predtrade.errors import DataError
from predtrade.model import (
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    MarketResolved,
    NewMarket,
    OrderAccepted,
    ReferencePrice,
    Side,
    TickSizeChange,
    TradePrint,
)
from predtrade.model.events import Event
from predtrade.strategies import build_strategy
from predtrade.venues.sim import SimVenue

from ._shared import WS_FIXTURES, need, write


class ListSource:
    """A reader stand-in: a list of events and markets (compile_recording takes any reader)."""

    path = Path("memory")
    format = "test"
    bad_lines = 0
    counters: dict[str, int] = {}  # noqa: RUF012 - read only

    def __init__(self, events: list[Event]) -> None:
        self._events = events

    def events(self):
        return iter(self._events)

    def markets(self):
        return {}


@pytest.mark.parametrize("name", ["btc15m", "btc1h", "btc15m-ticks", "btc15m-snapshots", "btc5m-chainlink"])
def test_every_sample_round_trips_exactly(tmp_path: Path, name: str) -> None:
    src = open_recording(sample_path(name))
    dest = tmp_path / f"{name}.ptev"
    summary = compile_recording(sample_path(name), dest)
    rec = open_recording(dest)
    assert isinstance(rec, CompiledRecording) and rec.format == "predtrade-events"
    want = list(src.events())
    got = list(rec.events())
    assert got == want and [type(e) for e in got] == [type(e) for e in want]
    assert rec.markets() == src.markets()
    assert (rec.bad_lines, rec.counters) == (src.bad_lines, src.counters)
    assert (rec.source, rec.source_format) == (str(sample_path(name)), src.format)
    assert summary["events"] == len(want) and summary["bytes"] == dest.stat().st_size
    assert sum(summary["by_type"].values()) == len(want)
    assert list(rec.events()) == want  # every pass starts again


def test_bad_lines_and_counters_of_the_source_are_kept(tmp_path: Path) -> None:
    frame = need(WS_FIXTURES / "book.json").read_text()
    t0 = 1_728_799_418_260_000_000
    lines = [
        format_ws_record(t0, frame).decode().rstrip("\n"),
        "{not json",
        format_ws_record(t0 + 1, '{"event_type": "trade"}', channel="user").decode().rstrip("\n"),
        format_ws_record(t0 + 2, frame).decode().rstrip("\n"),
    ]
    raw = write(tmp_path / "ws.jsonl", lines)
    with pytest.raises(DataError):
        compile_recording(raw, tmp_path / "strict.ptev")
    assert not (tmp_path / "strict.ptev").exists() and not list(tmp_path.glob("*.part"))
    compile_recording(raw, tmp_path / "ws.ptev", skip_bad=True)
    rec = open_recording(tmp_path / "ws.ptev")
    src = open_recording(raw, skip_bad=True)
    assert list(rec.events()) == list(src.events())
    assert (rec.bad_lines, rec.counters) == (1, {"other_channel": 1}) == (src.bad_lines, src.counters)


def _events(n: int) -> list[Event]:
    out: list[Event] = []
    for i in range(n):
        t = 1_000 + i
        out.append(BookDeltas("a", "m", ((Side.BUY, 4_500 + i % 7, i),), t, t, 4_500, 5_500))
        if i % 5 == 0:
            out.append(TradePrint("a", "m", 5_000, 10 + i, Side.SELL, t, t))
    return out


def test_long_runs_are_split_into_bounded_records(tmp_path: Path) -> None:
    evs = [BookDeltas("a", "m", ((Side.SELL, 5_100, i),), i, i) for i in range(2 * C.CHUNK + 5)]
    dest = tmp_path / "x.ptev"
    compile_recording(ListSource(evs), dest)
    sizes = []
    data = dest.read_bytes()
    pos = len(C.MAGIC) + 6 + struct.unpack_from("<I", data, len(C.MAGIC) + 2)[0]
    while True:
        kind, n = struct.unpack_from("<BI", data, pos)
        pos += 5
        if kind == C.TRAILER:
            break
        sizes.append(len(msgspec.msgpack.decode(data[pos : pos + n])))
        pos += n
    assert sizes == [C.CHUNK, C.CHUNK, 5] and pos + n == len(data)
    assert list(open_recording(dest).events()) == evs


@pytest.mark.parametrize("cut", [1, 30, 60, 2_000], ids=["trailer-end", "trailer", "last-record", "records"])
def test_truncated_file_replays_what_is_intact_then_is_a_bad_line(tmp_path: Path, cut: int) -> None:
    evs = _events(300)
    dest = tmp_path / "x.ptev"
    compile_recording(ListSource(evs), dest)
    data = dest.read_bytes()
    dest.write_bytes(data[:-cut])
    got: list[Event] = []
    with pytest.raises(DataError, match="truncated compiled recording"):
        for ev in open_recording(dest).events():
            got.append(ev)
    assert 0 < len(got) < len(evs) or cut < 40
    assert got == evs[: len(got)]
    rec = open_recording(dest, skip_bad=True)
    assert list(rec.events()) == got and rec.bad_lines == 1


def test_a_corrupt_record_is_skipped_with_skip_bad(tmp_path: Path) -> None:
    first = [BookDeltas("a", "m", ((Side.BUY, 4_000, 1),), 1, 1)]
    second = [TradePrint("a", "m", 5_000, 7, None, 2, 2)]
    third = [BookDeltas("a", "m", ((Side.BUY, 4_000, 2),), 3, 3)]
    dest = tmp_path / "x.ptev"
    compile_recording(ListSource(first + second + third), dest)
    data = bytearray(dest.read_bytes())
    i = data.index(msgspec.msgpack.encode(second))  # the middle record's payload
    data[i : i + 1] = b"\xc1"  # a byte MessagePack never uses
    dest.write_bytes(bytes(data))
    with pytest.raises(DataError, match="corrupt record"):
        list(open_recording(dest).events())
    rec = open_recording(dest, skip_bad=True)
    assert list(rec.events()) == first + third and rec.bad_lines == 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(lambda b: b"NOTEVENT" + b[8:], "bad magic", id="magic"),
        pytest.param(lambda b: b[:8] + struct.pack("<H", 99) + b[10:], "version 99", id="version"),
        pytest.param(lambda b: b[:14] + b"\xc1" + b[15:], "corrupt compiled recording header", id="header"),
    ],
)
def test_unreadable_header_is_a_data_error(tmp_path: Path, mutate, message: str) -> None:
    dest = tmp_path / "x.ptev"
    compile_recording(ListSource(_events(3)), dest)
    dest.write_bytes(mutate(dest.read_bytes()))
    with pytest.raises(DataError, match=message):
        CompiledRecording(dest)


def test_only_recorded_event_types_compile(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot compile a OrderAccepted"):
        compile_recording(ListSource([OrderAccepted("c", "v", 1, 1)]), tmp_path / "x.ptev")
    assert not (tmp_path / "x.ptev").exists() and not list(tmp_path.glob("*.part"))


_INT = st.integers(-(2**63), 2**63 - 1)
_TEXT = st.text(max_size=80)
_ANY_EVENT = st.one_of(
    st.builds(
        BookDeltas,
        _TEXT,
        _TEXT,
        st.lists(st.tuples(st.sampled_from(Side), _INT, _INT), max_size=4).map(tuple),
        _INT,
        _INT,
        st.none() | _INT,
        st.none() | _INT,
        st.none() | _TEXT,
        st.none() | _INT,
    ),
    st.builds(
        BookSnapshot,
        _TEXT,
        _TEXT,
        st.lists(st.tuples(_INT, _INT), max_size=4).map(tuple),
        st.lists(st.tuples(_INT, _INT), max_size=4).map(tuple),
        _INT,
        _INT,
        st.none() | _TEXT,
        st.none() | _INT,
    ),
    st.builds(TradePrint, _TEXT, _TEXT, _INT, _INT, st.none() | st.sampled_from(Side), _INT, _INT, _INT),
    st.builds(BestBidAsk, _TEXT, _TEXT, _INT, _INT, _INT, _INT, st.none() | _INT, st.none() | _INT),
    st.builds(TickSizeChange, _TEXT, _TEXT, _INT, _INT, _INT, _INT),
    st.builds(ReferencePrice, _TEXT, _INT, _INT, _INT, _TEXT),
    st.builds(MarketResolved, _TEXT, _TEXT, _TEXT, _INT, _INT),
    st.builds(
        NewMarket,
        _TEXT,
        st.lists(_TEXT, max_size=3).map(tuple),
        st.lists(_TEXT, max_size=3).map(tuple),
        _TEXT,
        _TEXT,
        _INT,
        _INT,
        st.none() | _INT,
    ),
)


@settings(max_examples=100, deadline=None)
@given(evs=st.lists(_ANY_EVENT, max_size=30))
def test_any_events_round_trip_exactly(tmp_path_factory, evs: list[Event]) -> None:
    dest = tmp_path_factory.mktemp("c") / "x.ptev"
    summary = compile_recording(ListSource(evs), dest)
    got = list(open_recording(dest).events())
    assert got == evs
    assert [type(e) for e in got] == [type(e) for e in evs]
    for a, b in zip(got, evs, strict=True):  # enums stay enums (an int equal to Side.BUY would not do)
        if isinstance(a, BookDeltas):
            assert [type(c[0]) for c in a.changes] == [type(c[0]) for c in b.changes]
    assert summary["events"] == len(evs)


def test_a_backtest_over_the_compiled_file_is_the_backtest_over_its_source(tmp_path: Path) -> None:
    dest = tmp_path / "btc15m.ptev"
    compile_recording(sample_path("btc15m"), dest)

    def run(path: Path) -> tuple[dict, MemorySink]:
        sink = MemorySink()
        summary = run_backtest(
            path, build_strategy("amm"), venue_factory=lambda m, b: SimVenue(m, b), sink=sink
        )
        return summary, sink

    a, sa = run(sample_path("btc15m"))
    b, sb = run(dest)
    for k in ("wall_seconds", "events_per_second"):
        a.pop(k), b.pop(k)
    assert a == b and a["fills"] > 0
    assert sa.fills == sb.fills and sa.orders == sb.orders and sa.transitions == sb.transitions
    assert [d.decision_hash for d in sa.decisions] == [d.decision_hash for d in sb.decisions]
    assert sa.pnl_points == sb.pnl_points
    assert json.loads(msgspec.json.encode(sa.markets)) == json.loads(msgspec.json.encode(sb.markets))
