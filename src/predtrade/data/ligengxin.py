"""``Ligengxin96/polymarket-data-samples``: one UTC day of Polymarket BTC 5-minute up/down markets
(``BTC-5m-markets-<day>.jsonl.gz``) and the Chainlink BTC/USD settlement feed
(``BTCUSD-prices-<day>.csv.gz``), either file alone or the day folder holding both.

* Markets -> :class:`Market` metadata (strike from the 1e18-scaled ``strike_value``, fees from the
  Gamma object) and a :class:`MarketResolved` at each resolved market's end.
* Prices -> :class:`ReferencePrice` ``BTCUSD`` (source ``chainlink``) from ``full_accuracy_value``;
  ``ts_venue = feed_ts_ms``, ``ts_local = recv_ms``. When two rows share ``feed_ts_ms`` the later
  ``recv_ms`` is a correction and wins: only it is emitted (``counters["corrections"]``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from ..errors import DataError
from ..model.events import Event, MarketResolved, ReferencePrice
from ..model.market import FeeSchedule, Market
from ..model.units import PRICE_DECIMALS, SIZE_DECIMALS, parse_tick
from ._base import ROW_ERRORS, Recording, Row, describe
from ._convert import NS_PER_MS, NS_PER_S, fixed, ms_int, optional_text, scaled18_to_ref
from ._csv import CsvRecording
from ._io import LineFile, TruncatedStream

RECEIPT_SLACK_NS = 1_000 * NS_PER_MS


class _Fees(msgspec.Struct):
    rate: msgspec.Raw = msgspec.Raw()
    exponent: int = 1
    takerOnly: bool = True
    rebateRate: msgspec.Raw = msgspec.Raw()


class _Gamma(msgspec.Struct):
    question: str = ""
    outcomes: str | None = None
    negRisk: bool = False
    orderMinSize: msgspec.Raw = msgspec.Raw()
    orderPriceMinTickSize: msgspec.Raw = msgspec.Raw()
    feeSchedule: _Fees | None = None


class _MarketLine(msgspec.Struct):
    slug: str
    condition_id: str
    token_ids: tuple[str, str]
    start_sec: int
    end_sec: int
    resolved: bool = False
    outcome_prices: list[str] | None = None
    strike_value: str | None = None
    raw: _Gamma | None = None


_MARKET = msgspec.json.Decoder(_MarketLine)
_STR_LIST = msgspec.json.Decoder(list[str])


def _market(m: _MarketLine) -> Market:
    g = m.raw or _Gamma()
    outcomes = ("Up", "Down")
    if g.outcomes:
        labels = _STR_LIST.decode(g.outcomes)
        if len(labels) == 2:
            outcomes = (labels[0], labels[1])
    fees = FeeSchedule()
    rate = optional_text(g.feeSchedule.rate) if g.feeSchedule is not None else None
    if g.feeSchedule is not None and rate is not None:
        fs = g.feeSchedule
        rebate = optional_text(fs.rebateRate)
        fees = FeeSchedule(
            rate_ppm=fixed(rate, 6, "fee rate"),  # 6 decimals = parts per million
            exponent=fs.exponent,
            taker_only=fs.takerOnly,
            rebate_rate_ppm=fixed(rebate, 6, "rebate rate") if rebate is not None else 0,
        )
    kw = {}
    tick = optional_text(g.orderPriceMinTickSize)
    if tick is not None:
        kw["tick"] = parse_tick(tick)
    min_size = optional_text(g.orderMinSize)
    if min_size is not None:
        kw["min_order_size"] = fixed(min_size, SIZE_DECIMALS, "order min size")
    return Market(
        condition_id=m.condition_id,
        token_ids=m.token_ids,
        outcomes=outcomes,
        start_ts=m.start_sec * NS_PER_S,
        end_ts=m.end_sec * NS_PER_S,
        neg_risk=g.negRisk,
        fees=fees,
        slug=m.slug,
        question=g.question,
        strike=scaled18_to_ref(m.strike_value) if m.strike_value else None,
        **kw,  # type: ignore[arg-type]
    )


def _winner(m: _MarketLine) -> int | None:
    """Index of the winning outcome, or ``None`` while unresolved."""
    if not m.resolved or not m.outcome_prices or len(m.outcome_prices) != 2:
        return None
    won = [fixed(p, PRICE_DECIMALS, "outcome price") for p in m.outcome_prices]
    if sorted(won) != [0, 10**PRICE_DECIMALS]:
        return None
    return won.index(10**PRICE_DECIMALS)


class LigengxinMarkets(Recording):
    format = "ligengxin-markets"
    description = "Polymarket BTC 5m markets of one day with strike and outcome (JSONL)"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        self.file = LineFile(path)

    @staticmethod
    def sniff(name: str, first: Any, header: list[str] | None) -> bool:
        return isinstance(first, dict) and {"slug", "condition_id", "token_ids", "end_sec"} <= first.keys()

    def _parsed(self, *, count: bool) -> Iterator[tuple[int, _MarketLine, Market]]:
        try:
            for lineno, _off, raw in self.file.lines():
                try:
                    m = _MARKET.decode(raw)
                    yield lineno, m, _market(m)
                except ROW_ERRORS as exc:
                    self.bad(lineno, f"bad market line: {describe(exc)}", count=count)
        except TruncatedStream as exc:
            self.bad(exc.line, exc.reason, count=count)

    def _load_markets(self) -> dict[str, Market]:
        return {mk.condition_id: mk for _l, _m, mk in self._parsed(count=False)}

    def resolutions(self) -> list[MarketResolved]:
        """One event per resolved market (deduplicated by condition id), sorted by time. Kept in
        memory: one small record per market."""
        out: dict[str, MarketResolved] = {}
        for _lineno, m, mk in self._parsed(count=True):
            k = _winner(m)
            if k is None:
                self.tally("unresolved_markets")
                continue
            end = m.end_sec * NS_PER_S
            out[m.condition_id] = MarketResolved(m.condition_id, mk.token_ids[k], mk.outcomes[k], end, end)
        return sorted(out.values(), key=lambda e: e.ts_local)

    def _events(self) -> Iterator[Event]:
        yield from self.resolutions()


class ChainlinkPrices(CsvRecording):
    format = "chainlink-prices"
    description = "Chainlink BTC/USD data-stream reports, ~1 Hz (CSV)"
    REQUIRED = ("feed_ts_ms", "full_accuracy_value", "recv_ms")

    def _parsed(self) -> Iterator[tuple[int, int, int, int]]:
        ix = self.idx
        c_feed, c_val, c_recv = ix["feed_ts_ms"], ix["full_accuracy_value"], ix["recv_ms"]
        for lineno, raw in self.data_lines():
            f = self.split(lineno, raw)
            if f is None:
                continue
            try:
                yield (
                    lineno,
                    ms_int(f[c_feed], "feed_ts_ms"),
                    ms_int(f[c_recv], "recv_ms"),
                    scaled18_to_ref(f[c_val]),
                )
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad price row: {describe(exc)}")

    def _rows(self) -> Iterator[Row]:
        held: tuple[int, int, int, int] | None = None
        for row in self._parsed():
            if held is not None and row[1] == held[1]:
                self.tally("corrections")
                if row[2] >= held[2]:
                    held = row
                continue
            if held is not None:
                yield self._row(held)
            held = row
        if held is not None:
            yield self._row(held)

    @staticmethod
    def _row(r: tuple[int, int, int, int]) -> Row:
        lineno, feed, recv, value = r
        tv = feed * NS_PER_MS
        return lineno, tv, (ReferencePrice("BTCUSD", value, tv, recv * NS_PER_MS, source="chainlink"),)

    def _events(self) -> Iterator[Event]:
        return self.ordered(self._rows(), slack_ns=RECEIPT_SLACK_NS)


class LigengxinDay(Recording):
    """A day folder: the markets file and the price file, merged in time."""

    format = "ligengxin-day"
    description = "Polymarket BTC 5m markets + Chainlink BTC/USD prices of one day (folder)"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        mk = sorted(path.glob("*markets*.jsonl*"))
        px = sorted(path.glob("*prices*.csv*"))
        if len(mk) != 1 or len(px) != 1:
            raise DataError(str(path), "expected one *markets*.jsonl[.gz] and one *prices*.csv[.gz] file")
        self.markets_rec = LigengxinMarkets(mk[0], skip_bad=skip_bad)
        self.prices_rec = ChainlinkPrices(px[0], skip_bad=skip_bad)

    @staticmethod
    def sniff_dir(path: Path) -> bool:
        return any(path.glob("*markets*.jsonl*")) and any(path.glob("*prices*.csv*"))

    @property
    def bad_lines(self) -> int:
        return self.markets_rec.bad_lines + self.prices_rec.bad_lines

    def _load_markets(self) -> dict[str, Market]:
        return self.markets_rec.markets()

    def _events(self) -> Iterator[Event]:
        resolved = self.markets_rec.events()
        prices = self.prices_rec.events()
        try:
            yield from heapq.merge(resolved, prices, key=lambda e: e.ts_local)  # type: ignore[attr-defined]
        finally:
            self.counters = {**self.markets_rec.counters, **self.prices_rec.counters}
