"""The simulated venue's own records: our orders as the matching engine holds them, the price
levels where they rest, and the venue-like reasons it answers with.

Reject reasons copy Polymarket's wording where it is known (the CLOB error reference and
PROTOCOLS.md section 5.3), so that code written against the real venue's messages meets the
same strings in a backtest. Build them with the functions here rather than matching text.
"""

from __future__ import annotations

from predtrade.model.enums import Side, TimeInForce
from predtrade.model.units import ONE, format_price, format_size

# ---- order states inside the venue
IN_FLIGHT = 0  # sent, not yet at the matching engine
RESTING = 1  # on the book
DONE = 2  # filled, cancelled, killed or rejected

# ---- reasons (OrderRejected.reason, OrderCancelled.reason, CancelRejected.reason)
REJECT_POST_ONLY_CROSSES = "invalid post-only order: order crosses book"
REJECT_POST_ONLY_TIF = "invalid post-only order: only GTC and GTD orders can be post-only"
REJECT_FOK = "order couldn't be fully filled. FOK orders are fully filled or killed."
REJECT_FAK = (
    "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found."
)
REJECT_MARKET_NOT_FOUND = "market not found"
REJECT_INVALID_TOKEN = "Invalid token id"
REJECT_MARKET_CLOSED = "market closed: the market has resolved"

CANCELLED_FAK_REMAINDER = "FAK remainder"
CANCELLED_MARKET_RESOLVED = "market resolved"

CANCEL_NOT_FOUND = "order not found"
CANCEL_ALREADY_FILLED = "order not found: already filled"
CANCEL_ALREADY_CANCELLED = "order not found: already cancelled"


def reject_tick(venue_order_id: str, price: int, tick: int) -> str:
    return (
        f"order {venue_order_id} is invalid. Price ({format_price(price)}) breaks minimum tick size "
        f"rule: {format_price(tick)}"
    )


def reject_price_range(price: int, tick: int) -> str:
    lo, hi = format_price(tick), format_price(ONE - tick)
    return f"invalid price ({format_price(price)}), min: {lo} - max: {hi}"


def reject_min_size(venue_order_id: str, size: int, min_size: int) -> str:
    return (
        f"order {venue_order_id} is invalid. Size ({format_size(size)}) lower than the minimum: "
        f"{format_size(min_size)}"
    )


def reject_duplicate(venue_order_id: str) -> str:
    return f"order {venue_order_id} is invalid. Duplicated."


class SimOrder:
    """One of our orders inside the simulated venue.

    ``ahead`` is the others' size queued in front of us at our price (``None`` while the level
    is hidden from the data, e.g. behind the best level of a top-of-book-only feed); ``credit``
    is queue progress granted by a displayed decrease at ``credit_ts`` that a trade print may
    still turn out to have caused (see :mod:`.models`). ``last_delivery`` keeps the messages
    about one order in order (one stream per order, as on a real connection).
    """

    __slots__ = (
        "ahead",
        "arrival_ts",
        "asset_id",
        "client_order_id",
        "credit",
        "credit_ts",
        "done_reason",
        "last_delivery",
        "market",
        "post_only",
        "price",
        "remaining",
        "response_ns",
        "seq",
        "side",
        "size",
        "state",
        "submit_ts",
        "tif",
        "venue_order_id",
    )

    def __init__(
        self,
        *,
        seq: int,
        client_order_id: str,
        venue_order_id: str,
        market: str,
        asset_id: str,
        side: Side,
        price: int,
        size: int,
        tif: TimeInForce,
        post_only: bool,
        submit_ts: int,
        arrival_ts: int,
        response_ns: int,
    ) -> None:
        self.seq = seq
        self.client_order_id = client_order_id
        self.venue_order_id = venue_order_id
        self.market = market
        self.asset_id = asset_id
        self.side = side
        self.price = price
        self.size = size
        self.remaining = size
        self.tif = tif
        self.post_only = post_only
        self.submit_ts = submit_ts
        self.arrival_ts = arrival_ts
        self.response_ns = response_ns
        self.state = IN_FLIGHT
        self.done_reason = ""
        self.ahead: int | None = None
        self.credit = 0
        self.credit_ts = 0
        self.last_delivery = 0

    def __repr__(self) -> str:
        return (
            f"SimOrder({self.client_order_id!r}, {self.side.name} {format_size(self.remaining)}/"
            f"{format_size(self.size)} @ {format_price(self.price)}, ahead={self.ahead}, state={self.state})"
        )


class Level:
    """Our resting orders at one (asset, side, price), FIFO, and what the data last showed
    there: ``last_size`` (others' displayed size net of what we took, ``None`` = hidden),
    ``trade_vol`` (recorded trade volume at this price not yet seen as a displayed decrease) and
    ``dec_vol`` (a displayed decrease at ``dec_ts`` not yet matched by a trade print)."""

    __slots__ = ("dec_ts", "dec_vol", "last_size", "orders", "price", "side", "trade_vol")

    def __init__(self, side: Side, price: int, last_size: int | None) -> None:
        self.side = side
        self.price = price
        self.orders: list[SimOrder] = []
        self.last_size = last_size
        self.trade_vol = 0
        self.dec_vol = 0
        self.dec_ts = 0


__all__ = [
    "CANCELLED_FAK_REMAINDER",
    "CANCELLED_MARKET_RESOLVED",
    "CANCEL_ALREADY_CANCELLED",
    "CANCEL_ALREADY_FILLED",
    "CANCEL_NOT_FOUND",
    "DONE",
    "IN_FLIGHT",
    "REJECT_FAK",
    "REJECT_FOK",
    "REJECT_INVALID_TOKEN",
    "REJECT_MARKET_CLOSED",
    "REJECT_MARKET_NOT_FOUND",
    "REJECT_POST_ONLY_CROSSES",
    "REJECT_POST_ONLY_TIF",
    "RESTING",
    "Level",
    "SimOrder",
    "reject_duplicate",
    "reject_min_size",
    "reject_price_range",
    "reject_tick",
]
