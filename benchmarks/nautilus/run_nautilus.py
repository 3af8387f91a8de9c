"""NautilusTrader side of the side-by-side benchmark. Runs ONLY with the interpreter of
``benchmarks/.nautilus-venv`` (``bash benchmarks/nautilus/setup.sh``); predtrade is not
importable there and NautilusTrader is never a dependency of predtrade.

Input: the compact L2 file written by ``benchmarks/bench_nautilus.py`` from predtrade's parse
of the bench stream (records: kind, outcome, side, flags, price in 1e-4, size in 1e-6,
ts_local ns). Converted to NautilusTrader objects *before* any timing: ``OrderBookDelta``
(a ``book`` snapshot becomes CLEAR + ADDs, a level change ADD/UPDATE/DELETE) and ``TradeTick``.
Both tokens of every round map onto two ``BinaryOption`` instruments (Up, Down) on a POLYMARKET
venue, tick 0.001, size increment 0.01 (each round starts with a CLEAR, so the books reset
as predtrade's do).

Prints one JSON object:

* ``book_apply_ns`` / ``book_apply_bbo_ns``: ``OrderBook.apply_delta`` per delta (L2_MBP), without
  and with a best bid/ask read after each (median of repeats);
* ``backtest``: per strategy (``count``, ``every100``) the events fed, the wall time of
  ``BacktestEngine.run`` and events/s (median of ``--repeat`` runs), orders submitted/cancelled.

Usage: ``run_nautilus.py FILE [--repeat N] [--book-repeat N]``, or ``run_nautilus.py FILE --serve``:
convert once, then answer ``book`` / ``count`` / ``every100`` commands read from stdin with one
JSON line each (``benchmarks/bench_nautilus.py`` uses this to interleave both sides' runs).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import struct
import sys
import time
from decimal import Decimal

import nautilus_trader
from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.currencies import USDC
from nautilus_trader.model.data import BookOrder, OrderBookDelta, OrderBookDeltas, TradeTick
from nautilus_trader.model.enums import (
    AccountType,
    AggressorSide,
    AssetClass,
    BookAction,
    BookType,
    OmsType,
    OrderSide,
    RecordFlag,
)
from nautilus_trader.model.identifiers import InstrumentId, Symbol, TradeId, Venue
from nautilus_trader.model.instruments import BinaryOption
from nautilus_trader.model.objects import Money, Price, Quantity
from nautilus_trader.trading.strategy import Strategy

#: record layout shared with bench_nautilus.py
REC = struct.Struct("<BBBBIQQ")
KIND_CLEAR, KIND_LEVEL, KIND_TRADE = 0, 1, 2
FLAG_LAST, FLAG_SNAPSHOT = 1, 2
VENUE = Venue("POLYMARKET")


def instrument(i: int) -> BinaryOption:
    sym = Symbol(f"BTC-UPDOWN-15M-{'UP' if i == 0 else 'DOWN'}")
    return BinaryOption(
        instrument_id=InstrumentId(symbol=sym, venue=VENUE),
        raw_symbol=sym,
        outcome="Up" if i == 0 else "Down",
        description="Bitcoin Up or Down (bench)",
        asset_class=AssetClass.ALTERNATIVE,
        currency=USDC,
        price_precision=3,
        price_increment=Price.from_str("0.001"),
        size_precision=2,
        size_increment=Quantity.from_str("0.01"),
        activation_ns=0,
        expiration_ns=4_102_444_800_000_000_000,  # 2100: never reached by the stream
        max_quantity=None,
        min_quantity=Quantity.from_int(5),
        maker_fee=Decimal(0),
        taker_fee=Decimal(0),
        ts_event=0,
        ts_init=0,
    )


def load(path: str, ids: list[InstrumentId]) -> tuple[list, int, int]:
    """(data objects in stream order, deltas, trades). Not timed."""
    prices: dict[int, Price] = {}
    out: list = []
    n_delta = n_trade = 0
    seq = 0
    levels: list[set] = [set(), set(), set(), set()]  # (outcome, side) -> prices present
    with open(path, "rb") as f:
        data = f.read()
    for kind, outcome, side, flags, price, size, ts in REC.iter_unpack(data):
        iid = ids[outcome]
        seq += 1
        if kind == KIND_CLEAR:
            levels[2 * outcome].clear()
            levels[2 * outcome + 1].clear()
            out.append(OrderBookDelta.clear(iid, seq, ts, ts))
            n_delta += 1
            continue
        p = prices.get(price)
        if p is None:
            p = prices[price] = Price.from_str(f"{price // 10_000}.{price % 10_000:04d}"[:-1])
        q = Quantity.from_str(f"{size // 1_000_000}.{size % 1_000_000:06d}"[:-4])
        if kind == KIND_TRADE:
            aggr = AggressorSide.BUYER if side == 0 else AggressorSide.SELLER
            out.append(TradeTick(iid, p, q, aggr, TradeId(str(seq)), ts, ts))
            n_trade += 1
            continue
        nside = OrderSide.BUY if side == 0 else OrderSide.SELL
        present = levels[2 * outcome + side]
        if size == 0 or q.raw == 0:
            action = BookAction.DELETE
            present.discard(price)
            order = BookOrder(nside, p, Quantity.zero(2), 0)
        else:
            action = BookAction.UPDATE if price in present else BookAction.ADD
            present.add(price)
            order = BookOrder(nside, p, q, 0)
        fl = 0
        if flags & FLAG_LAST:
            fl |= RecordFlag.F_LAST
        if flags & FLAG_SNAPSHOT:
            fl |= RecordFlag.F_SNAPSHOT
        out.append(OrderBookDelta(iid, action, order, fl, seq, ts, ts))
        n_delta += 1
    return out, n_delta, n_trade


def bench_book(data: list, ids: list[InstrumentId], repeat: int) -> tuple[float, float, int]:
    """ns per delta of OrderBook.apply_delta (and with a best bid/ask read), median of repeats."""
    by_inst = [[d for d in data if type(d) is OrderBookDelta and d.instrument_id == iid] for iid in ids]
    n = sum(len(x) for x in by_inst)
    plain, bbo = [], []
    for _ in range(repeat):
        books = [OrderBook(iid, BookType.L2_MBP) for iid in ids]
        t0 = time.perf_counter_ns()
        for book, deltas in zip(books, by_inst, strict=True):
            apply = book.apply_delta
            for d in deltas:
                apply(d)
        plain.append((time.perf_counter_ns() - t0) / n)
        books = [OrderBook(iid, BookType.L2_MBP) for iid in ids]
        t0 = time.perf_counter_ns()
        for book, deltas in zip(books, by_inst, strict=True):
            apply = book.apply_delta
            bb = book.best_bid_price
            ba = book.best_ask_price
            for d in deltas:
                apply(d)
                bb()
                ba()
        bbo.append((time.perf_counter_ns() - t0) / n)
    return statistics.median(plain), statistics.median(bbo), n


class CountConfig(StrategyConfig, frozen=True):
    instrument_ids: tuple[str, ...] = ()
    every: int = 0  # 0: only count; N: submit or cancel an order every N events


class CountingStrategy(Strategy):
    """Counts every delta and trade; with ``every`` > 0 it also alternately submits a resting
    limit buy far from the market and cancels it every ``every`` events."""

    def __init__(self, config: CountConfig) -> None:
        super().__init__(config)
        self.ids = [InstrumentId.from_str(s) for s in config.instrument_ids]
        self.every = config.every
        self.count = 0
        self.next_at = config.every
        self.order = None
        self.submitted = 0
        self.cancelled = 0

    def on_start(self) -> None:
        for iid in self.ids:
            self.subscribe_order_book_deltas(iid, BookType.L2_MBP)
            self.subscribe_trade_ticks(iid)

    def _tick(self, n: int) -> None:
        self.count += n
        if self.every and self.count >= self.next_at:
            while self.next_at <= self.count:
                self.next_at += self.every
            if self.order is None:
                self.order = self.order_factory.limit(
                    instrument_id=self.ids[0],
                    order_side=OrderSide.BUY,
                    quantity=Quantity.from_str("5.00"),
                    price=Price.from_str("0.010"),
                    post_only=True,
                )
                self.submit_order(self.order)
                self.submitted += 1
            else:
                if self.order.is_open:
                    self.cancel_order(self.order)
                    self.cancelled += 1
                self.order = None

    def on_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        self._tick(len(deltas.deltas))

    def on_trade_tick(self, tick: TradeTick) -> None:
        self._tick(1)


def bench_backtest(data: list, insts: list[BinaryOption], every: int, repeat: int) -> dict:
    walls = []
    last: dict = {}
    for _ in range(repeat):
        engine = BacktestEngine(
            BacktestEngineConfig(logging=LoggingConfig(log_level="ERROR"), run_analysis=False)
        )
        engine.add_venue(
            venue=VENUE,
            oms_type=OmsType.NETTING,
            account_type=AccountType.CASH,
            base_currency=USDC,
            starting_balances=[Money(1_000, USDC)],
            book_type=BookType.L2_MBP,
        )
        for inst in insts:
            engine.add_instrument(inst)
        engine.add_data(list(data))
        strat = CountingStrategy(CountConfig(instrument_ids=tuple(str(i.id) for i in insts), every=every))
        engine.add_strategy(strat)
        gc.collect()
        t0 = time.perf_counter()
        engine.run()
        walls.append(time.perf_counter() - t0)
        last = {"counted": strat.count, "submitted": strat.submitted, "cancelled": strat.cancelled}
        engine.dispose()
        del engine
    wall = statistics.median(walls)
    return {"events": len(data), "wall_s": round(wall, 3), "events_per_s": round(len(data) / wall),
            "walls": [round(w, 3) for w in walls], **last}


def serve(data: list, ids: list[InstrumentId], insts: list[BinaryOption]) -> None:
    """One command per stdin line, one JSON line per answer (so that the caller can interleave
    NautilusTrader's runs with its own on a busy machine): ``book``, ``count``, ``every100``."""
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "book":
            ns, ns_bbo, nb = bench_book(data, ids, 1)
            ans: dict = {"book_apply_ns": round(ns, 1), "book_apply_bbo_ns": round(ns_bbo, 1),
                         "book_deltas": nb}
        elif cmd in ("count", "every100"):
            ans = bench_backtest(data, insts, 0 if cmd == "count" else 100, 1)
        elif cmd in ("", "quit"):
            return
        else:
            ans = {"error": f"unknown command {cmd!r}"}
        print(json.dumps(ans), flush=True)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--book-repeat", type=int, default=3)
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--serve", action="store_true", help="answer commands from stdin (see serve())")
    a = ap.parse_args(argv)
    insts = [instrument(0), instrument(1)]
    ids = [i.id for i in insts]
    t0 = time.perf_counter()
    data, n_delta, n_trade = load(a.file, ids)
    conv = time.perf_counter() - t0
    print(f"nautilus: {n_delta:,} deltas + {n_trade:,} trades converted in {conv:.1f} s", file=sys.stderr)
    head = {"version": nautilus_trader.__version__, "deltas": n_delta, "trades": n_trade}
    if a.serve:
        print(json.dumps(head), flush=True)
        serve(data, ids, insts)
        return 0
    ns, ns_bbo, nb = bench_book(data, ids, a.book_repeat)
    out = {**head, "book_deltas": nb, "book_apply_ns": round(ns, 1), "book_apply_bbo_ns": round(ns_bbo, 1),
           "backtest": {}}
    if not a.skip_backtest:
        for name, every in (("count", 0), ("every100", 100)):
            out["backtest"][name] = bench_backtest(data, insts, every, a.repeat)
            print(f"nautilus: {name} {out['backtest'][name]}", file=sys.stderr)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
