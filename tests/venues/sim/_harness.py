"""A tiny backtest runner for the simulator tests: it drives :class:`SimVenue` exactly as the
venue protocol says (``advance(t)``, then the store applies the event, then
``on_market_event``), and collects every order event the venue sends back.

Times are written in milliseconds after ``T0``; prices and sizes as decimal strings.
"""

from __future__ import annotations

from typing import Any

from predtrade.book import BookStore
from predtrade.model import (
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    Event,
    Market,
    MarketResolved,
    OrderAccepted,
    OrderCancelled,
    OrderEvent,
    OrderFilled,
    OrderRejected,
    Side,
    TickSizeChange,
    TimeInForce,
    TradePrint,
    parse_price,
    parse_size,
)
from predtrade.testkit import Stubs
from predtrade.venues.base import CancelRequest, OrderRequest
from predtrade.venues.sim import ConstantLatency, SimVenue

T0 = Stubs.T0
MS = 1_000_000
YES = Stubs.YES
NO = Stubs.NO
BUY = Side.BUY
SELL = Side.SELL


def px(text: str) -> int:
    return parse_price(text)


def sz(text: str | int) -> int:
    return parse_size(str(text))


def at(ms: float) -> int:
    return T0 + round(ms * MS)


class Harness:
    """One market (``Stubs.market()`` unless given), one store, one venue. Default latency is
    constant 10 ms each way, so an order sent at ``t`` is matched at ``t + 10 ms`` and answered
    at ``t + 20 ms``."""

    def __init__(self, *, market: Market | None = None, **venue_kw: Any) -> None:
        self.market = market or Stubs.market()
        self.store = BookStore()
        venue_kw.setdefault("latency", ConstantLatency(10, 10))
        self.venue = SimVenue([self.market], self.store, **venue_kw)
        self.events: list[OrderEvent] = []
        self._n = 0

    # ---- the runner
    def feed(self, ev: Event, ms: float) -> None:
        """As the backtest runner does: wake the venue only when it has something due by ``t``
        (so its clock may lag), then apply the event to the store, then show it to the venue."""
        t = at(ms)
        while (v := self.venue.next_event_ts()) is not None and v <= t:
            self.events.extend(self.venue.advance(v))
        self.store.apply(ev)
        self.venue.on_market_event(ev)

    def run(self, ms: float) -> None:
        self.events.extend(self.venue.advance(at(ms)))

    def drain(self) -> None:
        while (t := self.venue.next_event_ts()) is not None:
            self.events.extend(self.venue.advance(t))

    # ---- market data
    def snapshot(
        self, bids: list[tuple[str, str]], asks: list[tuple[str, str]], ms: float = 0, *, asset: str = YES
    ) -> None:
        self.feed(
            BookSnapshot(
                asset_id=asset,
                market=self.market.condition_id,
                bids=tuple((px(p), sz(s)) for p, s in bids),
                asks=tuple((px(p), sz(s)) for p, s in asks),
                ts_venue=at(ms),
                ts_local=at(ms),
            ),
            ms,
        )

    def delta(self, changes: list[tuple[Side, str, str]], ms: float, *, asset: str = YES) -> None:
        self.feed(
            BookDeltas(
                asset_id=asset,
                market=self.market.condition_id,
                changes=tuple((s, px(p), sz(q)) for s, p, q in changes),
                ts_venue=at(ms),
                ts_local=at(ms),
            ),
            ms,
        )

    def trade(self, price: str, size: str, aggressor: Side | None, ms: float, *, asset: str = YES) -> None:
        self.feed(
            TradePrint(
                asset_id=asset,
                market=self.market.condition_id,
                price=px(price),
                size=sz(size),
                side=aggressor,
                ts_venue=at(ms),
                ts_local=at(ms),
            ),
            ms,
        )

    def bbo(
        self, bid: str, ask: str, ms: float, *, bid_size: str | None = None, ask_size: str | None = None
    ) -> None:
        self.feed(
            BestBidAsk(
                asset_id=YES,
                market=self.market.condition_id,
                best_bid=px(bid) if bid != "0" else 0,
                best_ask=px(ask),
                ts_venue=at(ms),
                ts_local=at(ms),
                bid_size=None if bid_size is None else sz(bid_size),
                ask_size=None if ask_size is None else sz(ask_size),
            ),
            ms,
        )

    def tick_change(self, old: str, new: str, ms: float) -> None:
        self.feed(
            TickSizeChange(
                asset_id=YES,
                market=self.market.condition_id,
                old_tick=px(old),
                new_tick=px(new),
                ts_venue=at(ms),
                ts_local=at(ms),
            ),
            ms,
        )

    def resolve(self, ms: float, *, market: str | None = None) -> None:
        self.feed(
            MarketResolved(
                market=market or self.market.condition_id,
                winning_asset_id=YES,
                winning_outcome="Yes",
                ts_venue=at(ms),
                ts_local=at(ms),
            ),
            ms,
        )

    # ---- our orders
    def submit(
        self,
        side: Side,
        price: str,
        size: str,
        ms: float = 0,
        *,
        tif: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        asset: str = YES,
        cid: str | None = None,
        market: str | None = None,
    ) -> str:
        if cid is None:
            self._n += 1
            cid = f"c{self._n}"
        self.run(ms)  # the strategy acts after the venue had its say at this instant
        self.venue.submit(
            OrderRequest(
                client_order_id=cid,
                market=market or self.market.condition_id,
                asset_id=asset,
                side=side,
                price=px(price),
                size=sz(size),
                ts=at(ms),
                tif=tif,
                post_only=post_only,
            )
        )
        return cid

    def cancel(self, cid: str, ms: float, *, by_client_id: bool = False) -> None:
        self.run(ms)
        vid = None if by_client_id else self.vid(cid)
        self.venue.cancel(CancelRequest(client_order_id=cid, venue_order_id=vid, ts=at(ms)))

    # ---- what came back
    def vid(self, cid: str) -> str:
        for ev in self.events:
            if isinstance(ev, OrderAccepted) and ev.client_order_id == cid:
                return ev.venue_order_id
        raise AssertionError(f"{cid} was not accepted (events: {self.events})")

    def of(self, cid: str) -> list[OrderEvent]:
        """Every event about order ``cid``, in delivery order."""
        acks = [e for e in self.events if isinstance(e, OrderAccepted) and e.client_order_id == cid]
        vid = acks[0].venue_order_id if acks else None
        out: list[OrderEvent] = []
        for e in self.events:
            if isinstance(e, OrderAccepted | OrderRejected):
                if e.client_order_id == cid:
                    out.append(e)
            elif vid is not None and e.venue_order_id == vid:
                out.append(e)
        return out

    def fills(self, cid: str) -> list[OrderFilled]:
        return [e for e in self.of(cid) if isinstance(e, OrderFilled)]

    def filled(self, cid: str) -> int:
        return sum(f.size for f in self.fills(cid))

    def rejected(self, cid: str) -> OrderRejected:
        out = [e for e in self.of(cid) if isinstance(e, OrderRejected)]
        assert len(out) == 1, self.of(cid)
        return out[0]

    def cancelled(self, cid: str) -> list[OrderCancelled]:
        return [e for e in self.of(cid) if isinstance(e, OrderCancelled)]
