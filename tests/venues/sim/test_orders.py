"""Arrival of an order at the simulated matching engine: validation with the venue's reject
reasons, taker walks with exact fees, FOK / FAK / GTC handling, post-only."""

from __future__ import annotations

import pytest

from predtrade.model import Liquidity, OrderAccepted, OrderCancelled, OrderFilled, TimeInForce
from predtrade.testkit import Stubs
from predtrade.venues.sim import (
    CANCELLED_FAK_REMAINDER,
    REJECT_FAK,
    REJECT_FOK,
    REJECT_INVALID_TOKEN,
    REJECT_MARKET_NOT_FOUND,
    REJECT_POST_ONLY_CROSSES,
    REJECT_POST_ONLY_TIF,
)

from ._harness import BUY, SELL, Harness, px, sz

FOK = TimeInForce.FOK
FAK = TimeInForce.FAK
GTC = TimeInForce.GTC
INVALID = "order sim-order-1 is invalid."


def _book(h: Harness) -> None:
    h.snapshot([("0.48", "20"), ("0.47", "30")], [("0.52", "10"), ("0.54", "10"), ("0.60", "100")], 0)


# ---- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "size", "reason_start"),
    [
        pytest.param("0.505", "9", f"{INVALID} Price (0.505) breaks minimum tick size rule: 0.01", id="grid"),
        pytest.param("0.995", "10", "invalid price (0.995), min: 0.01 - max: 0.99", id="above_range"),
        pytest.param("0.001", "10", "invalid price (0.001), min: 0.01 - max: 0.99", id="below_range"),
        pytest.param("0.40", "4.99", f"{INVALID} Size (4.99) lower than the minimum: 5", id="min_size"),
        pytest.param("0.40", "0", f"{INVALID} Size (0) lower than the minimum: 5", id="zero"),
    ],
)
def test_invalid_orders_rejected_after_a_round_trip(price: str, size: str, reason_start: str) -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, price, size, 100)
    h.run(1000)
    rej = h.rejected(cid)
    assert rej.reason.startswith(reason_start)
    assert (rej.ts_venue, rej.ts_local) == (Stubs.T0 + 110_000_000, Stubs.T0 + 120_000_000)
    assert h.venue.resting_orders() == []


@pytest.mark.parametrize("price", ["0.40", "0.01", "0.99"])
def test_valid_prices_on_the_grid_rest(price: str) -> None:
    h = Harness()
    cid = h.submit(BUY, price, "5", 100)
    h.run(1000)
    assert isinstance(h.of(cid)[0], OrderAccepted)
    assert [o.price for o in h.venue.resting_orders()] == [px(price)]


def test_tick_size_change_moves_the_grid() -> None:
    h = Harness()
    _book(h)
    h.tick_change("0.01", "0.001", 50)
    cid = h.submit(BUY, "0.455", "10", 100)
    h.run(1000)
    assert isinstance(h.of(cid)[0], OrderAccepted)


def test_unknown_market_and_token_rejected() -> None:
    h = Harness()
    a = h.submit(BUY, "0.40", "10", 100, market="0xnot-a-market")
    b = h.submit(BUY, "0.40", "10", 100, asset="12345")
    h.run(1000)
    assert h.rejected(a).reason == REJECT_MARKET_NOT_FOUND
    assert h.rejected(b).reason == REJECT_INVALID_TOKEN


def test_duplicate_client_id_rejected_without_touching_the_original() -> None:
    h = Harness()
    h.submit(BUY, "0.40", "10", 100, cid="dup")
    h.submit(BUY, "0.41", "10", 200, cid="dup")
    h.run(1000)
    rejects = [e for e in h.events if not isinstance(e, OrderAccepted)]
    assert len(rejects) == 1 and rejects[0].reason.endswith("is invalid. Duplicated.")
    assert [o.price for o in h.venue.resting_orders()] == [px("0.40")]


def test_post_only_that_would_cross_is_rejected() -> None:
    h = Harness()
    _book(h)
    crossing = h.submit(BUY, "0.52", "10", 100, post_only=True)
    resting = h.submit(BUY, "0.51", "10", 100, post_only=True)
    h.run(1000)
    assert h.rejected(crossing).reason == REJECT_POST_ONLY_CROSSES
    assert isinstance(h.of(resting)[0], OrderAccepted)
    assert h.fills(resting) == []


def test_post_only_crossing_only_liquidity_we_already_took_is_accepted() -> None:
    h = Harness()
    _book(h)
    h.submit(BUY, "0.52", "10", 100)  # takes all 10 at 0.52
    po = h.submit(BUY, "0.52", "5", 200, post_only=True)  # the recorded 0.52 ask is ours already
    h.run(1000)
    assert isinstance(h.of(po)[0], OrderAccepted)


def test_post_only_must_be_gtc() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, "0.40", "10", 100, tif=FAK, post_only=True)
    h.run(1000)
    assert h.rejected(cid).reason == REJECT_POST_ONLY_TIF


# ---- takers -------------------------------------------------------------------------------------


def test_taker_walks_two_levels_with_exact_fees() -> None:
    # Arrange: 7% crypto taker fee; fee = shares * 0.07 * p * (1 - p)
    h = Harness(market=Stubs.market(fees=Stubs.fees()))
    _book(h)
    # Act
    cid = h.submit(BUY, "0.55", "15", 100)
    h.run(1000)
    # Assert: 10 @ 0.52 (fee 10*0.07*0.52*0.48 = 0.17472), 5 @ 0.54 (5*0.07*0.54*0.46 = 0.08694)
    fills = h.fills(cid)
    assert [(f.price, f.size, f.fee, f.liquidity) for f in fills] == [
        (px("0.52"), sz("10"), Stubs.usd("0.17472"), Liquidity.TAKER),
        (px("0.54"), sz("5"), Stubs.usd("0.08694"), Liquidity.TAKER),
    ]
    assert len({f.trade_id for f in fills}) == 2
    assert all(h.venue.fill_source(f.trade_id) == "taker" for f in fills)
    assert h.venue.resting_orders() == []  # fully filled


def test_sell_taker_walks_bids() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(SELL, "0.47", "25", 100)
    h.run(1000)
    assert [(f.price, f.size) for f in h.fills(cid)] == [(px("0.48"), sz("20")), (px("0.47"), sz("5"))]


def test_fee_rounds_up_to_the_micro_dollar() -> None:
    h = Harness(market=Stubs.market(fees=Stubs.fees()))
    h.snapshot([], [("0.53", "100")], 0)
    cid = h.submit(BUY, "0.53", "5.01", 100)
    h.run(1000)
    # 5.01 * 0.07 * 0.53 * 0.47 = 0.08735937 -> rounded up to 0.087360
    assert [f.fee for f in h.fills(cid)] == [Stubs.usd("0.08736")]


def test_fok_killed_when_the_book_is_too_thin() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, "0.54", "25", 100, tif=FOK)  # only 20 up to 0.54
    h.run(1000)
    assert h.rejected(cid).reason == REJECT_FOK
    assert h.fills(cid) == []
    again = h.submit(BUY, "0.54", "20", 1100, tif=FOK)  # nothing was consumed by the kill
    h.run(2000)
    assert h.filled(again) == sz("20")


def test_fok_filled_entirely() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, "0.60", "25", 100, tif=FOK)
    h.run(1000)
    kinds = [type(e) for e in h.of(cid)]
    assert kinds == [OrderAccepted, OrderFilled, OrderFilled, OrderFilled]
    assert h.filled(cid) == sz("25")


def test_fak_remainder_cancelled() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, "0.54", "25", 100, tif=FAK)
    h.run(1000)
    evs = h.of(cid)
    assert [type(e) for e in evs] == [OrderAccepted, OrderFilled, OrderFilled, OrderCancelled]
    assert h.filled(cid) == sz("20")
    assert evs[-1].reason == CANCELLED_FAK_REMAINDER
    assert h.venue.resting_orders() == []


def test_fak_with_nothing_to_match_rejected() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, "0.51", "10", 100, tif=FAK)
    h.run(1000)
    assert h.rejected(cid).reason == REJECT_FAK


def test_gtc_remainder_rests_at_its_limit() -> None:
    h = Harness()
    _book(h)
    cid = h.submit(BUY, "0.53", "25", 100)
    h.run(1000)
    assert h.filled(cid) == sz("10")
    [rest] = h.venue.resting_orders()
    assert (rest.client_order_id, rest.price, rest.remaining, rest.ahead) == (cid, px("0.53"), sz("15"), 0)
    # the 0.52 ask we took is still in the recording; it must not fill our resting bid again
    h.delta([(BUY, "0.47", "31")], 1100)
    h.run(2000)
    assert h.filled(cid) == sz("10")


def test_second_taker_sees_what_the_first_took() -> None:
    h = Harness()
    _book(h)
    a = h.submit(BUY, "0.52", "6", 100)
    b = h.submit(BUY, "0.54", "6", 200)
    h.run(1000)
    assert [(f.price, f.size) for f in h.fills(a)] == [(px("0.52"), sz("6"))]
    assert [(f.price, f.size) for f in h.fills(b)] == [(px("0.52"), sz("4")), (px("0.54"), sz("2"))]


def test_arrival_sees_the_book_at_arrival_not_at_send() -> None:
    h = Harness()  # 10 ms to reach the engine
    _book(h)
    cid = h.submit(BUY, "0.55", "5", 100)
    h.delta([(SELL, "0.52", "0")], 105)  # the 0.52 ask goes before our order lands
    h.run(1000)
    assert [f.price for f in h.fills(cid)] == [px("0.54")]


def test_maker_fill_earns_the_rebate_as_a_negative_fee() -> None:
    # 7% fee, 20% of it rebated to the maker: 10 @ 0.50 -> fee 0.175, rebate 0.035
    h = Harness(market=Stubs.market(fees=Stubs.fees(rebate_rate_ppm=200_000)))
    h.snapshot([("0.48", "100")], [("0.52", "50")], 0)
    cid = h.submit(BUY, "0.50", "10", 100)
    h.trade("0.50", "10", SELL, 200)
    h.run(1000)
    assert [(f.fee, f.liquidity) for f in h.fills(cid)] == [(-Stubs.usd("0.035"), Liquidity.MAKER)]


def test_taker_walks_a_deep_book() -> None:
    h = Harness()
    h.snapshot([], [(f"0.{p}", "1") for p in range(51, 71)], 0)  # 20 levels of 1 share
    cid = h.submit(BUY, "0.65", "18", 100)
    h.run(1000)
    fills = h.fills(cid)
    assert [f.price for f in fills] == [px(f"0.{p}") for p in range(51, 66)]  # 15 levels up to 0.65
    assert h.filled(cid) == sz("15")
    [rest] = h.venue.resting_orders()
    assert rest.remaining == sz("3")
