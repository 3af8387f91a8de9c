"""The order state machine: every legal edge reached through the manager, a sample of illegal
ones refused without side effects, and the table's shape checked against the spec."""

from __future__ import annotations

import itertools

import pytest

from predtrade.model import OrderState, Side, TradeStatus
from predtrade.oms import TRANSITIONS, IllegalTransition, Order, OrderManager, fsm
from predtrade.oms.order import Cause, Transition
from predtrade.testkit import Stubs

from .helpers import assert_audit_replays, assert_reservations

PS = OrderState.PENDING_SUBMIT
OPEN = OrderState.OPEN
PF = OrderState.PARTIALLY_FILLED
FILLED = OrderState.FILLED
PC = OrderState.PENDING_CANCEL
CANCELLED = OrderState.CANCELLED
REJECTED = OrderState.REJECTED
EXPIRED = OrderState.EXPIRED

SH = Stubs.shares(1)


def run(steps: list[str], *, known_id: bool = False) -> tuple[OrderManager, Order]:
    """Drive one BUY of 10 shares through ``steps``: ``ack``, ``rejected``, ``cancel`` (our
    request), ``cancelled``, ``cancel_rejected``, ``expired``, ``fill:<shares>`` (trade ids t1,
    t2, ... in order) and ``fail:<trade id>`` (that trade FAILED)."""
    om = Stubs.manager()
    order = Stubs.submit(
        om, size=10 * SH, venue_order_id=Stubs.venue_id("pt-1") if known_id else None, fees=Stubs.fees()
    )
    n = 0
    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "ack":
            om.apply(Stubs.accepted(order))
        elif kind == "rejected":
            om.apply(Stubs.rejected(order))
        elif kind == "cancel":
            om.request_cancel(order.client_order_id)
        elif kind == "cancelled":
            om.apply(Stubs.cancelled(order))
        elif kind == "cancel_rejected":
            om.apply(Stubs.cancel_rejected(order))
        elif kind == "expired":
            om.apply(Stubs.expired(order))
        elif kind == "fill":
            n += 1
            om.apply(Stubs.filled(order, trade_id=f"t{n}", size=int(arg) * SH))
        elif kind == "fail":
            f = order.fills[arg]
            om.apply(Stubs.filled(order, trade_id=arg, size=f.qty, price=f.price, status=TradeStatus.FAILED))
        else:  # pragma: no cover - a typo in the table
            raise ValueError(step)
    return om, order


LEGAL = [
    pytest.param(PS, OPEN, ["ack"], False, id="ack"),
    pytest.param(PS, REJECTED, ["rejected"], False, id="rejected"),
    pytest.param(PS, PC, ["cancel"], False, id="cancel_before_ack"),
    pytest.param(PS, PF, ["fill:4"], True, id="immediate_partial_match_before_ack"),
    pytest.param(PS, FILLED, ["fill:10"], True, id="immediate_full_match_before_ack"),
    pytest.param(PS, CANCELLED, ["cancelled"], True, id="fok_killed_before_ack"),
    pytest.param(PS, EXPIRED, ["expired"], True, id="expired_before_ack"),
    pytest.param(OPEN, PF, ["ack", "fill:4"], False, id="partial_fill"),
    pytest.param(OPEN, FILLED, ["ack", "fill:10"], False, id="full_fill"),
    pytest.param(OPEN, PC, ["ack", "cancel"], False, id="cancel_requested"),
    pytest.param(OPEN, CANCELLED, ["ack", "cancelled"], False, id="venue_initiated_cancel"),
    pytest.param(OPEN, EXPIRED, ["ack", "expired"], False, id="gtd_expiry"),
    pytest.param(PF, PF, ["ack", "fill:4", "fill:3"], False, id="second_partial_fill"),
    pytest.param(PF, PF, ["ack", "fill:4", "fill:3", "fail:t1"], False, id="void_one_of_two_partials"),
    pytest.param(PF, FILLED, ["ack", "fill:4", "fill:6"], False, id="final_fill"),
    pytest.param(PF, OPEN, ["ack", "fill:4", "fail:t1"], False, id="only_partial_voided"),
    pytest.param(PF, PC, ["ack", "fill:4", "cancel"], False, id="cancel_after_partial"),
    pytest.param(PF, CANCELLED, ["ack", "fill:4", "cancelled"], False, id="fak_remainder_killed"),
    pytest.param(PF, EXPIRED, ["ack", "fill:4", "expired"], False, id="partial_then_expired"),
    pytest.param(PC, PC, ["ack", "cancel", "fill:4"], False, id="partial_fill_while_cancel_in_flight"),
    pytest.param(PC, PC, ["cancel", "ack"], False, id="ack_after_cancel_requested"),
    pytest.param(PC, PC, ["ack", "fill:4", "cancel", "fail:t1"], False, id="void_while_cancel_in_flight"),
    pytest.param(PC, FILLED, ["ack", "cancel", "fill:10"], False, id="fill_beats_cancel"),
    pytest.param(PC, CANCELLED, ["ack", "cancel", "cancelled"], False, id="cancel_acked"),
    pytest.param(PC, OPEN, ["ack", "cancel", "cancel_rejected"], False, id="cancel_rejected"),
    pytest.param(
        PC, PF, ["ack", "fill:4", "cancel", "cancel_rejected"], False, id="cancel_rejected_after_partial"
    ),
    pytest.param(PC, EXPIRED, ["ack", "cancel", "expired"], False, id="expired_while_cancelling"),
    pytest.param(PC, REJECTED, ["cancel", "rejected"], False, id="cancel_before_ack_then_rejected"),
    pytest.param(
        CANCELLED, FILLED, ["ack", "cancel", "cancelled", "fill:10"], False, id="fill_after_cancel_ack"
    ),
    pytest.param(
        CANCELLED,
        CANCELLED,
        ["ack", "cancel", "cancelled", "fill:4"],
        False,
        id="late_partial_after_cancel_ack",
    ),
    pytest.param(
        CANCELLED, CANCELLED, ["ack", "fill:4", "cancelled", "fail:t1"], False, id="void_after_cancel_ack"
    ),
    pytest.param(EXPIRED, FILLED, ["ack", "expired", "fill:10"], False, id="fill_after_expiry"),
    pytest.param(EXPIRED, EXPIRED, ["ack", "expired", "fill:4"], False, id="late_partial_after_expiry"),
    pytest.param(FILLED, PF, ["ack", "fill:4", "fill:6", "fail:t1"], False, id="failed_voids_one_fill"),
    pytest.param(FILLED, OPEN, ["ack", "fill:10", "fail:t1"], False, id="failed_voids_only_fill"),
]


@pytest.mark.parametrize(("frm", "to", "steps", "known_id"), LEGAL)
def test_legal_edge(frm: OrderState, to: OrderState, steps: list[str], known_id: bool) -> None:
    # Arrange / Act
    om, order = run(steps, known_id=known_id)

    # Assert: the last step took exactly this edge, with no error, and the books agree
    last = order.transitions[-1]
    assert (last.from_state, last.to_state) == (frm, to)
    assert order.state is to
    assert om.stats.illegal == 0 and not om.errors
    assert_audit_replays(om)
    assert_reservations(om)
    assert order.filled == sum(f.qty for f in order.fills.values() if not f.voided)


def test_every_table_edge_has_a_scenario() -> None:
    covered = {(p.values[0], p.values[1]) for p in LEGAL}
    assert covered == set(TRANSITIONS)


def test_every_edge_has_a_reason() -> None:
    assert all(isinstance(why, str) and len(why) > 10 for why in TRANSITIONS.values())


@pytest.mark.parametrize(
    ("steps", "known_id", "frm", "to"),
    [
        pytest.param(["rejected", "fill:4"], True, REJECTED, PF, id="fill_on_rejected"),
        pytest.param(["rejected", "cancelled"], True, REJECTED, CANCELLED, id="cancel_on_rejected"),
        pytest.param(["rejected", "ack"], False, REJECTED, OPEN, id="ack_after_reject"),
        pytest.param(["ack", "rejected"], False, OPEN, REJECTED, id="reject_after_ack"),
        pytest.param(["ack", "fill:4", "rejected"], False, PF, REJECTED, id="reject_after_partial"),
        pytest.param(["ack", "fill:10", "cancelled"], False, FILLED, CANCELLED, id="cancel_after_filled"),
        pytest.param(["ack", "fill:10", "expired"], False, FILLED, EXPIRED, id="expiry_after_filled"),
        pytest.param(["ack", "cancelled", "rejected"], False, CANCELLED, REJECTED, id="reject_after_cancel"),
        pytest.param(["ack", "expired", "rejected"], False, EXPIRED, REJECTED, id="reject_after_expiry"),
    ],
)
def test_illegal_edge_raises_and_changes_nothing(
    steps: list[str], known_id: bool, frm: OrderState, to: OrderState
) -> None:
    # Arrange
    om, order = run(steps[:-1], known_id=known_id)
    before = (order.state, order.filled, len(om.audit), om.inventory.cash, om.inventory.reserved_cash)

    # Act
    with pytest.raises(IllegalTransition) as info:
        run_step = steps[-1]
        _apply_step(om, order, run_step)

    # Assert
    assert (info.value.from_state, info.value.to_state) == (frm, to)
    assert info.value.order_id == order.client_order_id
    assert (order.state, order.filled, len(om.audit), om.inventory.cash, om.inventory.reserved_cash) == before
    assert om.stats.illegal == 1
    assert order.needs_reconcile


def _apply_step(om: OrderManager, order: Order, step: str) -> None:
    kind, _, arg = step.partition(":")
    event = {
        "ack": lambda: Stubs.accepted(order),
        "rejected": lambda: Stubs.rejected(order),
        "cancelled": lambda: Stubs.cancelled(order),
        "expired": lambda: Stubs.expired(order),
        "fill": lambda: Stubs.filled(order, trade_id="late", size=int(arg or 1) * SH),
    }[kind]()
    om.apply(event)


def test_terminal_states_follow_the_spec() -> None:
    """Only the documented real-world edges leave a terminal state."""
    out = {frm: {to for (f, to) in TRANSITIONS if f is frm} for frm in OrderState}
    assert out[REJECTED] == set()
    assert out[CANCELLED] == {FILLED, CANCELLED}
    assert out[EXPIRED] == {FILLED, EXPIRED}
    assert out[FILLED] == {PF, OPEN}
    # nothing ever goes back to PENDING_SUBMIT, and only working orders can be cancelled
    assert all(to is not PS for (_, to) in TRANSITIONS)
    assert {f for (f, to) in TRANSITIONS if to is PC} == {PS, OPEN, PF, PC}


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(OrderState, OrderState)))
def test_check_matches_the_table(frm: OrderState, to: OrderState) -> None:
    if (frm, to) in TRANSITIONS:
        fsm.check("o", frm, to, Cause.FILL, fill_qty=1)
    else:
        with pytest.raises(IllegalTransition):
            fsm.check("o", frm, to, Cause.FILL, fill_qty=1)


@pytest.mark.parametrize("state", [PF, CANCELLED, EXPIRED, PC])
def test_self_loop_needs_a_fill(state: OrderState) -> None:
    with pytest.raises(IllegalTransition):
        fsm.check("o", state, state, Cause.CANCELLED)


def test_ack_self_loop_only_while_cancelling() -> None:
    fsm.check("o", PC, PC, Cause.ACCEPTED)
    with pytest.raises(IllegalTransition):
        fsm.check("o", PF, PF, Cause.ACCEPTED)


def test_transition_refused_before_mutation() -> None:
    order = Order(client_order_id="x", market="m", asset_id="a", side=Side.BUY, price=5_000, size=SH)
    audit: list[Transition] = []
    with pytest.raises(IllegalTransition):
        fsm.transition(order, PS, Cause.FILL, 1, 2, audit, fill_qty=SH)  # no edge back to PENDING_SUBMIT
    with pytest.raises(IllegalTransition):
        fsm.transition(order, EXPIRED, Cause.FILL, 1, 2, audit)
        fsm.transition(order, EXPIRED, Cause.EXPIRED, 1, 2, audit)  # a repeat expiry is no edge
    assert order.state is EXPIRED and order.filled == 0 and len(audit) == 1 and order.transitions == audit


@pytest.mark.parametrize("state", [CANCELLED, EXPIRED])
def test_late_reservation_self_loop_only_on_a_dead_order(state: OrderState) -> None:
    fsm.check("o", state, state, Cause.LATE)  # only the late-fill quantity changes
    for working in (OPEN, PF, PC):
        with pytest.raises(IllegalTransition):
            fsm.check("o", working, working, Cause.LATE)


def test_late_qty_is_kept_unless_given_and_only_on_a_dead_order() -> None:
    order = Order(client_order_id="x", market="m", asset_id="a", side=Side.BUY, price=5_000, size=10 * SH)
    fsm.transition(order, OPEN, Cause.ACCEPTED, 1, 1)
    with pytest.raises(ValueError):
        fsm.transition(order, PF, Cause.FILL, 1, 2, fill_qty=SH, late_qty=SH)  # a working order
    assert (order.state, order.filled, len(order.transitions)) == (OPEN, 0, 1)
    fsm.transition(order, CANCELLED, Cause.CANCELLED, 1, 3, late_qty=4 * SH)
    fsm.transition(order, CANCELLED, Cause.FILL, 1, 4, fill_qty=SH)  # not given: kept
    assert order.late_qty == 4 * SH
    assert [t.late_qty for t in order.transitions] == [0, 4 * SH, 4 * SH]
    with pytest.raises(ValueError):
        fsm.transition(order, CANCELLED, Cause.LATE, 1, 5, late_qty=-1)
