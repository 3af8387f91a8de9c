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


def expected_reservation(order: Order) -> tuple[int, int]:
    """What the spec says a working order locks: ``(cash, shares)``."""
    if not order.state.is_working:
        return 0, 0
    rem = order.size - order.filled
    if rem == 0:
        return 0, 0
    fee = Decimal(0)
    fees = order.fees
    if fees is not None and fees.rate_ppm and not (order.post_only and fees.taker_only):
        # worst price for the fee: p(1-p) peaks at 0.5; a BUY fills at or below its limit, a SELL above
        half = 5_000
        worst = min(order.price, half) if order.side is Side.BUY else max(order.price, half)
        fee = ceil_cash(fee_exact(fees, worst, rem))
    if order.side is Side.BUY:
        return cash_int(ceil_cash(price_d(order.price) * size_d(rem)) + fee), 0
    return cash_int(fee), rem


def assert_reservations(om: OrderManager) -> None:
    """Reserved cash/shares equal the sum over working orders of their open remainders."""
    inv = om.inventory
    want_cash = 0
    want_shares: dict[str, int] = {}
    for o in om.orders:
        cash, shares = expected_reservation(o)
        assert inv.reservation(o.client_order_id) == (cash, shares), o
        want_cash += cash
        if shares:
            want_shares[o.asset_id] = want_shares.get(o.asset_id, 0) + shares
    assert inv.reserved_cash == want_cash
    for token in {o.asset_id for o in om.orders}:
        assert inv.reserved_shares(token) == want_shares.get(token, 0), token
    assert {o.client_order_id for o in om.open_orders()} == {
        o.client_order_id for o in om.orders if o.is_working
    }


def replay_audit(om: OrderManager) -> dict[str, tuple[OrderState, int]]:
    """Rebuild every order's (state, filled) from the global audit trail alone, checking each
    step starts where the previous one ended and is an edge of the table."""
    state: dict[str, tuple[OrderState, int]] = {
        o.client_order_id: (OrderState.PENDING_SUBMIT, 0) for o in om.orders
    }
    for t in om.audit:
        cur, filled = state[t.order_id]
        assert t.from_state is cur, t
        assert (t.from_state, t.to_state) in TRANSITIONS, t
        state[t.order_id] = (t.to_state, filled + t.fill_qty)
    return state


def assert_audit_replays(om: OrderManager) -> None:
    rebuilt = replay_audit(om)
    for o in om.orders:
        assert rebuilt[o.client_order_id] == (o.state, o.filled), o
        assert o.transitions == [t for t in om.audit if t.order_id == o.client_order_id]
