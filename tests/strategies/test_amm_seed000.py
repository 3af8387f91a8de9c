"""Seed 000's failure as a test.

The seed's AMM skewed for inventory only while the price was between 0.4 and 0.6. When BTC
rallied and YES went above 0.6 it kept bidding for NO with no inventory consideration: 842 NO
buys against 106 NO sells, a pile of the losing side into resolution. Here, holding a large NO
position while YES trades at 0.62-0.80, the AMM must work the NO off (competitive SELL NO
orders) and must not add to it (no BUY NO, which is how a YES ask would otherwise be expressed).
The mirror case (large YES while YES falls) must behave symmetrically.
"""

import pytest

from predtrade.model.enums import Side
from predtrade.model.units import ONE
from predtrade.pricing.fair_value import prob_up
from predtrade.strategies.amm import AmmStrategy
from predtrade.testkit.snapshots import NO, YES, book, make_snapshot, position, ref

from ._helpers import orders_of

AMM = AmmStrategy()


def ref_for(fv: float, seconds_left: float = 150.0, sigma: float = 8e-5) -> str:
    """A reference price (as text) at which the model's P(up) is about ``fv``."""
    lo, hi = 90_000.0, 110_000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if prob_up(mid, 100_000.0, sigma, seconds_left) < fv:
            lo = mid
        else:
            hi = mid
    return f"{hi:.2f}"


def book_around(yes_bid: str, yes_ask: str):
    bp, ap = float(yes_bid), float(yes_ask)
    return book(
        bids=[(yes_bid, "200"), (f"{bp - 0.01:.2f}", "300")],
        asks=[(yes_ask, "200"), (f"{ap + 0.01:.2f}", "300")],
    )


RALLY = [
    pytest.param(0.62, "0.61", "0.63", id="yes-0.62"),
    pytest.param(0.67, "0.66", "0.68", id="yes-0.67"),
    pytest.param(0.70, "0.68", "0.71", id="yes-0.70"),
    pytest.param(0.80, "0.79", "0.81", id="yes-0.80"),
]


@pytest.mark.parametrize("no_shares", ["100", "300", "842"])
@pytest.mark.parametrize(("fv", "bid", "ask"), RALLY)
def test_yes_rally_with_large_no_inventory_sheds_no_and_never_buys_it(fv, bid, ask, no_shares):
    s = make_snapshot(
        ref_price=ref(ref_for(fv)),
        yes_book=book_around(bid, ask),
        no_position=position(NO, no_shares, "0.45"),
    )
    d = AMM.evaluate(s)
    assert d.fair_value == pytest.approx(fv, abs=0.005)

    assert orders_of(s, d, NO, Side.BUY) == [], d.reason  # never adds to the heavy side
    sells = orders_of(s, d, NO, Side.SELL)
    assert sells, d.reason
    no_book = s.net_books[NO]
    best_sell = min(o.price for o in sells)
    # competitive: at or inside the NO touch (a seller there is first in line) but post-only
    assert best_sell <= no_book.best_ask
    assert best_sell > no_book.best_bid
    assert sum(o.size for o in sells) <= s.positions[NO].shares
    # and no YES ask expressed any other way either: nothing sells YES we do not hold
    assert orders_of(s, d, YES, Side.SELL) == []


@pytest.mark.parametrize("yes_shares", ["100", "300", "842"])
@pytest.mark.parametrize(
    ("fv", "bid", "ask"),
    [
        pytest.param(0.38, "0.37", "0.39", id="yes-0.38"),
        pytest.param(0.33, "0.32", "0.34", id="yes-0.33"),
        pytest.param(0.20, "0.19", "0.21", id="yes-0.20"),
    ],
)
def test_mirror_yes_selloff_with_large_yes_inventory(fv, bid, ask, yes_shares):
    s = make_snapshot(
        ref_price=ref(ref_for(fv)),
        yes_book=book_around(bid, ask),
        yes_position=position(YES, yes_shares, "0.55"),
    )
    d = AMM.evaluate(s)
    assert orders_of(s, d, YES, Side.BUY) == [], d.reason
    sells = orders_of(s, d, YES, Side.SELL)
    assert sells, d.reason
    yes_book = s.net_books[YES]
    best_sell = min(o.price for o in sells)
    assert yes_book.best_bid < best_sell <= yes_book.best_ask
    assert orders_of(s, d, NO, Side.SELL) == []


def test_skew_makes_the_no_offer_more_aggressive_than_when_flat():
    """Same market, with and without the NO pile: with it, our YES-space bid (= the NO offer) is
    higher, i.e. the NO is offered cheaper -- the inventory, not the price range, drives it."""
    kw = {"ref_price": ref(ref_for(0.67)), "yes_book": book_around("0.60", "0.74")}
    flat = make_snapshot(**kw)
    heavy = make_snapshot(**kw, no_position=position(NO, "300", "0.45"))
    flat_bid = max(o.price for o in orders_of(flat, AMM.evaluate(flat), YES, Side.BUY))
    sell_no = min(o.price for o in orders_of(heavy, AMM.evaluate(heavy), NO, Side.SELL))
    assert ONE - sell_no > flat_bid


def test_a_whole_rally_never_buys_no_while_heavy():
    """Walk YES from 0.50 to 0.85 holding 300 NO: no snapshot on the way emits a NO buy."""
    for cents in range(50, 86, 3):
        fv = cents / 100
        s = make_snapshot(
            ref_price=ref(ref_for(fv)),
            yes_book=book_around(f"{fv - 0.01:.2f}", f"{fv + 0.01:.2f}"),
            no_position=position(NO, "300", "0.45"),
        )
        d = AMM.evaluate(s)
        assert orders_of(s, d, NO, Side.BUY) == [], (fv, d.reason)
        assert orders_of(s, d, NO, Side.SELL), (fv, d.reason)
