"""The order manager's named rules, one test (or table) each."""

from __future__ import annotations

import pytest

from predtrade.model import (
    BookDeltas,
    Liquidity,
    OrderState,
    Side,
    TimeInForce,
    TradeStatus,
)
from predtrade.oms import (
    ApplyResult,
    IllegalTransition,
    InsufficientFunds,
    InvalidFill,
    OrderRejectedLocally,
    Overfill,
    UnknownOrder,
    VenueIdConflict,
)
from predtrade.testkit import Stubs

from .helpers import assert_audit_replays, assert_reservations

SH = Stubs.shares(1)
USD = Stubs.usd(1)
YES, NO = Stubs.YES, Stubs.NO
MATCHED, MINED, RETRYING, CONFIRMED, FAILED = (
    TradeStatus.MATCHED,
    TradeStatus.MINED,
    TradeStatus.RETRYING,
    TradeStatus.CONFIRMED,
    TradeStatus.FAILED,
)


# ---------------------------------------------------------------- submit and reservations


def test_submit_reserves_cost_and_issues_deterministic_ids() -> None:
    om = Stubs.manager(cash=100 * USD, id_prefix="s1")
    a = Stubs.submit(om, price=Stubs.px("0.37"), size=10 * SH)
    b = Stubs.submit(om, price=Stubs.px("0.01"), size=7 * SH)
    assert (a.client_order_id, b.client_order_id) == ("s1-1", "s1-2")
    assert a.state is OrderState.PENDING_SUBMIT and a.venue_order_id is None
    assert om.inventory.reserved_cash == 3_700_000 + 70_000
    assert om.inventory.available_cash == 100 * USD - 3_770_000
    assert_reservations(om)


def test_submit_refuses_to_overdraw_cash_without_consuming_an_id() -> None:
    om = Stubs.manager(cash=5 * USD)
    Stubs.submit(om, price=Stubs.px("0.40"), size=10 * SH)  # reserves 4
    with pytest.raises(InsufficientFunds) as info:
        Stubs.submit(om, price=Stubs.px("0.20"), size=5 * SH + 1)  # needs 1.0000002 > 1
    assert (info.value.asset, info.value.needed, info.value.available) == ("cash", 1_000_001, 1_000_000)
    assert len(om.orders) == 1
    assert Stubs.submit(om, price=Stubs.px("0.20"), size=5 * SH).client_order_id == "pt-2"


def test_sell_reserves_shares_and_refuses_to_oversell() -> None:
    om = Stubs.manager(cash=10 * USD)
    om.inventory.split(Stubs.market(), 6 * SH)
    Stubs.submit(om, side=Side.SELL, size=4 * SH)
    assert om.inventory.available_shares(YES) == 2 * SH
    with pytest.raises(InsufficientFunds) as info:
        Stubs.submit(om, side=Side.SELL, size=2 * SH + 1)
    assert info.value.asset == YES
    assert isinstance(info.value, OrderRejectedLocally)


def test_taker_fee_bound_is_reserved_unless_post_only() -> None:
    om = Stubs.manager()
    fees = Stubs.fees(rate_ppm=100_000)  # 10 %
    taker = Stubs.submit(om, price=Stubs.px("0.80"), size=10 * SH, fees=fees)
    maker = Stubs.submit(om, price=Stubs.px("0.80"), size=10 * SH, fees=fees, post_only=True)
    # worst fee for a BUY at or below 0.80 is at 0.50: 10 * 0.1 * 0.25 = 0.25
    assert om.inventory.reservation(taker.client_order_id) == (8 * USD + 250_000, 0)
    assert om.inventory.reservation(maker.client_order_id) == (8 * USD, 0)
    assert_reservations(om)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"price": 0}, id="price_zero"),
        pytest.param({"price": 10_000}, id="price_one"),
        pytest.param({"size": 0}, id="size_zero"),
        pytest.param({"size": -5}, id="size_negative"),
        pytest.param({"price": 5_000.0}, id="float_price"),
        pytest.param({"size": 10.5}, id="float_size"),
        pytest.param({"post_only": True, "tif": TimeInForce.FOK}, id="post_only_fok"),
        pytest.param({"post_only": True, "tif": TimeInForce.FAK}, id="post_only_fak"),
    ],
)
def test_submit_rejects_bad_orders_locally(kwargs: dict) -> None:
    om = Stubs.manager()
    with pytest.raises(OrderRejectedLocally):
        Stubs.submit(om, **kwargs)
    assert om.orders == [] and om.inventory.reserved_cash == 0


def test_cancel_ack_releases_and_fill_moves_reservation() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, price=Stubs.px("0.50"), size=10 * SH)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, size=4 * SH))
    assert om.inventory.reserved_cash == 3 * USD
    om.request_cancel(o.client_order_id)
    assert om.inventory.reserved_cash == 3 * USD  # still working until the venue confirms
    om.apply(Stubs.cancelled(o))
    assert om.inventory.reserved_cash == 0 and o.remaining == 0 and om.open_orders() == []


# ---------------------------------------------------------------- rule: book once


def test_duplicate_fill_is_counted_not_booked() -> None:
    om = Stubs.manager(cash=100 * USD)
    o = Stubs.submit(om, price=Stubs.px("0.40"), size=10 * SH)
    om.apply(Stubs.accepted(o))
    fill = Stubs.filled(o, size=4 * SH)
    assert om.apply(fill) is ApplyResult.APPLIED
    cash = om.inventory.cash
    assert om.apply(fill) is ApplyResult.DUPLICATE
    assert om.apply(fill) is ApplyResult.DUPLICATE
    assert o.filled == 4 * SH and om.inventory.position(YES).shares == 4 * SH
    assert om.inventory.cash == cash == 100 * USD - 1_600_000
    assert om.stats.duplicates == 2 and om.stats.applied == 2  # the ack and the fill


def test_matched_mined_confirmed_books_once_and_tracks_status() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, size=10 * SH)
    om.apply(Stubs.accepted(o))
    results = [om.apply(Stubs.filled(o, size=10 * SH, status=s)) for s in (MATCHED, MINED, CONFIRMED)]
    assert results == [ApplyResult.APPLIED, ApplyResult.DUPLICATE, ApplyResult.DUPLICATE]
    assert o.fills["trade-1"].status is CONFIRMED and o.state is OrderState.FILLED
    assert om.inventory.position(YES).shares == 10 * SH
    assert sum(1 for t in o.transitions if t.trade_id == "trade-1") == 1


@pytest.mark.parametrize(
    ("statuses", "final"),
    [
        pytest.param((MINED, MATCHED), MINED, id="earlier_status_does_not_regress"),
        pytest.param((CONFIRMED, MINED), CONFIRMED, id="confirmed_is_sticky"),
        pytest.param((MATCHED, RETRYING, MINED), MINED, id="retry_then_mined"),
        pytest.param((MATCHED, MINED, RETRYING), RETRYING, id="reorg_after_mined"),
        pytest.param((CONFIRMED,), CONFIRMED, id="first_seen_confirmed"),
    ],
)
def test_status_progress(statuses: tuple[TradeStatus, ...], final: TradeStatus) -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    for s in statuses:
        om.apply(Stubs.filled(o, size=3 * SH, status=s))
    assert o.fills["trade-1"].status is final and o.filled == 3 * SH


def test_same_trade_id_on_two_of_our_orders_is_two_fills() -> None:
    """One taker order can match several of our makers under a single trade id."""
    om = Stubs.manager()
    a, b = Stubs.submit(om), Stubs.submit(om)
    om.apply(Stubs.accepted(a))
    om.apply(Stubs.accepted(b))
    om.apply(Stubs.filled(a, trade_id="T", size=2 * SH))
    om.apply(Stubs.filled(b, trade_id="T", size=3 * SH))
    assert (a.filled, b.filled) == (2 * SH, 3 * SH)
    assert om.inventory.position(YES).shares == 5 * SH


# ---------------------------------------------------------------- rule: hold until the ack


def test_updates_before_ack_are_held_and_released_in_arrival_order() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, size=10 * SH)
    assert om.apply(Stubs.filled(o, trade_id="t1", size=4 * SH)) is ApplyResult.HELD
    assert om.apply(Stubs.filled(o, trade_id="t1", size=4 * SH, status=MINED)) is ApplyResult.HELD
    assert om.apply(Stubs.cancelled(o)) is ApplyResult.HELD
    assert o.state is OrderState.PENDING_SUBMIT and o.filled == 0 and om.held_count == 3
    assert om.inventory.position(YES).shares == 0

    assert om.apply(Stubs.accepted(o)) is ApplyResult.APPLIED

    assert [t.to_state for t in o.transitions] == [
        OrderState.OPEN,
        OrderState.PARTIALLY_FILLED,
        OrderState.CANCELLED,
    ]
    assert o.filled == 4 * SH and o.fills["t1"].status is MINED
    assert om.held_count == 0
    assert (om.stats.held, om.stats.released, om.stats.duplicates) == (3, 3, 1)
    assert om.inventory.position(YES).shares == 4 * SH
    assert_reservations(om)


def test_held_updates_of_another_order_wait_for_their_own_ack() -> None:
    om = Stubs.manager()
    a, b = Stubs.submit(om), Stubs.submit(om)
    om.apply(Stubs.filled(b, size=SH))
    om.apply(Stubs.accepted(a))
    assert b.filled == 0 and om.held_count == 1
    om.apply(Stubs.accepted(b))
    assert b.filled == SH and om.held_count == 0


def test_held_updates_nobody_can_claim_become_unknown() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.filled("0xforeign", size=SH))
    om.apply(Stubs.accepted(o))
    assert om.held_count == 0 and om.stats.unknown == 1
    # with nothing awaiting an ack, an unmapped venue id is unknown straight away
    assert om.apply(Stubs.cancelled("0xother")) is ApplyResult.UNKNOWN
    assert om.stats.unknown == 2


def test_held_overfill_is_recorded_not_raised_by_the_ack() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, size=5 * SH)
    om.apply(Stubs.filled(o, trade_id="a", size=4 * SH))
    om.apply(Stubs.filled(o, trade_id="b", size=4 * SH))
    assert om.apply(Stubs.accepted(o)) is ApplyResult.APPLIED
    assert o.filled == 4 * SH and o.needs_reconcile
    assert [type(e) for e in om.errors] == [Overfill] and om.stats.overfills == 1


# ---------------------------------------------------------------- rule: provisional vs final


def test_failed_voids_a_provisional_fill_exactly() -> None:
    om = Stubs.manager(cash=100 * USD)
    o = Stubs.submit(om, price=Stubs.px("0.33"), size=10 * SH, fees=Stubs.fees())
    om.apply(Stubs.accepted(o))
    cash0, reserved0 = om.inventory.cash, om.inventory.reserved_cash
    om.apply(Stubs.filled(o, trade_id="a", size=3 * SH, fee=12_345))
    om.apply(Stubs.filled(o, trade_id="b", size=7 * SH, price=Stubs.px("0.30")))
    assert o.state is OrderState.FILLED and om.inventory.reserved_cash == 0

    assert om.apply(Stubs.filled(o, trade_id="a", size=3 * SH, status=FAILED)) is ApplyResult.VOIDED

    # as if only "b" had ever happened: 7 * 0.30 = 2.1 paid, 3 shares back on the book
    pos = om.inventory.position(YES)
    assert (pos.shares, pos.cost, pos.fees) == (7 * SH, 2_100_000, 0)
    assert om.inventory.cash == cash0 - 2_100_000
    assert o.state is OrderState.PARTIALLY_FILLED and o.filled == 7 * SH and o.needs_reconcile
    assert o.transitions[-1].fill_qty == -3 * SH and o.transitions[-1].cause == "fill_failed"
    assert om.inventory.reserved_cash < reserved0  # the 3 remaining shares reserve again
    assert om.stats.voided == 1
    assert_reservations(om)
    assert_audit_replays(om)


def test_failed_before_any_sighting_leaves_a_tombstone() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    assert om.apply(Stubs.filled(o, size=2 * SH, status=FAILED)) is ApplyResult.TOMBSTONED
    assert om.apply(Stubs.filled(o, size=2 * SH, status=MATCHED)) is ApplyResult.DUPLICATE
    assert o.filled == 0 and o.state is OrderState.OPEN and om.inventory.position(YES).shares == 0


def test_failed_after_confirmed_is_a_conflict_not_a_void() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, size=2 * SH, status=CONFIRMED))
    assert om.apply(Stubs.filled(o, size=2 * SH, status=FAILED)) is ApplyResult.DUPLICATE
    assert o.filled == 2 * SH and o.needs_reconcile and om.stats.conflicts == 1


def test_repeat_with_different_terms_is_flagged() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, size=2 * SH))
    assert om.apply(Stubs.filled(o, size=3 * SH, status=MINED)) is ApplyResult.DUPLICATE
    assert o.filled == 2 * SH and o.needs_reconcile and om.stats.conflicts == 1


# ---------------------------------------------------------------- cancel racing fills


def test_partial_fill_while_cancel_in_flight_keeps_pending_cancel() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, size=10 * SH)
    om.apply(Stubs.accepted(o))
    assert om.request_cancel(o.client_order_id)
    om.apply(Stubs.filled(o, size=4 * SH))
    assert o.state is OrderState.PENDING_CANCEL and o.filled == 4 * SH
    assert_reservations(om)
    om.apply(Stubs.cancelled(o))
    assert o.state is OrderState.CANCELLED and om.inventory.reserved_cash == 0


def test_fills_after_cancel_ack_are_booked() -> None:
    om = Stubs.manager(cash=100 * USD)
    o = Stubs.submit(om, price=Stubs.px("0.25"), size=10 * SH)
    om.apply(Stubs.accepted(o))
    om.request_cancel(o.client_order_id)
    om.apply(Stubs.cancelled(o))
    om.apply(Stubs.filled(o, trade_id="late1", size=4 * SH))
    assert o.state is OrderState.CANCELLED and o.filled == 4 * SH and om.inventory.reserved_cash == 0
    om.apply(Stubs.filled(o, trade_id="late2", size=6 * SH))
    assert o.state is OrderState.FILLED and om.inventory.position(YES).shares == 10 * SH
    assert om.inventory.cash == 100 * USD - 2_500_000
    assert om.open_orders() == []


def test_cancel_rejected_after_the_order_filled_is_stale() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, size=10 * SH)
    om.apply(Stubs.accepted(o))
    om.request_cancel(o.client_order_id)
    om.apply(Stubs.filled(o, size=10 * SH))
    assert om.apply(Stubs.cancel_rejected(o)) is ApplyResult.STALE
    assert o.state is OrderState.FILLED


def test_cancel_before_ack_then_ack_keeps_pending_cancel() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.request_cancel(o.client_order_id)
    om.apply(Stubs.accepted(o))
    assert o.state is OrderState.PENDING_CANCEL and o.venue_order_id == Stubs.venue_id(o.client_order_id)
    assert om.apply(Stubs.accepted(o)) is ApplyResult.STALE  # a repeated ack records nothing
    assert len(o.transitions) == 2


def test_request_cancel_on_terminal_or_pending_is_a_no_op() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    assert om.request_cancel(o.client_order_id) is True
    assert om.request_cancel(o.client_order_id) is False
    om.apply(Stubs.cancelled(o))
    assert om.request_cancel(o.client_order_id) is False
    with pytest.raises(UnknownOrder):
        om.request_cancel("nope-1")


# ---------------------------------------------------------------- overfill, price, side, unknown


def test_overfill_is_refused_and_changes_nothing() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om, size=10 * SH)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, trade_id="a", size=7 * SH))
    inv = om.inventory
    before = (
        o.state,
        o.filled,
        len(om.audit),
        dict(o.fills),
        inv.cash,
        inv.reserved_cash,
        inv.position(YES).shares,
    )
    with pytest.raises(Overfill) as info:
        om.apply(Stubs.filled(o, trade_id="b", size=3 * SH + 1))
    assert (info.value.size, info.value.filled, info.value.qty) == (10 * SH, 7 * SH, 3 * SH + 1)
    after = (
        o.state,
        o.filled,
        len(om.audit),
        dict(o.fills),
        inv.cash,
        inv.reserved_cash,
        inv.position(YES).shares,
    )
    assert after == before and om.stats.overfills == 1


@pytest.mark.parametrize(
    ("size", "price"), [pytest.param(0, 5_000, id="zero_size"), pytest.param(SH, 0, id="zero_price")]
)
def test_nonsense_fill_is_refused(size: int, price: int) -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    with pytest.raises(InvalidFill):
        om.apply(Stubs.filled(o, size=size, price=price))
    assert o.filled == 0 and o.fills == {}


@pytest.mark.parametrize(
    ("side", "limit", "fill", "worse"),
    [
        pytest.param(Side.BUY, 4_000, 4_100, True, id="buy_above_limit"),
        pytest.param(Side.BUY, 4_000, 3_900, False, id="buy_below_limit"),
        pytest.param(Side.SELL, 4_000, 3_900, True, id="sell_below_limit"),
        pytest.param(Side.SELL, 4_000, 4_000, False, id="sell_at_limit"),
    ],
)
def test_fill_worse_than_limit_is_booked_and_flagged(side: Side, limit: int, fill: int, worse: bool) -> None:
    om = Stubs.manager()
    om.inventory.split(Stubs.market(), 10 * SH)
    o = Stubs.submit(om, side=side, price=limit, size=5 * SH)
    om.apply(Stubs.accepted(o))
    assert om.apply(Stubs.filled(o, price=fill, size=SH)) is ApplyResult.APPLIED
    assert o.fills["trade-1"].worse_price is worse and om.stats.worse_price == int(worse)
    assert o.filled == SH


def test_side_and_token_come_from_our_order() -> None:
    """A cross-asset match reports the taker's (complementary) asset; we booked our own token."""
    om = Stubs.manager()
    o = Stubs.submit(om, asset_id=NO, side=Side.BUY, price=Stubs.px("0.45"), size=5 * SH)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, asset_id=YES, price=Stubs.px("0.45"), size=5 * SH, liquidity=Liquidity.MAKER))
    assert om.inventory.position(NO).shares == 5 * SH
    assert om.inventory.position(YES).shares == 0


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(Stubs.accepted("zz-9"), id="ack"),
        pytest.param(Stubs.rejected("zz-9"), id="reject"),
        pytest.param(Stubs.filled("0xdead"), id="fill"),
        pytest.param(Stubs.cancelled("0xdead"), id="cancel"),
        pytest.param(Stubs.expired("0xdead"), id="expiry"),
        pytest.param(Stubs.cancel_rejected("0xdead"), id="cancel_reject"),
    ],
)
def test_event_for_unknown_order_is_counted(event: object) -> None:
    om = Stubs.manager()
    assert om.apply(event) is ApplyResult.UNKNOWN  # type: ignore[arg-type]
    assert om.stats.unknown == 1


def test_non_order_event_is_a_type_error() -> None:
    om = Stubs.manager()
    with pytest.raises(TypeError):
        om.apply(BookDeltas(YES, Stubs.CONDITION_ID, (), 0, 0))  # type: ignore[arg-type]


def test_ack_with_a_taken_venue_id_is_refused() -> None:
    om = Stubs.manager()
    a, b = Stubs.submit(om), Stubs.submit(om)
    om.apply(Stubs.accepted(a, venue_order_id="0xsame"))
    with pytest.raises(VenueIdConflict):
        om.apply(Stubs.accepted(b, venue_order_id="0xsame"))
    assert b.state is OrderState.PENDING_SUBMIT and om.by_venue_id("0xsame") is a


def test_illegal_event_is_counted_and_flagged() -> None:
    om = Stubs.manager()
    o = Stubs.submit(om)
    om.apply(Stubs.accepted(o))
    om.apply(Stubs.filled(o, size=o.size))
    with pytest.raises(IllegalTransition):
        om.apply(Stubs.expired(o))
    assert om.stats.illegal == 1 and o.needs_reconcile and o.state is OrderState.FILLED


# ---------------------------------------------------------------- queries


def test_queries() -> None:
    om = Stubs.manager()
    a = Stubs.submit(om, asset_id=YES)
    b = Stubs.submit(om, asset_id=NO)
    c = Stubs.submit(om, asset_id=YES)
    om.apply(Stubs.accepted(b))
    om.apply(Stubs.rejected(c))
    assert om.get(a.client_order_id) is a
    assert om.by_venue_id(b.venue_order_id or "") is b and om.by_venue_id("0xnope") is None
    assert om.open_orders() == [a, b]
    assert om.open_orders(YES) == [a]
    with pytest.raises(UnknownOrder):
        om.get("pt-99")
    assert om.stats.as_dict()["applied"] == 2
