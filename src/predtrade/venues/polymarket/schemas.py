"""Wire schemas of the Polymarket CLOB WebSocket channels (see docs PROTOCOLS §2, §3).

These msgspec Structs mirror the venue's JSON as sent: every number is still the venue's decimal
*string* (conversion to fixed-point ints happens in :mod:`.parse`, never through float). They are
deliberately tolerant: unknown keys are ignored, fields the venue has been seen to omit or null
are optional, and the user channel's fields that arrive as ``""`` (killed FOK orders) are plain
``str | None``. Market-channel timestamps are decoded straight to ``int`` milliseconds: the
decoders run with ``strict=False``, which lets msgspec turn the venue's ``"1729084877448"`` into an
int in C (and refuses anything that is not an integer).

Market messages are a tagged union on ``event_type``; so are user messages. Both legacy
(single-level, top-level fields) and current (``price_changes`` array) ``price_change`` messages
decode into :class:`PriceChange`.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

#: a non-negative integer timestamp (ms on the market channel); strings are coerced by the decoder
MsTimestamp = Annotated[int, msgspec.Meta(ge=0)]
#: user-channel times: epoch seconds or ms as a string or number, sometimes ISO-8601, sometimes ""
LooseTime = str | int | None


class _Market(msgspec.Struct, tag_field="event_type", gc=False):
    """Base of market-channel messages (tagged on ``event_type``)."""


class Level(msgspec.Struct, gc=False):
    """One ``{"price", "size"}`` book level."""

    price: str
    size: str


class Book(_Market, tag="book", gc=False):
    """Full snapshot of one token's book. Array order is NOT best-first (see PROTOCOLS §2.2)."""

    asset_id: str
    market: str
    timestamp: MsTimestamp
    bids: list[Level]
    asks: list[Level]
    hash: str | None = None
    tick_size: str | None = None
    min_order_size: str | None = None
    last_trade_price: str | None = None


class PriceChangeEntry(msgspec.Struct, gc=False):
    """One level update inside a current-format ``price_change`` (per-asset, own best bid/ask)."""

    asset_id: str
    price: str
    size: str
    side: str
    hash: str | None = None
    best_bid: str | None = None
    best_ask: str | None = None


class PriceChange(_Market, tag="price_change", gc=False):
    """Level updates. Current format: ``price_changes`` holds the entries. Legacy format (before
    ~Sep 2025): a single level in the top-level ``asset_id``/``price``/``size``/``side``/``hash``."""

    market: str
    timestamp: MsTimestamp
    price_changes: list[PriceChangeEntry] | None = None
    asset_id: str | None = None
    price: str | None = None
    size: str | None = None
    side: str | None = None
    hash: str | None = None


class TickSizeChange(_Market, tag="tick_size_change", gc=False):
    asset_id: str
    market: str
    timestamp: MsTimestamp
    old_tick_size: str
    new_tick_size: str


class LastTradePrice(_Market, tag="last_trade_price", gc=False):
    asset_id: str
    market: str
    timestamp: MsTimestamp
    price: str
    size: str
    side: str | None = None
    fee_rate_bps: str | int | None = None
    transaction_hash: str | None = None


class BestBidAsk(_Market, tag="best_bid_ask", gc=False):
    asset_id: str
    market: str
    timestamp: MsTimestamp
    best_bid: str
    best_ask: str
    spread: str | None = None


class NewMarket(_Market, tag="new_market", gc=False):
    market: str
    timestamp: MsTimestamp
    id: str | None = None
    question: str | None = None
    slug: str | None = None
    assets_ids: list[str] | None = None
    clob_token_ids: list[str] | None = None
    outcomes: list[str] | None = None
    order_price_min_tick_size: str | None = None


class MarketResolved(_Market, tag="market_resolved", gc=False):
    market: str
    timestamp: MsTimestamp
    winning_asset_id: str
    winning_outcome: str | None = None
    id: str | None = None
    assets_ids: list[str] | None = None


MarketMessage = (
    Book | PriceChange | TickSizeChange | LastTradePrice | BestBidAsk | NewMarket | MarketResolved
)
MARKET_TYPES: dict[str, type[_Market]] = {
    "book": Book,
    "price_change": PriceChange,
    "tick_size_change": TickSizeChange,
    "last_trade_price": LastTradePrice,
    "best_bid_ask": BestBidAsk,
    "new_market": NewMarket,
    "market_resolved": MarketResolved,
}


class RestBook(msgspec.Struct, gc=False):
    """``GET /book`` response. ``tick_size`` and ``min_order_size`` are strings in current
    responses (numbers tolerated); the 2024 shape lacks them and ``last_trade_price``."""

    market: str
    asset_id: str
    timestamp: MsTimestamp
    bids: list[Level]
    asks: list[Level]
    hash: str | None = None
    tick_size: str | int | float | None = None
    min_order_size: str | int | float | None = None
    neg_risk: bool | None = None
    last_trade_price: str | None = None


# ---- user channel ---------------------------------------------------------------------------


class _User(msgspec.Struct, tag_field="event_type", gc=False):
    """Base of user-channel messages (tagged on ``event_type``)."""


class UserOrder(_User, tag="order", gc=False):
    """``order`` event: ``type`` is PLACEMENT | UPDATE | CANCELLATION. Killed FOK orders carry
    ``""`` in ``size_matched``/``outcome``/``created_at``; ``outcome`` casing varies."""

    id: str
    type: str | None = None
    status: str | None = None
    asset_id: str | None = None
    market: str | None = None
    side: str | None = None
    price: str | None = None
    original_size: str | None = None
    size_matched: str | None = None
    outcome: str | None = None
    owner: str | None = None
    order_owner: str | None = None
    maker_address: str | None = None
    order_type: str | None = None
    associate_trades: list[str] | None = None
    timestamp: LooseTime = None
    created_at: LooseTime = None
    expiration: LooseTime = None


class MakerOrder(msgspec.Struct, gc=False):
    """One resting order matched by a trade. ``asset_id``/``price`` are in the maker's own token,
    which may be the complement of the trade's ``asset_id`` (BUY YES matched with BUY NO)."""

    order_id: str
    matched_amount: str
    price: str
    asset_id: str
    owner: str | None = None
    maker_address: str | None = None
    outcome: str | None = None
    side: str | None = None
    fee_rate_bps: str | int | None = None


class UserTrade(_User, tag="trade", gc=False):
    """``trade`` event, re-sent with the same ``id`` as ``status`` advances."""

    id: str
    status: str
    taker_order_id: str | None = None
    asset_id: str | None = None
    market: str | None = None
    price: str | None = None
    size: str | None = None
    side: str | None = None
    outcome: str | None = None
    owner: str | None = None
    trade_owner: str | None = None
    maker_address: str | None = None
    trader_side: str | None = None
    maker_orders: list[MakerOrder] = []
    fee_rate_bps: str | int | None = None
    transaction_hash: str | None = None
    type: str | None = None
    timestamp: LooseTime = None
    match_time: LooseTime = None
    matchtime: LooseTime = None
    last_update: LooseTime = None


UserMessage = UserOrder | UserTrade
USER_TYPES: dict[str, type[_User]] = {"order": UserOrder, "trade": UserTrade}
