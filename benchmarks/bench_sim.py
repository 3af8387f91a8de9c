"""Simulated venue: per-event cost of on_market_event (idle asset, asset with resting orders,
with many resting orders on other assets) and the submit -> advance round."""

from __future__ import annotations

import random

from benchmarks._harness import Result, ns_per_op
from predtrade.book import BookStore
from predtrade.model import BookDeltas, BookSnapshot, Market, Side, TradePrint
from predtrade.venues.base import OrderRequest
from predtrade.venues.sim import ConstantLatency, SimVenue

T0 = 1_767_225_600_000_000_000


def _market(i: int) -> Market:
    return Market(condition_id=f"m{i}", token_ids=(f"y{i}", f"n{i}"))


def _setup(n_markets: int, resting_on_hot: int, resting_elsewhere: int):
    markets = [_market(i) for i in range(n_markets)]
    store = BookStore()
    venue = SimVenue(markets, store, latency=ConstantLatency(0, 0))
    for m in markets:
        for tok in m.token_ids:
            snap = BookSnapshot(
                tok,
                m.condition_id,
                tuple((p * 100, 100_000_000) for p in range(49, 39, -1)),
                tuple((p * 100, 100_000_000) for p in range(51, 61)),
                T0,
                T0,
            )
            store.apply(snap)
            venue.on_market_event(snap)
    n = 0

    def place(m: Market, tok: str, k: int) -> None:
        nonlocal n
        for j in range(k):
            n += 1
            venue.submit(
                OrderRequest(f"c{n}", m.condition_id, tok, Side.BUY, (40 + j % 9) * 100, 10_000_000, T0)
            )

    place(markets[0], "y0", resting_on_hot)
    for m in markets[1:]:
        place(m, m.token_ids[0], resting_elsewhere)
    venue.advance(T0)
    return venue, store


def _deltas(n: int, tok: str = "y0", market: str = "m0") -> list[BookDeltas]:
    rnd = random.Random(1)
    out = []
    for i in range(n):
        side = Side.BUY if rnd.random() < 0.5 else Side.SELL
        price = rnd.randint(41, 48) * 100 if side == Side.BUY else rnd.randint(52, 59) * 100
        out.append(BookDeltas(tok, market, ((side, price, rnd.randint(1, 200) * 1_000_000),), T0 + i, T0 + i))
    return out


def benchmarks() -> list[Result]:
    results = []
    evs = _deltas(20_000)
    for label, args in (
        ("idle asset", (2, 0, 0)),
        ("asset with 9 resting", (2, 9, 0)),
        ("9 resting + 2000 on 200 other assets", (201, 9, 10)),
    ):
        venue, store = _setup(*args)

        def run(k: int, venue=venue, store=store) -> None:
            apply = store.apply
            on = venue.on_market_event
            for ev in evs[:k]:
                apply(ev)
                on(ev)

        results.append(
            Result(f"sim store.apply + on_market_event (deltas, {label})", ns_per_op(run, 20_000), "ns/op")
        )

    venue, store = _setup(2, 9, 0)
    # alternately: a sell of 1e-6 share at our best level (0.48) (the queue ahead barely moves, never
    # fills) and a buy at 0.55 (reaches none of our bids)
    trades = [
        TradePrint("y0", "m0", 4800, 1, Side.SELL, T0, T0)
        if i % 2
        else TradePrint("y0", "m0", 5500, 1_000_000, Side.BUY, T0, T0)
        for i in range(20_000)
    ]

    def run_trades(k: int) -> None:
        on = venue.on_market_event
        for ev in trades[:k]:
            on(ev)

    results.append(
        Result(
            "sim on_market_event (trade prints, asset with 9 resting)", ns_per_op(run_trades, 20_000), "ns/op"
        )
    )

    venue2, _ = _setup(2, 0, 0)
    counter = [0]

    def run_orders(k: int) -> None:
        for _ in range(k):
            counter[0] += 1
            venue2.submit(
                OrderRequest(f"o{counter[0]}", "m0", "y0", Side.BUY, 4000, 10_000_000, T0, post_only=True)
            )
        venue2.advance(T0 + 1)

    results.append(Result("sim submit + advance (post-only rest)", ns_per_op(run_orders, 5_000), "ns/op"))
    return results


if __name__ == "__main__":
    for r in benchmarks():
        print(f"{r.name}: {r.value:,.0f} {r.unit}")
