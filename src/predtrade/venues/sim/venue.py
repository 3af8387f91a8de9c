"""The simulated exchange: a :class:`~predtrade.venues.base.SimulatedVenue` that matches our
orders against a recording, with named latency, queue and exchange models (hftbacktest style).

How a backtest drives it (see :mod:`predtrade.venues.base`)::

    venue = SimVenue(markets, store, latency=ConstantLatency(20, 20), queue=RiskAverse())
    for ev in events:
        engine.on_order_events(venue.advance(t(ev)))   # due answers first, at t
        store.apply(ev)                                 # the data moves
        venue.on_market_event(ev)                       # resting orders trade against it
        ...                                             # strategy may submit / cancel at t

The venue's clock is the runner's: the ``ts`` given to :meth:`SimVenue.advance` and the
``ts_local`` of each market event (never moving backwards); fills a market event causes are
stamped with it. Requests carry their own send time (``req.ts``). Every rule is in
``docs/SIMULATOR.md``; matching lives in :mod:`.matching`.
"""

from __future__ import annotations

import heapq
import random
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from predtrade.book import BookStore
from predtrade.model.enums import Liquidity, Side, TimeInForce, TradeStatus
from predtrade.model.events import (
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    CancelRejected,
    Event,
    MarketResolved,
    OrderAccepted,
    OrderCancelled,
    OrderEvent,
    OrderFilled,
    OrderRejected,
    TickSizeChange,
    TradePrint,
)
from predtrade.model.market import Market
from predtrade.model.units import ONE
from predtrade.venues.base import CancelRequest, OrderRequest

from .latency import LatencyModel, LatencySample, default_latency
from .matching import SOURCE_TAKER, AssetSim, MakerFill
from .models import ExchangeModel, PartialFill, QueueModel, RiskAverse
from .orders import (
    CANCEL_ALREADY_CANCELLED,
    CANCEL_ALREADY_FILLED,
    CANCEL_NOT_FOUND,
    CANCELLED_FAK_REMAINDER,
    CANCELLED_MARKET_RESOLVED,
    DONE,
    REJECT_FAK,
    REJECT_FOK,
    REJECT_INVALID_TOKEN,
    REJECT_MARKET_CLOSED,
    REJECT_MARKET_NOT_FOUND,
    REJECT_POST_ONLY_CROSSES,
    REJECT_POST_ONLY_TIF,
    RESTING,
    SimOrder,
    reject_duplicate,
    reject_min_size,
    reject_price_range,
    reject_tick,
)

# heap entry kinds
_DELIVER = 0  # a message for us
_ARRIVE = 1  # an order reaches the matching engine
_ARRIVE_DUP = 2  # an order whose client id is already in use reaches it
_CANCEL = 3  # a cancel reaches it

_IMMEDIATE = (TimeInForce.FOK, TimeInForce.FAK)
_MATCHED = TradeStatus.MATCHED

# why an order ended, as the venue remembers it
_FILLED = "filled"
_CANCELLED = "cancelled"
_REJECTED = "rejected"


class RestingOrder(msgspec.Struct, frozen=True, gc=False):
    """A read-only view of one of our orders resting in the simulated book."""

    client_order_id: str
    venue_order_id: str
    asset_id: str
    side: Side
    price: int
    size: int
    remaining: int
    ahead: int | None  # others' size queued in front of us (None: hidden from the data)


class SimVenue:
    """Simulated exchange over recorded market data.

    Parameters
    ----------
    markets
        The markets we may trade, by condition id or as an iterable (more via :meth:`add_market`).
    books
        The engine's :class:`BookStore`, read-only. The runner applies each market event to it
        *before* calling :meth:`on_market_event`.
    latency
        A latency model (default :func:`~.latency.default_latency`, seed 001's measurements).
    queue
        A queue model (default :class:`~.models.RiskAverse`).
    exchange
        :class:`~.models.PartialFill` (default) or :class:`~.models.NoPartialFill`.
    seed
        Seed of the one RNG every random draw comes from: same inputs and seed, same events.
    max_done
        How many finished orders are remembered (to answer late cancels and spot duplicates).
    max_sources
        How many of our trade ids are remembered with their fill source (:meth:`fill_source`,
        asked once per fill when its report reaches the engine, a latency later).

    Memory does not grow with the run: finished orders, trade sources and latency samples (the
    runner drains them) are all bounded.
    """

    name = "sim"

    def __init__(
        self,
        markets: Mapping[str, Market] | Iterable[Market],
        books: BookStore,
        *,
        latency: LatencyModel | None = None,
        queue: QueueModel | None = None,
        exchange: ExchangeModel | None = None,
        seed: int = 0,
        max_done: int = 10_000,
        max_sources: int = 10_000,
    ) -> None:
        self.latency: LatencyModel = latency if latency is not None else default_latency()
        self.queue: QueueModel = queue if queue is not None else RiskAverse()
        self.exchange: ExchangeModel = exchange if exchange is not None else PartialFill()
        self.seed = seed
        self._rng = random.Random(seed)
        self._store = books
        self._markets: dict[str, Market] = {}
        self._asset_market: dict[str, Market] = {}
        for m in markets.values() if isinstance(markets, Mapping) else markets:
            self.add_market(m)
        self._assets: dict[str, AssetSim] = {}
        self._ticks: dict[str, int] = {}
        self._closed: set[str] = set()
        self._heap: list[tuple[int, int, int, Any]] = []
        self._seq = 0
        self._now = 0
        self._n_orders = 0
        self._n_trades = 0
        self._active: dict[str, SimOrder] = {}  # by client id: in flight or resting
        self._by_vid: dict[str, SimOrder] = {}
        self._done: OrderedDict[str, tuple[str, str]] = OrderedDict()  # cid or vid -> (vid, why)
        self._max_done = max_done
        self._trade_source: OrderedDict[str, str] = OrderedDict()  # trade id -> source
        self._max_sources = max_sources
        #: every simulated round trip, in request order (see :meth:`drain_latencies`)
        self.latencies: list[LatencySample] = []
        #: fills by source: "trade" (recorded trade print), "book" (book moved through), "taker"
        self.fill_sources: dict[str, int] = {"trade": 0, "book": 0, "taker": 0}
        self.counts: dict[str, int] = {
            "submitted": 0,
            "accepted": 0,
            "rejected": 0,
            "fills": 0,
            "cancel_requests": 0,
            "cancelled": 0,
            "cancel_rejected": 0,
            "killed": 0,
            "resolved_cancels": 0,
        }

    # ---- set-up and introspection ------------------------------------------------------------------

    def add_market(self, market: Market) -> None:
        self._markets[market.condition_id] = market
        for token in market.token_ids:
            self._asset_market[token] = market

    def describe(self) -> dict[str, object]:
        """The active models and their parameters, for the run record."""
        return {
            "venue": "SimVenue",
            "latency": self.latency.describe(),
            "queue": self.queue.describe(),
            "exchange": self.exchange.describe(),
            "seed": self.seed,
            "fees": "taker: fees.taker_fee per fill; maker: maker_fee - maker_rebate (negative = rebate)",
            "settlement": "fills reported MATCHED once; no settlement, no failed trades",
        }

    def fill_source(self, trade_id: str) -> str | None:
        """``"trade"``, ``"book"`` or ``"taker"`` for one of our simulated trade ids (``None``
        for an unknown one, or one older than the last ``max_sources`` trades)."""
        return self._trade_source.get(trade_id)

    def drain_latencies(self) -> list[LatencySample]:
        """The latency samples recorded since the last call (and forget them)."""
        out = self.latencies
        self.latencies = []
        return out

    def resting_orders(self, asset_id: str | None = None) -> list[RestingOrder]:
        sims = [self._assets[asset_id]] if asset_id in self._assets else []
        if asset_id is None:
            sims = list(self._assets.values())
        return [
            RestingOrder(
                o.client_order_id, o.venue_order_id, o.asset_id, o.side, o.price, o.size, o.remaining, o.ahead
            )
            for st in sims
            for o in st.resting()
        ]

    def queue_ahead(self, client_order_id: str) -> int | None:
        """Others' size estimated in front of a resting order (``None`` if not resting or hidden)."""
        o = self._active.get(client_order_id)
        return o.ahead if o is not None and o.state == RESTING else None

    @property
    def stats(self) -> dict[str, int]:
        out = dict(self.counts)
        out.update({f"fills_{k}": v for k, v in self.fill_sources.items()})
        out["unknown_size_skips"] = sum(st.unknown_size for st in self._assets.values())
        out["open_orders"] = len(self._active)
        return out

    # ---- Venue -----------------------------------------------------------------------------------------

    def submit(self, req: OrderRequest) -> None:
        """Schedule ``req`` to reach the matching engine after the entry latency."""
        entry, response = self.latency.place(self._rng)
        self._n_orders += 1
        o = SimOrder(
            seq=self._n_orders,
            client_order_id=req.client_order_id,
            venue_order_id=f"sim-order-{self._n_orders}",
            market=req.market,
            asset_id=req.asset_id,
            side=req.side,
            price=req.price,
            size=req.size,
            tif=req.tif,
            post_only=req.post_only,
            submit_ts=req.ts,
            arrival_ts=req.ts + entry,
            response_ns=response,
        )
        self.latencies.append(LatencySample("place", req.client_order_id, req.ts, entry, response))
        self.counts["submitted"] += 1
        cid = req.client_order_id
        if cid in self._active or cid in self._done:
            self._push(o.arrival_ts, _ARRIVE_DUP, o)
            return
        self._active[cid] = o
        self._by_vid[o.venue_order_id] = o
        self._push(o.arrival_ts, _ARRIVE, o)

    def cancel(self, req: CancelRequest) -> None:
        """Schedule a cancel. It reaches the engine after the cancel entry latency, but never
        before the order it cancels; fills before that moment stand."""
        vid = req.venue_order_id
        o = self._by_vid.get(vid) if vid else self._active.get(req.client_order_id)
        entry, response = self.latency.cancel(self._rng)
        self.latencies.append(LatencySample("cancel", req.client_order_id, req.ts, entry, response))
        self.counts["cancel_requests"] += 1
        arrive = req.ts + entry
        if o is not None and arrive < o.arrival_ts:
            arrive = o.arrival_ts
        self._push(arrive, _CANCEL, (o, req, response))

    # ---- SimulatedVenue ------------------------------------------------------------------------------

    def advance(self, ts: int) -> list[OrderEvent]:
        """Run the engine up to ``ts``: orders and cancels that arrive by then are processed at
        their own arrival times (against the book as it stands), and every message due to us by
        ``ts`` is returned, in delivery-time order."""
        out: list[OrderEvent] = []
        heap = self._heap
        while heap and heap[0][0] <= ts:
            t, _, kind, obj = heapq.heappop(heap)
            if t > self._now:
                self._now = t
            if kind == _DELIVER:
                out.append(obj)
            elif kind == _ARRIVE:
                self._arrive(obj, t)
            elif kind == _CANCEL:
                self._cancel_arrives(*obj, t)
            else:
                self._reject(obj, t, reject_duplicate(obj.venue_order_id), register=False)
        if ts > self._now:
            self._now = ts
        return out

    def next_event_ts(self) -> int | None:
        """When the venue next has something to do or say (an arrival or a message)."""
        return self._heap[0][0] if self._heap else None

    def on_market_event(self, ev: Event) -> None:
        """The store has applied ``ev``: move queues and match resting orders against it. What
        this causes happens at the event's ``ts_local`` (the runner's clock); call
        :meth:`advance` up to that time first, as the runner does.

        Called once per recorded event: the common cases return after one dict lookup and a few
        tests: a delta for a token where we neither rest nor hold consumed liquidity; a delta for
        a token where we rest, at none of our prices, leaving the opposite side short of our best
        price; a trade print that cannot reach our best price on the side it hits."""
        t = type(ev)
        fills: list[MakerFill]
        if t is BookDeltas:
            st = self._assets.get(ev.asset_id)
            if st is None:
                return
            if not (st.overlay[0] or st.overlay[1]):
                if not st.n_resting:
                    return
                # our orders rest here, nothing is consumed: only a change at one of our prices,
                # or a book whose opposite side now reaches our best price, can matter (what
                # ``on_deltas`` would find first itself)
                our_bids, our_asks = st.levels
                for side, price, _ in ev.changes:
                    if price in (our_asks if side else our_bids):
                        break
                else:
                    book = self._store.get(ev.asset_id)
                    if (
                        book is not None
                        and book.has_snapshot
                        and book.best_ask > st.bid_top
                        and book.best_bid < st.ask_top
                    ):
                        return
            ts = ev.ts_local
            if ts > self._now:
                self._now = ts
            fills = st.on_deltas(ev, self._now)
        elif t is TradePrint:
            st = self._assets.get(ev.asset_id)
            if st is None or not st.n_resting:
                return
            aggressor = ev.side
            if aggressor is not None:
                # a print reaches only our side it can hit, at or through its price
                price = ev.price
                if aggressor == Side.SELL:
                    if st.bid_top < price or ev.size <= 0:
                        return
                elif st.ask_top > price or ev.size <= 0:
                    return
            fills = st.on_trade(ev, self._clock(ev))
        elif t is BookSnapshot:
            tick = ev.tick
            if tick and 0 < tick < ONE:
                self._ticks[ev.asset_id] = tick
            st = self._assets.get(ev.asset_id)
            if st is None or not st.active:
                return
            fills = st.on_snapshot(ev, self._clock(ev))
        elif t is BestBidAsk:
            st = self._assets.get(ev.asset_id)
            if st is None or not st.active:
                return
            book = self._store.get(ev.asset_id)
            if book is not None and book.has_snapshot:
                return  # the depth book rules; a BBO message only checks it
            fills = st.on_snapshot(ev, self._clock(ev))
        elif t is TickSizeChange:
            tick = ev.new_tick
            if 0 < tick < ONE:
                self._ticks[ev.asset_id] = tick
            return
        elif t is MarketResolved:
            self._clock(ev)
            self._resolve(ev.market)
            return
        else:
            return
        if fills:
            now = self._now
            for o, price, size, source in fills:
                self._fill(o, price, size, Liquidity.MAKER, source, now, self.latency.response(self._rng))

    # ---- internals -----------------------------------------------------------------------------------

    def _clock(self, ev: Event) -> int:
        """Move the venue clock to a market event's receive time (never backwards)."""
        ts = getattr(ev, "ts_local", 0)
        if ts > self._now:
            self._now = ts
        return self._now

    def _push(self, ts: int, kind: int, obj: Any) -> None:
        heapq.heappush(self._heap, (ts, self._seq, kind, obj))
        self._seq += 1

    def _when(self, o: SimOrder, t: int, response_ns: int) -> int:
        """Delivery time of a message about ``o`` sent at ``t``: messages about one order keep
        their order, as on one connection."""
        d = t + response_ns
        if d < o.last_delivery:
            d = o.last_delivery
        o.last_delivery = d
        return d

    def _asset(self, asset_id: str, market: Market) -> AssetSim:
        st = self._assets.get(asset_id)
        if st is None:
            st = self._assets[asset_id] = AssetSim(
                asset_id, market, self._store, self.queue, self.exchange.partial
            )
        return st

    def _finish(self, o: SimOrder, why: str) -> None:
        o.state = DONE
        o.done_reason = why
        if self._active.get(o.client_order_id) is o:
            del self._active[o.client_order_id]
            self._by_vid.pop(o.venue_order_id, None)
            done = self._done
            done[o.client_order_id] = (o.venue_order_id, why)
            done[o.venue_order_id] = (o.venue_order_id, why)
            while len(done) > 2 * self._max_done:
                done.popitem(last=False)

    def _validate(self, o: SimOrder) -> str:
        m = self._markets.get(o.market)
        if m is None:
            return REJECT_MARKET_NOT_FOUND
        if o.asset_id not in m.token_ids:
            return REJECT_INVALID_TOKEN
        if o.market in self._closed:
            return REJECT_MARKET_CLOSED
        tick = self._ticks.get(o.asset_id, m.tick)
        if not tick <= o.price <= ONE - tick:
            return reject_price_range(o.price, tick)
        if o.price % tick:
            return reject_tick(o.venue_order_id, o.price, tick)
        if o.size <= 0 or o.size < m.min_order_size:
            return reject_min_size(o.venue_order_id, o.size, m.min_order_size)
        if o.post_only and o.tif in _IMMEDIATE:
            return REJECT_POST_ONLY_TIF
        return ""

    def _reject(self, o: SimOrder, t: int, reason: str, *, register: bool = True) -> None:
        if register:
            self._finish(o, _REJECTED)
        else:
            o.state = DONE
        self.counts["rejected"] += 1
        d = self._when(o, t, o.response_ns)
        self._push(d, _DELIVER, OrderRejected(o.client_order_id, reason, t, d))

    def _arrive(self, o: SimOrder, t: int) -> None:
        """The order reaches the matching engine at ``t``: validate, take, rest or kill."""
        reason = self._validate(o)
        if reason:
            self._reject(o, t, reason)
            return
        st = self._asset(o.asset_id, self._asset_market[o.asset_id])
        if o.post_only:
            if st.crosses(o.side, o.price):
                self._reject(o, t, REJECT_POST_ONLY_CROSSES)
                return
            liq: list[list[int]] = []
        else:
            liq = st.liquidity(o.side, o.price)
        if o.tif is TimeInForce.FOK and sum(a for _, a in liq) < o.size:
            self._reject(o, t, REJECT_FOK)
            return
        if o.tif is TimeInForce.FAK and not liq:
            self._reject(o, t, REJECT_FAK)
            return
        self.counts["accepted"] += 1
        d = self._when(o, t, o.response_ns)
        self._push(d, _DELIVER, OrderAccepted(o.client_order_id, o.venue_order_id, t, d))
        if liq:
            for price, size in st.consume(o.side, liq, o.remaining):
                o.remaining -= size
                self._fill(o, price, size, Liquidity.TAKER, SOURCE_TAKER, t, o.response_ns)
        if o.remaining <= 0:
            self._finish(o, _FILLED)
        elif o.tif in _IMMEDIATE:
            self._finish(o, _CANCELLED)
            self.counts["killed"] += 1
            d = self._when(o, t, o.response_ns)
            ev = OrderCancelled(o.venue_order_id, t, d, CANCELLED_FAK_REMAINDER, o.size - o.remaining)
            self._push(d, _DELIVER, ev)
        else:
            o.state = RESTING
            st.rest(o)

    def _fill(
        self, o: SimOrder, price: int, size: int, liquidity: Liquidity, source: str, t: int, response_ns: int
    ) -> None:
        """Report one fill (``o.remaining`` already reduced by the caller or the matcher)."""
        self._n_trades += 1
        trade_id = f"sim-{self._n_trades}"
        fees = self._asset_market[o.asset_id].fees
        if liquidity is Liquidity.TAKER:
            fee = fees.taker_fee(price, size)
        else:
            fee = fees.maker_fee(price, size) - fees.maker_rebate(price, size)
        self.fill_sources[source] += 1
        sources = self._trade_source
        sources[trade_id] = source
        if len(sources) > self._max_sources:
            sources.popitem(last=False)
        self.counts["fills"] += 1
        d = self._when(o, t, response_ns)
        self._push(
            d,
            _DELIVER,
            OrderFilled(o.venue_order_id, trade_id, o.asset_id, price, size, _MATCHED, t, d, liquidity, fee),
        )
        if o.state == DONE and liquidity is Liquidity.MAKER:
            self._finish(o, _FILLED)  # the matcher filled it completely

    def _cancel_arrives(self, o: SimOrder | None, req: CancelRequest, response_ns: int, t: int) -> None:
        if o is not None and o.state == RESTING:
            self._assets[o.asset_id].remove(o)
            self._finish(o, _CANCELLED)
            self.counts["cancelled"] += 1
            d = self._when(o, t, response_ns)
            self._push(d, _DELIVER, OrderCancelled(o.venue_order_id, t, d, "", o.size - o.remaining))
            return
        if o is not None:
            vid, why = o.venue_order_id, o.done_reason
        else:
            key = req.venue_order_id or req.client_order_id
            vid, why = self._done.get(key, (req.venue_order_id or "", ""))
        reason = (
            CANCEL_ALREADY_FILLED
            if why == _FILLED
            else CANCEL_ALREADY_CANCELLED
            if why == _CANCELLED
            else CANCEL_NOT_FOUND
        )
        self.counts["cancel_rejected"] += 1
        d = self._when(o, t, response_ns) if o is not None else t + response_ns
        self._push(d, _DELIVER, CancelRejected(vid, reason, t, d))

    def _resolve(self, market: str) -> None:
        """The market resolved: it takes no more orders and every resting order of it is
        cancelled by the venue."""
        self._closed.add(market)
        m = self._markets.get(market)
        if m is None:
            return
        t = self._now
        for token in m.token_ids:
            st = self._assets.get(token)
            if st is None:
                continue
            for o in list(st.resting()):
                st.remove(o)
                self._finish(o, _CANCELLED)
                self.counts["resolved_cancels"] += 1
                d = self._when(o, t, self.latency.response(self._rng))
                ev = OrderCancelled(o.venue_order_id, t, d, CANCELLED_MARKET_RESOLVED, o.size - o.remaining)
                self._push(d, _DELIVER, ev)
            st.overlay[0].clear()
            st.overlay[1].clear()


__all__ = ["RestingOrder", "SimVenue"]
