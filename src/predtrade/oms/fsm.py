"""The order state machine: one literal table of legal edges, and the only code that changes an
order's ``state`` and ``filled``.

Messages about one order reach us out of order (fills before the ack, fills after the cancel ack,
a trade that later ``FAILED``), so the table includes the edges the real world produces, each with
the reason it exists. Anything not in the table raises :class:`IllegalTransition` before the order
is touched.

A dead (cancelled or expired) order may still be owed fills the venue matched before it died; the
quantity is carried in ``Order.late_qty`` and recorded on every transition (``Transition.late_qty``),
so the audit trail alone says what each order still reserves.
"""

from __future__ import annotations

from typing import Final

from predtrade.model import OrderState

from .errors import IllegalTransition
from .order import Cause, Order, Transition

__all__ = [
    "TRANSITIONS",
    "IllegalTransition",
    "cancel_reject_target",
    "check",
    "fill_target",
    "is_legal",
    "transition",
    "void_target",
]

PS = OrderState.PENDING_SUBMIT
OPEN = OrderState.OPEN
PF = OrderState.PARTIALLY_FILLED
FILLED = OrderState.FILLED
PC = OrderState.PENDING_CANCEL
CANCELLED = OrderState.CANCELLED
REJECTED = OrderState.REJECTED
EXPIRED = OrderState.EXPIRED

#: ``{(from, to): why this edge exists}``. Self-loops (``PF -> PF`` ...) must carry a fill or a
#: void, except ``PENDING_CANCEL -> PENDING_CANCEL`` for an ack that lands while a cancel is pending,
#: and ``CANCELLED``/``EXPIRED`` self-loops with cause ``LATE`` (only the late-fill quantity changes).
TRANSITIONS: Final[dict[tuple[OrderState, OrderState], str]] = {
    # ---- from PENDING_SUBMIT (sent, no ack processed yet)
    (PS, OPEN): "the venue acknowledged the order",
    (PS, REJECTED): "the venue refused the order",
    # the strategy changed its mind before the ack: the cancel goes out once the venue id is known
    (PS, PC): "cancel requested before the ack",
    # immediate match on submit, reported before the ack. Reachable only when the venue id is known
    # in advance (Polymarket's order id is the order hash); otherwise such fills are held until the ack
    (PS, PF): "immediate partial match on submit, fill seen before the ack",
    (PS, FILLED): "immediate full match on submit (marketable order, FOK), fill seen before the ack",
    # FOK/FAK killed (or venue-cancelled) and reported before the ack was processed
    (PS, CANCELLED): "killed or venue-cancelled before the ack was processed",
    (PS, EXPIRED): "expiry reported before the ack was processed",
    # ---- from OPEN
    (OPEN, PF): "a fill for part of the size",
    (OPEN, FILLED): "a fill completed the order",
    (OPEN, PC): "cancel requested",
    # the venue cancels by itself: FOK/FAK killed, market resolved, balance, INVALID
    (OPEN, CANCELLED): "venue-initiated cancel or FOK/FAK killed",
    (OPEN, EXPIRED): "GTD order reached its expiry",
    # ---- from PARTIALLY_FILLED
    (PF, PF): "another partial fill, or a FAILED trade voided one of several fills",
    (PF, FILLED): "the last fill completed the order",
    # every provisional fill FAILED: nothing filled any more (order flagged needs_reconcile)
    (PF, OPEN): "the only fills were voided by FAILED trades",
    (PF, PC): "cancel requested",
    (PF, CANCELLED): "venue-initiated cancel of the remainder, or the FAK remainder killed",
    (PF, EXPIRED): "GTD expiry of the remainder",
    # ---- from PENDING_CANCEL (our cancel is in flight)
    # a partial fill while the cancel is in flight keeps PENDING_CANCEL: the cancel still stands.
    # Also: the ack of an order whose cancel was requested before the ack; a void while cancelling
    (PC, PC): "partial fill or void while the cancel is in flight, or the ack of an order being cancelled",
    # the match beat our cancel to the venue: the cancel will be rejected (or arrive as a no-op)
    (PC, FILLED): "fill completed the order while the cancel was in flight",
    (PC, CANCELLED): "cancel acknowledged",
    # cancel rejected (order not found, already matched, ...): back to working
    (PC, OPEN): "cancel rejected, nothing filled",
    (PC, PF): "cancel rejected after partial fills",
    (PC, EXPIRED): "expired before the cancel landed",
    (PC, REJECTED): "cancel requested before the ack, then the order itself was rejected",
    # ---- from CANCELLED: fills that matched before the cancel took effect, reported after its ack
    (CANCELLED, FILLED): "late fill (matched before the cancel) completes the order",
    (CANCELLED, CANCELLED): "late partial fill after the cancel ack, a void, or a late-reservation change",
    # ---- from EXPIRED: the same race against expiry
    (EXPIRED, FILLED): "late fill (matched before expiry) completes the order",
    (EXPIRED, EXPIRED): "late partial fill after expiry, a void, or a late-reservation change",
    # ---- from FILLED: a provisional fill voided by a FAILED trade. Whether the venue puts the
    # remainder back on the book is unverified, so the order is flagged needs_reconcile and treated
    # as working again (conservative: its remainder keeps reserving capital until reconciled)
    (FILLED, PF): "a FAILED trade voided one of the fills",
    (FILLED, OPEN): "FAILED trades voided every fill",
}

_LEGAL: Final[frozenset[tuple[OrderState, OrderState]]] = frozenset(TRANSITIONS)


def is_legal(from_state: OrderState, to_state: OrderState) -> bool:
    return (from_state, to_state) in _LEGAL


def check(
    order_id: str, from_state: OrderState, to_state: OrderState, cause: Cause, fill_qty: int = 0
) -> None:
    """Raise :class:`IllegalTransition` unless ``from_state -> to_state`` is legal for ``cause``."""
    if (from_state, to_state) not in _LEGAL:
        raise IllegalTransition(order_id, from_state, to_state, cause)
    # a self-loop changes nothing unless it carries a fill (or is the ack of an order being cancelled,
    # or changes only the late-fill reservation of a dead order)
    if (
        from_state is to_state
        and not fill_qty
        and not (from_state is PC and cause is Cause.ACCEPTED)
        and not (cause is Cause.LATE and (from_state is CANCELLED or from_state is EXPIRED))
    ):
        raise IllegalTransition(order_id, from_state, to_state, cause)


def transition(
    order: Order,
    to_state: OrderState,
    cause: Cause,
    ts_venue: int,
    ts_local: int,
    audit: list[Transition] | None = None,
    fill_qty: int = 0,
    fill_price: int = 0,
    trade_id: str | None = None,
    late_qty: int | None = None,
) -> Transition:
    """Move ``order`` to ``to_state`` (adding the signed ``fill_qty`` to ``filled``; setting its
    late-fill quantity to ``late_qty`` unless ``None``), record the :class:`Transition` on the order
    and in ``audit``. Checks first: on an illegal edge nothing changes. Only a cancelled or expired
    order can be owed late fills."""
    frm = order.state
    if (frm, to_state) not in _LEGAL or (frm is to_state and not fill_qty):
        check(order.client_order_id, frm, to_state, cause, fill_qty)
    if late_qty is None:
        late_qty = order.late_qty
    elif late_qty < 0 or (late_qty and to_state is not CANCELLED and to_state is not EXPIRED):
        raise ValueError(f"order {order.client_order_id}: late-fill quantity {late_qty} in {to_state.value}")
    t = Transition(
        order.client_order_id,
        frm,
        to_state,
        cause,
        ts_venue,
        ts_local,
        fill_qty,
        fill_price,
        trade_id,
        late_qty,
    )
    order.state = to_state
    order.late_qty = late_qty
    if fill_qty:
        order.filled += fill_qty
    order.transitions.append(t)
    if audit is not None:
        audit.append(t)
    return t


def fill_target(state: OrderState, new_filled: int, size: int) -> OrderState:
    """State after a fill that brings the order to ``new_filled`` (``<= size``). An illegal origin
    (``REJECTED``) maps to an edge the table refuses."""
    if new_filled >= size:
        return FILLED
    if state is PC or state is CANCELLED or state is EXPIRED:
        return state  # partial fill while cancelling / after the order died: state stands
    return PF


def void_target(state: OrderState, new_filled: int) -> OrderState:
    """State after a ``FAILED`` trade voids a fill, leaving ``new_filled``."""
    if state is FILLED or state is PF:
        return PF if new_filled else OPEN
    return state  # PENDING_CANCEL, CANCELLED, EXPIRED keep their state


def cancel_reject_target(filled: int) -> OrderState:
    """Back to working after a rejected cancel."""
    return PF if filled else OPEN
