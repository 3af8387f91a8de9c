"""A real Polymarket ``book`` message (captured by NautilusTrader's test suite) through the book.

The file lists bids ascending and asks descending (best level last). The snapshot is fed in that
raw order on purpose: the array book must not depend on level order. Expectations are sorted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from predtrade.book import OrderBook
from predtrade.model import BookSnapshot, Side, parse_price, parse_size

FIXTURE = Path("/work/shared/data/nautilus_trader/py_resources/ws_messages/book.json")

pytestmark = pytest.mark.skipif(not FIXTURE.exists(), reason="shared fixture data not present")


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(FIXTURE.read_text())


def _levels(entries: list[dict[str, str]], best_first_desc: bool) -> tuple[tuple[int, int], ...]:
    levels = [(parse_price(e["price"]), parse_size(e["size"])) for e in entries]
    return tuple(sorted(levels, reverse=best_first_desc))


@pytest.fixture(scope="module")
def book(raw: dict) -> OrderBook:
    ev = BookSnapshot(
        asset_id=raw["asset_id"],
        market=raw["market"],
        bids=tuple((parse_price(e["price"]), parse_size(e["size"])) for e in raw["bids"]),
        asks=tuple((parse_price(e["price"]), parse_size(e["size"])) for e in raw["asks"]),
        ts_venue=int(raw["timestamp"]) * 1_000_000,
        ts_local=0,
        hash=raw["hash"],
    )
    b = OrderBook(raw["asset_id"])  # tick unknown: the prices reveal the grid
    b.apply_snapshot(ev)
    return b


def test_best_prices(book: OrderBook) -> None:
    assert book.best_bid == parse_price("0.511")
    assert book.best_ask == parse_price("0.514")
    assert book.best_bid_size == parse_size("1304.72")
    assert book.best_ask_size == parse_size("20230.87")
    assert not book.needs_resync and not book.is_crossed


def test_level_counts_and_depth(book: OrderBook, raw: dict) -> None:
    assert book.n_levels(Side.BUY) == len(raw["bids"]) == 76
    assert book.n_levels(Side.SELL) == len(raw["asks"]) == 86
    assert book.depth(Side.BUY) == sum(parse_size(e["size"]) for e in raw["bids"])
    assert book.depth(Side.SELL) == sum(parse_size(e["size"]) for e in raw["asks"])


def test_levels_match_the_message(book: OrderBook, raw: dict) -> None:
    bids = book.levels(Side.BUY)
    asks = book.levels(Side.SELL)
    assert bids == list(_levels(raw["bids"], best_first_desc=True))
    assert asks == list(_levels(raw["asks"], best_first_desc=False))
    assert bids[-1][0] == parse_price("0.001") and asks[-1][0] == parse_price("0.999")


def test_complement_of_real_book(book: OrderBook) -> None:
    no = book.complement()
    assert no.best_bid == parse_price("0.486") and no.best_ask == parse_price("0.489")
    assert no.n_levels(Side.BUY) == 86 and no.n_levels(Side.SELL) == 76
