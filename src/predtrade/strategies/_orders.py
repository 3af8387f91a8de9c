"""What our own working orders in a snapshot mean for the next decision."""

from __future__ import annotations

from predtrade.model.enums import OrderState, Side
from predtrade.model.units import NOTIONAL_PER_CASH

from .api import OwnOrder, Snapshot

#: working orders a new decision replaces (PENDING_CANCEL ones are already on their way out and
#: keep their reservation until the venue confirms)
REPLACEABLE = frozenset({OrderState.PENDING_SUBMIT, OrderState.OPEN, OrderState.PARTIALLY_FILLED})
_BUY = Side.BUY


def resting_orders(snapshot: Snapshot) -> tuple[OwnOrder, ...]:
    """Our replaceable working orders on either token of the snapshot's market."""
    tokens = snapshot.market.token_ids
    return tuple(o for o in snapshot.orders if o.asset_id in tokens and o.state in REPLACEABLE)


def working_orders(snapshot: Snapshot) -> tuple[OwnOrder, ...]:
    """Every order of ours in this market that could still trade (including PENDING_CANCEL)."""
    tokens = snapshot.market.token_ids
    return tuple(o for o in snapshot.orders if o.asset_id in tokens and o.state.is_working)


def buy_cash_room(snapshot: Snapshot, max_collateral: int, own: int | None = None) -> int:
    """Cash a decision's buys may reserve in this market: the collateral room (``max_collateral``
    minus the cost basis of what we hold) and the available cash -- plus what our own replaceable
    buys here reserve, since the decision replaces them (otherwise a ladder that rests would see
    its own reservation as spent and shrink on every evaluation). May be negative (= no buys).
    ``own``: :func:`own_buy_reserve` of the snapshot when the caller has it."""
    if own is None:
        own = own_buy_reserve(snapshot.orders, snapshot.market.token_ids)
    yes, no = snapshot.positions
    return min(snapshot.available_cash + own, max_collateral - (yes.cost + no.cost))


def own_buy_reserve(orders: tuple[OwnOrder, ...], tokens: tuple[str, str]) -> int:
    """What our replaceable BUYs (:func:`resting_orders`) on ``tokens`` cost, each rounded up."""
    own = 0
    for o in orders:
        if o.side is _BUY and o.state in REPLACEABLE and o.asset_id in tokens:
            own -= (-o.price * o.remaining) // NOTIONAL_PER_CASH  # cost_up, inlined
    return own
