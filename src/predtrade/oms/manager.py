"""The order manager: our orders, the venue's messages about them, and the ledgers they move.

Handlers are synchronous and never await. The Polymarket fill rules, each named and tested:

* **book once** (:meth:`OrderManager._on_fill`): a fill is keyed by ``(trade_id, venue_order_id)``
  and booked on first sighting; every repeat only advances its settlement status and is counted as
  a duplicate.
* **hold until the ack** (:meth:`OrderManager._hold`): updates for a venue id we cannot map yet are
  held (while some order awaits its ack) and replayed in arrival order when the ack lands.
* **provisional vs final** (:meth:`OrderManager._on_repeat`): MATCHED/MINED/RETRYING are
  provisional, CONFIRMED final; FAILED voids a booked fill (:meth:`OrderManager._void`), and a
  FAILED for a fill never seen leaves a tombstone so a late MATCHED is not booked.
* **our side** : the side of a fill is our order's, never the message's (YES/NO cross matches).
* **overfill refused / worse price flagged**: a fill beyond size raises :class:`Overfill` and
  books nothing; a fill at a worse price than our limit is booked and counted.
* **unknown is not a crash**: an event for an order we do not know is counted and returned as
  :attr:`ApplyResult.UNKNOWN`.

Venue messages that contradict our state raise a typed :class:`~predtrade.oms.errors.OmsError`
(counted in :attr:`OrderManager.stats`, the order flagged ``needs_reconcile``) and change nothing
else; the caller logs them and reconciles the order over REST.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Final

from predtrade.model import (
    MAX_PRICE,
    MIN_PRICE,
    CancelRejected,
    ClientOrderIdGenerator,
    FeeSchedule,
    OrderAccepted,
    OrderCancelled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderState,
    Side,
    TimeInForce,
    TradeStatus,
)

from . import fsm
from .errors import InvalidFill, OmsError, OrderRejectedLocally, Overfill, UnknownOrder, VenueIdConflict
from .inventory import Inventory
from .order import Cause, Fill, Order, Transition

_BUY: Final = Side.BUY
_PS: Final = OrderState.PENDING_SUBMIT
_PC: Final = OrderState.PENDING_CANCEL
_FAILED: Final = TradeStatus.FAILED
_CONFIRMED: Final = TradeStatus.CONFIRMED
#: settlement progress; MINED and RETRYING can follow each other (reorg, then retry succeeded)
_RANK: Final = {
    TradeStatus.MATCHED: 0,
    TradeStatus.MINED: 1,
    TradeStatus.RETRYING: 1,
    TradeStatus.CONFIRMED: 2,
    TradeStatus.FAILED: 2,
}


class ApplyResult(StrEnum):
    APPLIED = "applied"  # the order changed (state, fill booked)
    DUPLICATE = "duplicate"  # a repeat of a fill or notice we already have (status may advance)
    HELD = "held"  # venue id not mapped yet: kept until the ack lands
    VOIDED = "voided"  # a FAILED trade reversed a booked fill
    TOMBSTONED = "tombstoned"  # a FAILED trade for a fill never seen: recorded, nothing booked
    STALE = "stale"  # nothing to do (cancel rejected with no cancel pending, late ack)
    UNKNOWN = "unknown"  # not one of our orders


class OmsStats:
    """Counters. Each venue message is counted once under its outcome (``applied``,
    ``duplicates``, ``held``, ``voided``, ``tombstoned``, ``stale``, ``unknown``) or its error
    (``illegal``, ``overfills``, ``invalid``, ``conflicts`` for venue-id clashes); a held message is
    counted again under ``released`` and its outcome when replayed. ``worse_price`` and
    ``conflicts`` (a repeat with different terms) also flag messages that were otherwise counted."""

    __slots__ = (
        "applied",
        "conflicts",
        "duplicates",
        "held",
        "illegal",
        "invalid",
        "overfills",
        "released",
        "stale",
        "tombstoned",
        "unknown",
        "voided",
        "worse_price",
    )

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return "OmsStats(" + ", ".join(f"{k}={v}" for k, v in self.as_dict().items() if v) + ")"


class OrderManager:
    """Tracks our orders through :mod:`predtrade.oms.fsm` and keeps ``inventory`` in step.

    Parameters
    ----------
    inventory
        Cash, reservations and positions; reserved on submit, moved by fills.
    id_prefix
        Prefix of our deterministic client order ids (``pt-1``, ``pt-2``, ...).
    max_held
        Bound on updates held for not-yet-acknowledged orders; beyond it they count as unknown.
    """

    def __init__(self, inventory: Inventory, *, id_prefix: str = "pt", max_held: int = 10_000) -> None:
        self.inventory = inventory
        self.audit: list[Transition] = []
        self.stats = OmsStats()
        self.errors: list[OmsError] = []  # errors met while replaying held updates
        self._ids = ClientOrderIdGenerator(id_prefix)
        self._orders: dict[str, Order] = {}
        self._by_venue: dict[str, Order] = {}
        self._working: dict[str, Order] = {}
        self._held: dict[str, list[OrderEvent]] = {}
        self._n_held = 0
        self._unacked = 0  # orders whose venue id we do not know yet
        self._max_held = max_held
        self._dispatch: dict[type, Callable[..., ApplyResult]] = {
            OrderFilled: self._on_fill,
            OrderAccepted: self._on_accepted,
            OrderCancelled: self._on_cancelled,
            OrderExpired: self._on_expired,
            CancelRejected: self._on_cancel_rejected,
            OrderRejected: self._on_rejected,
        }

    # ------------------------------------------------------------------ queries
    def get(self, client_order_id: str) -> Order:
        try:
            return self._orders[client_order_id]
        except KeyError:
            raise UnknownOrder(f"unknown client order id {client_order_id!r}") from None

    def by_venue_id(self, venue_order_id: str) -> Order | None:
        return self._by_venue.get(venue_order_id)

    def open_orders(self, asset_id: str | None = None) -> list[Order]:
        """Working orders (including those pending submit or cancel), oldest first."""
        if asset_id is None:
            return list(self._working.values())
        return [o for o in self._working.values() if o.asset_id == asset_id]

    @property
    def orders(self) -> list[Order]:
        return list(self._orders.values())

    @property
    def held_count(self) -> int:
        return self._n_held

    # ------------------------------------------------------------------ requests
    def submit(
        self,
        *,
        market: str,
        asset_id: str,
        side: Side,
        price: int,
        size: int,
        tif: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        ts_local: int = 0,
        fees: FeeSchedule | None = None,
        venue_order_id: str | None = None,
    ) -> Order:
        """Create an order in ``PENDING_SUBMIT`` and reserve its capital. ``fees`` adds the
        worst-case taker fee to the reservation; ``venue_order_id`` is for venues whose order id is
        known before the ack (Polymarket: the order hash). Raises :class:`OrderRejectedLocally`
        (:class:`InsufficientFunds` when it would overdraw) without consuming a client id."""
        if type(side) is not Side:
            side = Side(side)
        if type(price) is not int or type(size) is not int:
            raise OrderRejectedLocally(f"price and size must be fixed-point ints, got {price!r} and {size!r}")
        if not MIN_PRICE <= price <= MAX_PRICE:
            raise OrderRejectedLocally(f"price {price} is outside (0, 1)")
        if size <= 0:
            raise OrderRejectedLocally(f"size must be positive, got {size}")
        if post_only and tif in (TimeInForce.FOK, TimeInForce.FAK):
            raise OrderRejectedLocally(f"post-only cannot be combined with {tif.value}")
        if venue_order_id is not None and venue_order_id in self._by_venue:
            raise OrderRejectedLocally(f"venue order id {venue_order_id} is already in use")
        inv = self.inventory
        cash, shares = inv.reservation_for(side, price, size, post_only, fees)
        inv.check_reserve(asset_id, cash, shares)
        cid = self._ids.next()
        inv.set_reservation(cid, asset_id, cash, shares)
        order = Order(
            client_order_id=cid,
            market=market,
            asset_id=asset_id,
            side=side,
            price=price,
            size=size,
            tif=tif,
            post_only=post_only,
            ts_created=ts_local,
            venue_order_id=venue_order_id,
            fees=fees,
        )
        self._orders[cid] = order
        self._working[cid] = order
        if venue_order_id is None:
            self._unacked += 1
        else:
            self._by_venue[venue_order_id] = order
        return order

    def request_cancel(self, client_order_id: str, ts_local: int = 0) -> bool:
        """Mark the order ``PENDING_CANCEL``. Returns False when there is nothing to cancel
        (already pending cancel, or terminal). The caller sends the cancel once the venue id is set."""
        order = self.get(client_order_id)
        if order.state is _PC or not order.state.is_working:
            return False
        fsm.transition(order, _PC, Cause.CANCEL_REQUESTED, 0, ts_local, self.audit)
        return True

    # ------------------------------------------------------------------ events
    def apply(self, event: OrderEvent) -> ApplyResult:
        """Apply one venue message. Raises a typed :class:`OmsError` (and changes nothing) if it
        contradicts our state; ``TypeError`` for an event that is not about our orders."""
        handler = self._dispatch.get(type(event))
        if handler is None:
            raise TypeError(f"not an order event: {type(event).__name__}")
        return handler(event)

    def _lookup(self, event: OrderEvent) -> Order | ApplyResult:
        order = self._by_venue.get(event.venue_order_id)
        if order is not None:
            return order
        return self._hold(event)

    def _hold(self, event: OrderEvent) -> ApplyResult:
        """Rule *hold until the ack*: an update for an unmapped venue id may belong to an order
        whose ack has not been processed yet; keep it (in arrival order) while any order awaits
        its ack. Otherwise it is not ours."""
        if self._unacked and self._n_held < self._max_held:
            self._held.setdefault(event.venue_order_id, []).append(event)
            self._n_held += 1
            self.stats.held += 1
            return ApplyResult.HELD
        self.stats.unknown += 1
        return ApplyResult.UNKNOWN

    def _release(self, venue_order_id: str) -> None:
        """Replay the updates held for ``venue_order_id``, in arrival order. Errors are recorded
        in :attr:`errors` (and counted, the order flagged) rather than raised: the ack was valid."""
        held = self._held.pop(venue_order_id, None)
        if held:
            self._n_held -= len(held)
            for ev in held:
                self.stats.released += 1
                try:
                    self._dispatch[type(ev)](ev)
                except OmsError as exc:
                    self.errors.append(exc)
        self._drop_orphans()

    def _drop_orphans(self) -> None:
        if not self._unacked and self._n_held:
            # no ack can come any more: whatever is still held is not ours
            self.stats.unknown += self._n_held
            self._held.clear()
            self._n_held = 0

    def _move(
        self,
        order: Order,
        to: OrderState,
        cause: Cause,
        ev: OrderEvent,
        fill_qty: int = 0,
        fill_price: int = 0,
        trade_id: str | None = None,
    ) -> None:
        """Transition, counting (and flagging) an illegal edge before re-raising it."""
        try:
            fsm.transition(
                order, to, cause, ev.ts_venue, ev.ts_local, self.audit, fill_qty, fill_price, trade_id
            )
        except fsm.IllegalTransition:
            self.stats.illegal += 1
            order.needs_reconcile = True
            raise
        if not to.is_working:
            self._working.pop(order.client_order_id, None)
            self.inventory.release(order.client_order_id)
        elif order.client_order_id not in self._working:
            self._working[order.client_order_id] = order

    def _reserve(self, order: Order) -> None:
        if order.state.is_working:
            inv = self.inventory
            cash, shares = inv.reservation_for(
                order.side, order.price, order.size - order.filled, order.post_only, order.fees
            )
            inv.set_reservation(order.client_order_id, order.asset_id, cash, shares)

    # ---- acknowledgement / rejection (keyed by our client id)
    def _on_accepted(self, ev: OrderAccepted) -> ApplyResult:
        order = self._orders.get(ev.client_order_id)
        if order is None:
            self.stats.unknown += 1
            return ApplyResult.UNKNOWN
        vid = ev.venue_order_id
        other = self._by_venue.get(vid)
        if other is not None and other is not order:
            self.stats.conflicts += 1
            raise VenueIdConflict(
                f"ack of {order.client_order_id}: venue id {vid} belongs to {other.client_order_id}"
            )
        if order.venue_order_id is not None and order.venue_order_id != vid:
            self.stats.conflicts += 1
            order.needs_reconcile = True
            raise VenueIdConflict(
                f"ack of {order.client_order_id}: venue id {vid} but the order has {order.venue_order_id}"
            )
        state = order.state
        # PENDING_CANCEL -> PENDING_CANCEL records the mapping of an order whose cancel was requested
        # before its ack; once the venue id is known a repeated ack has nothing to record
        if state is not _PS and (state is not _PC or order.venue_order_id is not None):
            if order.venue_order_id is None:
                # only a rejected order leaves PENDING_SUBMIT without a venue id: raises REJECTED -> OPEN
                self._move(order, OrderState.OPEN, Cause.ACCEPTED, ev)
            self.stats.stale += 1  # a late ack of an order whose venue id we knew ahead
            return ApplyResult.STALE
        # PENDING_SUBMIT -> OPEN, or PENDING_CANCEL -> PENDING_CANCEL (cancel requested before ack)
        self._move(order, OrderState.OPEN if state is _PS else _PC, Cause.ACCEPTED, ev)
        if order.venue_order_id is None:
            order.venue_order_id = vid
            self._by_venue[vid] = order
            self._unacked -= 1
        self.stats.applied += 1
        if self._n_held:
            self._release(vid)
        return ApplyResult.APPLIED

    def _on_rejected(self, ev: OrderRejected) -> ApplyResult:
        order = self._orders.get(ev.client_order_id)
        if order is None:
            self.stats.unknown += 1
            return ApplyResult.UNKNOWN
        if order.state is OrderState.REJECTED:
            self.stats.duplicates += 1
            return ApplyResult.DUPLICATE
        self._move(order, OrderState.REJECTED, Cause.REJECTED, ev)
        if order.venue_order_id is None:
            self._unacked -= 1
            self._drop_orphans()  # held updates may no longer have anyone to belong to
        self.stats.applied += 1
        return ApplyResult.APPLIED

    # ---- order updates (keyed by the venue id)
    def _on_cancelled(self, ev: OrderCancelled) -> ApplyResult:
        order = self._lookup(ev)
        if not isinstance(order, Order):
            return order
        state = order.state
        if state is OrderState.CANCELLED or state is OrderState.EXPIRED:
            self.stats.duplicates += 1  # already dead: a repeated notice
            return ApplyResult.DUPLICATE
        self._move(order, OrderState.CANCELLED, Cause.CANCELLED, ev)
        self.stats.applied += 1
        return ApplyResult.APPLIED

    def _on_expired(self, ev: OrderExpired) -> ApplyResult:
        order = self._lookup(ev)
        if not isinstance(order, Order):
            return order
        state = order.state
        if state is OrderState.CANCELLED or state is OrderState.EXPIRED:
            self.stats.duplicates += 1
            return ApplyResult.DUPLICATE
        self._move(order, OrderState.EXPIRED, Cause.EXPIRED, ev)
        self.stats.applied += 1
        return ApplyResult.APPLIED

    def _on_cancel_rejected(self, ev: CancelRejected) -> ApplyResult:
        order = self._lookup(ev)
        if not isinstance(order, Order):
            return order
        if order.state is not _PC:
            # typical race: the order filled (or died) before our cancel reached the venue
            self.stats.stale += 1
            return ApplyResult.STALE
        self._move(order, fsm.cancel_reject_target(order.filled), Cause.CANCEL_REJECTED, ev)
        self.stats.applied += 1
        return ApplyResult.APPLIED

    # ---- fills
    def _on_fill(self, ev: OrderFilled) -> ApplyResult:
        """Rule *book once*: first sighting of ``(trade_id, venue_order_id)`` books the fill."""
        order = self._by_venue.get(ev.venue_order_id)
        if order is None:
            return self._hold(ev)
        fills = order.fills
        f = fills.get(ev.trade_id)
        if f is not None:
            return self._on_repeat(order, f, ev)
        status = ev.status
        if status is _FAILED:
            # never booked, so nothing to reverse; remember it so a late MATCHED is not booked
            fills[ev.trade_id] = Fill(
                ev.trade_id,
                ev.size,
                ev.price,
                status,
                ev.fee,
                ev.liquidity,
                ev.ts_venue,
                ev.ts_local,
                voided=True,
            )
            self.stats.tombstoned += 1
            return ApplyResult.TOMBSTONED
        qty = ev.size
        price = ev.price
        if qty <= 0 or not MIN_PRICE <= price <= MAX_PRICE:
            self.stats.invalid += 1
            order.needs_reconcile = True
            raise InvalidFill(order.client_order_id, ev.trade_id, f"size {qty} at price {price}")
        new_filled = order.filled + qty
        if new_filled > order.size:
            self.stats.overfills += 1
            order.needs_reconcile = True
            raise Overfill(order.client_order_id, ev.trade_id, order.size, order.filled, qty)
        self._move(
            order,
            fsm.fill_target(order.state, new_filled, order.size),
            Cause.FILL,
            ev,
            qty,
            price,
            ev.trade_id,
        )
        # rule *our side*: the side is our order's; the token too (the message's asset may be the
        # complement in a YES/NO cross match)
        side = order.side
        worse = price > order.price if side is _BUY else price < order.price
        if worse:
            # cross-asset matches are priced by the venue: accept, but count and flag
            self.stats.worse_price += 1
        entry = self.inventory.book_fill(order.client_order_id, order.asset_id, side, price, qty, ev.fee)
        fills[ev.trade_id] = Fill(
            ev.trade_id, qty, price, status, ev.fee, ev.liquidity, ev.ts_venue, ev.ts_local, worse, entry
        )
        self._reserve(order)  # a no-op once the order is no longer working
        self.stats.applied += 1
        return ApplyResult.APPLIED

    def _on_repeat(self, order: Order, f: Fill, ev: OrderFilled) -> ApplyResult:
        """Rule *provisional vs final*: a repeat never books again. A later (or equal) status
        advances the fill's settlement status; FAILED on a provisional fill voids it."""
        new = ev.status
        old = f.status
        if ev.size != f.qty or ev.price != f.price:
            self.stats.conflicts += 1  # same trade, different terms: let REST decide
            order.needs_reconcile = True
        if f.voided:
            if new is _CONFIRMED:
                self.stats.conflicts += 1  # FAILED then CONFIRMED: contradictory finals
                order.needs_reconcile = True
            self.stats.duplicates += 1
            return ApplyResult.DUPLICATE
        if new is _FAILED:
            if old is _CONFIRMED:
                self.stats.conflicts += 1  # CONFIRMED is final; do not unwind on a contradiction
                order.needs_reconcile = True
                self.stats.duplicates += 1
                return ApplyResult.DUPLICATE
            self._void(order, f, ev)
            return ApplyResult.VOIDED
        if old is not _CONFIRMED and _RANK[new] >= _RANK[old]:
            f.status = new
        self.stats.duplicates += 1
        return ApplyResult.DUPLICATE

    def _void(self, order: Order, f: Fill, ev: OrderFilled) -> None:
        """Reverse a booked fill whose trade FAILED: filled quantity, cash, position, fee; audited
        as a transition with a negative ``fill_qty``."""
        to = fsm.void_target(order.state, order.filled - f.qty)
        self._move(order, to, Cause.FILL_FAILED, ev, -f.qty, f.price, f.trade_id)
        f.voided = True
        f.status = _FAILED
        if f.entry is not None:
            self.inventory.void(f.entry)
        # does the venue put the voided quantity back on the book? unverified: reconcile
        order.needs_reconcile = True
        self._reserve(order)
        self.stats.voided += 1
