"""Inventory exactness: telescoping cash, average cost, realized PnL, voids, complete sets,
settlement. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import pytest

from predtrade.model import FeeSchedule, Side
from predtrade.oms import InsufficientFunds, Inventory, InventoryError, fee_bound
from predtrade.testkit import Stubs

SH = Stubs.shares(1)
USD = Stubs.usd(1)
YES, NO = Stubs.YES, Stubs.NO
BUY, SELL = Side.BUY, Side.SELL


def test_telescoping_makes_an_orders_total_exact() -> None:
    inv = Inventory(10 * USD)
    # three fills of 1 micro-share at 0.3333: each notional 3333e-10, total 9999e-10 -> 1 micro-dollar
    for _ in range(3):
        inv.book_fill("o", YES, BUY, 3_333, 1)
    assert inv.cash == 10 * USD - 1
    assert inv.position(YES).cost == 1
    # per-fill rounding would have charged 3
    inv.book_fill("s", YES, SELL, 3_333, 1)
    inv.book_fill("s", YES, SELL, 3_333, 1)
    inv.book_fill("s", YES, SELL, 3_334, 1)  # total notional 1e-6 exactly -> 1 received
    assert inv.cash == 10 * USD


def test_average_cost_and_realized_pnl() -> None:
    inv = Inventory(100 * USD)
    inv.book_fill("a", YES, BUY, 4_000, 10 * SH)  # 4.00
    inv.book_fill("b", YES, BUY, 6_000, 10 * SH)  # 6.00 -> 20 shares, basis 10.00
    inv.book_fill("c", YES, SELL, 7_000, 5 * SH)  # +3.50, basis out 2.50 -> realized +1.00
    pos = inv.position(YES)
    assert (pos.shares, pos.cost, pos.realized) == (15 * SH, 7_500_000, 1_000_000)
    inv.book_fill("d", YES, SELL, 3_000, 15 * SH)  # +4.50, the whole 7.50 basis goes -> -3.00
    assert (pos.shares, pos.cost, pos.realized) == (0, 0, -2_000_000)
    assert inv.cash == 100 * USD - 10 * USD + 3_500_000 + 4_500_000


def test_last_share_takes_the_remaining_basis() -> None:
    inv = Inventory(USD)
    inv.book_fill("a", YES, BUY, 1, 3)  # notional 3e-10 -> costs 1 micro-dollar for 3 micro-shares
    inv.book_fill("s", YES, SELL, 9_999, 1)  # removes floor(1 * 1 / 3) = 0 of the basis
    assert inv.position(YES).cost == 1
    inv.book_fill("s", YES, SELL, 9_999, 1)
    inv.book_fill("s", YES, SELL, 9_999, 1)  # last share: the whole basis
    pos = inv.position(YES)
    assert (pos.shares, pos.cost) == (0, 0)
    # proceeds: 3 * 0.9999e-6 = 2.9997e-6, telescoped floor -> 2; realized = 2 - 1
    assert pos.realized == 1 and inv.cash == USD - 1 + 2


def test_fees_are_cash_and_kept_apart_from_realized() -> None:
    inv = Inventory(10 * USD)
    inv.book_fill("a", YES, BUY, 5_000, 2 * SH, fee=17_500)
    inv.book_fill("b", YES, SELL, 5_000, 2 * SH, fee=-1_000)  # a rebate
    pos = inv.position(YES)
    assert (pos.realized, pos.fees, pos.net_realized) == (0, 16_500, -16_500)
    assert inv.cash == 10 * USD - 16_500


def test_void_rebuilds_as_if_the_fill_never_happened() -> None:
    # Arrange: two buys, a sell in between, then the first buy FAILS
    live = Inventory(100 * USD)
    a = live.book_fill("a", YES, BUY, 4_000, 10 * SH, fee=100)
    live.book_fill("b", YES, BUY, 6_000, 10 * SH)
    live.book_fill("s", YES, SELL, 5_000, 8 * SH)

    # Act
    live.void(a)

    # Assert: identical to an inventory that never saw "a"
    clean = Inventory(100 * USD)
    clean.book_fill("b", YES, BUY, 6_000, 10 * SH)
    clean.book_fill("s", YES, SELL, 5_000, 8 * SH)
    p, q = live.position(YES), clean.position(YES)
    assert (p.shares, p.cost, p.realized, p.fees) == (q.shares, q.cost, q.realized, q.fees)
    assert live.cash == clean.cash
    # 10 @ 0.60 = 6.00; sell 8 @ 0.50 = 4.00 removes 4.80 -> realized -0.80, basis 1.20 on 2 shares
    assert (q.shares, q.cost, q.realized) == (2 * SH, 1_200_000, -800_000)
    with pytest.raises(InventoryError):
        live.void(a)


def test_void_keeps_the_orders_telescoped_total() -> None:
    inv = Inventory(USD)
    f1 = inv.book_fill("o", YES, BUY, 3_333, 1)  # ceil(0.3333) = 1
    inv.book_fill("o", YES, BUY, 3_333, 1)  # ceil(0.6666) - 1 = 0
    inv.void(f1)  # order total now ceil(0.3333) = 1: nothing to refund
    assert inv.cash == USD - 1 and inv.position(YES).cost == 1


def test_reservation_replaces_and_releases() -> None:
    inv = Inventory(10 * USD)
    inv.reserve("o", YES, BUY, 5_000, 4 * SH)
    assert (inv.reserved_cash, inv.available_cash) == (2 * USD, 8 * USD)
    inv.reserve("o", YES, BUY, 5_000, SH)
    assert inv.reserved_cash == 500_000
    inv.reserve("o", YES, BUY, 5_000, 0)
    assert inv.reserved_cash == 0 and inv.reservation("o") == (0, 0)
    inv.split(Stubs.market(), 3 * SH)
    inv.reserve("s", YES, SELL, 5_000, 2 * SH)
    assert (inv.reserved_shares(YES), inv.available_shares(YES)) == (2 * SH, SH)
    inv.release("s")
    assert inv.reserved_shares(YES) == 0


@pytest.mark.parametrize(
    ("side", "limit", "worst"),
    [
        pytest.param(BUY, 8_000, 5_000, id="buy_above_half"),
        pytest.param(BUY, 2_000, 2_000, id="buy_below_half"),
        pytest.param(SELL, 2_000, 5_000, id="sell_below_half"),
        pytest.param(SELL, 8_000, 8_000, id="sell_above_half"),
    ],
)
def test_fee_bound_uses_the_worst_price_in_range(side: Side, limit: int, worst: int) -> None:
    fees = Stubs.fees()
    assert fee_bound(side, limit, 10 * SH, fees, False) == fees.taker_fee(worst, 10 * SH)
    assert fee_bound(side, limit, 10 * SH, fees, True) == 0  # post-only never takes
    assert fee_bound(side, limit, 10 * SH, FeeSchedule(rate_ppm=70_000, taker_only=False), True) > 0


# ---------------------------------------------------------------- complete sets and resolution


def test_split_merge_complete_sets_and_exposure() -> None:
    m = Stubs.market()
    inv = Inventory(20 * USD)
    inv.split(m, 5 * SH)  # 5 USD for 5 YES + 5 NO
    inv.book_fill("y", YES, BUY, 3_000, 4 * SH)  # 1.20
    assert inv.cash == 20 * USD - 5 * USD - 1_200_000
    assert inv.complete_sets(m) == 5 * SH
    assert inv.net_exposure(m) == 4 * SH
    assert inv.merge(m, 5 * SH) == 5 * USD
    assert inv.cash == 20 * USD - 1_200_000
    assert inv.complete_sets(m) == 0 and inv.net_exposure(m) == 4 * SH
    # YES basis 2.50 + 1.20 = 3.70 on 9 shares: 5 of them take floor(3.70 * 5 / 9) = 2.055555 out;
    # NO gives up its whole 2.50. The merge pays 5.00: realized +0.444445, YES keeps 1.644445
    yes, no = inv.position(YES), inv.position(NO)
    assert yes.realized + no.realized == 444_445
    assert (yes.shares, yes.cost) == (4 * SH, 1_644_445) and (no.shares, no.cost) == (0, 0)
    # the payout is split in proportion to the basis given up: both legs earn the same return
    assert abs(yes.realized * 2_500_000 - no.realized * 2_055_555) < 2_500_000 + 2_055_555
    with pytest.raises(InsufficientFunds):
        inv.merge(m, 1)


def test_merge_respects_reserved_shares() -> None:
    m = Stubs.market()
    inv = Inventory(10 * USD)
    inv.split(m, 2 * SH)
    inv.reserve("s", NO, SELL, 5_000, SH)
    with pytest.raises(InsufficientFunds):
        inv.merge(m, 2 * SH)
    inv.merge(m, SH)
    assert inv.complete_sets(m) == SH


@pytest.mark.parametrize(
    ("winner", "payout"), [pytest.param(YES, 6 * USD, id="yes"), pytest.param(NO, 0, id="no")]
)
def test_settlement_pays_winning_shares(winner: str, payout: int) -> None:
    m = Stubs.market()
    inv = Inventory(10 * USD)
    inv.book_fill("a", YES, BUY, 2_500, 6 * SH)  # 1.50
    cash = inv.cash
    assert inv.settle(m, winner) == payout
    pos = inv.position(YES)
    assert (pos.shares, pos.cost, pos.realized) == (0, 0, payout - 1_500_000)
    assert inv.cash == cash + payout
    with pytest.raises(InventoryError):
        inv.settle(m, winner)
    with pytest.raises(InventoryError):
        inv.merge(m, SH)


def test_complete_sets_settle_to_exactly_one_each() -> None:
    m = Stubs.market()
    inv = Inventory(10 * USD)
    inv.book_fill("y", YES, BUY, 6_100, 3 * SH)  # 1.83
    inv.book_fill("n", NO, BUY, 3_800, 3 * SH)  # 1.14 -> 3 sets for 2.97
    assert inv.complete_sets(m) == 3 * SH and inv.net_exposure(m) == 0
    inv.settle(m, NO)
    assert inv.cash == 10 * USD - 2_970_000 + 3 * USD
    assert inv.realized_pnl == 30_000


def test_settle_rejects_a_foreign_token() -> None:
    with pytest.raises(InventoryError):
        Inventory(0).settle(Stubs.market(), "123")


def test_unrealized_pnl_marks_to_market() -> None:
    inv = Inventory(10 * USD)
    inv.book_fill("a", YES, BUY, 4_000, 10 * SH)  # basis 4.00
    assert inv.position(YES).unrealized(5_500) == 1_500_000
    assert inv.unrealized_pnl({YES: 3_333, NO: 5_000}) == 3_333_000 - 4 * USD
    # 1 micro-share at 0.5 is worth 0.5e-6: rounded down against us
    inv.book_fill("b", NO, BUY, 5_000, 1)
    assert inv.position(NO).value(5_000) == 0


def test_negative_initial_cash_is_refused() -> None:
    with pytest.raises(InventoryError):
        Inventory(-1)
