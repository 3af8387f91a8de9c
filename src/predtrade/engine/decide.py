"""One evaluation of one market: snapshot -> strategy -> decision diff -> gated, rate-limited
actions -> decision record. A mixin of :class:`~predtrade.engine.loop.Engine` (it reads the
engine's state directly: this is the hot path and an extra indirection per access costs)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from predtrade.backtest.records import DecisionRecord
from predtrade.book.types import TopOfBook
from predtrade.model.enums import OrderState, Side, TimeInForce
from predtrade.strategies.api import Decision, DesiredOrder, Snapshot

from . import risk as gates
from .execution import Plan, plan_quotes, preflight_depth
from .snapshot import (
    cached_net_books,
    decision_record,
    eval_views,
    net_books,
    own_cache,
    own_orders_view,
    positions_view,
    snapshot_hash,
)
from .snapshot import cached_tops as _tops
from .state import MarketState

if TYPE_CHECKING:
    from .loop import Engine

log = logging.getLogger("predtrade.engine")

_BUY = Side.BUY
_FAK = TimeInForce.FAK
_FOK = TimeInForce.FOK
_PC = OrderState.PENDING_CANCEL


class Evaluation:
    """Mixin: evaluation and execution (see the module docstring)."""

    __slots__ = ()

    def _evaluate(self: Engine, ms: MarketState, now: int) -> None:
        ms.last_eval = now
        tn = self.timing.timer
        if tn:
            ms.next_timer = now + tn
        if ms.closed:
            return
        end = ms.end_ts
        if end is not None and now >= end:
            self._close_market(ms, now)
            return
        risk = self.risk
        if risk.halted:
            # halted: no evaluation at all (the halt already pulled our orders); one record per
            # market per halt says why this market stopped
            self.stats.skipped_halted += 1
            if ms.halt_epoch != risk.halt_epoch:
                ms.halt_epoch = risk.halt_epoch
                risk.block(now, ms.cid, "evaluate", risk.halt_gate or gates.EMERGENCY_STOP, risk.halt_reason)
            return
        views = eval_views(ms, self.books, self._want_depth, self.config.book_depth, self._own_in_books)
        if views is None:
            return
        yes, no, nyes, nno = views
        if yes.needs_resync or no.needs_resync:
            self._on_resync(ms, now, yes, no)
            return
        ms.resync_blocked = False
        snap = self._snapshot(ms, now, yes, no, nyes, nno)
        try:
            decision = self.strategy.evaluate(snap)
            if type(decision) is not Decision:
                raise TypeError(f"evaluate() returned {type(decision).__name__}, not a Decision")
        except Exception as exc:  # a strategy bug must not take the loop down
            self.stats.strategy_errors += 1
            self.risk.block(now, ms.cid, "evaluate", gates.STRATEGY_ERROR, f"{type(exc).__name__}: {exc}")
            if log.isEnabledFor(logging.DEBUG):
                log.debug("strategy raised", exc_info=True)
            return
        self.stats.evaluations += 1
        n = self._execute(ms, decision, snap, now)
        if self._keep_decisions:
            self._record(ms, snap, decision, n, now)
        elif self.config.record_decisions:  # the sink drops them: count, build nothing
            self._seq += 1
            self.stats.decisions += 1

    def _least_depth(self: Engine) -> int:
        """The fewest levels per side an evaluation's venue views are built with."""
        return self._want_depth

    @staticmethod
    def _declared_depth(strategy: object, full: int) -> int:
        """The levels per side ``strategy`` says it reads (``book_depth``), else ``full``."""
        want = getattr(strategy, "book_depth", None)
        return want if type(want) is int and 0 < want < full else full

    def _on_resync(self: Engine, ms: MarketState, now: int, yes: TopOfBook, no: TopOfBook) -> None:
        """No evaluation on a book known to be wrong; optionally pull our orders (protective)."""
        self.stats.skipped_resync += 1
        if not ms.resync_blocked:
            ms.resync_blocked = True
            bad = yes if yes.needs_resync else no
            book = self.books.get(bad.asset_id)
            why = book.resync_reason if book is not None else None
            reason = f"{bad.asset_id}: {why or 'needs resync'}"
            self.risk.block(now, ms.cid, "evaluate", gates.BOOK_RESYNC, reason)
        if self.config.on_book_resync == "cancel" and ms.orders:
            self._cancel_market(ms, now)

    def snapshot_of(
        self: Engine, ms: MarketState, now: int, yes: TopOfBook | None = None, no: TopOfBook | None = None
    ) -> Snapshot:
        """The frozen snapshot of ``ms`` at ``now`` (top-of-book views built when not given)."""
        if yes is None or no is None:
            tops = _tops(ms, self.books, self.config.book_depth)
            if tops is None:
                raise KeyError(f"market {ms.cid} has no book yet")
            yes, no = tops
        if self._own_in_books and ms.orders:
            nyes, nno = cached_net_books(ms, yes, no)
        else:
            nyes, nno = yes, no
        return self._snapshot(ms, now, yes, no, nyes, nno)

    def _snapshot(
        self: Engine,
        ms: MarketState,
        now: int,
        yes: TopOfBook,
        no: TopOfBook,
        nyes: TopOfBook,
        nno: TopOfBook,
    ) -> Snapshot:
        ref = self._ref
        if ref is not None and ref.price is not None:
            rp = ref.price
            hist = ref.hist
            sigma = ref.vol.sigma_to(now, ms.end_ts)  # ref.sigma(now, end), inlined
        else:
            rp = None
            hist = ()
            sigma = None
        m = self._mult
        if not m[0] <= now < m[1]:  # the profile's multiplier holds for a whole hour
            m = self._mult = self._profile.multiplier_span(now)
        pos = ms.pos_view
        if pos is None:
            pos = positions_view(ms, self.inventory)
        own = ms.own_view
        if own is None:
            own = own_orders_view(ms)
        inv = self.inventory
        return Snapshot(
            now,
            ms.market,
            (yes, no),
            (nyes, nno),
            pos,
            own,
            inv.cash - inv.reserved_cash,  # inv.available_cash (a property), inlined
            rp,
            hist,
            sigma,
            m[2],
            ms.round_open,
        )

    # ---- actions -----------------------------------------------------------------------------

    def _execute(self: Engine, ms: MarketState, decision: Decision, snap: Snapshot, now: int) -> int:
        c = self.config
        # The diff reads our orders in this market and the decision's quotes only: with the same
        # quotes tuple (a strategy returning a cached result) and the same own-orders view (a new
        # one whenever any of our orders here changes) it is the diff of last time.
        quotes = decision.quotes
        oc = ms.net_cache  # own_cache(ms), its test inlined
        view = ms.own_view
        if view is None or oc is None or oc.view is not view:  # type: ignore[attr-defined]
            oc = own_cache(ms)
        if oc.plan_for is quotes:
            plan: Plan = oc.plan  # type: ignore[assignment]
        else:
            plan = plan_quotes(
                quotes,
                ms.orders.values(),
                size_tolerance_bps=c.size_tolerance_bps,
                price_tolerance_ticks=c.price_tolerance_ticks,
                tick=ms.market.tick,
            )
            oc.plan_for = quotes
            oc.plan = plan
        st = self.stats
        st.orders_kept += len(plan.keep)
        st.requotes_avoided += plan.avoided
        imm = decision.immediate
        if not plan.cancel and not plan.place and not imm:
            return 0
        bucket = ms.bucket
        tokens = bucket.available(now)
        done = 0
        deferred = 0
        flow = self.flow
        for o in plan.cancel:
            if tokens <= 0:
                deferred += 1
            elif flow.cancel(o, now):
                tokens -= 1
                bucket.spend()
                done += 1
        for d in plan.place:
            if tokens <= 0:
                deferred += 1
            elif d.tif is _FAK or d.tif is _FOK:  # a quote rests; taking belongs in ``immediate``
                reason = f"quote with time in force {d.tif.value} (send it as an immediate order)"
                self.risk.block(now, ms.cid, "place", gates.ORDER_SANITY, reason)
            elif self._place(ms, d.asset_id, d.side, d.price, d.size, d.tif, d.post_only, now, "place"):
                tokens -= 1
                bucket.spend()
                done += 1
        for d in imm:
            if tokens <= 0:
                deferred += 1
            elif self._immediate(ms, d, snap, now):
                tokens -= 1
                bucket.spend()
                done += 1
        if deferred:
            st.actions_deferred += deferred
            self._pending[ms.cid] = ms  # the rest goes out at the next evaluation
        return done

    def _place(
        self: Engine,
        ms: MarketState,
        asset: str,
        side: Side,
        price: int,
        size: int,
        tif: TimeInForce,
        post_only: bool,
        now: int,
        action: str,
    ) -> bool:
        market = ms.market
        if type(side) is not Side:
            side = Side(side)
        if asset != ms.tokens[0] and asset != ms.tokens[1]:
            reason = f"asset {asset} is not a token of this market"
            self.risk.block(now, ms.cid, action, gates.ORDER_SANITY, reason)
            return False
        risk = self.risk
        new_cost = 0
        m_exp = t_exp = 0
        if side is _BUY:
            new_cost = self.inventory.reservation_for(side, price, size, post_only, market.fees)[0]
            if risk.wants_market_exposure:
                m_exp = self.accounts.market_exposure(ms)
            if risk.wants_total_exposure:
                t_exp = self.accounts.exposure()
        refusal = risk.check(
            side=side,
            price=price,
            size=size,
            tick=market.tick,
            min_size=market.min_order_size,
            now=now,
            start_ts=ms.start_ts,
            end_ts=ms.end_ts,
            new_cost=new_cost,
            market_exposure=m_exp,
            total_exposure=t_exp,
        )
        if refusal is not None:
            risk.block(now, ms.cid, action, refusal[0], refusal[1], (asset, int(side), price, size))
            return False
        return self.flow.place(ms, asset, side, price, size, tif, post_only, now, action) is not None

    def _immediate(self: Engine, ms: MarketState, d: DesiredOrder, snap: Snapshot, now: int) -> bool:
        """A taking order: FAK (FOK kept if asked), never post-only, sent only if the net book
        holds the size at or better than the limit, and not while one is still in flight on the
        same token and side (a strategy repeating itself must not double its order)."""
        tif = d.tif if d.tif is _FOK else _FAK
        side = d.side if type(d.side) is Side else Side(d.side)
        key = (d.asset_id, int(side), d.price, d.size)
        for o in ms.orders.values():
            if o.asset_id == d.asset_id and o.side is side and (o.tif is _FAK or o.tif is _FOK):
                reason = f"{o.client_order_id} still working"
                self.risk.block(now, ms.cid, "immediate", gates.IN_FLIGHT, reason, key)
                return False
        if d.asset_id not in ms.tokens:
            reason = f"asset {d.asset_id} is not a token of this market"
            self.risk.block(now, ms.cid, "immediate", gates.ORDER_SANITY, reason)
            return False
        i = 0 if d.asset_id == ms.tokens[0] else 1
        top = snap.net_books[i]
        avail = preflight_depth(top, side, d.price)
        venue = snap.books[i]
        levels = venue.asks if side is _BUY else venue.bids
        # a venue view with fewer levels than it was built with holds the whole side
        if avail < d.size and len(levels) >= self._least_depth():
            avail = self._deep_preflight(ms, i, side, d.price)
        if avail < d.size:
            self.risk.block(
                now, ms.cid, "immediate", gates.LIQUIDITY,
                f"net depth {avail} at or better than {d.price} is below {d.size}", key,
            )
            return False
        if self._place(ms, d.asset_id, side, d.price, d.size, tif, False, now, "immediate"):
            self.stats.immediate_placed += 1
            return True
        return False

    def _deep_preflight(self: Engine, ms: MarketState, i: int, side: Side, limit: int) -> int:
        """The snapshot's views may be cut at ``book_depth`` levels: look deeper in the book."""
        tops = _tops(ms, self.books, self.config.preflight_levels, cache=False)
        if tops is None:
            return 0
        yes, no = tops
        if self._own_in_books and ms.orders:
            yes, no = net_books(yes, no, ms.orders.values(), ms.tokens[0])
        return preflight_depth(yes if i == 0 else no, side, limit)

    def _cancel_market(self: Engine, ms: MarketState, now: int) -> int:
        """Protective: cancel every working order of ``ms`` (no rate limit)."""
        n = 0
        flow = self.flow
        for o in list(ms.orders.values()):
            if o.state is not _PC and flow.cancel(o, now):
                n += 1
        self.stats.protective_cancels += n
        return n

    def _record(self: Engine, ms: MarketState, snap: Snapshot, decision: Decision, n: int, now: int) -> None:
        self._seq += 1
        db, dh = decision_record(ms.cid, decision)
        yes = snap.books[0]
        mid = yes.bids[0][0] + yes.asks[0][0] if yes.bids and yes.asks else None
        self.stats.decisions += 1
        self.sink.decision(
            DecisionRecord(
                seq=self._seq,
                ts=now,
                market=ms.cid,
                snapshot_hash=snapshot_hash(snap),
                decision_hash=dh,
                reason=decision.reason,
                fair_value=decision.fair_value,
                mid=mid,
                n_quotes=len(decision.quotes),
                n_immediate=len(decision.immediate),
                actions=n,
                decision=db if self.config.record_decision_bytes else b"",
            )
        )
