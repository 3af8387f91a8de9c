"""Small helpers shared by the strategy tests."""

from __future__ import annotations

from predtrade.model.enums import Outcome, Side
from predtrade.model.units import ONE
from predtrade.strategies.api import Decision, DesiredOrder, Snapshot
from predtrade.strategies.proposal import Proposal, Quote
from predtrade.testkit.snapshots import px, sz


def q(price: str, size: str | int = "10", sell: bool = False, level: int = 0) -> Quote:
    return Quote(px(price), sz(size), sell, level)


def prop(bids: list[Quote] = (), asks: list[Quote] = ()) -> Proposal:  # type: ignore[assignment]
    return Proposal(tuple(bids), tuple(asks))


def prices(quotes: tuple[Quote, ...]) -> list[int]:
    return [x.price for x in quotes]


def sizes(quotes: tuple[Quote, ...]) -> list[int]:
    return [x.size for x in quotes]


def outcome_of(snapshot: Snapshot, order: DesiredOrder) -> Outcome:
    return snapshot.market.outcome_of(order.asset_id)


def orders_of(snapshot: Snapshot, d: Decision, outcome: Outcome, side: Side) -> list[DesiredOrder]:
    return [o for o in d.quotes if outcome_of(snapshot, o) is outcome and o.side is side]


def yes_space(snapshot: Snapshot, d: Decision) -> tuple[list[int], list[int]]:
    """YES-equivalent bid and ask prices of a decision's quotes."""
    bids, asks = [], []
    for o in d.quotes:
        yes = outcome_of(snapshot, o) is Outcome.YES
        p = o.price if yes else ONE - o.price
        (bids if yes == (o.side is Side.BUY) else asks).append(p)
    return bids, asks
