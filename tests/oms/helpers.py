"""Independent oracles for the OMS tests: the spec restated with ``decimal.Decimal``.

Nothing here calls the fixed-point helpers under test (``cost_up``, ``FeeSchedule.taker_fee``,
``Inventory``); quantities are turned into exact decimals and rounded with named modes.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

from predtrade.model import FeeSchedule, OrderState, Side
from predtrade.oms import TRANSITIONS, Order, OrderManager

MICRO = Decimal("0.000001")


def price_d(p: int) -> Decimal:
    return Decimal(p).scaleb(-4)


def size_d(s: int) -> Decimal:
    return Decimal(s).scaleb(-6)


def cash_int(d: Decimal) -> int:
    """Exact cash units of a decimal that is already on the 1e-6 grid."""
    scaled = d.scaleb(6)
    assert scaled == scaled.to_integral_value(), d
    return int(scaled)


def ceil_cash(d: Decimal) -> Decimal:
    return d.quantize(MICRO, rounding=ROUND_CEILING)


def floor_cash(d: Decimal) -> Decimal:
    return d.quantize(MICRO, rounding=ROUND_FLOOR)


def fee_exact(fees: FeeSchedule, price: int, size: int) -> Decimal:
    """``shares * rate * (p * (1 - p)) ** exponent``, exact."""
    with localcontext() as ctx:
        ctx.prec = 80
        p = price_d(price)
        return size_d(size) * Decimal(fees.rate_ppm).scaleb(-6) * (p * (1 - p)) ** fees.exponent


def fee_bearing(order: Order) -> bool:
    fees = order.fees
    return fees is not None and fees.rate_ppm > 0 and not (order.post_only and fees.taker_only)


def reserved_qty(order: Order) -> int:
    """What an order can still trade: its remainder while working, its late-fill quantity once dead."""
    return order.size - order.filled if order.state.is_working else order.late_qty


def expected_fee_reservation(order: Order, qty: int) -> Decimal:
    """The fee part of the reservation for ``qty`` more: at most what a venue billing the rounded-up
    running total of the order's exact fees can still charge, ``ceil(W + R) - P``, where ``W`` is the
    exact fee of the surviving fills, ``R`` the exact fee of ``qty`` at the worst price (``p(1-p)``
    peaks at 0.5: a BUY fills at or below its limit, a SELL at or above) and ``P`` the fees paid."""
    if not qty or not fee_bearing(order):
        return Decimal(0)
    assert order.fees is not None
    half = 5_000
    worst = min(order.price, half) if order.side is Side.BUY else max(order.price, half)
    alive = [f for f in order.fills.values() if f.entry is not None and not f.voided]
    exact = sum((fee_exact(order.fees, f.price, f.qty) for f in alive), Decimal(0))
    paid = Decimal(sum(f.fee for f in alive)).scaleb(-6)
    return max(Decimal(0), ceil_cash(exact + fee_exact(order.fees, worst, qty)) - paid)


def expected_reservation(order: Order) -> tuple[int, int]:
    """What the spec says an order locks, ``(cash, shares)``: for the quantity it can still trade
    (its working remainder, or its late-fill quantity once cancelled or expired), a BUY what that
    can still cost at its limit given the notional ``N`` of its surviving fills, ``ceil(N + p q) -
    ceil(N)``, plus the fee part; a SELL the shares plus the fee part."""
    qty = reserved_qty(order)
    if qty == 0:
        return 0, 0
    fee = expected_fee_reservation(order, qty)
    if order.side is Side.BUY:
        n = sum(
            (price_d(f.price) * size_d(f.qty) for f in order.fills.values() if f.entry and not f.voided),
            Decimal(0),
        )
        cost = ceil_cash(n + price_d(order.price) * size_d(qty)) - ceil_cash(n)
        return cash_int(cost + fee), 0
    return cash_int(fee), qty


def assert_reservations(om: OrderManager) -> None:
    """Reserved cash/shares equal the sum over orders of what each can still trade: working
    remainders plus the late-fill quantities of dead orders."""
    inv = om.inventory
    want_cash = 0
    want_shares: dict[str, int] = {}
    for o in om.orders:
        cash, shares = expected_reservation(o)
        assert inv.reservation(o.client_order_id) == (cash, shares), o
        want_cash += cash
        if shares:
            want_shares[o.asset_id] = want_shares.get(o.asset_id, 0) + shares
        if o.late_qty:
            assert o.state in (OrderState.CANCELLED, OrderState.EXPIRED), o
    assert inv.reserved_cash == want_cash
    for token in {o.asset_id for o in om.orders}:
        assert inv.reserved_shares(token) == want_shares.get(token, 0), token
    assert {o.client_order_id for o in om.open_orders()} == {
        o.client_order_id for o in om.orders if o.is_working
    }
    assert {o.client_order_id for o in om.late_orders()} == {
        o.client_order_id for o in om.orders if o.late_qty
    }


def replay_audit(om: OrderManager) -> dict[str, tuple[OrderState, int, int]]:
    """Rebuild every order's (state, filled, late-fill quantity) from the global audit trail alone,
    checking each step starts where the previous one ended and is an edge of the table."""
    state: dict[str, tuple[OrderState, int, int]] = {
        o.client_order_id: (OrderState.PENDING_SUBMIT, 0, 0) for o in om.orders
    }
    for t in om.audit:
        cur, filled, _ = state[t.order_id]
        assert t.from_state is cur, t
        assert (t.from_state, t.to_state) in TRANSITIONS, t
        assert t.late_qty >= 0 and (not t.late_qty or t.to_state in _DEAD), t
        state[t.order_id] = (t.to_state, filled + t.fill_qty, t.late_qty)
    return state


_DEAD = (OrderState.CANCELLED, OrderState.EXPIRED)


def assert_audit_replays(om: OrderManager) -> None:
    rebuilt = replay_audit(om)
    for o in om.orders:
        assert rebuilt[o.client_order_id] == (o.state, o.filled, o.late_qty), o
        assert o.transitions == [t for t in om.audit if t.order_id == o.client_order_id]
