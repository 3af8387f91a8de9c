"""``bookpoly`` recordings: one JSON line per ~1 s REST ``/book`` poll of a Polymarket "Bitcoin Up or
Down" hourly market, holding the full depth of both tokens.

Each row becomes two :class:`BookSnapshot` events (the YES = "Up" token, then the NO = "Down"
token) at ``ts_ms`` (the poll time: the only clock recorded, so ``ts_venue == ts_local``). A row
whose ``err`` field is set is counted (``counters["err_rows"]``) and skipped. Prices and sizes are
JSON numbers: they are read as their literal text (``msgspec.Raw``) and converted exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from ..model.events import BookSnapshot, Event, Level
from ..model.market import Market
from ._base import ROW_ERRORS, Recording, Row, describe
from ._convert import NS_PER_MS, NS_PER_S, number_text, optional_text, price, size
from ._io import LineFile, TruncatedStream

OUTCOMES = ("Up", "Down")
HOUR_S = 3600


class _Level(msgspec.Struct):
    p: msgspec.Raw
    s: msgspec.Raw


class _Side(msgspec.Struct):
    token_id: str
    bids: list[_Level]
    asks: list[_Level]


class _Row(msgspec.Struct):
    ts_ms: int
    condition_id: str
    yes: _Side
    no: _Side
    window_start: int | None = None
    err: msgspec.Raw = msgspec.Raw()


class _Token(msgspec.Struct):
    token_id: str


class _Meta(msgspec.Struct):
    """Only what ``markets()`` needs, so its pass skips the levels cheaply."""

    condition_id: str
    yes: _Token
    no: _Token
    window_start: int | None = None


_ROW = msgspec.json.Decoder(_Row)
_META = msgspec.json.Decoder(_Meta)


_PRICES: dict[bytes, int] = {}
_SIZES: dict[bytes, int] = {}
_CACHE_MAX = 16_384


def _cached(cache: dict[bytes, int], raw: msgspec.Raw, conv: Callable[[str], int]) -> int:
    """Convert one JSON number, memoised on its raw bytes (a 1 Hz book repeats most levels)."""
    key = bytes(raw)
    v = cache.get(key)
    if v is None:
        v = conv(number_text(key))
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = v
    return v


def _levels(levels: list[_Level]) -> tuple[Level, ...]:
    """A side's levels; the cache lookups are inlined (a row holds ~180 numbers per token)."""
    prices = _PRICES
    sizes = _SIZES
    out = []
    for lv in levels:
        p = prices.get(bytes(lv.p))
        if p is None:
            p = _cached(prices, lv.p, price)
        s = sizes.get(bytes(lv.s))
        if s is None:
            s = _cached(sizes, lv.s, size)
        out.append((p, s))
    return tuple(out)


def _is_error(err: msgspec.Raw) -> bool:
    return optional_text(err) is not None


class BookpolyRecording(Recording):
    format = "bookpoly-l2"
    description = "Polymarket full-depth REST book polls of both tokens (bookpoly JSONL)"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        self.file = LineFile(path)

    @staticmethod
    def sniff(name: str, first: Any, header: list[str] | None) -> bool:
        return isinstance(first, dict) and {"ts_ms", "yes", "no", "condition_id"} <= first.keys()

    def _rows(self) -> Iterator[Row]:
        for lineno, _off, raw in self.file.lines():
            try:
                row = _ROW.decode(raw)
                if _is_error(row.err):
                    self.tally("err_rows")
                    continue
                ts = row.ts_ms * NS_PER_MS
                cid = row.condition_id
                evs = (
                    BookSnapshot(row.yes.token_id, cid, _levels(row.yes.bids), _levels(row.yes.asks), ts, ts),
                    BookSnapshot(row.no.token_id, cid, _levels(row.no.bids), _levels(row.no.asks), ts, ts),
                )
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad bookpoly row: {describe(exc)}")
                continue
            yield lineno, ts, evs

    def _events(self) -> Iterator[Event]:
        return self.ordered(self._rows())

    def _load_markets(self) -> dict[str, Market]:
        out: dict[str, Market] = {}
        try:
            for _lineno, _off, raw in self.file.lines():
                try:
                    m = _META.decode(raw)
                except ROW_ERRORS:
                    continue  # reported by events()
                if m.condition_id in out:
                    continue
                start = m.window_start
                out[m.condition_id] = Market(
                    condition_id=m.condition_id,
                    token_ids=(m.yes.token_id, m.no.token_id),
                    outcomes=OUTCOMES,
                    start_ts=start * NS_PER_S if start is not None else None,
                    end_ts=(start + HOUR_S) * NS_PER_S if start is not None else None,
                )
        except TruncatedStream:
            pass  # reported by events()
        return out
