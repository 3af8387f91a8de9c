"""Applying market data to the engine's state: books (with the top-of-book trigger), reference
ticks (with the round-open capture and the reference trigger), new markets, tick size changes,
resolutions and settlement, and our own order events. A mixin of
:class:`~predtrade.engine.loop.Engine`: synchronous handlers, no awaiting, the one writer. (The
common event, a book delta, is handled in ``Engine.apply`` itself, by :meth:`Ingest._on_book`'s
rule written out for it.)"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec

from predtrade.backtest.records import MarketRecord
from predtrade.model.events import (
    BestBidAsk,
    BookSnapshot,
    Event,
    MarketResolved,
    NewMarket,
    ReferencePrice,
    TickSizeChange,
    TradePrint,
)
from predtrade.model.market import Market
from predtrade.oms import InventoryError
from predtrade.pricing.volatility import EwmaVol

from .reference import RefTracker
from .snapshot import top_key
from .state import MarketState

if TYPE_CHECKING:
    from .loop import Engine

log = logging.getLogger("predtrade.engine")


class Ingest:
    """Mixin: event handlers (see the module docstring)."""

    __slots__ = ()

    def _on_book(self: Engine, ev: BookSnapshot | BestBidAsk) -> None:
        """Trigger (a): the top of book (best prices, their sizes, the resync flag) of either
        token changed."""
        self.stats.market_events += 1
        book = self.books.apply(ev)
        asset = ev.asset_id
        ms = self._by_asset.get(asset)
        if ms is None or ms.resolved:
            return
        i = 0 if asset == ms.tokens[0] else 1
        if book is not None:
            bs, as_ = book.top_sizes()
            key = (book.best_bid, book.best_ask, bs, as_, book.needs_resync)
        else:
            k = top_key(self.books, asset)
            key = None if k is None else (*k, False)
        self._on_top(ms, i, key)

    def _on_top(self: Engine, ms: MarketState, i: int, key: tuple | None) -> None:
        if key != ms.top_keys[i]:
            ms.top_keys[i] = key
            if not ms.live:
                self._go_live(ms)
            if self.config.eval_on_top_change and not ms.closed:
                self.stats.triggers_top += 1
                self._pending[ms.cid] = ms

    def _go_live(self: Engine, ms: MarketState) -> None:
        ms.live = True
        if ms.closed:
            return
        self._active[ms.cid] = ms
        tn = self.timing.timer
        if tn:
            ms.next_timer = self.now + tn
            nt = self._next_timer
            if nt is None or ms.next_timer < nt:
                self._next_timer = ms.next_timer

    def _on_tick_size(self: Engine, ev: TickSizeChange) -> None:
        ms = self._by_asset.get(ev.asset_id)
        self._on_book(ev)  # type: ignore[arg-type]
        if ms is not None and ms.market.tick != ev.new_tick:
            book = self.books.get(ev.asset_id)
            if book is not None and book.tick == ev.new_tick:  # the store accepted it
                ms.set_market(msgspec.structs.replace(ms.market, tick=ev.new_tick))

    def _on_trade(self: Engine, ev: TradePrint) -> None:
        self.stats.market_events += 1  # the simulated venue fills against prints; nothing to do here

    def _on_ref(self: Engine, ev: ReferencePrice) -> None:
        self.stats.ref_ticks += 1
        tr = self._refs.get(ev.symbol)
        if tr is None:
            tr = self._new_ref(ev.symbol)
        ts = ev.ts_local
        if not tr.on_tick(ts, ev.price) or tr is not self._ref:
            return
        opens = self._opens
        i = self._opens_i
        if i < len(opens) and opens[i].start_ts <= ts:  # type: ignore[operator]
            lag = self.timing.round_open_lag
            while i < len(opens) and opens[i].start_ts <= ts:  # type: ignore[operator]
                ms = opens[i]
                if ms.round_open is None and ts - ms.start_ts <= lag:  # type: ignore[operator]
                    ms.round_open = ev.price
                i += 1
            self._opens_i = i
        if self.config.eval_on_reference:
            pending = self._pending
            n = 0
            for ms in self._active.values():
                if ms.round_open is not None:
                    pending[ms.cid] = ms
                    n += 1
            self.stats.triggers_ref += n

    def _new_ref(self: Engine, symbol: str) -> RefTracker:
        c = self.config
        t = self.timing
        vol = EwmaVol(
            c.vol_halflife_s,
            c.vol_floor,
            c.vol_initial if c.vol_initial is not None else self._profile.base_sigma,
            seasonal=self._profile,
        )
        tr = RefTracker(symbol, vol, sample_ns=t.vol_sample, window_ns=t.history, step_ns=t.history_step)
        self._refs[symbol] = tr
        want = c.reference_symbol
        if self._ref is None and (want is None or want == symbol):
            self._ref = tr
        return tr

    def _on_order(self: Engine, ev: Event) -> None:
        self.stats.order_events += 1
        flow = self.flow
        flow.apply(ev)  # type: ignore[arg-type]
        self._after_orders()

    def _after_orders(self: Engine) -> None:
        flow = self.flow
        if not flow.touched:
            return
        fills = flow.fills_seen
        trig = self.config.eval_on_order_update
        quiet: list[MarketState] = []
        for ms in flow.touched.values():
            if fills:
                self.accounts.touch(ms.tokens[0])
                self.accounts.touch(ms.tokens[1])
                if ms.resolved:
                    self.stats.fills_after_settlement += 1
            if trig and ms.live and not ms.closed:
                self.stats.triggers_order += 1
                self._pending[ms.cid] = ms
            elif ms.cid in self._settle_wait and not ms.orders and not ms.late:
                quiet.append(ms)
        flow.touched.clear()
        if fills:
            flow.fills_seen = False
            self.sink.pnl(self.accounts.pnl_point(self.now, self._labels))
        for ms in quiet:
            self._settle(ms, self.now)

    def _on_new_market(self: Engine, ev: NewMarket) -> None:
        self.stats.market_events += 1
        if ev.market in self._by_key or len(ev.asset_ids) != 2:
            return
        outcomes = tuple(ev.outcomes) if len(ev.outcomes) == 2 else ("Yes", "No")
        self.add_market(
            Market(
                condition_id=ev.market,
                token_ids=(ev.asset_ids[0], ev.asset_ids[1]),
                outcomes=outcomes,  # type: ignore[arg-type]
                tick=ev.tick or 100,
                slug=ev.slug,
                question=ev.question,
            )
        )

    def _on_resolved(self: Engine, ev: MarketResolved) -> None:
        """The market resolved: no more evaluation, our orders pulled, and settlement once no
        order of ours can still trade or report a fill (fills matched before the resolution may
        be delivered after it), at the latest ``settle_grace_s`` later."""
        self.stats.market_events += 1
        ms = self._by_key.get(ev.market) or self._by_asset.get(ev.winning_asset_id)
        if ms is None or ms.resolved or ms.resolution is not None:
            return
        market = ms.market
        winner = ev.winning_asset_id
        if winner not in ms.tokens:
            try:
                winner = market.token(market.outcome_by_label(ev.winning_outcome))
            except KeyError:
                self.stats.settle_errors += 1
                log.warning("resolution names no token of the market",
                            extra={"event": "settle_error", "market": ms.cid})
                return
        now = self.now
        ms.resolution = (winner, now)
        ms.closed = True
        self._active.pop(ms.cid, None)
        self._pending.pop(ms.cid, None)
        self._cancel_market(ms, now)
        if ms.orders or ms.late:
            self._settle_wait[ms.cid] = ms
            due = now + self.timing.settle_grace
            if self._settle_due is None or due < self._settle_due:
                self._settle_due = due
        else:
            self._settle(ms, now)

    def _settle(self: Engine, ms: MarketState, now: int) -> None:
        self._settle_wait.pop(ms.cid, None)
        market = ms.market
        winner = ms.resolution[0]  # type: ignore[index]
        inv = self.inventory
        try:
            inv.settle(market, winner)
        except InventoryError as exc:
            self.stats.settle_errors += 1
            log.warning(
                "settlement refused", extra={"event": "settle_error", "market": ms.cid, "detail": str(exc)}
            )
        positions = inv.positions
        pnl = 0
        traded = ms.traded
        for t in ms.tokens:
            p = positions.get(t)
            if p is not None:
                pnl += p.realized - p.fees
                traded = True
            self.accounts.touch(t)
        ms.resolved = True
        ms.pos_view = None
        self.stats.settlements += 1
        self.sink.market(self._market_record(ms, market.label_of(winner), pnl))
        self.sink.pnl(self.accounts.pnl_point(now, self._labels))
        if self.risk.on_settled(pnl, traded):
            self._after_halt(now)
        for t in ms.tokens:  # a settled market's books are ~320 KB that nothing reads any more
            self.books.remove(t)

    @staticmethod
    def _market_record(ms: MarketState, winner: str | None, pnl: int | None) -> MarketRecord:
        m = ms.market
        return MarketRecord(
            condition_id=m.condition_id,
            slug=m.slug,
            token_ids=m.token_ids,
            outcomes=m.outcomes,
            end_ts=m.end_ts,
            winning_outcome=winner,
            settled_pnl=pnl,
        )

    def _settle_overdue(self: Engine, now: int) -> None:
        """Settle resolved markets whose orders never all answered within the grace period."""
        grace = self.timing.settle_grace
        due: int | None = None
        for ms in list(self._settle_wait.values()):
            t = ms.resolution[1] + grace  # type: ignore[index]
            if now >= t:
                log.warning("settling with orders still unanswered",
                            extra={"event": "settle_overdue", "market": ms.cid, "orders": len(ms.orders)})
                self._settle(ms, now)
            elif due is None or t < due:
                due = t
        self._settle_due = due

