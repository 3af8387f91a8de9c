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
* **forgetting is bounded and safe** (:meth:`OrderManager.forget`): a finished order can be dropped
  so that a long run does not keep every order with its trail and fills forever (the sink has
  them). Never a working order, nor a dead one still reserving for late fills; a later message
  about a forgotten order is counted as unknown (``stats.forgotten_hits``) and changes nothing.
* **late fills stay reserved** (:meth:`OrderManager._on_dead`): a fill can match just before the
  cancel (or expiry) and be reported after its ack. When the notice carries the venue's
  ``size_matched``, the order keeps reserving, at its limit and with the fee bound, for the
  *late-fill quantity* ``size_matched - (trades seen)`` after it died; each late trade seen takes
  its quantity off, and the reservation is gone once ``size_matched`` is reached. "Trades seen"
  counts every trade of the order we have seen, booked, voided or tombstoned: the venue's
  ``size_matched`` is the matching engine's count, which (as reported, e.g.
  Polymarket/py-clob-client-v2#34) is not decremented when a trade later FAILS on chain. So a
  FAILED trade never seen before releases its quantity, and voiding a booked late fill releases
  nothing (it was released when booked).
* **overdraft is booked and flagged**: a fill the reservations did not cover (a late fill without
  ``size_matched``, or beyond it; a worse price than the limit; a fee above what is reserved) and a
  void that takes back proceeds are still booked, because they happened at the venue and the ledger
  records what happened. If that leaves ``available_cash`` (or a token's available shares) below
  zero, it is counted in :attr:`OmsStats.overdrawn` and the order flagged ``needs_reconcile``: cash
  *may* then be negative, which is the signal that our books and the wallet disagree (the venue
  itself would not settle a trade it cannot fund). While overdrawn, :meth:`OrderManager.submit`
  refuses everything that reserves cash, so nothing compounds it. With ``size_matched`` reported,
  fills inside the limit and voids aside, cash and ``available_cash`` never go below zero.

Venue messages that contradict our state raise a typed :class:`~predtrade.oms.errors.OmsError`
(counted in :attr:`OrderManager.stats`, the order flagged ``needs_reconcile``) and change nothing
else; the caller logs them and reconciles the order over REST.
"""

from __future__ import annotations

from collections import OrderedDict
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
from .inventory import Inventory, fee_bound, fee_denominator, fee_numerator
from .order import Cause, Fill, Order, Transition

_BUY: Final = Side.BUY
_PS: Final = OrderState.PENDING_SUBMIT
_PC: Final = OrderState.PENDING_CANCEL
_CANCELLED: Final = OrderState.CANCELLED
_EXPIRED: Final = OrderState.EXPIRED
_FILLED: Final = OrderState.FILLED
_HALF: Final = 5_000  # p * (1 - p) peaks at 0.5
#: ``OrderState.is_working`` as a set: a property call costs more than the lookup on the hot path
_WORKING: Final = frozenset(s for s in OrderState if s.is_working)
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
    counted again under ``released`` and its outcome when replayed. These also flag messages that
    were otherwise counted: ``worse_price``; ``conflicts`` (a repeat with different terms, a
    ``size_matched`` above the size or below the trades seen); ``late_reserved`` (a cancel/expiry
    notice that kept a late-fill reservation); ``late_unreserved`` (a fill after the order died
    that nothing was reserved for: the venue did not report ``size_matched``, or the fill goes
    beyond it); ``overdrawn`` (a fill or void after which ``available_cash``, or the token's
    available shares, is below zero); ``forgotten`` (orders dropped by :meth:`OrderManager.forget`)
    and ``forgotten_hits`` (messages about them afterwards, also counted as ``unknown``)."""

    __slots__ = (
        "applied",
        "conflicts",
        "duplicates",
        "forgotten",
        "forgotten_hits",
        "held",
        "illegal",
        "invalid",
        "late_reserved",
        "late_unreserved",
        "overdrawn",
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
    max_forgotten
        How many venue ids of forgotten orders are remembered, so that a late message about one
        is known to be unknown at once (not held while other orders await their acks).
    """

    def __init__(
        self,
        inventory: Inventory,
        *,
        id_prefix: str = "pt",
        max_held: int = 10_000,
        max_forgotten: int = 10_000,
    ) -> None:
        self.inventory = inventory
        self.audit: list[Transition] = []
        self.stats = OmsStats()
        self.errors: list[OmsError] = []  # errors met while replaying held updates
        self._ids = ClientOrderIdGenerator(id_prefix)
        self._orders: dict[str, Order] = {}
        self._by_venue: dict[str, Order] = {}
        self._working: dict[str, Order] = {}
        self._late: dict[str, Order] = {}  # dead orders still reserving for late fills
        self._held: dict[str, list[OrderEvent]] = {}
        self._n_held = 0
        self._unacked = 0  # orders whose venue id we do not know yet
        self._max_held = max_held
        self._forgotten: OrderedDict[str, None] = OrderedDict()  # venue ids of forgotten orders
        self._max_forgotten = max_forgotten
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

    def knows(self, client_order_id: str) -> bool:
        """Whether ``client_order_id`` is one of our orders (not forgotten)."""
        return client_order_id in self._orders

    def by_venue_id(self, venue_order_id: str) -> Order | None:
        return self._by_venue.get(venue_order_id)

    def open_orders(self, asset_id: str | None = None) -> list[Order]:
        """Working orders (including those pending submit or cancel), oldest first."""
        if asset_id is None:
            return list(self._working.values())
        return [o for o in self._working.values() if o.asset_id == asset_id]

    def late_orders(self) -> list[Order]:
        """Cancelled or expired orders still reserving for fills the venue said had matched."""
        return list(self._late.values())

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
        fee = fee_bound(side, price, size, fees, post_only) if fees is not None else 0
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
        order.fee_reserved = fee
        self._orders[cid] = order
        self._working[cid] = order
        if venue_order_id is None:
            self._unacked += 1
        else:
            self._by_venue[venue_order_id] = order
        return order

    def release_late_reservation(self, client_order_id: str, ts_local: int = 0) -> int:
        """Stop reserving for the late fills of a dead order (audited, cause ``LATE``), e.g. once a
        REST reconciliation shows the venue's trades are all booked. Returns the quantity released."""
        order = self.get(client_order_id)
        late = order.late_qty
        if late:
            fsm.transition(order, order.state, Cause.LATE, 0, ts_local, self.audit, late_qty=0)
            self._settle(order)
        return late

    def request_cancel(self, client_order_id: str, ts_local: int = 0) -> bool:
        """Mark the order ``PENDING_CANCEL``. Returns False when there is nothing to cancel
        (already pending cancel, or terminal). The caller sends the cancel once the venue id is set."""
        order = self.get(client_order_id)
        if order.state is _PC or order.state not in _WORKING:
            return False
        fsm.transition(order, _PC, Cause.CANCEL_REQUESTED, 0, ts_local, self.audit)
        return True

    def forget(self, client_order_id: str) -> bool:
        """Drop a finished order: its trail, its fills and its ids (rule *forgetting is bounded
        and safe*). Refused (False, nothing changes) for an unknown id, a working order, or a dead
        one still reserving for late fills (``late_qty``): those reservations must stay until the
        fills arrive or are released. A finished order reserves nothing, so the ledgers do not
        change; positions, cash and the per-token ledger keep what its fills did."""
        order = self._orders.get(client_order_id)
        if order is None or order.state in _WORKING or order.late_qty or client_order_id in self._late:
            return False
        del self._orders[client_order_id]
        self._working.pop(client_order_id, None)
        vid = order.venue_order_id
        if vid is not None:
            if self._by_venue.get(vid) is order:
                del self._by_venue[vid]
            forgotten = self._forgotten
            forgotten[vid] = None
            if len(forgotten) > self._max_forgotten:
                forgotten.popitem(last=False)  # O(1), unlike deleting a plain dict's first key
        self.inventory.forget(client_order_id)
        self.stats.forgotten += 1
        return True

    def is_forgotten(self, venue_order_id: str) -> bool:
        """Whether ``venue_order_id`` belonged to an order dropped by :meth:`forget` (among the
        last ``max_forgotten``)."""
        return venue_order_id in self._forgotten

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
        its ack. Otherwise (or when the id is one of a forgotten order) it is not ours."""
        if self._forgotten and event.venue_order_id in self._forgotten:
            self.stats.forgotten_hits += 1
            self.stats.unknown += 1
            return ApplyResult.UNKNOWN
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
        late_qty: int | None = None,
    ) -> None:
        """Transition, counting (and flagging) an illegal edge before re-raising it."""
        try:
            fsm.transition(
                order,
                to,
                cause,
                ev.ts_venue,
                ev.ts_local,
                self.audit,
                fill_qty,
                fill_price,
                trade_id,
                late_qty,
            )
        except fsm.IllegalTransition:
            self.stats.illegal += 1
            order.needs_reconcile = True
            raise
        if to not in _WORKING:
            self._settle(order)
        elif order.client_order_id not in self._working:
            self._working[order.client_order_id] = order

    def _settle(self, order: Order) -> None:
        """Book-keeping of an order that is no longer working: it leaves the working set, and
        releases its reservation unless it is still owed late fills (the caller re-reserves)."""
        cid = order.client_order_id
        self._working.pop(cid, None)
        if order.late_qty:
            self._late[cid] = order
        else:
            if self._late:
                self._late.pop(cid, None)
            self.inventory.release(cid)
            order.fee_reserved = 0

    def _reserve(self, order: Order) -> None:
        """Reserve for what the order can still trade: its remainder while working, its late-fill
        quantity once dead (a BUY's cost via :meth:`Inventory.reserve_remaining`).

        The fee part is ``ceil(W + R) - P``: ``W`` the exact fee of the surviving fills at their
        prices, ``R`` the exact worst-case fee of the quantity left, ``P`` the fees charged so far.
        A venue that bills the running total of an order's exact fees, rounded up, can still
        charge at most that, whatever order its fills reach us in (``fee_bound`` of the rest
        alone can be a unit short when they arrive out of order), and a fill inside the limit
        never frees less than it is charged."""
        qty = order.size - order.filled if order.state in _WORKING else order.late_qty
        fee = 0
        fees = order.fees
        if fees is not None and qty and fees.rate_ppm and not (order.post_only and fees.taker_only):
            price = order.price
            worst = (
                (price if price < _HALF else _HALF)
                if order.side is _BUY
                else (price if price > _HALF else _HALF)
            )
            num = order.fee_exact + fee_numerator(fees, worst, qty)
            fee = -((-num) // fee_denominator(fees)) - order.fee_paid
            if fee < 0:
                fee = 0
        order.fee_reserved = fee
        self.inventory.reserve_remaining(
            order.client_order_id, order.asset_id, order.side, order.price, qty, fee
        )

    def _check_overdrawn(self, order: Order) -> None:
        """Rule *overdraft is booked and flagged*: called after a fill or void the reservations
        may not have covered."""
        inv = self.inventory
        if inv.cash < inv.reserved_cash or inv.available_shares(order.asset_id) < 0:
            self.stats.overdrawn += 1
            order.needs_reconcile = True

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
        return self._on_dead(ev, _CANCELLED, Cause.CANCELLED)

    def _on_expired(self, ev: OrderExpired) -> ApplyResult:
        return self._on_dead(ev, _EXPIRED, Cause.EXPIRED)

    def _on_dead(self, ev: OrderCancelled | OrderExpired, to: OrderState, cause: Cause) -> ApplyResult:
        """Rule *late fills stay reserved*: the order stops working; with the venue's
        ``size_matched`` it keeps reserving for the trades matched but not seen yet."""
        order = self._lookup(ev)
        if not isinstance(order, Order):
            return order
        sm = ev.size_matched
        state = order.state
        if state is _CANCELLED or state is _EXPIRED:
            # already dead: a repeated notice. Only a size_matched we did not have (or a larger one:
            # the venue's count never decreases) tells us something
            if sm is not None and (order.size_matched is None or sm > order.size_matched):
                late = self._late_qty(order, sm)
                order.size_matched = sm
                self._check_matched(order, sm)
                if late > order.late_qty:
                    self._move(order, state, Cause.LATE, ev, late_qty=late)
                    self._reserve(order)
                    self.stats.late_reserved += 1
                    self.stats.applied += 1
                    return ApplyResult.APPLIED
            self.stats.duplicates += 1
            return ApplyResult.DUPLICATE
        late = self._late_qty(order, sm) if sm is not None else 0
        self._move(order, to, cause, ev, late_qty=late)
        if sm is not None:
            order.size_matched = sm
            self._check_matched(order, sm)
            if late:
                self._reserve(order)  # the remainder's reservation shrinks to the late quantity
                self.stats.late_reserved += 1
        self.stats.applied += 1
        return ApplyResult.APPLIED

    @staticmethod
    def _seen(order: Order) -> int:
        """Quantity of every trade of the order seen so far: booked, voided or tombstoned (the
        venue's ``size_matched`` counts them all)."""
        seen = 0
        for f in order.fills.values():
            if f.qty > 0:
                seen += f.qty
        return seen

    def _late_qty(self, order: Order, size_matched: int) -> int:
        """``size_matched`` (at most the size) minus the trades seen: still in flight."""
        matched = size_matched if size_matched < order.size else order.size
        seen = self._seen(order)
        return matched - seen if matched > seen else 0

    def _check_matched(self, order: Order, size_matched: int) -> None:
        """A count above the size, or below the trades we saw, contradicts us: counted and
        flagged (the order is then reconciled over REST)."""
        if size_matched > order.size or size_matched < self._seen(order):
            self.stats.conflicts += 1
            order.needs_reconcile = True

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
            late = order.late_qty
            if late and ev.size > 0:
                # a trade the venue counted in size_matched that will never settle: stop reserving for it
                self._move(
                    order,
                    order.state,
                    Cause.LATE,
                    ev,
                    trade_id=ev.trade_id,
                    late_qty=late - min(ev.size, late),
                )
                self._reserve(order)
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
        state = order.state
        late = None  # unchanged
        uncovered = False
        if state is _CANCELLED or state is _EXPIRED:
            # rule *late fills stay reserved*: the fill takes its quantity off the late reservation
            late = order.late_qty
            if qty > late:
                uncovered = True  # nothing (or not enough) was reserved for it
                late = 0
            else:
                late -= qty
        target = fsm.fill_target(state, new_filled, order.size)
        if target is _FILLED:
            late = 0
        fee = ev.fee
        fee_over = fee > order.fee_reserved  # read before the move: a dead order's is zeroed
        self._move(order, target, Cause.FILL, ev, qty, price, ev.trade_id, late)
        # rule *our side*: the side is our order's; the token too (the message's asset may be the
        # complement in a YES/NO cross match)
        side = order.side
        worse = price > order.price if side is _BUY else price < order.price
        if worse:
            # cross-asset matches are priced by the venue: accept, but count and flag
            self.stats.worse_price += 1
        entry = self.inventory.book_fill(order.client_order_id, order.asset_id, side, price, qty, fee)
        order.fee_paid += fee
        if order.fees is not None:
            order.fee_exact += fee_numerator(order.fees, price, qty)
        fills[ev.trade_id] = Fill(
            ev.trade_id, qty, price, status, fee, ev.liquidity, ev.ts_venue, ev.ts_local, worse, entry
        )
        self._reserve(order)
        if uncovered:
            self.stats.late_unreserved += 1
            order.needs_reconcile = True
        if uncovered or worse or fee_over:
            self._check_overdrawn(order)  # inside the limit and the reservations, a fill cannot overdraw
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
        order.fee_paid -= f.fee
        if order.fees is not None:
            order.fee_exact -= fee_numerator(order.fees, f.price, f.qty)
        # does the venue put the voided quantity back on the book? unverified: reconcile. On a dead
        # order the late-fill quantity stays: the trade was taken off it when first seen
        order.needs_reconcile = True
        self._reserve(order)
        self._check_overdrawn(order)  # proceeds taken back may already have been spent
        self.stats.voided += 1
