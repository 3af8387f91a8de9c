"""From a :class:`~predtrade.strategies.api.Decision` to the minimal set of place/cancel actions.

Seed 000's bot placed 719,624 orders for 1,212 fills: it requoted its whole ladder whenever the
book moved. Here a decision is diffed against our working orders in the market:

* **keep**: a working order at the desired ``(asset, side, price)`` (same time in force and
  post-only flag) whose remaining size is within ``size_tolerance_bps`` of the desired size. With
  ``price_tolerance_ticks > 0`` an order that many ticks away also qualifies (nearest first).
  A keep that an exact diff would have replaced counts as a *requote avoided*.
* ``PENDING_SUBMIT`` orders count as present (they can be kept, or cancelled once acknowledged);
  ``PENDING_CANCEL`` orders are on their way out: never kept, never cancelled again.
* **cancel** every other working order; **place** every desired order left unmatched.

:func:`plan_quotes` is pure (a table-driven test drives it); the engine applies the plan behind
the risk gates and the per-market rate limit, cancels first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from predtrade.book.types import TopOfBook
from predtrade.model.enums import OrderState, Side, TimeInForce
from predtrade.model.units import ONE
from predtrade.strategies.api import DesiredOrder

_PS = OrderState.PENDING_SUBMIT
_OPEN = OrderState.OPEN
_PF = OrderState.PARTIALLY_FILLED


class WorkingOrder(Protocol):
    """What the diff reads from an order (an :class:`~predtrade.oms.Order` fits)."""

    client_order_id: str
    asset_id: str
    side: Side
    price: int
    size: int
    filled: int
    state: OrderState
    tif: TimeInForce
    post_only: bool


class Plan:
    """The diff's result: orders to keep and cancel (working orders), orders to place (desired),
    and how many keeps an exact diff would have requoted."""

    __slots__ = ("avoided", "cancel", "keep", "place")

    def __init__(self, keep: list, cancel: list, place: list[DesiredOrder], avoided: int) -> None:
        self.keep = keep
        self.cancel = cancel
        self.place = place
        self.avoided = avoided

    @property
    def n_actions(self) -> int:
        return len(self.cancel) + len(self.place)

    def __repr__(self) -> str:
        return (
            f"Plan(keep={len(self.keep)}, cancel={len(self.cancel)}, place={len(self.place)}, "
            f"avoided={self.avoided})"
        )


def within(remaining: int, desired: int, tol_bps: int) -> bool:
    """``|remaining - desired| <= desired * tol_bps / 10_000`` in exact integers."""
    d = remaining - desired
    if d < 0:
        d = -d
    return d * 10_000 <= desired * tol_bps


def plan_quotes(
    desired: Sequence[DesiredOrder],
    working: Iterable[WorkingOrder],
    *,
    size_tolerance_bps: int = 0,
    price_tolerance_ticks: int = 0,
    tick: int = 1,
) -> Plan:
    """Diff the desired resting orders against our working orders of one market."""
    live = [o for o in working if (st := o.state) is _OPEN or st is _PF or st is _PS]
    if not live:
        return Plan([], [], list(desired), 0)
    # fast path: the decision is exactly what rests, in the same order (the common case)
    if len(live) == len(desired):
        for o, d in zip(live, desired, strict=True):
            if (
                o.price != d.price
                or o.size - o.filled != d.size
                or o.side != d.side
                or o.asset_id != d.asset_id
                or o.tif != d.tif
                or o.post_only != d.post_only
            ):
                break
        else:
            return Plan(live, [], [], 0)
    index: dict[tuple[str, int, int], list[WorkingOrder]] = {}
    for o in live:
        key = (o.asset_id, o.side, o.price)
        lst = index.get(key)
        if lst is None:
            index[key] = [o]
        else:
            lst.append(o)
    keep: list[WorkingOrder] = []
    place: list[DesiredOrder] = []
    used: set[str] = set()
    avoided = 0
    for d in desired:
        chosen = _match(index.get((d.asset_id, d.side, d.price)), d, used, size_tolerance_bps)
        if chosen is None and price_tolerance_ticks:
            for k in range(1, price_tolerance_ticks + 1):
                for p in (d.price - k * tick, d.price + k * tick):
                    chosen = _match(index.get((d.asset_id, d.side, p)), d, used, size_tolerance_bps)
                    if chosen is not None:
                        break
                if chosen is not None:
                    break
        if chosen is None:
            place.append(d)
            continue
        used.add(chosen.client_order_id)
        keep.append(chosen)
        if chosen.price != d.price or chosen.size - chosen.filled != d.size:
            avoided += 1
    cancel = [o for o in live if o.client_order_id not in used]
    return Plan(keep, cancel, place, avoided)


def _match(
    candidates: list[WorkingOrder] | None, d: DesiredOrder, used: set[str], tol_bps: int
) -> WorkingOrder | None:
    if not candidates:
        return None
    want = d.size
    slack = want * tol_bps
    for o in candidates:
        diff = o.size - o.filled - want
        if (
            (diff * 10_000 <= slack if diff >= 0 else -diff * 10_000 <= slack)
            and o.tif == d.tif
            and o.post_only == d.post_only
            and o.client_order_id not in used
        ):
            return o
    return None


def preflight_depth(top: TopOfBook, side: Side, limit: int) -> int:
    """Size an immediate order of ``side`` at ``limit`` could take from ``top`` (a net book):
    the asks at or below the limit for a BUY, the bids at or above it for a SELL."""
    total = 0
    if side is Side.BUY:
        for p, s in top.asks:
            if p > limit:
                break
            total += s
    else:
        for p, s in top.bids:
            if p < limit:
                break
            total += s
    return total


def valid_price(price: int, tick: int) -> bool:
    return 0 < price < ONE and price % tick == 0
