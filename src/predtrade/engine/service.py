"""``TradingService``: the one typed surface the CLI, the API and notifiers call.

Every method is synchronous and runs on the engine's loop, so it never observes a half-applied
update; every answer is a frozen msgspec Struct built from the state at that instant (a later
event never changes an answer already handed out). Money, prices and sizes are the usual
fixed-point ints (cash and sizes 1e-6, prices 1e-4).
"""

from __future__ import annotations

import msgspec

from predtrade.model.enums import OrderState

from .loop import Engine


class Status(msgspec.Struct, frozen=True, kw_only=True):
    ts: int
    halted: bool
    halt_gate: str
    halt_reason: str
    markets_known: int
    markets_active: int
    markets_resolved: int
    open_orders: int
    cash: int
    available_cash: int
    reserved_cash: int
    equity: int
    realized_pnl: int
    unrealized_pnl: int
    fees: int
    day_pnl: int
    loss_streak: int
    events: int
    evaluations: int
    orders_placed: int
    cancels_sent: int
    fills: int
    blocked_by_gate: tuple[tuple[str, int], ...]
    oms_errors: tuple[tuple[str, int], ...]


class PositionInfo(msgspec.Struct, frozen=True, kw_only=True):
    market: str
    slug: str
    asset_id: str
    outcome: str
    shares: int
    cost: int
    avg_price: int | None  # price units, rounded down; None when flat
    realized_pnl: int
    fees: int
    mark: int | None
    unrealized_pnl: int


class OrderInfo(msgspec.Struct, frozen=True, kw_only=True):
    client_order_id: str
    venue_order_id: str | None
    market: str
    asset_id: str
    outcome: str
    side: str
    price: int
    size: int
    filled: int
    remaining: int
    state: str
    tif: str
    post_only: bool
    ts_created: int
    needs_reconcile: bool


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a control command did. ``ok`` is False when it changed nothing (already halted,
    not halted)."""

    action: str
    ok: bool
    message: str
    cancels_sent: int = 0


class TradingService:
    """Typed facade over one :class:`Engine`."""

    __slots__ = ("engine",)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def status(self) -> Status:
        e = self.engine
        inv = e.inventory
        value, unreal = e.accounts.position_value()
        equity = inv.cash + value
        r = e.risk
        markets = e.markets.values()
        return Status(
            ts=e.now,
            halted=r.halted,
            halt_gate=r.halt_gate,
            halt_reason=r.halt_reason,
            markets_known=len(e.markets),
            markets_active=sum(1 for m in markets if m.live and not m.closed),
            markets_resolved=sum(1 for m in markets if m.resolved),
            open_orders=sum(len(m.orders) for m in markets),
            cash=inv.cash,
            available_cash=inv.available_cash,
            reserved_cash=inv.reserved_cash,
            equity=equity,
            realized_pnl=inv.realized_pnl,
            unrealized_pnl=unreal,
            fees=inv.fees_paid,
            day_pnl=r.day_pnl(equity),
            loss_streak=r.loss_streak,
            events=e.stats.events,
            evaluations=e.stats.evaluations,
            orders_placed=e.stats.orders_placed,
            cancels_sent=e.stats.cancels_sent,
            fills=e.stats.fills,
            blocked_by_gate=tuple(sorted(r.blocked.items())),
            oms_errors=tuple(sorted(e.stats.oms_errors.items())),
        )

    def positions(self, *, include_flat: bool = False) -> tuple[PositionInfo, ...]:
        """Our positions, open ones only unless ``include_flat``."""
        e = self.engine
        out = []
        for token, p in e.inventory.positions.items():
            if not p.shares and not include_flat:
                continue
            ms = e.market_state(token)
            market = ms.market if ms is not None else None
            mark = e.accounts.mark(token) if p.shares else None
            out.append(
                PositionInfo(
                    market=market.condition_id if market is not None else "",
                    slug=market.slug if market is not None else "",
                    asset_id=token,
                    outcome=market.label_of(token) if market is not None else token,
                    shares=p.shares,
                    cost=p.cost,
                    avg_price=p.cost * 10_000 // p.shares if p.shares > 0 else None,
                    realized_pnl=p.realized,
                    fees=p.fees,
                    mark=mark,
                    unrealized_pnl=p.unrealized(mark) if mark is not None else 0,
                )
            )
        return tuple(out)

    def orders(self, open_only: bool = True) -> tuple[OrderInfo, ...]:
        """Our orders (working ones by default), oldest first."""
        e = self.engine
        src = e.oms.open_orders() if open_only else e.oms.orders
        out = []
        for o in src:
            ms = e.market_state(o.market)
            market = ms.market if ms is not None else None
            out.append(
                OrderInfo(
                    client_order_id=o.client_order_id,
                    venue_order_id=o.venue_order_id,
                    market=o.market,
                    asset_id=o.asset_id,
                    outcome=market.label_of(o.asset_id) if market is not None else o.asset_id,
                    side=o.side.name,
                    price=o.price,
                    size=o.size,
                    filled=o.filled,
                    remaining=o.remaining,
                    state=o.state.value,
                    tif=o.tif.value,
                    post_only=o.post_only,
                    ts_created=o.ts_created,
                    needs_reconcile=o.needs_reconcile,
                )
            )
        return tuple(out)

    def halt(self, reason: str = "manual halt") -> CommandResult:
        """Emergency stop: no new orders, every working order cancelled."""
        e = self.engine
        before = e.stats.cancels_sent
        ok = e.halt(reason)
        sent = e.stats.cancels_sent - before
        msg = f"halted: {reason}" if ok else f"already halted ({e.risk.halt_gate}: {e.risk.halt_reason})"
        return CommandResult(action="halt", ok=ok, message=msg, cancels_sent=sent)

    def resume(self) -> CommandResult:
        ok = self.engine.resume()
        return CommandResult(action="resume", ok=ok, message="resumed" if ok else "not halted")

    def cancel_all(self) -> CommandResult:
        n = self.engine.cancel_all()
        working = sum(1 for o in self.engine.oms.open_orders() if o.state is not OrderState.PENDING_CANCEL)
        msg = f"{n} cancels sent" + (f", {working} orders still working" if working else "")
        return CommandResult(action="cancel_all", ok=True, message=msg, cancels_sent=n)
