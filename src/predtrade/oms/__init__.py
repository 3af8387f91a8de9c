"""Order management: the order state machine, the order manager and the inventory ledgers."""

from .errors import (
    IllegalTransition,
    InsufficientFunds,
    InvalidFill,
    InventoryError,
    OmsError,
    OrderRejectedLocally,
    Overfill,
    UnknownOrder,
    VenueIdConflict,
)
from .fsm import TRANSITIONS
from .inventory import Inventory, LedgerEntry, Position, fee_bound
from .manager import ApplyResult, OmsStats, OrderManager
from .order import Cause, Fill, Order, Transition

__all__ = [
    "TRANSITIONS",
    "ApplyResult",
    "Cause",
    "Fill",
    "IllegalTransition",
    "InsufficientFunds",
    "InvalidFill",
    "Inventory",
    "InventoryError",
    "LedgerEntry",
    "OmsError",
    "OmsStats",
    "Order",
    "OrderManager",
    "OrderRejectedLocally",
    "Overfill",
    "Position",
    "Transition",
    "UnknownOrder",
    "VenueIdConflict",
    "fee_bound",
]
