"""The venue protocol: what the engine needs from an exchange, real or simulated.

The engine calls :meth:`Venue.submit` and :meth:`Venue.cancel` synchronously from its one writer
loop; they only *send* (or schedule). Everything the venue says back — acknowledgements,
rejections, fills, cancel confirmations — comes back later as normalized
:mod:`predtrade.model.events` order events through the same loop as market data, so backtest,
paper and live share one code path and differ only in the venue object plugged in.

A backtest drives a simulated venue on event time: before each recorded event at time ``t`` the
runner calls ``venue.advance(t)`` and feeds the returned events to the engine; after the market
event it calls ``venue.on_market_event(ev)`` so resting orders can trade against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import msgspec

from predtrade.model.enums import Side, TimeInForce
from predtrade.model.events import Event, OrderEvent


class OrderRequest(msgspec.Struct, frozen=True, gc=False):
    """One order we ask a venue to place. ``ts`` is when we sent it (ns)."""

    client_order_id: str
    market: str
    asset_id: str
    side: Side
    price: int
    size: int
    ts: int
    tif: TimeInForce = TimeInForce.GTC
    post_only: bool = False


class CancelRequest(msgspec.Struct, frozen=True, gc=False):
    client_order_id: str
    venue_order_id: str | None
    ts: int


@runtime_checkable
class Venue(Protocol):
    """An exchange as the engine sees it."""

    name: str

    def submit(self, req: OrderRequest) -> None:
        """Send an order. The answer arrives later as OrderAccepted/OrderRejected/OrderFilled."""
        ...

    def cancel(self, req: CancelRequest) -> None:
        """Ask to cancel. The answer arrives later as OrderCancelled/CancelRejected (or fills)."""
        ...


@runtime_checkable
class SimulatedVenue(Venue, Protocol):
    """A venue driven by event time (backtest, paper)."""

    def on_market_event(self, ev: Event) -> None:
        """The market moved (book update, trade print): match resting orders against it."""
        ...

    def advance(self, ts: int) -> Iterable[OrderEvent]:
        """Everything the venue has to tell us at or before ``ts``, in time order."""
        ...

    def next_event_ts(self) -> int | None:
        """When the venue next has something to say, or ``None``."""
        ...
