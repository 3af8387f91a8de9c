"""Forgetting finished orders (``OrderManager.forget``): refused while an order can still trade or
is owed late fills, and safe afterwards: a late message about a forgotten order is counted as
unknown and changes nothing. Random histories check both against a run that forgets nothing."""

from __future__ import annotations

import contextlib
from decimal import localcontext

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from predtrade.model import (
    CancelRejected,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderState,
    Side,
    TradeStatus,
)
from predtrade.oms import ApplyResult, InsufficientFunds, Inventory, Order, OrderManager, UnknownOrder
from predtrade.testkit import Stubs

from .helpers import assert_reservations
from .test_properties import Scenario, Script, scenarios

SH = Stubs.shares(1)
FAILED, CONFIRMED = TradeStatus.FAILED, TradeStatus.CONFIRMED


def ledgers(om: OrderManager) -> tuple:
    """Everything the inventory says about money and shares."""
    inv = om.inventory
    pos = {t: (p.shares, p.cost, p.realized, p.fees) for t, p in inv.positions.items()}
    shares = {t: inv.reserved_shares(t) for t in inv.positions}
    return inv.cash, inv.reserved_cash, pos, shares


def open_order(om: OrderManager, **kw: object) -> Order:
    o = Stubs.submit(om, **kw)  # type: ignore[arg-type]
    om.apply(Stubs.accepted(o))
    return o


# ---------------------------------------------------------------- which orders can be forgotten


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda om, o: None, id="pending-submit"),
        pytest.param(lambda om, o: om.apply(Stubs.accepted(o)), id="open"),
        pytest.param(
            lambda om, o: (om.apply(Stubs.accepted(o)), om.apply(Stubs.filled(o, size=4 * SH))),
            id="partially-filled",
        ),
        pytest.param(
            lambda om, o: (om.apply(Stubs.accepted(o)), om.request_cancel(o.client_order_id)),
            id="pending-cancel",
        ),
        pytest.param(
            lambda om, o: (
                om.apply(Stubs.accepted(o)),
                om.apply(OrderCancelled(o.venue_order_id or "", 1, 1, "", size_matched=3 * SH)),
            ),
            id="cancelled-owed-late-fills",
        ),
    ],
)
def test_forget_refuses_orders_that_can_still_trade(setup) -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    setup(om, o)
    before = ledgers(om)
    assert om.forget(o.client_order_id) is False
    assert om.get(o.client_order_id) is o and ledgers(om) == before
    assert om.stats.forgotten == 0


@pytest.mark.parametrize(
    "finish",
    [
        pytest.param(lambda om, o: om.apply(Stubs.filled(o)), id="filled"),
        pytest.param(lambda om, o: om.apply(Stubs.cancelled(o)), id="cancelled"),
        pytest.param(
            lambda om, o: om.apply(OrderCancelled(o.venue_order_id or "", 1, 1, "", size_matched=0)),
            id="cancelled-nothing-matched",
        ),
        pytest.param(lambda om, o: om.apply(Stubs.expired(o)), id="expired"),
    ],
)
def test_forget_drops_a_finished_order_and_keeps_the_ledgers(finish) -> None:
    om = Stubs.manager()
    o = open_order(om)
    other = open_order(om, price=Stubs.px("0.40"))
    finish(om, o)
    before = ledgers(om)
    assert om.forget(o.client_order_id) is True
    assert ledgers(om) == before
    assert o.client_order_id not in {x.client_order_id for x in om.orders}
    assert om.by_venue_id(o.venue_order_id or "") is None and om.is_forgotten(o.venue_order_id or "")
    with pytest.raises(UnknownOrder):
        om.get(o.client_order_id)
    assert om.get(other.client_order_id) is other and om.open_orders() == [other]
    assert om.stats.forgotten == 1
    assert om.forget(o.client_order_id) is False  # already gone
    assert_reservations(om)


def test_forget_a_rejected_order_and_unknown_ids() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.rejected(o))
    assert om.forget(o.client_order_id) is True
    assert om.forget("never-submitted") is False
    # the ack of a forgotten order (keyed by our client id) is not ours any more
    assert om.apply(Stubs.accepted(o)) is ApplyResult.UNKNOWN
    assert om.stats.unknown == 1


# ---------------------------------------------------------------- late messages after forgetting


def test_late_fill_after_forgetting_is_unknown_and_books_nothing() -> None:
    om = Stubs.manager()
    o = open_order(om)
    om.apply(Stubs.cancelled(o))  # no size_matched: the venue did not say a fill is on its way
    om.forget(o.client_order_id)
    waiting = Stubs.submit(om, price=Stubs.px("0.30"))  # another order awaits its ack
    before = ledgers(om)
    audit = len(om.audit)
    got = om.apply(Stubs.filled(o, size=2 * SH, trade_id="late"))
    assert got is ApplyResult.UNKNOWN  # not held for the pending ack: known to be forgotten
    assert om.held_count == 0
    assert (om.stats.unknown, om.stats.forgotten_hits) == (1, 1)
    assert ledgers(om) == before and len(om.audit) == audit
    for ev in (
        Stubs.filled(o, size=2 * SH, trade_id="late", status=FAILED),
        Stubs.cancelled(o),
        Stubs.expired(o),
        Stubs.cancel_rejected(o),
    ):
        assert om.apply(ev) is ApplyResult.UNKNOWN
    assert ledgers(om) == before and om.stats.forgotten_hits == 5
    om.apply(Stubs.accepted(waiting))  # nothing was held for it either
    assert om.get(waiting.client_order_id).state is OrderState.OPEN


def test_late_fill_reservation_is_kept_until_the_fill_arrives() -> None:
    om = Stubs.manager()
    o = open_order(om, size=10 * SH)
    om.apply(Stubs.filled(o, size=2 * SH, trade_id="t1"))
    om.apply(OrderCancelled(o.venue_order_id or "", 1, 1, "", size_matched=5 * SH))
    assert o.late_qty == 3 * SH
    reserved = om.inventory.reserved_cash
    assert reserved > 0
    assert om.forget(o.client_order_id) is False  # the late fill is still owed: keep reserving
    assert om.inventory.reserved_cash == reserved
    assert om.apply(Stubs.filled(o, size=3 * SH, trade_id="t2")) is ApplyResult.APPLIED
    assert o.late_qty == 0 and om.inventory.reserved_cash == 0
    assert om.inventory.position(o.asset_id).shares == 5 * SH
    assert om.forget(o.client_order_id) is True
    assert om.inventory.position(o.asset_id).shares == 5 * SH


def test_released_late_reservation_makes_the_order_forgettable() -> None:
    om = Stubs.manager()
    o = open_order(om)
    om.apply(OrderExpired(o.venue_order_id or "", 1, 1, size_matched=4 * SH))
    assert om.forget(o.client_order_id) is False
    om.release_late_reservation(o.client_order_id)
    assert om.forget(o.client_order_id) is True and om.inventory.reserved_cash == 0


def test_forgotten_ids_are_bounded_and_an_old_one_is_still_handled() -> None:
    om = OrderManager(Inventory(Stubs.usd(1_000)), max_forgotten=2)
    orders = [open_order(om, price=Stubs.px(f"0.{40 + i}")) for i in range(3)]
    for o in orders:
        om.apply(Stubs.cancelled(o))
        assert om.forget(o.client_order_id)
    first = orders[0]
    assert not om.is_forgotten(first.venue_order_id or "")
    assert all(om.is_forgotten(o.venue_order_id or "") for o in orders[1:])
    before = ledgers(om)
    # no order awaits an ack: an id nobody knows is unknown, as before forgetting existed
    assert om.apply(Stubs.filled(first, size=SH, trade_id="x")) is ApplyResult.UNKNOWN
    assert ledgers(om) == before and om.stats.forgotten_hits == 0 and om.stats.unknown == 1


def test_inventory_forget_releases_and_drops_the_notional() -> None:
    inv = Inventory(Stubs.usd(100))
    inv.set_reservation("k", "tok", 5_000_000, 0)
    # 1e-6 shares at 0.3333 cost 0.0000003333 dollars: the order is charged 1 cash unit (rounded
    # up), and a second such fill of the same order costs nothing (ceil(0.6666) - ceil(0.3333))
    assert inv.book_fill("k", "tok", Side.BUY, 3_333, 1).amount == 1
    cash = inv.cash
    inv.forget("k")
    assert inv.reservation("k") == (0, 0) and inv.reserved_cash == 0 and inv.cash == cash
    assert inv.position("tok").shares == 1
    # forgotten: a new fill under the same key telescopes from zero again
    assert inv.book_fill("k", "tok", Side.BUY, 3_333, 1).amount == 1


# ---------------------------------------------------------------- random histories


def _script_events(sc: Scenario) -> dict[int, list[int]]:
    by_script: dict[int, list[int]] = {}
    for pos, k in enumerate(sc.order):
        by_script.setdefault(sc.events[k][1], []).append(pos)
    return by_script


def _message(o: Order, s: Script, sc: Scenario, ev: tuple, ts: int):
    kind = ev[0]
    if kind == "ack":
        return OrderAccepted(o.client_order_id, s.venue_id, ts, ts)
    if kind == "rejected":
        return OrderRejected(o.client_order_id, "no", ts, ts)
    if kind == "cancelled":
        return OrderCancelled(s.venue_id, ts, ts, size_matched=sc.size_matched(s))
    if kind == "expired":
        return OrderExpired(s.venue_id, ts, ts, size_matched=sc.size_matched(s))
    if kind == "cancel_rejected":
        return CancelRejected(s.venue_id, "matched", ts, ts)
    f = s.fills[ev[2]]
    return OrderFilled(s.venue_id, f.trade_id, s.token, f.price, f.qty, ev[3], ts, ts, fee=f.fee)


def _replay(sc: Scenario, forget_at: dict[int, list[int]] | None, *, any_time: bool) -> list[tuple]:
    """Run the scenario (every submit first); before message ``step`` try to forget the orders of
    ``forget_at[step]`` (script indices). With ``any_time`` False only an order whose original
    messages have all been delivered is offered (later ones are duplicates). Returns the ledgers
    after every message, and checks the forget rules and the reservations as it goes."""
    inv = Inventory(sc.cash)
    market = Stubs.market()
    if sc.sets:
        inv.split(market, sc.sets)
    om = OrderManager(inv, id_prefix="p")
    orders: dict[int, Order] = {}
    for s in sc.scripts:
        with contextlib.suppress(InsufficientFunds):  # not enough cash: the script is left out
            orders[s.idx] = om.submit(
                market=market.condition_id,
                asset_id=s.token,
                side=s.side,
                price=s.price,
                size=s.size,
                post_only=s.post_only,
                fees=sc.fees,
                venue_order_id=s.venue_id if s.known_id else None,
            )
    originals: dict[int, int] = {}  # script -> messages not delivered yet, duplicates excluded
    seen: set[tuple] = set()
    for k in sc.order:
        ev = sc.events[k]
        if ev not in seen:
            seen.add(ev)
            originals[ev[1]] = originals.get(ev[1], 0) + 1
    seen.clear()
    forgotten: set[int] = set()
    out = []
    for step, k in enumerate(sc.order):
        for idx in (forget_at or {}).get(step, ()):
            o = orders.get(idx)
            if o is None or idx in forgotten or (not any_time and originals.get(idx, 0)):
                continue
            finished = not o.state.is_working and not o.late_qty
            assert om.forget(o.client_order_id) is finished
            if finished:
                forgotten.add(idx)
                event("forgot an order" + ("" if any_time else " after its last original message"))
        ev = sc.events[k]
        s = sc.scripts[ev[1]]
        o = orders.get(s.idx)
        if o is None:
            continue
        if ev not in seen:
            seen.add(ev)
            originals[s.idx] -= 1
        ts = step + 1
        if ev[0] == "cancel_request":
            if s.idx not in forgotten:
                om.request_cancel(o.client_order_id, ts)
        else:
            got = om.apply(_message(o, s, sc, ev, ts))
            if s.idx in forgotten and s.venue_id == o.venue_order_id:
                assert got is ApplyResult.UNKNOWN
                event("message about a forgotten order")
        assert_reservations(om)
        assert om.stats.illegal == om.stats.overfills == om.stats.invalid == 0
        out.append(ledgers(om))
    assert om.stats.forgotten == len(forgotten)
    return out


@st.composite
def forget_plans(draw: st.DrawFn) -> tuple[Scenario, dict[int, list[int]]]:
    sc = draw(scenarios())
    n = len(sc.order)
    plan: dict[int, list[int]] = {}
    for idx in range(len(sc.scripts)):  # every order is offered a few times, late ones more often
        for _ in range(draw(st.integers(1, 3))):
            step = n - draw(st.integers(0, n)) // draw(st.sampled_from([1, 2, 4]))
            plan.setdefault(step, []).append(idx)
    return sc, plan


_SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@_SETTINGS
@given(forget_plans())
def test_forgetting_after_the_last_message_changes_no_ledger(
    plan: tuple[Scenario, dict[int, list[int]]],
) -> None:
    """Forgetting an order once all its messages are in (only duplicates may follow) leaves cash,
    positions and reservations exactly as in a run that forgets nothing, after every message."""
    sc, at = plan
    with localcontext() as ctx:
        ctx.prec = 60
        assert _replay(sc, at, any_time=False) == _replay(sc, None, any_time=False)


@_SETTINGS
@given(forget_plans())
def test_forgetting_at_any_time_is_refused_or_safe(plan: tuple[Scenario, dict[int, list[int]]]) -> None:
    """Forgetting at random moments: refused exactly for working orders and orders owed late
    fills; afterwards reservations still equal what the remaining orders can trade, nothing is
    illegal, and messages about forgotten orders are unknown."""
    sc, at = plan
    with localcontext() as ctx:
        ctx.prec = 60
        _replay(sc, at, any_time=True)
