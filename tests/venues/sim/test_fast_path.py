"""The venue's per-event shortcuts (a delta at none of our prices that leaves the opposite side
short of our best price; a trade print that cannot reach our best price on the side it hits)
decide exactly what the full matching would: on random scenarios, a venue that always runs the
full matching sends the same messages and keeps the same resting orders and queue positions."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from predtrade.book import BookStore
from predtrade.model import (
    BookDeltas,
    BookSnapshot,
    Event,
    Liquidity,
    OrderEvent,
    Side,
    TradePrint,
)
from predtrade.model.units import ONE
from predtrade.venues.base import CancelRequest, OrderRequest
from predtrade.venues.sim import SimVenue, default_latency
from predtrade.venues.sim.matching import NO_ASK, NO_BID, AssetSim

from ._harness import MS, NO, T0, YES
from .test_properties import MARKET, SCENARIO_SEEDS, market_event, models, random_scenario


class FullMatching(SimVenue):
    """The venue without its shortcuts: every delta or print for a token with resting orders
    (or consumed liquidity) goes through the full matching."""

    def on_market_event(self, ev: Event) -> None:
        t = type(ev)
        if t is BookDeltas or t is TradePrint:
            st = self._assets.get(ev.asset_id)  # type: ignore[attr-defined]
            if st is None or not st.active:
                return
            if t is BookDeltas:
                fills = st.on_deltas(ev, self._clock(ev))  # type: ignore[arg-type]
            else:
                fills = st.on_trade(ev, self._clock(ev))  # type: ignore[arg-type]
            for o, price, size, source in fills:
                self._fill(
                    o, price, size, Liquidity.MAKER, source, self._now, self.latency.response(self._rng)
                )
            return
        super().on_market_event(ev)


def _tops_agree(st: AssetSim) -> bool:
    bids, asks = st.levels
    return st.bid_top == (max(bids) if bids else NO_BID) and st.ask_top == (min(asks) if asks else NO_ASK)


def _state(venue: SimVenue) -> list[tuple]:
    return sorted((r.client_order_id, r.price, r.remaining, r.ahead) for r in venue.resting_orders())


def replay(venue_cls: type[SimVenue], scenario: list, model: tuple, seed: int) -> list[Any]:
    """Everything observable after each step: messages delivered, resting orders with their
    queue positions."""
    store = BookStore()
    queue, exchange = model
    venue = venue_cls(
        {MARKET.condition_id: MARKET},
        store,
        latency=default_latency(),
        queue=queue,
        exchange=exchange,
        seed=seed,
    )
    trail: list[Any] = []
    sent: list[tuple[str, str]] = []
    t = T0
    n = 0

    def deliver(upto: int) -> None:
        out: list[OrderEvent] = venue.advance(upto)
        trail.append(out)
        for ev in out:
            vid = getattr(ev, "venue_order_id", None)
            cid = getattr(ev, "client_order_id", None)
            if vid is not None and cid is not None:
                sent.append((cid, vid))

    for dt, action in scenario:
        t += dt * MS
        deliver(t)
        ev = market_event(action, t)
        if ev is not None:
            store.apply(ev)
            venue.on_market_event(ev)
        elif action[0] == "submit":
            _, asset, side, price, size, tif, post_only = action
            n += 1
            venue.submit(
                OrderRequest(f"c{n}", MARKET.condition_id, asset, side, price, size, t, tif, post_only)
            )
            continue
        else:  # cancel
            if not sent:
                continue
            cid, vid = sent[action[1] % len(sent)]
            venue.cancel(CancelRequest(cid, vid, t))
            continue
        trail.append(_state(venue))
        for asset in (YES, NO):
            st = venue._assets.get(asset)  # type: ignore[attr-defined]
            assert st is None or _tops_agree(st)
    while (nxt := venue.next_event_ts()) is not None:
        deliver(nxt)
    return trail


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_seed=SCENARIO_SEEDS, n=st.integers(1, 200), model=models, seed=st.integers(0, 3))
def test_shortcuts_change_nothing(scenario_seed: int, n: int, model: tuple, seed: int) -> None:
    scenario = random_scenario(random.Random(scenario_seed), n)
    assert replay(SimVenue, scenario, model, seed) == replay(FullMatching, scenario, model, seed)


def test_best_resting_prices_follow_rest_and_remove() -> None:
    store = BookStore()
    store.apply(BookSnapshot(YES, MARKET.condition_id, ((4_000, 10**8),), ((6_000, 10**8),), T0, T0))
    venue = SimVenue([MARKET], store, latency=default_latency())
    st = venue._asset(YES, MARKET)  # type: ignore[attr-defined]
    assert (st.bid_top, st.ask_top) == (NO_BID, NO_ASK)
    reqs = [(Side.BUY, 4_500), (Side.BUY, 4_700), (Side.BUY, 4_700), (Side.SELL, 5_500), (Side.SELL, 5_300)]
    for i, (side, price) in enumerate(reqs):
        venue.submit(
            OrderRequest(f"c{i}", MARKET.condition_id, YES, side, price, 10 * 10**6, T0, post_only=True)
        )
    venue.advance(T0 + 10**10)
    assert (st.bid_top, st.ask_top) == (4_700, 5_300) and _tops_agree(st)
    orders = {o.client_order_id: o for o in st.resting()}
    st.remove(orders["c1"])
    assert st.bid_top == 4_700  # another order still rests there
    st.remove(orders["c2"])
    st.remove(orders["c4"])
    assert (st.bid_top, st.ask_top) == (4_500, 5_500)
    st.remove(orders["c0"])
    st.remove(orders["c3"])
    assert (st.bid_top, st.ask_top) == (NO_BID, NO_ASK) and NO_ASK > ONE


def test_a_delta_far_from_our_orders_returns_early_but_one_at_our_price_moves_the_queue() -> None:
    store = BookStore()
    store.apply(BookSnapshot(YES, MARKET.condition_id, ((4_000, 10**8),), ((6_000, 10**8),), T0, T0))
    venue = SimVenue([MARKET], store, latency=default_latency())
    venue.submit(OrderRequest("c", MARKET.condition_id, YES, Side.BUY, 4_000, 10**7, T0, post_only=True))
    venue.advance(T0 + 10**10)
    (r,) = venue.resting_orders()
    assert r.ahead == 10**8
    for i, (side, price, size) in enumerate(
        [(Side.BUY, 3_900, 5), (Side.SELL, 6_100, 5), (Side.BUY, 4_000, 4 * 10**7)]
    ):
        ev = BookDeltas(YES, MARKET.condition_id, ((side, price, size),), T0 + 10**10 + i, T0 + 10**10 + i)
        store.apply(ev)
        venue.on_market_event(ev)
    (r,) = venue.resting_orders()
    assert r.ahead == 4 * 10**7  # the decrease at our price was seen (the others were not ours)
