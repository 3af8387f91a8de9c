"""Pure pipeline stages over a frozen :class:`~predtrade.strategies.proposal.Proposal`.

The order follows hummingbot's ``c_tick``: base ladder -> level filter -> price skew -> inventory
(size) skew -> expression on YES/NO -> near-expiry -> budget -> taker filter. Each stage takes the
proposal plus plain ints/floats (never the snapshot), so it can be tested alone, and returns a new
proposal.
"""

from .budget import budget
from .express import express
from .inventory_skew import inventory_skew
from .ladder import base_ladder, scaled_spread
from .level_filter import level_filter
from .near_expiry import near_expiry
from .price_skew import price_skew, skew_shift
from .taker_filter import taker_filter

__all__ = [
    "base_ladder",
    "budget",
    "express",
    "inventory_skew",
    "level_filter",
    "near_expiry",
    "price_skew",
    "scaled_spread",
    "skew_shift",
    "taker_filter",
]
