"""``felixdoteth/polymarket-btc-5m-dataset-``: every Polymarket BTC 5-minute round with its outcome and
the Binance BTC price at the window's open and close (CSV, MIT).

Per row: :class:`ReferencePrice` ``BTCUSDT`` (source ``binance``) at the window start (``btc_open``)
and at its end (``btc_close``), and :class:`MarketResolved` at the end. The file is not sorted (it
is made of day blocks, each sorted); it is streamed through the sorted-run merger like the other
grouped files, so memory stays flat. Token ids are not recorded: assets are ``"<slug>:Up"`` /
``"<slug>:Down"`` and the slug ``btc-updown-5m-<timestamp>`` stands in for the condition id.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.events import Event, MarketResolved, ReferencePrice
from ..model.market import Market
from ._base import ROW_ERRORS, Row, describe
from ._convert import NS_PER_S, ms_int, ref_price
from ._csv import CsvRecording
from ._io import TruncatedStream
from .vinayak import OUTCOMES, synthetic_token

ROUND_S = 300


def slug_of(start_s: int) -> str:
    return f"btc-updown-5m-{start_s}"


class FelixOutcomes(CsvRecording):
    format = "felix-outcomes"
    description = "Polymarket BTC 5m rounds: outcome + Binance open/close per window (CSV)"
    REQUIRED = ("timestamp", "outcome", "btc_open", "btc_close")

    def _rows(self) -> Iterator[Row]:
        ix = self.idx
        c_ts, c_out, c_open, c_close = ix["timestamp"], ix["outcome"], ix["btc_open"], ix["btc_close"]
        for lineno, raw in self.sorted_lines():
            f = self.split(lineno, raw)
            if f is None:
                continue
            try:
                start_s = ms_int(f[c_ts], "timestamp")
                slug = slug_of(start_s)
                t0, t1 = start_s * NS_PER_S, (start_s + ROUND_S) * NS_PER_S
                label = f[c_out].strip().lower()
                if label not in ("up", "down"):
                    raise ValueError(f"unknown outcome {f[c_out]!r}")
                k = 0 if label == "up" else 1
                evs = (
                    ReferencePrice("BTCUSDT", ref_price(f[c_open]), t0, t0, source="binance"),
                    ReferencePrice("BTCUSDT", ref_price(f[c_close]), t1, t1, source="binance"),
                    MarketResolved(slug, synthetic_token(slug, OUTCOMES[k]), OUTCOMES[k], t1, t1),
                )
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad outcomes row: {describe(exc)}")
                continue
            yield lineno, t0, evs

    def _events(self) -> Iterator[Event]:
        return self.ordered(self._rows())

    def _load_markets(self) -> dict[str, Market]:
        c_ts = self.idx["timestamp"]
        out: dict[str, Market] = {}
        try:
            for _lineno, raw in self.data_lines():
                head = raw.decode("utf-8", "replace").split(",")
                if len(head) != self.ncols or not head[c_ts].isdigit():
                    continue
                start_s = int(head[c_ts])
                slug = slug_of(start_s)
                out[slug] = Market(
                    condition_id=slug,
                    token_ids=(synthetic_token(slug, "Up"), synthetic_token(slug, "Down")),
                    outcomes=OUTCOMES,
                    start_ts=start_s * NS_PER_S,
                    end_ts=(start_s + ROUND_S) * NS_PER_S,
                    slug=slug,
                )
        except TruncatedStream:
            pass
        return dict(sorted(out.items(), key=lambda kv: kv[1].start_ts or 0))
