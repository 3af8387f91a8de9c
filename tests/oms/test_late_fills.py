"""Late fills: a fill that matched before its order's cancel (or expiry) but is reported after the
ack. With the venue's ``size_matched`` on the notice the order keeps reserving for it; without it
the fill is still booked, but counted and flagged.

Expected amounts are worked out by hand in the comments (prices 1e-4, sizes and cash 1e-6)."""

from __future__ import annotations

from decimal import localcontext

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from predtrade.model import (
    FeeSchedule,
    OrderCancelled,
    OrderExpired,
    OrderFilled,
    OrderState,
    Side,
    TradeStatus,
)
from predtrade.oms import ApplyResult, InsufficientFunds, Inventory, Order, OrderManager
from predtrade.oms.order import Cause
from predtrade.testkit import Stubs

from .helpers import assert_audit_replays, assert_reservations
from .test_properties import FEES, PRICES, telescoped_fees

SH = Stubs.shares(1)
USD = Stubs.usd(1)
YES = Stubs.YES
BUY, SELL = Side.BUY, Side.SELL
MATCHED, CONFIRMED, FAILED = TradeStatus.MATCHED, TradeStatus.CONFIRMED, TradeStatus.FAILED
CANCELLED, EXPIRED = OrderState.CANCELLED, OrderState.EXPIRED


def cancelled(o: Order, size_matched: int | None) -> OrderCancelled:
    return OrderCancelled(o.venue_order_id or "", Stubs.T0, Stubs.T0, "CANCELED", size_matched)


def expired(o: Order, size_matched: int | None) -> OrderExpired:
    return OrderExpired(o.venue_order_id or "", Stubs.T0, Stubs.T0, size_matched)


def working_buy(om: OrderManager, price: str, size: int, **kw: object) -> Order:
    o = Stubs.submit(om, price=Stubs.px(price), size=size, **kw)  # type: ignore[arg-type]
    om.apply(Stubs.accepted(o))
    return o


def late_trail(o: Order) -> list[int]:
    return [t.late_qty for t in o.transitions]


# ---------------------------------------------------------------- size_matched reported


def test_cancel_ack_keeps_reserving_for_late_fills_and_releases_exactly() -> None:
    om = Stubs.manager(cash=100 * USD)
    o = working_buy(om, "0.40", 10 * SH)
    om.apply(Stubs.filled(o, trade_id="t1", size=3 * SH))  # pays 1.20
    om.request_cancel(o.client_order_id)
    inv = om.inventory

    # the venue matched 7 in all: 4 are in flight and keep 4 * 0.40 = 1.60 reserved
    assert om.apply(cancelled(o, 7 * SH)) is ApplyResult.APPLIED
    assert o.state is CANCELLED and o.late_qty == 4 * SH and o.size_matched == 7 * SH
    assert inv.reservation(o.client_order_id) == (1_600_000, 0)
    assert inv.available_cash == 100 * USD - 1_200_000 - 1_600_000
    assert om.late_orders() == [o] and om.open_orders() == []
    assert om.stats.late_reserved == 1

    # 1 of them at 0.38: pays 0.38, 3 * 0.40 = 1.20 stay reserved
    om.apply(Stubs.filled(o, trade_id="t2", size=SH, price=Stubs.px("0.38")))
    assert o.state is CANCELLED and o.late_qty == 3 * SH
    assert inv.reservation(o.client_order_id) == (1_200_000, 0)
    assert inv.cash == 100 * USD - 1_200_000 - 380_000

    # the last 3 reach size_matched: nothing stays reserved
    om.apply(Stubs.filled(o, trade_id="t3", size=3 * SH))
    assert o.late_qty == 0 and o.filled == 7 * SH and o.state is CANCELLED
    assert inv.reservation(o.client_order_id) == (0, 0) and inv.reserved_cash == 0
    assert inv.cash == inv.available_cash == 100 * USD - 1_200_000 - 380_000 - 1_200_000
    assert om.late_orders() == []
    # audited: the cancel kept 4, each late fill took its quantity off
    assert late_trail(o)[-3:] == [4 * SH, 3 * SH, 0]
    assert [t.cause for t in o.transitions[-3:]] == [Cause.CANCELLED, Cause.FILL, Cause.FILL]
    assert not o.needs_reconcile and om.stats.late_unreserved == 0
    assert_reservations(om)
    assert_audit_replays(om)


def test_expiry_keeps_reserving_shares_for_late_sell_fills() -> None:
    om = Stubs.manager(cash=20 * USD)
    inv = om.inventory
    inv.split(Stubs.market(), 10 * SH)
    o = Stubs.submit(om, side=SELL, price=Stubs.px("0.60"), size=10 * SH)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, trade_id="t1", size=2 * SH))

    assert om.apply(expired(o, 5 * SH)) is ApplyResult.APPLIED
    # 3 shares in flight stay reserved: 10 held - 2 sold - 3 = 5 free to sell again
    assert o.state is EXPIRED and o.late_qty == 3 * SH
    assert inv.reservation(o.client_order_id) == (0, 3 * SH)
    assert inv.available_shares(YES) == 5 * SH

    om.apply(Stubs.filled(o, trade_id="t2", size=3 * SH))
    assert o.late_qty == 0 and o.state is EXPIRED and o.filled == 5 * SH
    assert inv.reserved_shares(YES) == 0 and inv.available_shares(YES) == 5 * SH
    assert inv.cash == 20 * USD - 10 * USD + 1_200_000 + 1_800_000  # split, then 5 sold at 0.60
    assert late_trail(o)[-2:] == [3 * SH, 0]
    assert_reservations(om)
    assert_audit_replays(om)


def test_late_reservation_includes_the_fee_bound() -> None:
    om = Stubs.manager(cash=100 * USD)
    o = working_buy(om, "0.80", 10 * SH, fees=Stubs.fees(rate_ppm=100_000))
    om.apply(cancelled(o, 4 * SH))
    # 4 * 0.80 = 3.20, plus the worst fee of 4 (at 0.50): 4 * 0.10 * 0.25 = 0.10
    assert om.inventory.reservation(o.client_order_id) == (3_300_000, 0)
    assert_reservations(om)


def test_the_kept_reservation_is_what_a_competing_order_cannot_take() -> None:
    """The race the reservation is for: cash a cancel frees, another order takes, and a late
    fill then spends."""
    om = Stubs.manager(cash=4 * USD)
    a = working_buy(om, "0.40", 10 * SH)  # reserves all 4.00
    om.apply(cancelled(a, 5 * SH))  # 5 matched before the cancel: 2.00 stays reserved
    with pytest.raises(InsufficientFunds) as info:
        working_buy(om, "0.40", 10 * SH)
    assert (info.value.needed, info.value.available) == (4 * USD, 2 * USD)
    b = working_buy(om, "0.40", 5 * SH)  # what is really free
    om.apply(Stubs.filled(a, trade_id="late", size=5 * SH))
    om.apply(Stubs.filled(b, trade_id="b", size=5 * SH))
    assert om.inventory.cash == 0 and om.inventory.available_cash == 0
    assert om.stats.overdrawn == 0 and not a.needs_reconcile


@pytest.mark.parametrize(
    ("size_matched", "late", "conflict"),
    [
        pytest.param(3 * SH, 0, False, id="nothing_in_flight"),
        pytest.param(2 * SH, 0, True, id="below_what_we_saw"),
        pytest.param(12 * SH, 7 * SH, True, id="above_the_size_is_capped"),
    ],
)
def test_size_matched_that_does_not_add_up(size_matched: int, late: int, conflict: bool) -> None:
    om = Stubs.manager()
    o = working_buy(om, "0.50", 10 * SH)
    om.apply(Stubs.filled(o, trade_id="t1", size=3 * SH))
    om.apply(cancelled(o, size_matched))
    assert o.late_qty == late and o.state is CANCELLED
    assert om.stats.conflicts == int(conflict) and o.needs_reconcile is conflict
    assert_reservations(om)


def test_trades_seen_before_the_cancel_count_even_if_voided() -> None:
    """The venue's size_matched still counts a trade that FAILED on chain: it will not come again,
    so it is not in flight."""
    om = Stubs.manager()
    o = working_buy(om, "0.50", 10 * SH)
    om.apply(Stubs.filled(o, trade_id="t1", size=2 * SH))
    om.apply(Stubs.filled(o, trade_id="t1", size=2 * SH, status=FAILED))  # voided
    om.apply(Stubs.filled(o, trade_id="t2", size=SH, status=FAILED))  # tombstone
    om.apply(cancelled(o, 6 * SH))
    assert o.filled == 0 and o.late_qty == 3 * SH
    assert_reservations(om)


# ---------------------------------------------------------------- FAILED trades after the ack


def test_failed_void_of_a_late_fill_does_not_release_twice() -> None:
    om = Stubs.manager(cash=10 * USD)
    inv = om.inventory
    o = working_buy(om, "0.50", 10 * SH)
    om.apply(cancelled(o, 6 * SH))  # 6 in flight: 3.00 reserved
    om.apply(Stubs.filled(o, trade_id="t1", size=4 * SH))  # pays 2.00, 2 still in flight
    assert o.late_qty == 2 * SH and inv.reservation(o.client_order_id) == (USD, 0)
    assert inv.cash == 8 * USD

    assert om.apply(Stubs.filled(o, trade_id="t1", size=4 * SH, status=FAILED)) is ApplyResult.VOIDED

    # the 2.00 comes back; the 2 still in flight stay reserved (released once, when t1 was seen)
    assert o.late_qty == 2 * SH and inv.reservation(o.client_order_id) == (USD, 0)
    assert inv.cash == 10 * USD and o.filled == 0 and o.state is CANCELLED and o.needs_reconcile
    assert o.transitions[-1].fill_qty == -4 * SH and o.transitions[-1].late_qty == 2 * SH
    om.apply(Stubs.filled(o, trade_id="t2", size=2 * SH))
    assert o.late_qty == 0 and inv.reserved_cash == 0 and inv.cash == 9 * USD
    assert om.stats.overdrawn == 0
    assert_reservations(om)
    assert_audit_replays(om)


def test_failed_trade_never_seen_releases_its_quantity() -> None:
    om = Stubs.manager(cash=10 * USD)
    o = working_buy(om, "0.50", 10 * SH)
    om.apply(cancelled(o, 6 * SH))
    assert om.apply(Stubs.filled(o, trade_id="t1", size=4 * SH, status=FAILED)) is ApplyResult.TOMBSTONED
    assert o.late_qty == 2 * SH and om.inventory.reservation(o.client_order_id) == (USD, 0)
    last = o.transitions[-1]
    assert (last.cause, last.trade_id, last.fill_qty, last.late_qty) == (Cause.LATE, "t1", 0, 2 * SH)
    # its MATCHED arriving afterwards is not booked, and changes nothing
    assert om.apply(Stubs.filled(o, trade_id="t1", size=4 * SH)) is ApplyResult.DUPLICATE
    assert o.late_qty == 2 * SH and o.filled == 0
    assert_reservations(om)
    assert_audit_replays(om)


# ---------------------------------------------------------------- size_matched not reported


def test_late_fill_without_size_matched_is_booked_and_flagged() -> None:
    om = Stubs.manager(cash=100 * USD)
    o = working_buy(om, "0.40", 10 * SH)
    om.apply(cancelled(o, None))
    assert o.late_qty == 0 and om.inventory.reserved_cash == 0 and om.late_orders() == []

    assert om.apply(Stubs.filled(o, trade_id="late", size=5 * SH)) is ApplyResult.APPLIED

    assert o.filled == 5 * SH and om.inventory.cash == 98 * USD
    assert om.stats.late_unreserved == 1 and o.needs_reconcile
    assert om.stats.overdrawn == 0  # there was cash to spare


def test_unreserved_late_fill_that_overdraws_is_booked_flagged_and_blocks_buys() -> None:
    """The venue says it happened, so it is booked even though another order holds the cash."""
    om = Stubs.manager(cash=6 * USD)
    inv = om.inventory
    inv.split(Stubs.market(), 2 * SH)  # 2 YES to sell later; 4.00 left
    a = working_buy(om, "0.40", 10 * SH)  # all 4.00
    om.apply(cancelled(a, None))  # the venue did not say what had matched
    b = working_buy(om, "0.40", 10 * SH)  # so the 4.00 went to another order

    om.apply(Stubs.filled(a, trade_id="late", size=5 * SH))  # 2.00 nobody reserved

    assert inv.cash == 2 * USD and inv.available_cash == -2 * USD  # recorded as it happened
    assert om.stats.late_unreserved == 1 and om.stats.overdrawn == 1 and a.needs_reconcile
    assert not b.needs_reconcile
    # while overdrawn, nothing that reserves cash is accepted; selling (no cash reserved) is
    with pytest.raises(InsufficientFunds):
        working_buy(om, "0.01", SH)
    Stubs.submit(om, side=SELL, price=Stubs.px("0.60"), size=2 * SH)
    # and if the other order fills too, cash goes negative: the books say so, flagged above
    om.apply(Stubs.filled(b, trade_id="b", size=10 * SH))
    assert inv.cash == -2 * USD


def test_a_repeated_notice_that_reports_size_matched_starts_reserving() -> None:
    om = Stubs.manager()
    o = working_buy(om, "0.50", 10 * SH)
    om.apply(cancelled(o, None))
    om.apply(Stubs.filled(o, trade_id="t1", size=SH))  # unreserved
    assert om.apply(cancelled(o, None)) is ApplyResult.DUPLICATE
    assert om.apply(cancelled(o, 4 * SH)) is ApplyResult.APPLIED
    assert o.late_qty == 3 * SH and o.transitions[-1].cause is Cause.LATE
    assert om.apply(cancelled(o, 4 * SH)) is ApplyResult.DUPLICATE
    assert_reservations(om)
    assert_audit_replays(om)


def test_release_late_reservation_after_reconciliation() -> None:
    om = Stubs.manager()
    o = working_buy(om, "0.50", 10 * SH)
    om.apply(cancelled(o, 4 * SH))
    assert om.release_late_reservation(o.client_order_id, ts_local=5) == 4 * SH
    assert o.late_qty == 0 and om.inventory.reserved_cash == 0 and om.late_orders() == []
    assert o.transitions[-1].cause is Cause.LATE and o.transitions[-1].ts_local == 5
    assert om.release_late_reservation(o.client_order_id) == 0
    assert_audit_replays(om)


# ---------------------------------------------------------------- reservations never dip


def test_rounding_never_makes_a_fill_free_less_than_it_spends() -> None:
    """2 micro-shares at 0.50 cost 1 micro-unit in all. ``cost_up`` of the remainder after the first
    (half a unit, rounded up) would reserve 1 more than the order can still cost."""
    om = Stubs.manager(cash=1)
    o = working_buy(om, "0.50", 2)
    om.apply(Stubs.filled(o, trade_id="a", size=1))
    inv = om.inventory
    assert (inv.cash, inv.reserved_cash, inv.available_cash) == (0, 0, 0)
    om.apply(Stubs.filled(o, trade_id="b", size=1))
    assert (inv.cash, inv.reserved_cash, o.state) == (0, 0, OrderState.FILLED)


def test_fees_billed_on_the_running_total_stay_covered_when_fills_arrive_out_of_order() -> None:
    """Three fills of 2 micro-shares at 0.50 under a 100 % rate: each owes exactly half a unit, so
    a venue billing the rounded-up running total charges 1, 0, 1. If the middle one arrives first,
    the other two still owe 2, though the worst fee of their 4 micro-shares rounds up to only 1."""
    om = Stubs.manager(cash=5)
    fees = FeeSchedule(rate_ppm=1_000_000)
    o = working_buy(om, "0.50", 6, fees=fees)  # 3 for the shares + ceil(1.5) = 2 for fees
    inv = om.inventory
    assert inv.available_cash == 0
    om.apply(Stubs.filled(o, trade_id="t2", size=2, fee=0))
    assert inv.cash == 4 and inv.reservation(o.client_order_id) == (4, 0)  # 2 cost + 2 fee
    om.apply(Stubs.filled(o, trade_id="t1", size=2, fee=1))
    assert inv.cash == 2 and inv.available_cash == 0
    om.apply(Stubs.filled(o, trade_id="t3", size=2, fee=1))
    assert (inv.cash, inv.reserved_cash) == (0, 0)
    assert_reservations(om)


# ---------------------------------------------------------------- property: the race itself


@st.composite
def races(draw: st.DrawFn) -> dict:
    side = draw(st.sampled_from([BUY, SELL]))
    fees = draw(st.sampled_from(FEES))
    post_only = draw(st.booleans())
    price = draw(PRICES)
    size = draw(st.integers(2, 40 * SH))
    planned, left = [], size - 1  # the order dies with something left
    for _ in range(draw(st.integers(1, 4))):
        if not left:
            break
        qty = draw(st.integers(1, left))
        left -= qty
        better = draw(st.sampled_from([0, 0, 1, 100]))
        fprice = max(1, price - better) if side is BUY else min(9_999, price + better)
        path = draw(st.sampled_from([(MATCHED,), (MATCHED, CONFIRMED), (FAILED,), (MATCHED, FAILED)]))
        planned.append((qty, fprice, path))
    fee_list = telescoped_fees(fees, post_only, [(p, q) for q, p, _ in planned])
    before = draw(st.integers(0, len(planned) - 1))  # fills reported before the cancel
    n_tail = sum(len(path) for _, _, path in planned[before:]) + 1  # + the competitor's fill
    return {
        "side": side,
        "fees": fees,
        "post_only": post_only,
        "price": price,
        "size": size,
        "fills": [(q, p, path, fee) for (q, p, path), fee in zip(planned, fee_list, strict=True)],
        "before": before,
        "kind": draw(st.sampled_from(["cancelled", "expired"])),
        "rival_price": draw(PRICES),
        "spare": draw(st.integers(0, 3)),
        "tail": draw(st.permutations(range(n_tail))),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(races())
def test_late_fills_never_overdraw_when_size_matched_is_reported(r: dict) -> None:
    """Order A uses all the capital, is cancelled (or expires) with fills in flight; order B then
    takes everything that is free; A's late fills and B's fill arrive in any order. Cash,
    available cash and shares never go below zero, and A's reservation is used up exactly."""
    side, fees, size, price = r["side"], r["fees"], r["size"], r["price"]
    need_cash, need_shares = Inventory.reservation_for(side, price, size, r["post_only"], fees)
    inv = Inventory(need_cash + need_shares + r["spare"])
    if need_shares:
        inv.split(Stubs.market(), need_shares)  # A sells every YES share we hold
    om = OrderManager(inv)
    a = Stubs.submit(om, side=side, price=price, size=size, post_only=r["post_only"], fees=fees)
    om.apply(Stubs.accepted(a))
    msgs = [
        Stubs.filled(a, trade_id=f"a{j}", price=p, size=q, status=status, fee=fee)
        for j, (q, p, path, fee) in enumerate(r["fills"])
        for status in path
    ]
    n_before = sum(len(path) for _, _, path, _ in r["fills"][: r["before"]])
    for ev in msgs[:n_before]:
        om.apply(ev)
    matched = sum(q for q, _, _, _ in r["fills"])
    om.apply(cancelled(a, matched) if r["kind"] == "cancelled" else expired(a, matched))

    # B takes all that is free (post-only under a taker-only schedule: no fee reserved)
    if side is BUY:
        b_size = inv.available_cash * 10_000 // r["rival_price"]
    else:
        b_size = inv.available_shares(YES)
    tail = list(msgs[n_before:])
    b = None
    if b_size:
        b = Stubs.submit(om, side=side, price=r["rival_price"], size=b_size, post_only=True, fees=fees)
        om.apply(Stubs.accepted(b))
        tail.append(Stubs.filled(b, trade_id="b", size=b_size, price=r["rival_price"]))
        event("a rival took the rest")
    else:
        tail.append(None)
    # a random interleaving that keeps each trade's own statuses in order
    by_trade: dict[str, list[OrderFilled]] = {}
    for ev in tail:
        if ev is not None:
            by_trade.setdefault(ev.trade_id, []).append(ev)
    shuffled = [tail[k] for k in r["tail"]]
    stream = [by_trade[ev.trade_id].pop(0) if ev is not None else None for ev in shuffled]

    with localcontext() as ctx:
        ctx.prec = 60
        for ev in stream:
            if ev is not None:
                om.apply(ev)
            assert inv.cash >= 0 and inv.available_cash >= 0
            assert inv.available_shares(YES) >= 0 and inv.position(YES).shares >= 0
            assert_reservations(om)
            assert_audit_replays(om)
    assert a.late_qty == 0 and a.size_matched == matched and om.late_orders() == []
    assert inv.reserved_cash == 0 and inv.reserved_shares(YES) == 0
    assert (om.stats.late_unreserved, om.stats.overdrawn, om.stats.conflicts) == (0, 0, 0)
    assert a.needs_reconcile == any(f.voided and f.entry is not None for f in a.fills.values())
    if b is not None:
        assert b.state is OrderState.FILLED
