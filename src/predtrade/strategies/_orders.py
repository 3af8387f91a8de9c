"""What our own working orders in a snapshot mean for the next decision."""

from __future__ import annotations

from predtrade.model.enums import OrderState, Side
from predtrade.model.units import cost_up

from .api import OwnOrder, Snapshot

#: working orders a new decision replaces (PENDING_CANCEL ones are already on their way out and
#: keep their reservation until the venue confirms)
REPLACEABLE = frozenset({OrderState.PENDING_SUBMIT, OrderState.OPEN, OrderState.PARTIALLY_FILLED})


def resting_orders(snapshot: Snapshot) -> tuple[OwnOrder, ...]:
    """Our replaceable working orders on either token of the snapshot's market."""
    tokens = snapshot.market.token_ids
    return tuple(o for o in snapshot.orders if o.asset_id in tokens and o.state in REPLACEABLE)


def working_orders(snapshot: Snapshot) -> tuple[OwnOrder, ...]:
    """Every order of ours in this market that could still trade (including PENDING_CANCEL)."""
    tokens = snapshot.market.token_ids
    return tuple(o for o in snapshot.orders if o.asset_id in tokens and o.state.is_working)


def buy_cash_room(snapshot: Snapshot, max_collateral: int) -> int:
    """Cash a decision's buys may reserve in this market: the collateral room (``max_collateral``
    minus the cost basis of what we hold) and the available cash -- plus what our own replaceable
    buys here reserve, since the decision replaces them (otherwise a ladder that rests would see
    its own reservation as spent and shrink on every evaluation). May be negative (= no buys)."""
    own = 0
    for o in resting_orders(snapshot):
        if o.side is Side.BUY:
            own += cost_up(o.price, o.remaining)
    held = snapshot.positions[0].cost + snapshot.positions[1].cost
    return min(snapshot.available_cash + own, max_collateral - held)
