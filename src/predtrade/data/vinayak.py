"""Recordings of Polymarket BTC 15-minute up/down markets by the ``Vinayak19112003/Polymarket-orderbooks``
collector (CSV, times in Unix ms). Three files, three readers:

* ``orderbook_*.csv`` — one row per second with both tokens' top of book (with sizes), the Binance
  BTCUSDT price and the window's settled outcome -> per row a one-level :class:`BookSnapshot` per
  token and a :class:`ReferencePrice`; one :class:`MarketResolved` per window at its end once the
  outcome is known. An empty price field (near resolution) is an empty side.
* ``ticks_*.csv`` — BBO changes (no sizes) -> :class:`BestBidAsk`, trades -> :class:`TradePrint`;
  ``ts_venue = ts_ms``, ``ts_local = received_ts_ms``. The file is grouped by window and outcome,
  so it is merge-sorted while streaming.
* ``snapshots_*.csv`` — 20-level books of one token per row -> :class:`BookSnapshot`; grouped like
  the ticks file.

The recordings carry no condition id: the window slug stands in for it. The ticks file names the
token only by its outcome, so its asset ids are ``"<slug>:Up"`` / ``"<slug>:Down"``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.enums import Side
from ..model.events import BestBidAsk, BookSnapshot, Event, Level, MarketResolved, ReferencePrice, TradePrint
from ..model.market import Market
from ..model.units import ONE
from ._base import ROW_ERRORS, Row, describe
from ._convert import NS_PER_MS, NS_PER_S, ms_int, price, ref_price, size, slug_window
from ._csv import CsvRecording
from ._io import TruncatedStream

OUTCOMES = ("Up", "Down")
#: receipt times may run this far behind venue times before a row counts as out of order
RECEIPT_SLACK_NS = 1_000 * NS_PER_MS


def synthetic_token(slug: str, outcome: str) -> str:
    """Asset id for a token the recording names only by window and outcome."""
    return f"{slug}:{outcome}"


def _window_market(slug: str, yes: str, no: str, end_s: int | None = None) -> Market:
    win = slug_window(slug)
    start = win[0] * NS_PER_S if win else None
    if end_s is None and win:
        end_s = win[1]
    return Market(
        condition_id=slug,
        token_ids=(yes, no),
        outcomes=OUTCOMES,
        start_ts=start,
        end_ts=end_s * NS_PER_S if end_s is not None else None,
        slug=slug,
    )


def _outcome_index(label: str) -> int | None:
    low = label.strip().lower()
    if low in ("up", "yes"):
        return 0
    if low in ("down", "no"):
        return 1
    return None


class VinayakOrderbook(CsvRecording):
    format = "vinayak-orderbook"
    description = "BTC 15m top of book of both tokens + Binance BTCUSDT + outcome, 1 row/s (CSV)"
    REQUIRED = (
        "ts_ms", "window_slug", "window_end_ts", "outcome", "yes_token_id", "no_token_id",
        "yes_bid", "yes_ask", "yes_ask_size", "yes_bid_size",
        "no_bid", "no_ask", "no_ask_size", "no_bid_size", "btc_price",
    )  # fmt: skip

    def _side(self, p: str, s: str) -> tuple[Level, ...]:
        if not p:
            return ()
        if not s:
            self.tally("levels_without_size")
            return ()
        return ((price(p), size(s)),)

    def _rows(self) -> Iterator[Row]:
        ix = self.idx
        c_ts, c_slug, c_end, c_out = ix["ts_ms"], ix["window_slug"], ix["window_end_ts"], ix["outcome"]
        c_yes, c_no, c_btc = ix["yes_token_id"], ix["no_token_id"], ix["btc_price"]
        yb, ya, yas, ybs = ix["yes_bid"], ix["yes_ask"], ix["yes_ask_size"], ix["yes_bid_size"]
        nb, na, nas, nbs = ix["no_bid"], ix["no_ask"], ix["no_ask_size"], ix["no_bid_size"]
        resolved: set[str] = set()
        for lineno, raw in self.data_lines():
            f = self.split(lineno, raw)
            if f is None:
                continue
            try:
                ts = ms_int(f[c_ts], "ts_ms") * NS_PER_MS
                slug, yes, no = f[c_slug], f[c_yes], f[c_no]
                evs: list[Event] = [
                    BookSnapshot(yes, slug, self._side(f[yb], f[ybs]), self._side(f[ya], f[yas]), ts, ts),
                    BookSnapshot(no, slug, self._side(f[nb], f[nbs]), self._side(f[na], f[nas]), ts, ts),
                ]
                if f[c_btc]:
                    evs.append(ReferencePrice("BTCUSDT", ref_price(f[c_btc]), ts, ts, source="binance"))
                label = f[c_out].strip()
                if label and slug not in resolved:
                    k = _outcome_index(label)
                    if k is None:
                        raise ValueError(f"unknown outcome {label!r}")
                    end = max(ms_int(f[c_end], "window_end_ts") * NS_PER_S, ts)
                    evs.append(MarketResolved(slug, (yes, no)[k], OUTCOMES[k], end, end))
                    resolved.add(slug)
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad orderbook row: {describe(exc)}")
                continue
            yield lineno, ts, evs

    def _events(self) -> Iterator[Event]:
        return self.ordered(self._rows())

    def _load_markets(self) -> dict[str, Market]:
        ix = self.idx
        out: dict[str, Market] = {}
        try:
            for _lineno, raw in self.data_lines():
                f = raw.decode("utf-8", "replace").split(",")
                if len(f) != self.ncols or f[ix["window_slug"]] in out:
                    continue
                slug = f[ix["window_slug"]]
                end = f[ix["window_end_ts"]]
                out[slug] = _window_market(
                    slug, f[ix["yes_token_id"]], f[ix["no_token_id"]], int(end) if end.isdigit() else None
                )
        except TruncatedStream:
            pass
        return out


class VinayakTicks(CsvRecording):
    format = "vinayak-ticks"
    description = "BTC 15m BBO changes (no sizes) and trade prints per token (CSV, grouped by outcome)"
    REQUIRED = ("ts_ms", "received_ts_ms", "window_slug", "outcome", "tick_type", "price", "size", "side",
                "best_bid", "best_ask")  # fmt: skip

    def _rows(self) -> Iterator[Row]:
        ix = self.idx
        c_ts, c_rx, c_slug, c_out = ix["ts_ms"], ix["received_ts_ms"], ix["window_slug"], ix["outcome"]
        c_type, c_p, c_s, c_side, c_bb, c_ba = (
            ix["tick_type"], ix["price"], ix["size"], ix["side"], ix["best_bid"], ix["best_ask"],
        )  # fmt: skip
        for lineno, raw in self.sorted_lines():
            f = self.split(lineno, raw)
            if f is None:
                continue
            try:
                tv = ms_int(f[c_ts], "ts_ms") * NS_PER_MS
                tl = ms_int(f[c_rx], "received_ts_ms") * NS_PER_MS
                slug = f[c_slug]
                asset = synthetic_token(slug, f[c_out])
                kind = f[c_type]
                ev: Event
                if kind == "book":
                    bb = price(f[c_bb]) if f[c_bb] else 0
                    ba = price(f[c_ba]) if f[c_ba] else ONE
                    ev = BestBidAsk(asset, slug, bb, ba, tv, tl)
                elif kind == "trade":
                    side = Side.parse(f[c_side]) if f[c_side] else None
                    ev = TradePrint(asset, slug, price(f[c_p]), size(f[c_s]), side, tv, tl)
                else:
                    raise ValueError(f"unknown tick_type {kind!r}")
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad ticks row: {describe(exc)}")
                continue
            yield lineno, tv, (ev,)

    def _events(self) -> Iterator[Event]:
        return self.ordered(self._rows(), slack_ns=RECEIPT_SLACK_NS)

    def _load_markets(self) -> dict[str, Market]:
        c_slug = self.idx["window_slug"]
        out: dict[str, Market] = {}
        try:
            for _lineno, raw in self.data_lines():
                f = raw.decode("utf-8", "replace").split(",")
                if len(f) != self.ncols or f[c_slug] in out:
                    continue
                slug = f[c_slug]
                out[slug] = _window_market(slug, synthetic_token(slug, "Up"), synthetic_token(slug, "Down"))
        except TruncatedStream:
            pass
        return out


class VinayakSnapshots(CsvRecording):
    format = "vinayak-snapshots"
    description = "BTC 15m 20-level book snapshots of one token per row (CSV, grouped by outcome)"
    REQUIRED = ("ts_ms", "window_slug", "window_end_ts", "outcome", "clob_token_id", "bid_p1", "bid_s1",
                "ask_p1", "ask_s1")  # fmt: skip

    def _level_columns(self, side: str) -> list[tuple[int, int]]:
        cols = []
        n = 1
        while f"{side}_p{n}" in self.idx and f"{side}_s{n}" in self.idx:
            cols.append((self.idx[f"{side}_p{n}"], self.idx[f"{side}_s{n}"]))
            n += 1
        return cols

    def _rows(self) -> Iterator[Row]:
        ix = self.idx
        c_ts, c_slug, c_tok = ix["ts_ms"], ix["window_slug"], ix["clob_token_id"]
        bid_cols, ask_cols = self._level_columns("bid"), self._level_columns("ask")
        for lineno, raw in self.sorted_lines():
            f = self.split(lineno, raw)
            if f is None:
                continue
            try:
                ts = ms_int(f[c_ts], "ts_ms") * NS_PER_MS
                bids = tuple((price(f[p]), size(f[s])) for p, s in bid_cols if f[p])
                asks = tuple((price(f[p]), size(f[s])) for p, s in ask_cols if f[p])
                ev = BookSnapshot(f[c_tok], f[c_slug], bids, asks, ts, ts)
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad snapshots row: {describe(exc)}")
                continue
            yield lineno, ts, (ev,)

    def _events(self) -> Iterator[Event]:
        return self.ordered(self._rows())

    def _load_markets(self) -> dict[str, Market]:
        ix = self.idx
        tokens: dict[str, dict[int, str]] = {}
        ends: dict[str, int | None] = {}
        try:
            for _lineno, raw in self.data_lines():
                f = raw.decode("utf-8", "replace").split(",")
                if len(f) != self.ncols:
                    continue
                slug = f[ix["window_slug"]]
                k = _outcome_index(f[ix["outcome"]])
                if k is not None:
                    tokens.setdefault(slug, {}).setdefault(k, f[ix["clob_token_id"]])
                end = f[ix["window_end_ts"]]
                ends.setdefault(slug, int(end) if end.isdigit() else None)
        except TruncatedStream:
            pass
        out = {}
        for slug, end in ends.items():
            tok = tokens.get(slug, {})
            yes = tok.get(0, synthetic_token(slug, "Up"))
            no = tok.get(1, synthetic_token(slug, "Down"))
            out[slug] = _window_market(slug, yes, no, end)
        return out
