"""Our orders, their fills and the audit records of their state changes.

:class:`Order` is mutable for speed, but its ``state`` and ``filled`` are only ever changed by
:func:`predtrade.oms.fsm.transition`, which checks the edge against the transition table and
appends a :class:`Transition` to the order's own trail and to the manager's global audit list.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from predtrade.model import FeeSchedule, Liquidity, OrderState, Side, TimeInForce, TradeStatus

from .inventory import LedgerEntry


class Cause(StrEnum):
    """Why a transition happened (the event or request behind it)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELLED = "cancelled"
    CANCEL_REJECTED = "cancel_rejected"
    EXPIRED = "expired"
    FILL = "fill"
    FILL_FAILED = "fill_failed"
    #: only the late-fill reservation of a dead order changed (a FAILED trade never seen, a
    #: repeated notice reporting ``size_matched``, or a release after REST reconciliation)
    LATE = "late_reservation"


class Transition(msgspec.Struct, frozen=True, gc=False):
    """One audited state change. ``fill_qty`` is signed: positive when a fill is booked, negative
    when a ``FAILED`` trade voids one, 0 otherwise; replaying ``filled += fill_qty`` over an order's
    transitions rebuilds its filled quantity. ``late_qty`` is the order's late-fill quantity after
    the change (see :attr:`Order.late_qty`): the last transition of an order says what it still
    reserves for once it is dead."""

    order_id: str
    from_state: OrderState
    to_state: OrderState
    cause: Cause
    ts_venue: int
    ts_local: int
    fill_qty: int = 0
    fill_price: int = 0
    trade_id: str | None = None
    late_qty: int = 0


class Fill(msgspec.Struct, gc=False):
    """One fill of one order, keyed by the venue's trade id (the venue order id is the order's).

    The venue re-sends a trade each time its settlement ``status`` advances; only the first
    sighting is booked. ``voided`` is set when the trade ``FAILED`` (its effect reversed), or for a
    *tombstone*: a ``FAILED`` seen before any other status, recorded so a late ``MATCHED`` is not
    booked. ``entry`` is the inventory ledger entry (``None`` for a tombstone). A msgspec Struct
    (mutable, untracked by the GC) because one is built per fill.
    """

    trade_id: str
    qty: int
    price: int
    status: TradeStatus
    fee: int
    liquidity: Liquidity | None
    ts_venue: int
    ts_local: int
    worse_price: bool = False
    entry: LedgerEntry | None = None
    voided: bool = False

    @property
    def booked(self) -> bool:
        """Counts towards the order's filled quantity and the ledgers right now."""
        return not self.voided

    def __repr__(self) -> str:
        flags = " voided" if self.voided else ""
        return f"Fill({self.trade_id} {self.qty}@{self.price} {self.status.value}{flags})"


class Order:
    """One of our orders. ``venue_order_id`` is ``None`` until the venue acknowledges it (unless
    the caller knew it in advance: Polymarket's order id is the signed order's hash).

    ``late_qty`` is the *late-fill quantity* of a cancelled or expired order: what the venue said
    had matched (``size_matched`` on the cancel/expiry notice, kept in ``size_matched``) minus the
    trades we have seen for the order. Those fills are in flight, so the order keeps reserving for
    them after it died; each late trade we see takes its quantity off.

    Fee book-keeping of the surviving fills, for the fee part of the reservation
    (:meth:`predtrade.oms.OrderManager._reserve`): ``fee_exact`` is their exact taker fee at their
    prices (a numerator over :func:`~predtrade.oms.inventory.fee_denominator`), ``fee_paid`` what
    the venue charged for them; ``fee_reserved`` is the fee part last reserved.
    """

    __slots__ = (
        "asset_id",
        "client_order_id",
        "fee_exact",
        "fee_paid",
        "fee_reserved",
        "fees",
        "filled",
        "fills",
        "late_qty",
        "market",
        "needs_reconcile",
        "post_only",
        "price",
        "side",
        "size",
        "size_matched",
        "state",
        "tif",
        "transitions",
        "ts_created",
        "venue_order_id",
    )

    def __init__(
        self,
        *,
        client_order_id: str,
        market: str,
        asset_id: str,
        side: Side,
        price: int,
        size: int,
        tif: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        ts_created: int = 0,
        venue_order_id: str | None = None,
        fees: FeeSchedule | None = None,
    ) -> None:
        self.client_order_id = client_order_id
        self.venue_order_id = venue_order_id
        self.market = market
        self.asset_id = asset_id
        self.side = side
        self.price = price
        self.size = size
        self.filled = 0
        self.state = OrderState.PENDING_SUBMIT
        self.tif = tif
        self.post_only = post_only
        self.ts_created = ts_created
        self.fees = fees
        self.fills: dict[str, Fill] = {}
        self.needs_reconcile = False
        self.transitions: list[Transition] = []
        self.late_qty = 0
        self.size_matched: int | None = None
        self.fee_reserved = 0
        self.fee_exact = 0
        self.fee_paid = 0

    @property
    def remaining(self) -> int:
        """Quantity that can still trade: ``size - filled`` while working, 0 once terminal."""
        return self.size - self.filled if self.state.is_working else 0

    @property
    def is_working(self) -> bool:
        return self.state.is_working

    def __repr__(self) -> str:
        flag = f" late={self.late_qty}" if self.late_qty else ""
        flag += " needs_reconcile" if self.needs_reconcile else ""
        return (
            f"Order({self.client_order_id} {self.side.name} {self.size}@{self.price} {self.asset_id[:8]}… "
            f"{self.state.value} filled={self.filled}{flag})"
        )
