"""Our orders on their way to the venue and back: OMS requests, venue calls, order events, and
the records they leave (transitions, fills, final order states).

Every OMS transition lands in ``OrderManager.audit``; :meth:`OrderFlow.drain` turns the new ones
into ``TransitionRecord``/``FillRecord``/``OrderRecord`` for the sink and then clears the list (the
sink is the durable audit trail; keeping the list would grow memory with every order). For the
same reason a finished order (its final OrderRecord written) is dropped from the OMS
``forget_after_ns`` of event time later: long enough for the venue's stragglers (a cancel
rejected because the order had filled, a settlement status) to find it; a message after that is
counted as unknown by the OMS. A venue message the OMS refuses (illegal transition, overfill,
...) is a typed ``OmsError``: counted, logged, and the loop goes on; the OMS guarantees it changed
nothing.
"""

from __future__ import annotations

import logging
from collections import deque

from predtrade.backtest.records import FillRecord, OrderRecord, RunSink, TransitionRecord
from predtrade.model.enums import OrderState, Side, TimeInForce
from predtrade.model.events import (
    OrderCancelled,
    OrderEvent,
    OrderRejected,
)
from predtrade.model.units import format_price, format_size
from predtrade.oms import Cause, InsufficientFunds, OmsError, Order, OrderManager, OrderRejectedLocally
from predtrade.venues.base import CancelRequest, OrderRequest

from . import risk as gates
from .risk import RiskManager
from .state import MarketState
from .stats import EngineStats

log = logging.getLogger("predtrade.engine.orders")

_FILL = Cause.FILL
_FILL_FAILED = Cause.FILL_FAILED
_ACCEPTED = Cause.ACCEPTED
_PC = OrderState.PENDING_CANCEL
#: enum values as plain dict lookups (``Enum.value`` is a Python-level descriptor; these are read
#: for every transition record)
_VALUE: dict[object, str] = {
    m: m.value for e in (OrderState, Cause, TimeInForce) for m in e  # type: ignore[attr-defined]
}
_WORKING = frozenset(s for s in OrderState if s.is_working)
#: a finished order is forgotten by the OMS this long (event time) after its last transition
FORGET_AFTER_NS = 300 * 1_000_000_000


class OrderFlow:
    """Requests out, events in, records written. ``touched`` collects the markets whose orders
    changed since the engine last looked (trigger (d)); ``fills_seen`` is set when a fill was
    booked."""

    __slots__ = (
        "_cancel_after_ack",
        "_fill_source",
        "_forget_q",
        "_reasons",
        "fills_seen",
        "forget_after_ns",
        "markets",
        "next_forget",
        "oms",
        "risk",
        "sink",
        "stats",
        "touched",
        "venue",
    )

    def __init__(
        self,
        oms: OrderManager,
        venue: object,
        sink: RunSink,
        stats: EngineStats,
        risk: RiskManager,
        markets: dict[str, MarketState],
        *,
        forget_after_ns: int | None = FORGET_AFTER_NS,
    ) -> None:
        self.oms = oms
        self.venue = venue
        self.sink = sink
        self.stats = stats
        self.risk = risk
        self.markets = markets
        self.touched: dict[str, MarketState] = {}
        self.fills_seen = False
        self._cancel_after_ack: set[str] = set()
        self._reasons: dict[str, str] = {}
        #: (when, client id) of finished orders, in the order they finished (``None``: keep all)
        self.forget_after_ns = forget_after_ns
        self._forget_q: deque[tuple[int, str]] = deque()
        #: when :meth:`forget_due` next has something to do (``None``: nothing queued)
        self.next_forget: int | None = None
        src = getattr(venue, "fill_source", None)
        self._fill_source = src if callable(src) else None

    # ---- requests ----------------------------------------------------------------------------

    def place(
        self,
        ms: MarketState,
        asset: str,
        side: Side,
        price: int,
        size: int,
        tif: TimeInForce,
        post_only: bool,
        now: int,
        action: str,
    ) -> Order | None:
        """Submit through the OMS (which reserves the capital) and send to the venue. A local
        refusal is recorded as a block (gate ``funds`` or ``oms``) and returns ``None``."""
        market = ms.market
        try:
            order = self.oms.submit(
                market=ms.cid,
                asset_id=asset,
                side=side,
                price=price,
                size=size,
                tif=tif,
                post_only=post_only,
                ts_local=now,
                fees=market.fees,
            )
        except OrderRejectedLocally as exc:
            if isinstance(exc, InsufficientFunds):
                missing = exc.needed - max(exc.available, 0)
                if self._freed_by_cancels(ms, asset, exc) >= missing:
                    # what is missing is held by our own orders being cancelled: the order goes
                    # out at the evaluation their cancel acks trigger (a wait, not a refusal)
                    self.stats.waiting_on_cancels += 1
                    return None
            self.stats.rejected_locally += 1
            gate = gates.FUNDS if isinstance(exc, InsufficientFunds) else gates.OMS
            what = f"{side.name} {format_size(size)} {market.label_of(asset)} @ {format_price(price)}"
            self.risk.block(now, ms.cid, action, gate, f"{what}: {exc}", (asset, int(side), price, size))
            return None
        cid = order.client_order_id
        ms.orders[cid] = order
        ms.own_view = None
        self.stats.orders_placed += 1
        try:
            self.venue.submit(  # type: ignore[attr-defined]
                OrderRequest(cid, ms.cid, asset, side, price, size, now, tif, post_only)
            )
        except Exception as exc:  # a venue that refuses synchronously: the order never left
            self.risk.block(now, ms.cid, action, gates.VENUE_ERROR, f"{type(exc).__name__}: {exc}")
            self.apply(OrderRejected(cid, f"venue error: {exc}", now, now))
            return None
        return order

    def _freed_by_cancels(self, ms: MarketState, asset: str, exc: InsufficientFunds) -> int:
        """Cash (or shares of ``asset``) our PENDING_CANCEL orders in ``ms`` hold."""
        inv = self.oms.inventory
        cash = exc.asset == "cash"
        total = 0
        for cid, o in ms.orders.items():
            if o.state is _PC:
                c, s = inv.reservation(cid)
                if cash:
                    total += c
                elif o.asset_id == asset:
                    total += s
        return total

    def cancel(self, order: Order, now: int) -> bool:
        """Request a cancel. An order whose venue id is not known yet is marked PENDING_CANCEL
        now and the cancel is sent when its ack lands. False when there is nothing to cancel."""
        if not self.oms.request_cancel(order.client_order_id, now):
            return False
        self.stats.cancels_sent += 1
        vid = order.venue_order_id
        if vid is None:
            self._cancel_after_ack.add(order.client_order_id)
        else:
            self._send_cancel(order, vid, now)
        self.drain(touch=False)  # our own request is not a trigger: only the venue's answer is
        return True

    def _send_cancel(self, order: Order, vid: str, now: int) -> None:
        try:
            self.venue.cancel(CancelRequest(order.client_order_id, vid, now))  # type: ignore[attr-defined]
        except Exception as exc:
            self.stats.venue_errors += 1
            log.warning(
                "venue cancel failed",
                extra={"event": "venue_error", "order": order.client_order_id, "error": str(exc)},
            )

    # ---- events ------------------------------------------------------------------------------

    def apply(self, ev: OrderEvent) -> None:
        """Apply one order event; OMS errors are counted and logged, never raised."""
        t = type(ev)
        if t is OrderRejected or t is OrderCancelled:
            key = ev.client_order_id if t is OrderRejected else ev.venue_order_id  # type: ignore[union-attr]
            self._note_reason(t, key, ev.reason)  # type: ignore[union-attr]
        try:
            self.oms.apply(ev)
        except OmsError as exc:
            self._oms_error(exc)
        if self.oms.errors:
            for exc in self.oms.errors:
                self._oms_error(exc)
            self.oms.errors.clear()
        self.drain()

    def _note_reason(self, t: type, key: str, reason: str) -> None:
        if not reason:
            return
        if t is OrderRejected:
            self._reasons[key] = reason
        else:
            o = self.oms.by_venue_id(key)
            if o is not None:
                self._reasons[o.client_order_id] = reason

    def _oms_error(self, exc: OmsError) -> None:
        name = type(exc).__name__
        errs = self.stats.oms_errors
        errs[name] = errs.get(name, 0) + 1
        log.warning(
            "order event refused by the OMS", extra={"event": "oms_error", "error": name, "detail": str(exc)}
        )

    def drain(self, *, touch: bool = True) -> None:
        """Write the OMS's new transitions as records and update the per-market order views;
        ``touch`` marks the markets concerned in :attr:`touched` (trigger (d))."""
        audit = self.oms.audit
        if not audit:
            return
        sink = self.sink
        oms = self.oms
        done: dict[str, Order] = {}
        now = 0
        value = _VALUE
        for t in audit:
            if t.ts_local > now:
                now = t.ts_local
            sink.transition(
                TransitionRecord(
                    client_order_id=t.order_id,
                    from_state=value[t.from_state],
                    to_state=value[t.to_state],
                    cause=value[t.cause],
                    ts_venue=t.ts_venue,
                    ts_local=t.ts_local,
                    fill_qty=t.fill_qty,
                    fill_price=t.fill_price,
                    trade_id=t.trade_id or "",
                )
            )
            order = oms.get(t.order_id)
            done[t.order_id] = order
            cause = t.cause
            if cause is _FILL and t.fill_qty > 0:
                self._fill(order, t.trade_id or "", t.ts_local)
            elif cause is _FILL_FAILED:
                self.stats.fills_voided += 1
            elif cause is _ACCEPTED and t.order_id in self._cancel_after_ack and order.venue_order_id:
                self._cancel_after_ack.discard(t.order_id)
                if order.state is _PC:
                    self._send_cancel(order, order.venue_order_id, t.ts_local)
        audit.clear()
        for cid, order in done.items():
            ms = self.markets.get(order.market)
            if ms is None:
                continue
            ms.own_view = None
            if touch:
                self.touched[ms.cid] = ms
            if order.state in _WORKING:
                continue
            late = getattr(order, "late_qty", 0)
            if ms.orders.pop(cid, None) is not None:
                self._cancel_after_ack.discard(cid)
                if late:  # the venue said fills are still on their way: record the order after them
                    ms.late[cid] = order
                else:
                    self.write_order(order, ms, done=True)
                    self._finished(cid, now)
            elif not late and ms.late.pop(cid, None) is not None:
                self.write_order(order, ms, done=True)
                self._finished(cid, now)

    def _finished(self, cid: str, now: int) -> None:
        after = self.forget_after_ns
        if after is not None:
            self._forget_q.append((now + after, cid))
            if self.next_forget is None:
                self.next_forget = now + after

    def forget_due(self, now: int) -> int:
        """Let the OMS forget the finished orders whose grace period ended by ``now`` (the
        engine calls this from its flush once :attr:`next_forget` has passed); returns how many
        it forgot. One it refuses (a repeated notice made it owe late fills again, a voided fill
        reopened it) is offered again a grace period later."""
        q = self._forget_q
        oms = self.oms
        after = self.forget_after_ns
        n = 0
        while q and q[0][0] <= now:
            cid = q.popleft()[1]
            if oms.forget(cid):
                n += 1
            elif after is not None and oms.knows(cid):
                q.append((now + after, cid))
        # the queue is in finishing order, so nearly in due order: the head says when to look again
        # (an entry due a little earlier than the head only waits a little longer)
        self.next_forget = q[0][0] if q else None
        return n

    def _fill(self, order: Order, trade_id: str, ts: int) -> None:
        f = order.fills.get(trade_id)
        if f is None:  # pragma: no cover - the OMS books the fill before recording its transition
            return
        ms = self.markets.get(order.market)
        market = ms.market if ms is not None else None
        label = market.label_of(order.asset_id) if market is not None else order.asset_id
        st = self.stats
        st.fills += 1
        st.notional += f.price * f.qty
        st.fees += f.fee
        by = st.fills_by_outcome_side.get(label)
        if by is None:
            by = st.fills_by_outcome_side[label] = {"BUY": 0, "SELL": 0}
        by[order.side.name] += 1
        src = ""
        if self._fill_source is not None:
            try:
                src = str(self._fill_source(trade_id) or "")
            except Exception:  # a diagnostics hook must never break the loop
                src = ""
        self.sink.fill(
            FillRecord(
                ts=ts,
                client_order_id=order.client_order_id,
                trade_id=trade_id,
                market=order.market,
                asset_id=order.asset_id,
                outcome=label,
                side=order.side.name,
                price=f.price,
                size=f.qty,
                fee=f.fee,
                liquidity=f.liquidity.value if f.liquidity is not None else "",
                source=src,
            )
        )
        if ms is not None:
            ms.pos_view = None
            ms.traded = True
        self.fills_seen = True

    def write_order(self, order: Order, ms: MarketState | None, *, done: bool) -> None:
        st = order.state
        if done:
            if st is OrderState.CANCELLED:
                self.stats.orders_cancelled += 1
            elif st is OrderState.REJECTED:
                self.stats.orders_rejected += 1
            elif st is OrderState.EXPIRED:
                self.stats.orders_expired += 1
        tr = order.transitions
        market = ms.market if ms is not None else None
        self.sink.order(
            OrderRecord(
                client_order_id=order.client_order_id,
                market=order.market,
                asset_id=order.asset_id,
                outcome=market.label_of(order.asset_id) if market is not None else order.asset_id,
                side=order.side.name,
                price=order.price,
                size=order.size,
                tif=_VALUE[order.tif],
                post_only=order.post_only,
                ts_submit=order.ts_created,
                state=_VALUE[st],
                filled=order.filled,
                ts_done=tr[-1].ts_local if done and tr else None,
                reason=self._reasons.pop(order.client_order_id, ""),
            )
        )
