"""vinayak BTC 15m recordings: orderbook (top of book + Binance + outcome), ticks (grouped by
outcome, merge-sorted) and 20-level snapshots. Expected values come from the CSV read with the
csv module and Decimal."""

from __future__ import annotations

import csv
import inspect
import itertools
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from predtrade.data import open_recording, sample_path
from predtrade.errors import DataError
from predtrade.model.events import BestBidAsk, BookSnapshot, MarketResolved, ReferencePrice, TradePrint

from ._shared import VIN_ORDERBOOK, VIN_SNAPSHOTS, VIN_TICKS, need, text_lines, write

MS = 1_000_000


def _dec(text: str, scale: int) -> int:
    v = Decimal(text) * scale
    assert v == v.to_integral_value()
    return int(v)


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(text_lines(path)))


def _level(row: dict[str, str], p: str, s: str) -> tuple[tuple[int, int], ...]:
    if not row[p] or not row[s]:
        return ()
    return ((_dec(row[p], 10_000), _dec(row[s], 1_000_000)),)


# ---- orderbook -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "get_path",
    [
        pytest.param(lambda: sample_path("btc15m"), id="sample"),
        pytest.param(lambda: need(VIN_ORDERBOOK), id="full"),
    ],
)
def test_orderbook_rows_become_snapshots_reference_prices_and_resolutions(get_path) -> None:  # type: ignore[no-untyped-def]
    path = get_path()
    rows = _csv(path)
    rec = open_recording(path)
    assert rec.format == "vinayak-orderbook"
    assert inspect.isgenerator(rec.events())
    evs = list(rec.events())
    by_type = Counter(type(e) for e in evs)
    # Assert: counts match the file
    windows = {r["window_slug"]: r for r in rows}
    resolved = {s for s, r in windows.items() if r["outcome"]}
    assert by_type[BookSnapshot] == 2 * len(rows)
    assert by_type[ReferencePrice] == sum(1 for r in rows if r["btc_price"])
    assert by_type[MarketResolved] == len(resolved)
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    # exact values, row by row
    snaps = [e for e in evs if type(e) is BookSnapshot]
    refs = [e for e in evs if type(e) is ReferencePrice]
    for r, yes, no, ref in zip(rows, snaps[0::2], snaps[1::2], refs, strict=True):
        ts = int(r["ts_ms"]) * MS
        assert (yes.asset_id, no.asset_id, yes.market) == (
            r["yes_token_id"],
            r["no_token_id"],
            r["window_slug"],
        )
        assert yes.ts_local == no.ts_local == ref.ts_local == ts
        assert yes.bids == _level(r, "yes_bid", "yes_bid_size")
        assert yes.asks == _level(r, "yes_ask", "yes_ask_size")
        assert no.bids == _level(r, "no_bid", "no_bid_size")
        assert no.asks == _level(r, "no_ask", "no_ask_size")
        assert (ref.symbol, ref.source, ref.price) == ("BTCUSDT", "binance", _dec(r["btc_price"], 10**8))
    # one resolution per settled window, at its end, naming the winning token
    for e in (e for e in evs if type(e) is MarketResolved):
        r = windows[e.market]
        assert e.ts_venue == int(r["window_end_ts"]) * 10**9
        assert e.winning_outcome == r["outcome"]
        assert e.winning_asset_id == (r["yes_token_id"] if r["outcome"] == "Up" else r["no_token_id"])
    # markets: one per window, with its end time and token ids
    markets = rec.markets()
    assert set(markets) == set(windows)
    for slug, m in markets.items():
        assert m.end_ts == int(windows[slug]["window_end_ts"]) * 10**9
        assert m.start_ts == int(slug.rsplit("-", 1)[1]) * 10**9
        assert m.token_ids == (windows[slug]["yes_token_id"], windows[slug]["no_token_id"])
        assert m.outcomes == ("Up", "Down")


def test_orderbook_sample_has_complete_windows_with_outcome_and_btc_price() -> None:
    rows = _csv(sample_path("btc15m"))
    per_window = Counter(r["window_slug"] for r in rows)
    assert len(per_window) >= 2
    for slug, n in per_window.items():
        start = int(slug.rsplit("-", 1)[1]) * 1000
        ts = [int(r["ts_ms"]) for r in rows if r["window_slug"] == slug]
        assert n >= 899
        assert ts[0] - start < 2_000 and ts[-1] >= start + 899_000  # covers start to end
    assert all(r["outcome"] in ("Up", "Down") and r["btc_price"] for r in rows)
    assert {r["outcome"] for r in rows} == {"Up", "Down"}


def test_orderbook_empty_price_fields_give_an_empty_side() -> None:
    rows = _csv(sample_path("btc15m"))
    i = next(i for i, r in enumerate(rows) if r["yes_ask"] == "" and r["yes_bid"])
    evs = [e for e in open_recording(sample_path("btc15m")).events() if type(e) is BookSnapshot]
    yes = evs[2 * i]
    assert yes.asks == ()
    assert yes.bids == ((_dec(rows[i]["yes_bid"], 10_000), _dec(rows[i]["yes_bid_size"], 10**6)),)


def test_orderbook_resolution_waits_for_a_known_outcome(tmp_path: Path) -> None:
    lines = text_lines(sample_path("btc15m"))[:6]
    header = lines[0].split(",")
    k = header.index("outcome")
    cut = []
    for i, ln in enumerate(lines[1:]):
        f = ln.split(",")
        if i < 3:
            f[k] = ""  # outcome filled in only from the 4th row on
        cut.append(",".join(f))
    rec = open_recording(write(tmp_path / "orderbook_x.csv", [lines[0], *cut]))
    res = [e for e in rec.events() if type(e) is MarketResolved]
    assert len(res) == 1
    end = int(cut[0].split(",")[header.index("window_end_ts")]) * 10**9
    assert res[0].ts_local == end


# ---- ticks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "get_path",
    [
        pytest.param(lambda: sample_path("btc15m-ticks"), id="sample"),
        pytest.param(lambda: need(VIN_TICKS), id="full"),
    ],
)
def test_ticks_merge_the_outcome_blocks_and_sort_by_receipt_time(get_path) -> None:  # type: ignore[no-untyped-def]
    path = get_path()
    rows = _csv(path)
    rec = open_recording(path)
    assert rec.format == "vinayak-ticks"
    evs = list(rec.events())
    kinds = Counter(r["tick_type"] for r in rows)
    assert Counter(type(e) for e in evs) == {BestBidAsk: kinds["book"], TradePrint: kinds["trade"]}
    assert rec.counters["sorted_runs"] >= 2  # the file is grouped: Down block, then Up block
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    # the output interleaves the two tokens instead of replaying one block after the other
    outcomes = [e.asset_id.rsplit(":", 1)[1] for e in evs]
    switches = sum(1 for a, b in itertools.pairwise(outcomes) if a != b)
    assert switches > 100
    # every row appears once, with ts_venue/ts_local from ts_ms/received_ts_ms
    want = Counter(
        (f"{r['window_slug']}:{r['outcome']}", int(r["ts_ms"]) * MS, int(r["received_ts_ms"]) * MS)
        for r in rows
    )
    assert Counter((e.asset_id, e.ts_venue, e.ts_local) for e in evs) == want


def test_ticks_values_and_empty_best_bid() -> None:
    rows = _csv(sample_path("btc15m-ticks"))
    evs = list(open_recording(sample_path("btc15m-ticks")).events())
    index: dict[tuple, list] = {}
    for e in evs:  # rows sharing all three keys keep their file order
        index.setdefault((e.asset_id, e.ts_venue, e.ts_local), []).append(e)
    for r in rows:
        e = index[
            (f"{r['window_slug']}:{r['outcome']}", int(r["ts_ms"]) * MS, int(r["received_ts_ms"]) * MS)
        ].pop(0)
        assert e.market == r["window_slug"]
        if r["tick_type"] == "book":
            assert e.best_bid == (_dec(r["best_bid"], 10_000) if r["best_bid"] else 0)
            assert e.best_ask == (_dec(r["best_ask"], 10_000) if r["best_ask"] else 10_000)
            assert e.bid_size is None and e.ask_size is None
        else:
            assert (e.price, e.size, e.side) == (_dec(r["price"], 10_000), _dec(r["size"], 10**6), None)
    assert any(r["best_bid"] == "" for r in rows if r["tick_type"] == "book")


def test_ticks_markets_use_synthetic_token_ids() -> None:
    rec = open_recording(sample_path("btc15m-ticks"))
    (m,) = rec.markets().values()
    assert m.condition_id == "btc-updown-15m-1774125000"
    assert m.token_ids == ("btc-updown-15m-1774125000:Up", "btc-updown-15m-1774125000:Down")
    assert (m.start_ts, m.end_ts) == (1774125000 * 10**9, 1774125900 * 10**9)


def test_ticks_corrupt_row_in_the_second_block_names_its_line(tmp_path: Path) -> None:
    lines = text_lines(sample_path("btc15m-ticks"))
    up_start = next(i for i, ln in enumerate(lines) if ",Up," in ln)
    bad = up_start + 10
    lines[bad] = lines[bad].replace(",Up,", ",Up,oops,", 1)
    p = write(tmp_path / "ticks.csv", lines)
    with pytest.raises(DataError, match="columns") as info:
        list(open_recording(p).events())
    assert info.value.line == bad + 1
    rec = open_recording(p, skip_bad=True)
    assert len(list(rec.events())) == len(lines) - 2
    assert rec.bad_lines == 1


# ---- snapshots -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "get_path",
    [
        pytest.param(lambda: sample_path("btc15m-snapshots"), id="sample"),
        pytest.param(lambda: need(VIN_SNAPSHOTS), id="full"),
    ],
)
def test_snapshots_have_twenty_exact_levels(get_path) -> None:  # type: ignore[no-untyped-def]
    path = get_path()
    rows = _csv(path)
    rec = open_recording(path)
    assert rec.format == "vinayak-snapshots"
    evs = list(rec.events())
    assert len(evs) == len(rows)
    for r, e in zip(rows, evs, strict=True):
        assert (e.asset_id, e.market, e.ts_local) == (
            r["clob_token_id"],
            r["window_slug"],
            int(r["ts_ms"]) * MS,
        )
        bids = tuple(
            (_dec(r[f"bid_p{i}"], 10_000), _dec(r[f"bid_s{i}"], 10**6))
            for i in range(1, 21)
            if r[f"bid_p{i}"]
        )
        asks = tuple(
            (_dec(r[f"ask_p{i}"], 10_000), _dec(r[f"ask_s{i}"], 10**6))
            for i in range(1, 21)
            if r[f"ask_p{i}"]
        )
        assert (e.bids, e.asks) == (bids, asks)
    (m,) = rec.markets().values()
    assert m.token_ids[1] == rows[0]["clob_token_id"]  # the Down token is known
    assert m.token_ids[0].endswith(":Up")  # the Up token is not in this excerpt
