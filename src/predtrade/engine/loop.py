"""The engine: the one writer of all trading state.

Books, our orders and inventory, reference prices and risk state change only inside the
synchronous handlers below, which never await in the middle of an update; everything handed out
(snapshots to strategies, service views) is immutable. Backtest, paper and live differ only in
who calls :meth:`Engine.apply` / :meth:`Engine.flush` and which venue is plugged in.

Two steps per instant, so that a strategy sees the whole state of an instant (all the events
that share a timestamp) and a simulated venue can match the same events first:

* :meth:`apply` - one event: market data to the book store (+ trigger checks), reference ticks
  to their tracker, resolutions to the inventory, order events to the OMS (+ records);
* :meth:`flush` - evaluate the markets whose triggers fired (top of book changed, reference
  tick, timer, one of our orders changed), throttled per market on event time, and send the
  resulting actions. :meth:`on_event` does both (live and paper loops).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from predtrade.backtest.records import BlockedRecord, RunSink
from predtrade.book import BookStore
from predtrade.model.events import (
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    CancelRejected,
    Event,
    MarketResolved,
    NewMarket,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    ReferencePrice,
    TickSizeChange,
    TradePrint,
)
from predtrade.model.market import Market
from predtrade.oms import Inventory, OrderManager
from predtrade.pricing.vol_profile import VolProfile
from predtrade.strategies.api import Strategy

from . import risk as gates
from .accounts import Accounts
from .config import EngineConfig, Timing, cash_units
from .decide import Evaluation
from .ingest import Ingest
from .orders import OrderFlow
from .reference import RefTracker
from .risk import RiskConfig, RiskManager
from .sinks import NullSink, keeps_decisions
from .snapshot import top_key
from .state import MarketState, TokenBucket
from .stats import EngineStats

log = logging.getLogger("predtrade.engine")

_ORDER_EVENTS = (OrderAccepted, OrderRejected, OrderCancelled, CancelRejected, OrderExpired, OrderFilled)


class Engine(Ingest, Evaluation):
    """Parameters
    ----------
    strategy
        ``evaluate(snapshot) -> Decision``.
    venue
        Where actions go (``submit``/``cancel``); answers come back through :meth:`apply`.
    markets
        Known markets (``recording.markets()`` or a list); more arrive as ``NewMarket`` events.
    config, risk
        :class:`EngineConfig` and :class:`RiskConfig` (defaults otherwise).
    sink
        Where records go (nothing is kept by default).
    books
        The book store to own (a simulated venue may share it read-only); a new one otherwise.
    own_orders_in_books
        Whether the venue's books contain our own orders (live: yes; a replay of recorded books:
        no, so the net books are the recorded books).
    """

    __slots__ = (
        "_active",
        "_by_asset",
        "_by_key",
        "_finished",
        "_handlers",
        "_keep_decisions",
        "_labels",
        "_markets",
        "_mult",
        "_next_pnl",
        "_next_timer",
        "_opens",
        "_opens_i",
        "_own_in_books",
        "_pending",
        "_profile",
        "_ref",
        "_refs",
        "_seq",
        "_settle_due",
        "_settle_wait",
        "_want_depth",
        "accounts",
        "books",
        "config",
        "flow",
        "initial_cash",
        "inventory",
        "now",
        "oms",
        "risk",
        "sink",
        "stats",
        "strategy",
        "timing",
        "venue",
    )

    def __init__(
        self,
        strategy: Strategy,
        *,
        venue: object,
        markets: Mapping[str, Market] | Iterable[Market] = (),
        config: EngineConfig | None = None,
        risk: RiskConfig | None = None,
        sink: RunSink | None = None,
        books: BookStore | None = None,
        own_orders_in_books: bool = True,
    ) -> None:
        c = self.config = config if config is not None else EngineConfig()
        self.timing = Timing(c)
        self.strategy = strategy
        #: levels per side the strategy reads (its ``book_depth``, read once), else the config's
        self._want_depth = self._declared_depth(strategy, c.book_depth)
        self.venue = venue
        self.sink: RunSink = sink if sink is not None else NullSink()
        #: decision records are built only for a sink that keeps them (``sinks.keeps_decisions``)
        self._keep_decisions = c.record_decisions and keeps_decisions(self.sink)
        self.books = books if books is not None else BookStore()
        self.initial_cash = cash_units(c.initial_cash, "initial_cash")
        self.inventory = Inventory(self.initial_cash)
        self.oms = OrderManager(self.inventory, id_prefix=c.id_prefix)
        self.stats = EngineStats()
        self.risk = RiskManager(risk if risk is not None else RiskConfig(), self.sink,
                                repeat_ns=self.timing.blocked_repeat)
        self._markets: dict[str, MarketState] = {}
        self._by_asset: dict[str, MarketState] = {}
        self._by_key: dict[str, MarketState] = {}
        self._active: dict[str, MarketState] = {}
        self._pending: dict[str, MarketState] = {}
        self._labels: dict[str, str] = {}
        self._opens: list[MarketState] = []
        self._settle_wait: dict[str, MarketState] = {}  # resolved, settling once our orders are done
        self._settle_due: int | None = None
        self._opens_i = 0
        self.accounts = Accounts(self.inventory, self.books, self._by_asset)
        self.flow = OrderFlow(self.oms, venue, self.sink, self.stats, self.risk, self._markets)
        self._refs: dict[str, RefTracker] = {}
        self._ref: RefTracker | None = None
        self._profile = VolProfile.load(mode=c.vol_profile)
        self._mult: tuple[int, int, float] = (0, 0, 1.0)  # (from, until, the profile's multiplier)
        self._own_in_books = own_orders_in_books
        self._next_timer: int | None = None
        self._next_pnl = 0
        self._seq = 0
        self._finished = False
        self.now = 0
        h: dict[type, object] = {
            BookSnapshot: self._on_book,
            BestBidAsk: self._on_book,
            TickSizeChange: self._on_tick_size,
            TradePrint: self._on_trade,
            ReferencePrice: self._on_ref,
            MarketResolved: self._on_resolved,
            NewMarket: self._on_new_market,
        }
        for t in _ORDER_EVENTS:
            h[t] = self._on_order
        self._handlers = h
        for m in markets.values() if isinstance(markets, Mapping) else markets:
            self.add_market(m)

    # ---- markets -----------------------------------------------------------------------------

    def add_market(self, market: Market) -> MarketState:
        """Track ``market`` (idempotent: a known condition id returns its state)."""
        ms = self._markets.get(market.condition_id)
        if ms is not None:
            return ms
        c = self.config
        ms = MarketState(market, TokenBucket(c.rate_limit_per_s, c.rate_limit_burst))
        self._markets[ms.cid] = ms
        self._by_key[ms.cid] = ms
        if market.slug:
            self._by_key.setdefault(market.slug, ms)
        for t in ms.tokens:
            self._by_asset[t] = ms
        if ms.round_open is None and ms.start_ts is not None and c.round_open_from_reference:
            self._opens.append(ms)
            rest = sorted(self._opens[self._opens_i :], key=lambda m: m.start_ts or 0)
            self._opens[self._opens_i :] = rest
        multi = len(self._markets) > 1
        for m in self._markets.values():
            for i, t in enumerate(m.tokens):
                label = m.market.outcomes[i]
                self._labels[t] = f"{m.market.slug or m.cid}:{label}" if multi else label
        return ms

    def market_state(self, key: str) -> MarketState | None:
        """A market's state by condition id, slug or token id."""
        return self._by_key.get(key) or self._by_asset.get(key)

    @property
    def markets(self) -> Mapping[str, MarketState]:
        return self._markets

    # ---- events ------------------------------------------------------------------------------

    def on_event(self, ev: Event) -> None:
        """Apply one event and evaluate what it triggered (live / paper loops)."""
        self.apply(ev)
        self.flush(self.now)

    def apply(self, ev: Event) -> None:
        """Apply one event to the state (no strategy evaluation)."""
        stats = self.stats
        stats.events += 1
        t = ev.ts_local  # type: ignore[attr-defined]
        if t > self.now:
            self.now = t
        if type(ev) is not BookDeltas:
            h = self._handlers.get(type(ev))
            if h is None:
                stats.ignored_events += 1
                return
            h(ev)  # type: ignore[operator]
            return
        # The common event, a delta, handled here (no handler lookup, no second call): the
        # trigger rule of _on_book written out for it. A delta that leaves both best prices and
        # the resync flag in place and touches neither best level cannot have changed the top of
        # book: it costs no size lookups, no allocation, nothing past a few compares (most
        # recorded deltas are deep-book ones).
        stats.market_events += 1
        asset = ev.asset_id
        books = self.books
        book = books.by_asset.get(asset)
        if book is not None:  # BookStore.apply_deltas, inlined for a book we hold
            book.apply_deltas(ev)
            books.applied += 1
        else:  # a new or a retired asset: the store's rules
            book = books.apply_deltas(ev)
        ms = self._by_asset.get(asset)
        if ms is None or ms.resolved:
            return
        i = 0 if asset == ms.tokens[0] else 1
        if book is None:  # a retired asset: whatever the store still knows (as _on_book)
            k = top_key(books, asset)
            self._on_top(ms, i, None if k is None else (*k, False))
            return
        bb = book.best_bid
        ba = book.best_ask
        old = ms.top_keys[i]
        if old is not None and old[0] == bb and old[1] == ba and old[4] is book.needs_resync:
            for side, price, _ in ev.changes:
                if price == (ba if side else bb):
                    break
            else:
                return
        bs, as_ = book.top_sizes()
        key = (bb, ba, bs, as_, book.needs_resync)
        if key != old:  # _on_top, inlined
            ms.top_keys[i] = key
            if not ms.live:
                self._go_live(ms)
            if self.config.eval_on_top_change and not ms.closed:
                stats.triggers_top += 1
                self._pending[ms.cid] = ms

    # ---- evaluation --------------------------------------------------------------------------

    def flush(self, now: int) -> None:
        """Evaluate every market whose trigger fired and whose throttle window has passed."""
        if now > self.now:
            self.now = now
        if now >= self._next_pnl:
            self._sample_pnl(now)
        nt = self._next_timer
        if nt is not None and now >= nt:
            self._fire_timers(now)
        sd = self._settle_due
        if sd is not None and now >= sd:
            self._settle_overdue(now)
        nf = self.flow.next_forget
        if nf is not None and now >= nf:
            self.flow.forget_due(now)
        pending = self._pending
        if not pending:
            return
        risk = self.risk
        if risk.needs_equity(now) and risk.on_equity(now, self.accounts.equity()):
            self._after_halt(now)
        gap = self.timing.min_eval
        if len(pending) == 1:  # the usual case, without copying the dict
            ms = next(iter(pending.values()))
            last = ms.last_eval
            if last is None or now - last >= gap:
                pending.clear()
                self._evaluate(ms, now)
            return
        for cid, ms in list(pending.items()):
            last = ms.last_eval
            if last is not None and now - last < gap:
                continue
            del pending[cid]
            self._evaluate(ms, now)

    def _fire_timers(self, now: int) -> None:
        tn = self.timing.timer
        pending = self._pending
        nxt: int | None = None
        for ms in self._active.values():
            if now >= ms.next_timer:
                ms.next_timer = now + tn
                if ms.cid not in pending:
                    pending[ms.cid] = ms
                    self.stats.triggers_timer += 1
            if nxt is None or ms.next_timer < nxt:
                nxt = ms.next_timer
        self._next_timer = nxt

    def next_wake(self) -> int | None:
        """The next event time at which :meth:`flush` has something to do on its own (a timer,
        a throttled trigger coming due, an overdue settlement), or ``None``."""
        w = self._next_timer
        sd = self._settle_due
        if sd is not None and (w is None or sd < w):
            w = sd
        gap = self.timing.min_eval
        for ms in self._pending.values():
            due = (ms.last_eval + gap) if ms.last_eval is not None else self.now
            if w is None or due < w:
                w = due
        return w

    def _sample_pnl(self, now: int) -> None:
        self.sink.pnl(self.accounts.pnl_point(now, self._labels))
        step = self.timing.pnl
        self._next_pnl = (now // step + 1) * step

    def _close_market(self, ms: MarketState, now: int) -> None:
        ms.closed = True
        self._active.pop(ms.cid, None)
        if self.config.cancel_at_end and ms.orders:
            self._cancel_market(ms, now)

    # ---- control (called by the service) -----------------------------------------------------

    def halt(self, reason: str, *, gate: str = gates.EMERGENCY_STOP) -> bool:
        """Engage the emergency stop and cancel every working order. False if already halted."""
        if not self.risk.halt(gate, reason):
            return False
        self._after_halt(self.now)
        return True

    def _after_halt(self, now: int) -> None:
        r = self.risk
        self.sink.blocked(
            BlockedRecord(ts=now, market="*", action="halt", gate=r.halt_gate, reason=r.halt_reason)
        )
        self.cancel_all()

    def resume(self) -> bool:
        return self.risk.resume()

    def cancel_all(self) -> int:
        """Cancel every working order in every market; returns the cancels sent."""
        n = 0
        for ms in self._markets.values():
            if ms.orders:
                n += self._cancel_market(ms, self.now)
        self._after_orders()
        return n

    def finish(self) -> None:
        """End of a run: an OrderRecord for every order still working, a MarketRecord for every
        market never resolved, and a last account snapshot (positions marked at mid)."""
        if self._finished:
            return
        self._finished = True
        for ms in list(self._settle_wait.values()):  # nothing more can arrive: settle now
            self._settle(ms, self.now)
        flow = self.flow
        for ms in self._markets.values():
            for order in ms.orders.values():
                flow.write_order(order, ms, done=False)
            for order in ms.late.values():
                flow.write_order(order, ms, done=not order.state.is_working)
            if not ms.resolved:
                self.sink.market(self._market_record(ms, None, None))
        self.sink.pnl(self.accounts.pnl_point(self.now, self._labels))

    @property
    def labels(self) -> Mapping[str, str]:
        """Token id -> outcome label used in PnL points (``slug:label`` with several markets)."""
        return self._labels
