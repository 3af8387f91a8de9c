"""The strategy contract: ``evaluate(snapshot) -> decision``.

A strategy receives a frozen, point-in-time :class:`Snapshot` and returns a :class:`Decision`:
the full set of orders it wants resting per token, plus any immediate (taking) orders, and a short
reason. It never touches a venue, never reads a clock (the snapshot's ``ts`` is the clock) and
never does I/O. The engine diffs the decision against our resting orders and turns it into
place/cancel actions behind risk gates, so the same strategy runs in backtest, paper and live.

Compatibility: ``STRATEGY_API_VERSION`` is bumped only when a change could break a strategy;
the snapshot only ever gains fields.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

import msgspec

from predtrade.book.types import TopOfBook
from predtrade.model.enums import OrderState, Outcome, Side, TimeInForce
from predtrade.model.market import Market

STRATEGY_API_VERSION = 1
_EMPTY: tuple = ()


class OwnOrder(msgspec.Struct, frozen=True, gc=False):
    """One of our working orders as the strategy sees it."""

    client_order_id: str
    asset_id: str
    side: Side
    price: int
    remaining: int
    state: OrderState


class PositionView(msgspec.Struct, frozen=True, gc=False):
    """Our position in one outcome token: shares (1e-6) and cost basis (cash 1e-6)."""

    asset_id: str
    shares: int = 0
    cost: int = 0
    realized_pnl: int = 0

    @property
    def avg_price(self) -> int | None:
        """Average entry price in price units, rounded down; ``None`` when flat."""
        if self.shares <= 0:
            return None
        # cost (1e-6 cash) / shares (1e-6) -> price (1e-4)
        return self.cost * 10_000 // self.shares


class Snapshot(msgspec.Struct, frozen=True, gc=False):
    """Everything a strategy may look at, frozen at one instant.

    Per-outcome fields are tuples indexed by :class:`~predtrade.model.enums.Outcome`
    (``YES``/``Up`` = 0, ``NO``/``Down`` = 1). ``books`` are the venue's books; ``net_books``
    the same books with our own resting orders removed — including our orders on the
    complementary token, which a binary venue shows mirrored (a NO bid at p rests as a YES ask at
    1 - p) — so a strategy never mistakes its own quotes for liquidity.

    Reference prices are ints in 1e-8 units; ``sigma`` is the engine's volatility estimate of log
    returns per sqrt(second) (already scaled by any time-of-day profile it applies, see
    ``sigma_multiplier``); ``round_open`` is the strike of an up/down round.
    """

    ts: int
    market: Market
    books: tuple[TopOfBook, TopOfBook]
    net_books: tuple[TopOfBook, TopOfBook]
    positions: tuple[PositionView, PositionView]
    orders: tuple[OwnOrder, ...] = _EMPTY
    available_cash: int = 0
    ref_price: int | None = None
    ref_history: tuple[tuple[int, int], ...] = _EMPTY
    sigma: float | None = None
    sigma_multiplier: float = 1.0
    round_open: int | None = None

    @property
    def time_to_expiry_ns(self) -> int | None:
        end = self.market.end_ts
        return None if end is None else end - self.ts

    @property
    def seconds_to_expiry(self) -> float | None:
        t = self.time_to_expiry_ns
        return None if t is None else t / 1e9

    @property
    def seconds_since_start(self) -> float | None:
        start = self.market.start_ts
        return None if start is None else (self.ts - start) / 1e9

    def book(self, outcome: Outcome) -> TopOfBook:
        return self.books[outcome]

    def position(self, outcome: Outcome) -> PositionView:
        return self.positions[outcome]

    def orders_for(self, outcome: Outcome) -> tuple[OwnOrder, ...]:
        token = self.market.token_ids[outcome]
        return tuple(o for o in self.orders if o.asset_id == token)


class DesiredOrder(msgspec.Struct, frozen=True, gc=False):
    """An order a strategy wants: resting (in ``Decision.quotes``) or immediate."""

    asset_id: str
    side: Side
    price: int
    size: int
    tif: TimeInForce = TimeInForce.GTC
    post_only: bool = True


class Decision(msgspec.Struct, frozen=True, gc=False):
    """What a strategy wants right now.

    ``quotes`` is the complete desired set of resting orders for the snapshot's market: anything
    resting that is not in it gets cancelled (subject to the engine's hysteresis). ``immediate``
    orders are sent once (taking liquidity, usually FAK). ``fair_value`` (probability of outcome
    YES) is recorded for calibration reports.
    """

    quotes: tuple[DesiredOrder, ...] = _EMPTY
    immediate: tuple[DesiredOrder, ...] = _EMPTY
    reason: str = ""
    fair_value: float | None = None


HOLD = Decision(reason="no quotes")


@runtime_checkable
class Strategy(Protocol):
    """A pure strategy. ``name`` and ``version`` identify it in stored runs and decision logs.

    Optional: a strategy that reads only the best ``n`` levels per side of the snapshot's books
    may say so with an int attribute ``book_depth = n``; the engine then builds views no deeper
    than that (net books deep enough that ``n`` levels remain once our own orders are removed).
    Without it the views have the engine's ``book_depth`` levels."""

    name: ClassVar[str]
    version: ClassVar[int]

    def evaluate(self, snapshot: Snapshot) -> Decision: ...
