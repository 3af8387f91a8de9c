"""Raw WebSocket recordings (predtrade JSONL envelope), bare-frame JSONL and .json fixtures, parsed
through the Polymarket market-channel parser."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from predtrade.data import format_ws_record, open_recording
from predtrade.errors import DataError
from predtrade.model.events import BookDeltas, BookSnapshot, NewMarket, TradePrint

from ._shared import SHARED, WS_FIXTURES, need, write

BOOK = WS_FIXTURES / "book.json"
RUST = SHARED / "nautilus_trader" / "rust_test_data"
T0 = 1_728_799_418_260 * 1_000_000 + 123_456  # book.json's timestamp, plus a receipt delay


def _book_frame() -> str:
    return need(BOOK).read_text()


def _change(asset: str, market: str, ts_ms: int, *entries: tuple[str, str, str]) -> str:
    return json.dumps(
        {
            "market": market,
            "price_changes": [{"asset_id": asset, "price": p, "side": s, "size": z} for p, s, z in entries],
            "event_type": "price_change",
            "timestamp": str(ts_ms),
        }
    )


def test_record_format_round_trips_the_exact_frame() -> None:
    raw = '{"event_type": "book",  "x": "é"}'  # spacing and non-ASCII kept
    line = format_ws_record(123, raw)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"ts_local": 123, "channel": "market", "raw": raw}
    assert json.loads(format_ws_record(5, raw.encode(), channel="user"))["channel"] == "user"


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_envelope_recording_replays_through_the_parser(tmp_path: Path, gz: bool) -> None:
    book = json.loads(_book_frame())
    asset, market = book["asset_id"], book["market"]
    lines = [
        format_ws_record(T0, _book_frame()),
        format_ws_record(T0 + 5, "PONG"),  # text frames give no events
        format_ws_record(T0 + 7, '{"event_type": "trade"}', channel="user"),  # other channel: skipped
        format_ws_record(T0 + 10, _change(asset, market, 1728799419000, ("0.511", "BUY", "0"))),
    ]
    body = b"".join(lines)
    p = tmp_path / ("ws.jsonl.gz" if gz else "ws.jsonl")
    p.write_bytes(gzip.compress(body) if gz else body)
    rec = open_recording(p)
    assert rec.format == "polymarket-ws"
    evs = list(rec.events())
    assert [type(e) for e in evs] == [BookSnapshot, BookDeltas]
    snap, delta = evs
    assert (snap.asset_id, snap.market, snap.ts_local) == (asset, market, T0)
    assert snap.ts_venue == 1728799418260 * 1_000_000
    assert len(snap.bids) == len(book["bids"]) and len(snap.asks) == len(book["asks"])
    assert delta.ts_local == T0 + 10 and delta.changes[0][1:] == (5110, 0)
    assert rec.counters == {"other_channel": 1}


def test_envelope_errors_name_the_line(tmp_path: Path) -> None:
    good = format_ws_record(T0, _book_frame()).decode().rstrip("\n")
    bad_frame = format_ws_record(T0 + 1, '{"event_type": "book", "asset_id": 5}').decode().rstrip("\n")
    p = write(tmp_path / "ws.jsonl", [good, "{not json", bad_frame, good.replace(str(T0), str(T0 + 2))])
    with pytest.raises(DataError) as info:
        list(open_recording(p).events())
    assert info.value.line == 2
    rec = open_recording(p, skip_bad=True)
    assert len(list(rec.events())) == 2
    assert rec.bad_lines == 2


def test_envelope_clock_running_backwards_is_bad(tmp_path: Path) -> None:
    lines = [format_ws_record(T0 + d, _book_frame()).decode().rstrip("\n") for d in (0, 10, 5, 20)]
    p = write(tmp_path / "ws.jsonl", lines)
    with pytest.raises(DataError, match="out of time order") as info:
        list(open_recording(p).events())
    assert info.value.line == 3


def test_bare_frames_jsonl_uses_frame_timestamps_never_going_back(tmp_path: Path) -> None:
    book = json.loads(_book_frame())
    asset, market = book["asset_id"], book["market"]
    frames = [
        json.dumps(book),
        _change(asset, market, 1728799419000, ("0.511", "BUY", "0")),
        _change(asset, market, 1728799418000, ("0.51", "BUY", "1")),  # older timestamp
        json.dumps({"event_type": "order", "id": "x"}),  # user channel
    ]
    rec = open_recording(write(tmp_path / "frames.jsonl", frames))
    assert rec.format == "polymarket-ws-frames"
    evs = list(rec.events())
    assert [e.ts_local // 1_000_000 for e in evs] == [1728799418260, 1728799419000, 1728799419000]
    assert evs[2].ts_venue == 1728799418000 * 1_000_000
    assert rec.counters == {"other_channel": 1}


def test_fixture_folder_replays_market_frames_in_timestamp_order() -> None:
    rec = open_recording(need(WS_FIXTURES))
    evs = list(rec.events())
    assert {type(e) for e in evs} >= {BookSnapshot, BookDeltas, TradePrint}
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    assert rec.counters.get("other_channel", 0) >= 4  # user-channel order/trade fixtures


def test_fixture_markets_come_from_new_market_events() -> None:
    rec = open_recording(need(RUST / "ws_market_new_market_msg.json"))
    raw = json.loads((RUST / "ws_market_new_market_msg.json").read_text())
    (ev,) = [e for e in rec.events() if type(e) is NewMarket]
    markets = rec.markets()
    assert set(markets) == {ev.market}
    m = markets[ev.market]
    assert m.token_ids == tuple(ev.asset_ids) and m.slug == raw.get("slug", ev.slug)
