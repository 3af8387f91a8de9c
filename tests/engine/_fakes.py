"""Small fakes for engine tests: a venue that records requests and answers deterministically, a
strategy that returns what it is told, and event builders in decimal strings."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any

from predtrade.backtest.records import MemorySink
from predtrade.engine import Engine, EngineConfig, RiskConfig
from predtrade.model import (
    BookDeltas,
    BookSnapshot,
    Liquidity,
    MarketResolved,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    ReferencePrice,
    Side,
    TimeInForce,
    TradeStatus,
)
from predtrade.model.events import Event
from predtrade.model.market import Market
from predtrade.strategies.api import HOLD, Decision, DesiredOrder, Snapshot
from predtrade.testkit.snapshots import NO_TOKEN, NS, START_TS, YES_TOKEN, px, sz, updown_market
from predtrade.venues.base import CancelRequest, OrderRequest

__all__ = [
    "NO_TOKEN",
    "NS",
    "START_TS",
    "YES_TOKEN",
    "FakeVenue",
    "ScriptedStrategy",
    "book",
    "deltas",
    "desired",
    "make_engine",
    "px",
    "ref",
    "resolved",
    "sz",
    "updown_market",
]

MARKET = updown_market()
CID = MARKET.condition_id


class FakeVenue:
    """Records every request. With ``auto_ack`` it acknowledges orders and cancels ``latency_ns``
    after the request; with ``fill_on_cross`` a resting order fills completely (MAKER) when a
    later market event shows the opposite best price at or through its limit. Deterministic."""

    name = "fake"

    def __init__(self, *, auto_ack: bool = True, latency_ns: int = 10_000_000, fill_on_cross: bool = False):
        self.auto_ack = auto_ack
        self.latency_ns = latency_ns
        self.fill_on_cross = fill_on_cross
        self.submits: list[OrderRequest] = []
        self.cancels: list[CancelRequest] = []
        self.resting: dict[str, OrderRequest] = {}  # venue id -> request
        self._heap: list[tuple[int, int, Event]] = []
        self._seq = 0
        self._trades = 0
        self.fill_sources = {"book": 0}

    def _push(self, ts: int, ev: Event) -> None:
        heapq.heappush(self._heap, (ts, self._seq, ev))
        self._seq += 1

    def submit(self, req: OrderRequest) -> None:
        self.submits.append(req)
        if self.auto_ack:
            t = req.ts + self.latency_ns
            vid = f"v-{req.client_order_id}"
            self.resting[vid] = req
            self._push(t, OrderAccepted(req.client_order_id, vid, t, t))

    def cancel(self, req: CancelRequest) -> None:
        self.cancels.append(req)
        if self.auto_ack and req.venue_order_id in self.resting:
            del self.resting[req.venue_order_id]
            t = req.ts + self.latency_ns
            self._push(t, OrderCancelled(req.venue_order_id, t, t))

    def advance(self, ts: int) -> list[Event]:
        out = []
        while self._heap and self._heap[0][0] <= ts:
            out.append(heapq.heappop(self._heap)[2])
        return out

    def next_event_ts(self) -> int | None:
        return self._heap[0][0] if self._heap else None

    def on_market_event(self, ev: Event) -> None:
        if not self.fill_on_cross or type(ev) is not BookSnapshot:
            return
        bb = ev.bids[0][0] if ev.bids else 0
        ba = ev.asks[0][0] if ev.asks else 10_000
        for vid, req in list(self.resting.items()):
            if req.asset_id != ev.asset_id:
                continue
            if (req.side is Side.BUY and ba <= req.price) or (req.side is Side.SELL and bb >= req.price):
                del self.resting[vid]
                self._trades += 1
                t = ev.ts_local + self.latency_ns
                self.fill_sources["book"] += 1
                self._push(
                    t,
                    OrderFilled(
                        vid,
                        f"t-{self._trades}",
                        req.asset_id,
                        req.price,
                        req.size,
                        TradeStatus.MATCHED,
                        t,
                        t,
                        Liquidity.MAKER,
                        0,
                    ),
                )

    def fill_source(self, trade_id: str) -> str:
        return "book"


class ScriptedStrategy:
    """Returns ``decide(snapshot)`` (default: hold) and keeps every snapshot it saw."""

    name = "scripted"
    version = 1

    def __init__(self, decide: Callable[[Snapshot], Decision] | None = None) -> None:
        self.decide = decide
        self.seen: list[Snapshot] = []

    def evaluate(self, snapshot: Snapshot) -> Decision:
        self.seen.append(snapshot)
        return self.decide(snapshot) if self.decide is not None else HOLD


def desired(
    side: str = "BUY", price: str = "0.45", size: str = "10", token: str = YES_TOKEN, **kw: Any
) -> DesiredOrder:
    return DesiredOrder(token, Side.parse(side), px(price), sz(size), **kw)


def quotes(*orders: DesiredOrder, immediate: Iterable[DesiredOrder] = ()) -> Decision:
    return Decision(quotes=tuple(orders), immediate=tuple(immediate), reason="scripted")


def _levels(levels: Iterable[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
    return tuple((px(p), sz(s)) for p, s in levels)


def book(
    ts: int,
    bids: Iterable[tuple[str, str]] = (("0.48", "100"),),
    asks: Iterable[tuple[str, str]] = (("0.52", "100"),),
    token: str = YES_TOKEN,
    market: str = CID,
) -> BookSnapshot:
    return BookSnapshot(token, market, _levels(bids), _levels(asks), ts, ts)


def deltas(ts: int, *changes: tuple[str, str, str], token: str = YES_TOKEN, market: str = CID) -> BookDeltas:
    """``changes`` as ``("BUY"|"SELL", price, size)``."""
    ch = tuple((Side.parse(s), px(p), sz(q)) for s, p, q in changes)
    return BookDeltas(token, market, ch, ts, ts)


def ref(ts: int, price: int, symbol: str = "BTCUSD") -> ReferencePrice:
    return ReferencePrice(symbol, price, ts, ts)


def resolved(ts: int, winner: str = YES_TOKEN, label: str = "Up", market: str = CID) -> MarketResolved:
    return MarketResolved(market, winner, label, ts, ts)


def make_engine(
    strategy: Any = None,
    *,
    market: Market | None = None,
    venue: Any = None,
    sink: MemorySink | None = None,
    own_orders_in_books: bool = True,
    risk: RiskConfig | None = None,
    **config: Any,
) -> tuple[Engine, FakeVenue, MemorySink]:
    """An engine on the default up/down market with a fake venue and a memory sink. Defaults:
    no timer, no throttle, no round-open derivation (tests turn on what they test)."""
    cfg: dict[str, Any] = {"timer_s": None, "min_eval_interval_s": 0.0, "blocked_record_interval_s": 0.0}
    cfg.update(config)
    v = venue if venue is not None else FakeVenue()
    s = sink if sink is not None else MemorySink()
    e = Engine(
        strategy if strategy is not None else ScriptedStrategy(),
        venue=v,
        markets=[market or MARKET],
        config=EngineConfig(**cfg),
        risk=risk if risk is not None else RiskConfig(no_buy_last_s=0),
        sink=s,
        own_orders_in_books=own_orders_in_books,
    )
    return e, v, s


def deliver(engine: Engine, venue: FakeVenue, ts: int) -> None:
    """Apply what the venue has to say by ``ts``, then flush at ``ts``."""
    for ev in venue.advance(ts):
        engine.apply(ev)
    engine.flush(ts)


def both_books(
    ts: int, yes_bid: str = "0.48", yes_ask: str = "0.52", size: str = "100"
) -> list[BookSnapshot]:
    """A YES book and its mirror on NO."""
    ONE = 10_000
    yb, ya = px(yes_bid), px(yes_ask)
    q = sz(size)
    return [
        BookSnapshot(YES_TOKEN, CID, ((yb, q),), ((ya, q),), ts, ts),
        BookSnapshot(NO_TOKEN, CID, ((ONE - ya, q),), ((ONE - yb, q),), ts, ts),
    ]


T0 = START_TS + 100 * NS  # inside the round (start + 100 s)
GTC = TimeInForce.GTC
