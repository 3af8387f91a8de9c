"""Normalized events: every raw venue or recorded message becomes one of these before any other
part of predtrade sees it.

All prices and sizes are fixed-point ints (see :mod:`predtrade.model.units`). Every event carries
``ts_venue`` (the venue's timestamp) and ``ts_local`` (when we received it), both in Unix
nanoseconds. In a book, a best bid of ``0`` means "no bids" and a best ask of ``ONE`` (10_000)
means "no asks".
"""

from __future__ import annotations

import msgspec

from .enums import Liquidity, Side, TradeStatus

Level = tuple[int, int]  # (price, size)


class Event(msgspec.Struct, frozen=True, gc=False):
    """Base of all normalized events."""


class BookSnapshot(Event, frozen=True, gc=False):
    """Full L2 book of one token; replaces whatever we had. Levels are best first."""

    asset_id: str
    market: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    ts_venue: int
    ts_local: int
    hash: str | None = None
    tick: int | None = None


class BookDeltas(Event, frozen=True, gc=False):
    """Level updates for one token from one message. ``changes`` holds ``(side, price, size)``
    where ``size`` is the new absolute size at that price (0 removes the level). ``best_bid`` /
    ``best_ask``, when the venue sent them, are the top of book after the whole message."""

    asset_id: str
    market: str
    changes: tuple[tuple[Side, int, int], ...]
    ts_venue: int
    ts_local: int
    best_bid: int | None = None
    best_ask: int | None = None
    hash: str | None = None
    seq: int | None = None


class TickSizeChange(Event, frozen=True, gc=False):
    asset_id: str
    market: str
    old_tick: int
    new_tick: int
    ts_venue: int
    ts_local: int


class TradePrint(Event, frozen=True, gc=False):
    """A public trade (Polymarket ``last_trade_price``). ``side`` is the aggressor's side."""

    asset_id: str
    market: str
    price: int
    size: int
    side: Side | None
    ts_venue: int
    ts_local: int
    fee_rate_bps: int = 0


class BestBidAsk(Event, frozen=True, gc=False):
    """Top of book only (``best_bid_ask`` messages, or recordings that keep only the BBO)."""

    asset_id: str
    market: str
    best_bid: int
    best_ask: int
    ts_venue: int
    ts_local: int
    bid_size: int | None = None
    ask_size: int | None = None


class MarketResolved(Event, frozen=True, gc=False):
    market: str
    winning_asset_id: str
    winning_outcome: str
    ts_venue: int
    ts_local: int


class NewMarket(Event, frozen=True, gc=False):
    market: str
    asset_ids: tuple[str, ...]
    outcomes: tuple[str, ...]
    slug: str
    question: str
    ts_venue: int
    ts_local: int
    tick: int | None = None


class ReferencePrice(Event, frozen=True, gc=False):
    """A reference (underlying) price such as Binance BTCUSDT or Chainlink BTC/USD, in units of
    1e-8 (:data:`REF_SCALE`)."""

    symbol: str
    price: int
    ts_venue: int
    ts_local: int
    source: str = ""


REF_DECIMALS = 8
REF_SCALE = 10**REF_DECIMALS


# ---- our own orders (user channel / venue responses) ---------------------------------------


class OrderAccepted(Event, frozen=True, gc=False):
    """The venue acknowledged our order and gave it ``venue_order_id``."""

    client_order_id: str
    venue_order_id: str
    ts_venue: int
    ts_local: int


class OrderRejected(Event, frozen=True, gc=False):
    client_order_id: str
    reason: str
    ts_venue: int
    ts_local: int


class OrderCancelled(Event, frozen=True, gc=False):
    """The venue says the order is no longer working (cancel acknowledged, venue-initiated cancel,
    FOK/FAK killed). ``size_matched``, when the venue says it (Polymarket's ``size_matched``), is the
    order's cumulative filled size at that moment: fills beyond what we have seen are still in
    flight, and their cost stays reserved until they arrive."""

    venue_order_id: str
    ts_venue: int
    ts_local: int
    reason: str = ""
    size_matched: int | None = None


class CancelRejected(Event, frozen=True, gc=False):
    venue_order_id: str
    reason: str
    ts_venue: int
    ts_local: int


class OrderExpired(Event, frozen=True, gc=False):
    venue_order_id: str
    ts_venue: int
    ts_local: int
    size_matched: int | None = None


class OrderFilled(Event, frozen=True, gc=False):
    """A fill of one of our orders, seen with a given settlement ``status``. The same
    ``(trade_id, venue_order_id)`` is sent again as the status advances; it is one fill.
    The side is never carried here: it is taken from our order."""

    venue_order_id: str
    trade_id: str
    asset_id: str
    price: int
    size: int
    status: TradeStatus
    ts_venue: int
    ts_local: int
    liquidity: Liquidity | None = None
    fee: int = 0


OrderEvent = OrderAccepted | OrderRejected | OrderCancelled | CancelRejected | OrderExpired | OrderFilled
MarketEvent = (
    BookSnapshot
    | BookDeltas
    | TickSizeChange
    | TradePrint
    | BestBidAsk
    | MarketResolved
    | NewMarket
    | ReferencePrice
)
