"""felix BTC 5m outcomes (an unsorted file of sorted day blocks): Binance open/close and resolutions."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal

import pytest

from predtrade.data import open_recording, sample_path
from predtrade.model.events import MarketResolved, ReferencePrice

from ._shared import FELIX, need, text_lines


@pytest.mark.parametrize(
    "get_path",
    [
        pytest.param(lambda: sample_path("btc5m-outcomes"), id="sample"),
        pytest.param(lambda: need(FELIX), id="full"),
    ],
)
def test_rounds_become_open_close_prices_and_resolutions(get_path) -> None:  # type: ignore[no-untyped-def]
    path = get_path()
    rows = list(csv.DictReader(text_lines(path)))
    rec = open_recording(path)
    assert rec.format == "felix-outcomes"
    evs = list(rec.events())
    # counts match the file: 2 prices + 1 resolution per round
    assert Counter(type(e) for e in evs) == {ReferencePrice: 2 * len(rows), MarketResolved: len(rows)}
    res = [e for e in evs if type(e) is MarketResolved]
    assert Counter(e.winning_outcome for e in res) == Counter(r["outcome"].capitalize() for r in rows)
    # the file is not sorted, the stream is
    starts = [int(r["timestamp"]) for r in rows]
    assert starts != sorted(starts)
    assert [e.ts_local for e in evs] == sorted(e.ts_local for e in evs)
    assert rec.counters["sorted_runs"] > 1
    # exact prices at open and close of every round
    want = {}
    for r in rows:
        t0 = int(r["timestamp"]) * 10**9
        want.setdefault(t0, []).append(int(Decimal(r["btc_open"]) * 10**8))
        want.setdefault(t0 + 300 * 10**9, []).append(int(Decimal(r["btc_close"]) * 10**8))
    got: dict[int, list[int]] = {}
    for e in evs:
        if type(e) is ReferencePrice:
            assert (e.symbol, e.source, e.ts_venue) == ("BTCUSDT", "binance", e.ts_local)
            got.setdefault(e.ts_local, []).append(e.price)
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}
    # markets: one per round, synthetic token ids named after the slug
    markets = rec.markets()
    assert len(markets) == len(rows)
    for e in res:
        m = markets[e.market]
        assert e.market == f"btc-updown-5m-{m.start_ts // 10**9}"
        assert m.end_ts - m.start_ts == 300 * 10**9  # type: ignore[operator]
        assert e.winning_asset_id == m.token(m.outcome_by_label(e.winning_outcome))


def test_full_file_outcome_totals() -> None:
    evs = list(open_recording(need(FELIX)).events())
    won = Counter(e.winning_outcome for e in evs if type(e) is MarketResolved)
    assert won == {"Up": 10_628, "Down": 10_300}  # totals stated in the data README
