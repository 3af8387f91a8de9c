"""Accounts: marks and equity. ``equity()`` is computed on its own fast path (the engine asks at
every flush with a market pending); it must equal ``cash + position_value()[0]`` in every marking
situation the module docstring names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.book import BookStore
from predtrade.engine.accounts import Accounts
from predtrade.engine.state import MarketState, TokenBucket
from predtrade.model import BestBidAsk, BookSnapshot, Side
from predtrade.model.units import ONE
from predtrade.oms import Inventory

from ._fakes import NO_TOKEN, YES_TOKEN, px, sz, updown_market


def _accounts() -> tuple[Accounts, Inventory, BookStore]:
    inv = Inventory(1_000_000_000)
    books = BookStore()
    ms = MarketState(updown_market(), TokenBucket(10.0, 10))
    return Accounts(inv, books, {YES_TOKEN: ms, NO_TOKEN: ms}), inv, books


def _book(books: BookStore, token: str, bid: str | None, ask: str | None) -> None:
    bids = ((px(bid), sz("10")),) if bid else ()
    asks = ((px(ask), sz("10")),) if ask else ()
    books.apply(BookSnapshot(token, "m", bids, asks, 1, 1))


def _hold(acc: Accounts, inv: Inventory, token: str, side: Side, price: str, size: str, key: str) -> None:
    inv.book_fill(key, token, side, px(price), sz(size))
    acc.touch(token)


@pytest.mark.parametrize(
    ("yes_book", "no_book", "bbo", "want"),
    [
        pytest.param(("0.40", "0.45"), None, None, 4_250, id="both-sides-mid"),
        pytest.param(("0.41", "0.44"), None, None, 4_250, id="half-tick-mid-rounds-down"),
        pytest.param(("0.40", None), None, None, 4_000, id="bids-only"),
        pytest.param((None, "0.45"), None, None, 4_500, id="asks-only"),
        pytest.param(None, ("0.50", "0.56"), None, ONE - 5_300, id="twin-book"),
        pytest.param(None, None, ("0.30", "0.34"), 3_200, id="top-of-book-record"),
        pytest.param(None, None, None, None, id="nothing"),
    ],
)
def test_equity_is_cash_plus_value_at_the_marks(yes_book, no_book, bbo, want) -> None:
    acc, inv, books = _accounts()
    _hold(acc, inv, YES_TOKEN, Side.BUY, "0.42", "10", "o1")
    if yes_book:
        _book(books, YES_TOKEN, *yes_book)
    if no_book:
        _book(books, NO_TOKEN, *no_book)
    if bbo:
        books.apply(BestBidAsk(YES_TOKEN, "m", px(bbo[0]), px(bbo[1]), 1, 1))
    assert acc.mark(YES_TOKEN) == want
    value = inv.positions[YES_TOKEN].cost if want is None else inv.positions[YES_TOKEN].value(want)
    assert acc.equity() == inv.cash + value == inv.cash + acc.position_value()[0]


def test_equity_falls_back_to_the_last_mark_once_the_book_is_gone() -> None:
    acc, inv, books = _accounts()
    _hold(acc, inv, YES_TOKEN, Side.BUY, "0.42", "10", "o1")
    _book(books, YES_TOKEN, "0.60", "0.62")
    first = acc.equity()
    books.remove(YES_TOKEN)
    assert acc.mark(YES_TOKEN) == 6_100
    assert acc.equity() == first == inv.cash + acc.position_value()[0]


@settings(max_examples=200, deadline=None)
@given(
    fills=st.lists(
        st.tuples(
            st.sampled_from([YES_TOKEN, NO_TOKEN]),
            st.sampled_from([Side.BUY, Side.SELL]),
            st.integers(1, 99),
            st.integers(1, 50),
        ),
        max_size=8,
    ),
    tops=st.lists(
        st.tuples(
            st.sampled_from([YES_TOKEN, NO_TOKEN]),
            st.one_of(st.none(), st.integers(1, 99)),
            st.one_of(st.none(), st.integers(1, 99)),
        ),
        max_size=6,
    ),
    drop=st.lists(st.sampled_from([YES_TOKEN, NO_TOKEN]), max_size=2),
)
def test_equity_matches_position_value_everywhere(fills, tops, drop) -> None:
    acc, inv, books = _accounts()
    for i, (token, side, cents, n) in enumerate(fills):
        _hold(acc, inv, token, side, f"0.{cents:02d}", str(n), f"o{i}")
    for token, bid, ask in tops:
        _book(books, token, f"0.{bid:02d}" if bid else None, f"0.{ask:02d}" if ask else None)
        assert acc.equity() == inv.cash + acc.position_value()[0]
    for token in drop:
        books.remove(token)
        assert acc.equity() == inv.cash + acc.position_value()[0]
