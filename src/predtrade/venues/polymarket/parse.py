"""Raw Polymarket messages -> normalized :mod:`predtrade.model` events.

* :class:`MarketMessageParser` - market channel (``book``, ``price_change`` in both formats,
  ``tick_size_change``, ``last_trade_price``, ``best_bid_ask``, ``new_market``,
  ``market_resolved``).
* :class:`UserMessageParser` / :func:`parse_user_message` - user channel fills and cancels
  (:mod:`.parse_user`).
* :func:`parse_rest_book`, :func:`rest_book_hash`, :func:`verify_rest_book_hash`,
  :func:`parse_gamma_market` - REST ``/book`` and Gamma market objects (:mod:`.parse_rest`).

Two entry points per parser: ``parse`` never raises on bad input (it counts the reason in
``stats``, keeps the last errors in ``errors`` and skips the message, or for a ``price_change``
only the bad entry), for the live loop; ``parse_strict`` raises :class:`ParseError`, for tests and
the data readers (which want to report file and line).

The hot path is a single typed msgspec decode (``strict=False`` so the ms timestamp strings become
ints in C) followed by cached string->int lookups; the generic decode that classifies errors only
runs after the typed decode has failed.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from predtrade.model import Side
from predtrade.model import events as ev

from . import schemas as sc
from ._common import (
    _ASKS,
    _BIDS,
    _PRICES,
    _SIZES,
    DECODE_ERRORS,
    NS_PER_MS,
    FrameParser,
    ParseError,
    Reason,
    as_parse_error,
    best_ask,
    best_bid,
    book_side,
    opt_side,
    price,
    side,
    size,
    tick_of,
)
from .parse_rest import parse_gamma_market, parse_rest_book, rest_book_hash, verify_rest_book_hash
from .parse_user import UserMessageParser, parse_user_message

__all__ = [
    "MarketMessageParser",
    "ParseError",
    "Reason",
    "UserMessageParser",
    "parse_gamma_market",
    "parse_rest_book",
    "parse_user_message",
    "rest_book_hash",
    "verify_rest_book_hash",
]

_MARKET_DECODER = msgspec.json.Decoder(sc.MarketMessage | list[sc.MarketMessage], strict=False)
_PC_DECODER = msgspec.json.Decoder(sc.PriceChange, strict=False)
_PC_SUFFIX = b'"event_type":"price_change"}'
_BUY, _SELL = Side.BUY, Side.SELL


class MarketMessageParser(FrameParser):
    """Market-channel frames -> :data:`predtrade.model.MarketEvent` lists.

    Stateless apart from its error counters and the optional ``subscribed`` asset filter
    (entries and messages for other assets are ignored, counted in ``ignored``).
    """

    __slots__ = ("_subscribed",)

    def __init__(self, subscribed: Iterable[str] | None = None, *, max_errors: int = 100) -> None:
        super().__init__(_MARKET_DECODER, sc.MARKET_TYPES, max_errors)
        self._subscribed: set[str] | None = set(subscribed) if subscribed is not None else None
        self._handlers = {
            sc.Book: self._book,
            sc.PriceChange: self._price_change,
            sc.TickSizeChange: self._tick_size_change,
            sc.LastTradePrice: self._last_trade_price,
            sc.BestBidAsk: self._best_bid_ask,
            sc.NewMarket: self._new_market,
            sc.MarketResolved: self._market_resolved,
        }

    @property
    def subscribed(self) -> frozenset[str] | None:
        return frozenset(self._subscribed) if self._subscribed is not None else None

    def subscribe(self, asset_ids: Iterable[str]) -> None:
        """Add assets to the filter (creates the filter if there was none)."""
        if self._subscribed is None:
            self._subscribed = set()
        self._subscribed.update(asset_ids)

    def unsubscribe(self, asset_ids: Iterable[str]) -> None:
        if self._subscribed is not None:
            self._subscribed.difference_update(asset_ids)

    def parse(self, raw: bytes | str, ts_local: int) -> list[ev.MarketEvent]:
        """Events of one frame; bad messages (or bad ``price_change`` entries) are counted in
        ``stats``, kept in ``errors`` and skipped, never raised."""
        try:
            # The venue writes ``event_type`` last (docs example: Go, compact JSON); a union decode
            # would then scan the object twice to find the tag, so a frame that visibly is a
            # price_change goes straight to the PriceChange decoder (~25% cheaper decode).
            if type(raw) is bytes and raw.endswith(_PC_SUFFIX):
                msg = _PC_DECODER.decode(raw)
            else:
                msg = self._decoder.decode(raw)
        except DECODE_ERRORS:  # incl. ValidationError and bad UTF-8: find out what, item by item
            return self._parse_generic(raw, ts_local, strict=False)
        if type(msg) is not sc.PriceChange:
            return self._convert_all(msg, ts_local)
        out: list[ev.MarketEvent] = []
        try:  # the hot path: one price_change object
            self._price_change(msg, ts_local, out, False)
        except Exception as exc:
            del out[:]
            self._log.record(as_parse_error(exc, "price_change"))
        return out

    def parse_strict(self, raw: bytes | str, ts_local: int) -> list[ev.MarketEvent]:
        """Like :meth:`parse` but raises :class:`ParseError` on the first bad message or entry
        (text frames still give ``[]``). The same ``price_change`` fast path as :meth:`parse`:
        the data readers replay recordings through this."""
        if type(raw) is not bytes or not raw.endswith(_PC_SUFFIX):
            return super().parse_strict(raw, ts_local)
        try:
            msg = _PC_DECODER.decode(raw)
        except DECODE_ERRORS:
            return self._parse_generic(raw, ts_local, strict=True)
        out: list[ev.MarketEvent] = []
        try:
            self._price_change(msg, ts_local, out, True)
        except ParseError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise as_parse_error(exc, "price_change") from exc
        return out

    # ---- one handler per event type (append to ``out``; raise ParseError on bad input) ------

    def _price_change(self, m: sc.PriceChange, ts_local: int, out: list, strict: bool) -> None:
        """One BookDeltas per asset, changes in message order; best bid/ask and hash from the
        asset's last (valid) entry, i.e. the top of book after the whole message.

        Written for speed: a message carries entries for one or two assets (the two tokens of a
        market) almost always, so those two are grouped in locals and only a third asset
        falls back to a dict; changes are accumulated as tuples (what BookDeltas stores)."""
        entries = m.price_changes
        if entries is None:
            self._legacy_price_change(m, ts_local, out)
            return
        sub = self._subscribed
        if len(entries) == 2 and sub is None:  # the usual message: a level and its mirror
            e1, e2 = entries
            a1 = e1.asset_id
            a2 = e2.asset_id
            s = e1.side
            s1 = _BUY if s == "BUY" else _SELL if s == "SELL" else None
            s = e2.side
            s2 = _BUY if s == "BUY" else _SELL if s == "SELL" else None
            if s1 is not None and s2 is not None and a1 != a2:
                try:  # cached lookups, parsing (and caching) what is new; any error: general rules
                    p1 = _PRICES.get(e1.price) or price(e1.price)
                    q1 = _SIZES.get(e1.size)
                    if q1 is None:
                        q1 = size(e1.size)
                    p2 = _PRICES.get(e2.price) or price(e2.price)
                    q2 = _SIZES.get(e2.size)
                    if q2 is None:
                        q2 = size(e2.size)
                    t = e1.best_bid
                    vb1 = None if t is None else _BIDS.get(t) or best_bid(t)
                    t = e1.best_ask
                    va1 = None if t is None else _ASKS.get(t) or best_ask(t)
                    t = e2.best_bid
                    vb2 = None if t is None else _BIDS.get(t) or best_bid(t)
                    t = e2.best_ask
                    va2 = None if t is None else _ASKS.get(t) or best_ask(t)
                except ParseError:
                    pass
                else:
                    ts = m.timestamp * NS_PER_MS
                    market = m.market
                    out.append(ev.BookDeltas(a1, market, ((s1, p1, q1),), ts, ts_local, vb1, va1, e1.hash))
                    out.append(ev.BookDeltas(a2, market, ((s2, p2, q2),), ts, ts_local, vb2, va2, e2.hash))
                    return
            # a cache miss, a bad entry or one asset twice: the general rules below
        a1 = a2 = l1 = l2 = more = None
        c1: tuple = ()
        c2: tuple = ()
        for e in entries:
            aid = e.asset_id
            if sub is not None and aid not in sub:
                self._log.ignored["unsubscribed"] += 1
                continue
            s = e.side  # equality, not a dict lookup: a freshly decoded str has no cached hash
            s = _BUY if s == "BUY" else _SELL if s == "SELL" else None
            p = _PRICES.get(e.price)
            q = _SIZES.get(e.size)
            if s is None or p is None or q is None:
                try:
                    s, p, q = side(e.side), price(e.price), size(e.size)
                except ParseError as exc:
                    self._skip_entry(exc, strict)
                    continue
            if aid == a1:
                c1 += ((s, p, q),)
                l1 = e
            elif a1 is None:
                a1, c1, l1 = aid, ((s, p, q),), e
            elif aid == a2:
                c2 += ((s, p, q),)
                l2 = e
            elif a2 is None:
                a2, c2, l2 = aid, ((s, p, q),), e
            else:
                if more is None:
                    more = {}
                g = more.get(aid)
                if g is None:
                    more[aid] = [((s, p, q),), e]
                else:
                    g[0] += ((s, p, q),)
                    g[1] = e
        if a1 is None:
            return
        ts = m.timestamp * NS_PER_MS
        market = m.market
        if a2 is None:
            groups: Iterable = ((a1, c1, l1),)
        elif more is None:
            groups = ((a1, c1, l1), (a2, c2, l2))
        else:
            groups = [(a1, c1, l1), (a2, c2, l2), *((a, c, last) for a, (c, last) in more.items())]
        for aid, changes, last in groups:
            bb = last.best_bid
            ba = last.best_ask
            vb = _BIDS.get(bb) if bb is not None else None
            va = _ASKS.get(ba) if ba is not None else None
            if (vb is None and bb is not None) or (va is None and ba is not None):
                try:
                    vb = best_bid(bb) if bb is not None else None
                    va = best_ask(ba) if ba is not None else None
                except ParseError as exc:  # the level changes are fine; only the top is unknown
                    self._skip_entry(exc, strict)
                    vb = va = None
            out.append(ev.BookDeltas(aid, market, changes, ts, ts_local, vb, va, last.hash))

    def _legacy_price_change(self, m: sc.PriceChange, ts_local: int, out: list) -> None:
        if m.asset_id is None or m.price is None or m.size is None or m.side is None:
            raise ParseError(
                Reason.MISSING_FIELD, "price_change has neither price_changes nor asset_id/price/size/side"
            )
        if self._filtered(m.asset_id):
            return
        change = (side(m.side), price(m.price), size(m.size))
        ts = m.timestamp * NS_PER_MS
        out.append(ev.BookDeltas(m.asset_id, m.market, (change,), ts, ts_local, None, None, m.hash))

    def _book(self, m: sc.Book, ts_local: int, out: list, strict: bool) -> None:
        if self._filtered(m.asset_id):
            return
        bids = book_side(m.bids, "bids", best_high=True)
        asks = book_side(m.asks, "asks", best_high=False)
        tick = tick_of(m.tick_size, "tick_size") if m.tick_size else None
        out.append(
            ev.BookSnapshot(
                m.asset_id,
                m.market,
                bids,
                asks,
                m.timestamp * NS_PER_MS,
                ts_local,
                m.hash,
                tick,
            )
        )

    def _tick_size_change(self, m: sc.TickSizeChange, ts_local: int, out: list, strict: bool) -> None:
        if self._filtered(m.asset_id):
            return
        old, new = tick_of(m.old_tick_size, "old_tick_size"), tick_of(m.new_tick_size, "new_tick_size")
        out.append(ev.TickSizeChange(m.asset_id, m.market, old, new, m.timestamp * NS_PER_MS, ts_local))

    def _last_trade_price(self, m: sc.LastTradePrice, ts_local: int, out: list, strict: bool) -> None:
        if self._filtered(m.asset_id):
            return
        out.append(
            ev.TradePrint(
                m.asset_id,
                m.market,
                price(m.price),
                size(m.size),
                opt_side(m.side),
                m.timestamp * NS_PER_MS,
                ts_local,
                _bps(m.fee_rate_bps),
            )
        )

    def _best_bid_ask(self, m: sc.BestBidAsk, ts_local: int, out: list, strict: bool) -> None:
        if self._filtered(m.asset_id):
            return
        bb, ba = best_bid(m.best_bid), best_ask(m.best_ask)
        out.append(ev.BestBidAsk(m.asset_id, m.market, bb, ba, m.timestamp * NS_PER_MS, ts_local))

    def _new_market(self, m: sc.NewMarket, ts_local: int, out: list, strict: bool) -> None:
        ids = m.assets_ids if m.assets_ids is not None else m.clob_token_ids
        raw_tick = m.order_price_min_tick_size
        tick = tick_of(raw_tick, "order_price_min_tick_size") if raw_tick else None
        out.append(
            ev.NewMarket(
                m.market,
                tuple(ids or ()),
                tuple(m.outcomes or ()),
                m.slug or "",
                m.question or "",
                m.timestamp * NS_PER_MS,
                ts_local,
                tick,
            )
        )

    def _market_resolved(self, m: sc.MarketResolved, ts_local: int, out: list, strict: bool) -> None:
        out.append(
            ev.MarketResolved(
                m.market, m.winning_asset_id, m.winning_outcome or "", m.timestamp * NS_PER_MS, ts_local
            )
        )

    def _filtered(self, asset_id: str) -> bool:
        sub = self._subscribed
        if sub is not None and asset_id not in sub:
            self._log.ignored["unsubscribed"] += 1
            return True
        return False


# ---- helpers ----------------------------------------------------------------------------------


def _bps(value: str | int | None) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise ParseError(Reason.BAD_VALUE, f"fee_rate_bps {value!r} is not a whole number")
