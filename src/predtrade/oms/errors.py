"""Typed errors of the order management package.

Every error that the venue's messages can provoke (an illegal transition, an overfill, a fill with
a nonsense size) leaves the order book-keeping untouched: the error is raised *before* anything
is mutated, so the caller can log it, mark the order for reconciliation and carry on.
"""

from __future__ import annotations

from predtrade.errors import PredtradeError
from predtrade.model import OrderState


class OmsError(PredtradeError):
    """Base class of every order-management error."""


class OrderRejectedLocally(OmsError):
    """We refused to send an order (bad price or size, an impossible flag combination, no funds)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InsufficientFunds(OrderRejectedLocally):
    """Reserving ``needed`` of ``asset`` (``"cash"`` or a token id) would overdraw ``available``."""

    def __init__(self, asset: str, needed: int, available: int) -> None:
        self.asset = asset
        self.needed = needed
        self.available = available
        what = "cash" if asset == "cash" else f"shares of {asset}"
        super().__init__(f"insufficient {what}: need {needed}, available {available}")


class IllegalTransition(OmsError):
    """The order state machine has no edge ``from_state -> to_state`` (see ``oms.fsm.TRANSITIONS``)."""

    def __init__(self, order_id: str, from_state: OrderState, to_state: OrderState, cause: str) -> None:
        self.order_id = order_id
        self.from_state = from_state
        self.to_state = to_state
        self.cause = str(cause)
        super().__init__(
            f"order {order_id}: illegal transition {from_state.value} -> {to_state.value} ({self.cause})"
        )


class Overfill(OmsError):
    """A fill would take an order beyond its size; it is refused and nothing is booked."""

    def __init__(self, order_id: str, trade_id: str, size: int, filled: int, qty: int) -> None:
        self.order_id = order_id
        self.trade_id = trade_id
        self.size = size
        self.filled = filled
        self.qty = qty
        super().__init__(
            f"order {order_id}: fill {trade_id} of {qty} would overfill (filled {filled} of {size})"
        )


class InvalidFill(OmsError):
    """A fill message with a non-positive size or a price outside (0, 1)."""

    def __init__(self, order_id: str, trade_id: str, message: str) -> None:
        self.order_id = order_id
        self.trade_id = trade_id
        super().__init__(f"order {order_id}: fill {trade_id}: {message}")


class VenueIdConflict(OmsError):
    """An acknowledgement maps a venue id that is already taken, or contradicts a known one."""


class UnknownOrder(OmsError, KeyError):
    """A client order id we never issued (a caller mistake, not a venue message)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InventoryError(OmsError):
    """Misuse of the inventory: settling twice, a token outside the market, a negative quantity."""
