"""ligengxin BTC 5m markets + Chainlink BTC/USD: metadata, resolutions, prices, corrections, and the
settlement rule reproduced with our integers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from predtrade.data import open_recording, sample_path
from predtrade.errors import DataError
from predtrade.model.events import MarketResolved, ReferencePrice

from ._shared import LIG, need, text_lines, write

MS = 1_000_000


def _day(name: str) -> Path:
    return sample_path("btc5m-chainlink") if name == "sample" else need(LIG / name)


DAYS = [
    pytest.param("sample", id="sample"),
    pytest.param("2026-06-08", id="06-08"),
    pytest.param("2026-07-24", id="07-24"),
]


def _files(day: Path) -> tuple[Path, Path]:
    return next(day.glob("*markets*")), next(day.glob("*prices*"))


def _round_1e10(v: int) -> int:
    """Independent half-even rounding of a 1e18-scaled integer to 1e-8 (via divmod on 10**10)."""
    q, r = divmod(v, 10**10)
    return q + (1 if r * 2 > 10**10 or (r * 2 == 10**10 and q % 2) else 0)


@pytest.mark.parametrize("day", DAYS)
def test_day_folder_merges_prices_and_resolutions_in_time(day: str) -> None:
    folder = _day(day)
    mfile, pfile = _files(folder)
    markets_raw = [json.loads(ln) for ln in text_lines(mfile)]
    prices_raw = list(csv.DictReader(text_lines(pfile)))
    rec = open_recording(folder)
    assert rec.format == "ligengxin-day"
    evs = list(rec.events())
    refs = [e for e in evs if type(e) is ReferencePrice]
    res = [e for e in evs if type(e) is MarketResolved]
    # counts match the files (no duplicate feed timestamps in these days)
    assert len({r["feed_ts_ms"] for r in prices_raw}) == len(prices_raw)
    assert len(refs) == len(prices_raw)
    assert len(res) == sum(
        1 for m in markets_raw if m["resolved"] and m["outcome_prices"] in (["1", "0"], ["0", "1"])
    )
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    # exact prices and both clocks
    want = {int(r["feed_ts_ms"]) * MS: r for r in prices_raw}
    for e in refs:
        r = want[e.ts_venue]
        assert (e.symbol, e.source) == ("BTCUSD", "chainlink")
        assert e.price == _round_1e10(int(r["full_accuracy_value"]))
        assert e.ts_local == int(r["recv_ms"]) * MS
    assert rec.bad_lines == 0


@pytest.mark.parametrize("day", DAYS)
def test_markets_metadata_and_settlement_rule_reproduced(day: str) -> None:
    folder = _day(day)
    mfile, _ = _files(folder)
    raw = {m["condition_id"]: m for m in (json.loads(ln) for ln in text_lines(mfile))}
    rec = open_recording(folder)
    markets = rec.markets()
    assert set(markets) == set(raw)
    for cid, m in markets.items():
        r = raw[cid]
        assert m.token_ids == tuple(r["token_ids"])
        assert m.outcomes == tuple(json.loads(r["raw"]["outcomes"]))
        assert (m.start_ts, m.end_ts) == (r["start_sec"] * 10**9, r["end_sec"] * 10**9)
        assert m.slug == r["slug"] and m.question == r["raw"]["question"]
        assert m.strike == (_round_1e10(int(r["strike_value"])) if r["strike_value"] else None)
        assert m.fees.rate_ppm == 70_000 and m.fees.rebate_rate_ppm == 200_000 and m.fees.taker_only
        assert m.min_order_size == 5_000_000
    # Up iff Chainlink at the closing second >= strike, with our rounded integers
    evs = list(rec.events())
    price_at = {e.ts_venue: e.price for e in evs if type(e) is ReferencePrice}
    checked = 0
    for e in (e for e in evs if type(e) is MarketResolved):
        m = markets[e.market]
        close = price_at.get(m.end_ts)  # type: ignore[arg-type]
        if close is None or m.strike is None:
            continue
        assert e.winning_asset_id == m.token_ids[0 if close >= m.strike else 1], m.slug
        assert e.winning_outcome == m.label_of(e.winning_asset_id)
        checked += 1
    assert checked >= 30


def test_a_correction_row_wins(tmp_path: Path) -> None:
    head = "feed_ts_ms,value,full_accuracy_value,server_ts_ms,recv_ms"
    lines = [
        head,
        "1000,1.0,100000000000000000000,1100,1200",
        "2000,2.0,200000000000000000000,2100,2200",
        "2000,2.5,250000000000000000000,2100,2900",  # correction of 2000: later recv wins
        "3000,3.0,300000000000000000000,3100,3200",
    ]
    rec = open_recording(write(tmp_path / "BTCUSD-prices-x.csv", lines))
    assert rec.format == "chainlink-prices"
    evs = list(rec.events())
    assert [(e.ts_venue // MS, e.ts_local // MS, e.price) for e in evs] == [
        (1000, 1200, 100 * 10**8),
        (2000, 2900, 250 * 10**8),
        (3000, 3200, 300 * 10**8),
    ]
    assert rec.counters["corrections"] == 1


def test_receipt_times_are_reordered(tmp_path: Path) -> None:
    head = "feed_ts_ms,value,full_accuracy_value,server_ts_ms,recv_ms"
    lines = [head, "1000,1,1,0,5000", "2000,1,2,0,2100", "3000,1,3,0,3100", "6000,1,4,0,6100"]
    evs = list(open_recording(write(tmp_path / "p.csv", lines)).events())
    assert [e.ts_local // MS for e in evs] == [2100, 3100, 5000, 6100]


def test_bad_price_row_names_its_line(tmp_path: Path) -> None:
    head = "feed_ts_ms,value,full_accuracy_value,server_ts_ms,recv_ms"
    lines = [head, "1000,1,1,0,1100", "2000,1,12.5,0,2100", "3000,1,3,0,3100"]
    p = write(tmp_path / "p.csv.gz", lines, gz=True)
    with pytest.raises(DataError) as info:
        list(open_recording(p).events())
    assert info.value.line == 3 and "1e18" in info.value.message
    rec = open_recording(p, skip_bad=True)
    assert len(list(rec.events())) == 2 and rec.bad_lines == 1


def test_markets_file_alone() -> None:
    mfile, _ = _files(sample_path("btc5m-chainlink"))
    rec = open_recording(mfile)
    assert rec.format == "ligengxin-markets"
    evs = list(rec.events())
    assert evs and all(type(e) is MarketResolved for e in evs)
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    assert len(rec.markets()) == len(text_lines(mfile))
