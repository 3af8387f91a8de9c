"""BookStore: routing events to books, tick changes, top-of-book-only assets, counters."""

from __future__ import annotations

import pytest

from predtrade.book import NO_SNAPSHOT, Bbo, BookStore, OrderBook
from predtrade.model import ONE, BestBidAsk, Side, TickSizeChange, TradePrint

from ._builders import deltas, px, snap, sz

BUY, SELL = Side.BUY, Side.SELL


def bbo_event(asset: str, bid: str, ask: str, ts: int = 5, **sizes: int) -> BestBidAsk:
    return BestBidAsk(
        asset, "m", px(bid) if bid != "0" else 0, px(ask) if ask != "1" else ONE, ts, ts + 1, **sizes
    )


def tick_event(asset: str, old: int, new: int) -> TickSizeChange:
    return TickSizeChange(asset, "m", old, new, 3, 4)


@pytest.fixture
def store() -> BookStore:
    s = BookStore()
    s.apply(snap([("0.50", "10")], [("0.52", "5")], asset="yes", tick=100))
    return s


def test_snapshot_creates_book(store: BookStore) -> None:
    book = store.get("yes")
    assert isinstance(book, OrderBook)
    assert "yes" in store and "no" not in store and len(store) == 1
    assert store.assets() == ["yes"] and list(store) == [book]
    assert (book.best_bid, book.best_ask) == (px("0.50"), px("0.52"))
    assert store.applied == 1 and store.ignored == 0


def test_deltas_route_to_their_book(store: BookStore) -> None:
    store.apply(snap([("0.40", "1")], [("0.60", "1")], asset="no"))
    got = store.apply(deltas([(BUY, "0.51", "3")], asset="yes"))
    assert got is store.get("yes")
    assert got is not None and got.best_bid == px("0.51")
    no = store.get("no")
    assert no is not None and no.best_bid == px("0.40")
    assert store.applied == 3


def test_deltas_for_unknown_asset_create_a_flagged_book() -> None:
    s = BookStore()
    book = s.apply(deltas([(BUY, "0.51", "3")], asset="new"))
    assert book is not None and book.best_bid == px("0.51")
    assert book.needs_resync and book.resync_reason == NO_SNAPSHOT
    assert s.needing_resync() == ["new"]


def test_other_events_are_ignored(store: BookStore) -> None:
    assert store.apply(TradePrint("yes", "m", px("0.5"), sz("1"), BUY, 1, 2)) is None
    assert store.ignored == 1 and store.applied == 1


def test_tick_change_for_held_book(store: BookStore) -> None:
    book = store.apply(tick_event("yes", 100, 10))
    assert book is store.get("yes") and book is not None and book.tick == 10
    store.apply(deltas([(BUY, "0.505", "1")], asset="yes"))
    assert book.best_bid == px("0.505") and not book.needs_resync


def test_tick_change_before_book_is_remembered() -> None:
    s = BookStore(default_tick=100)
    assert s.apply(tick_event("later", 100, 10)) is None
    assert "later" not in s
    s.apply(deltas([(BUY, "0.505", "1")], asset="later"))
    book = s.get("later")
    assert book is not None and book.tick == 10 and book.rejected_levels == 0
    other = s.apply(deltas([(BUY, "0.50", "1")], asset="other"))
    assert other is not None and other.tick == 100


def test_bad_tick_change_is_rejected(store: BookStore) -> None:
    store.apply(tick_event("yes", 100, 0))
    book = store.get("yes")
    assert book is not None and book.tick == 100 and book.needs_resync
    store.apply(tick_event("unknown", 100, -5))
    assert store.rejected == 2


def test_bbo_only_asset_keeps_a_record_not_a_book() -> None:
    s = BookStore()
    assert s.apply(bbo_event("top", "0.73", "0.77", bid_size=sz("10"))) is None
    assert "top" not in s and s.get("top") is None
    assert s.bbo_assets() == ["top"]
    rec = s.bbo("top")
    assert rec == Bbo("top", px("0.73"), px("0.77"), sz("10"), None, 5, 6, from_book=False)
    s.apply(bbo_event("top", "0", "1", ts=9))
    rec = s.bbo("top")
    assert rec is not None and (rec.best_bid, rec.best_ask, rec.ts_venue) == (0, ONE, 9)
    assert s.applied == 2


def test_bbo_with_zero_ask_means_no_asks() -> None:
    s = BookStore()
    s.apply(BestBidAsk("top", "m", px("0.5"), 0, 1, 2))
    rec = s.bbo("top")
    assert rec is not None and rec.best_ask == ONE


@pytest.mark.parametrize(("bid", "ask"), [(-1, px("0.5")), (px("0.5"), ONE + 1), (ONE, ONE)])
def test_bbo_out_of_range_is_rejected(bid: int, ask: int) -> None:
    s = BookStore()
    s.apply(BestBidAsk("top", "m", bid, ask, 1, 2))
    assert s.rejected == 1 and s.bbo("top") is None


def test_bbo_agreeing_with_book_leaves_it_trusted(store: BookStore) -> None:
    book = store.apply(bbo_event("yes", "0.50", "0.52", bid_size=sz("10"), ask_size=sz("5")))
    assert book is store.get("yes") and book is not None and not book.needs_resync
    assert store.bbo_assets() == []  # no separate record for a book we hold


@pytest.mark.parametrize(
    ("bid", "ask", "sizes"),
    [
        pytest.param("0.49", "0.52", {}, id="bid-price"),
        pytest.param("0.50", "0.53", {}, id="ask-price"),
        pytest.param("0", "0.52", {}, id="venue-no-bid"),
        pytest.param("0.50", "0.52", {"bid_size": 9}, id="bid-size"),
        pytest.param("0.50", "0.52", {"ask_size": 9}, id="ask-size"),
    ],
)
def test_bbo_disagreeing_with_book_marks_resync(store: BookStore, bid: str, ask: str, sizes: dict) -> None:
    store.apply(bbo_event("yes", bid, ask, **sizes))
    book = store.get("yes")
    assert book is not None and book.needs_resync
    assert "best_bid_ask" in (book.resync_reason or "")


def test_stale_bbo_is_not_compared(store: BookStore) -> None:
    store.apply(deltas([(BUY, "0.51", "1")], asset="yes", ts=100))
    store.apply(bbo_event("yes", "0.50", "0.52", ts=50))  # describes the book before ts 100
    book = store.get("yes")
    assert book is not None and not book.needs_resync


def test_bbo_of_book_is_read_off_the_book(store: BookStore) -> None:
    rec = store.bbo("yes")
    assert rec == Bbo("yes", px("0.50"), px("0.52"), sz("10"), sz("5"), 1, 2, from_book=True)
    assert store.bbo("nothing") is None


def test_snapshot_supersedes_bbo_record() -> None:
    s = BookStore()
    s.apply(bbo_event("a", "0.30", "0.40"))
    s.apply(snap([("0.31", "1")], [("0.39", "2")], asset="a"))
    assert s.bbo_assets() == [] and "a" in s
    rec = s.bbo("a")
    assert rec is not None and rec.from_book and rec.best_bid == px("0.31")


def test_bbo_for_delta_only_book_is_kept_as_record() -> None:
    """A book built from deltas alone has no trusted depth: a BBO event neither judges it nor is
    lost; the record is what bbo() reports until a snapshot arrives."""
    s = BookStore()
    s.apply(deltas([(BUY, "0.20", "1")], asset="a"))
    s.apply(bbo_event("a", "0.30", "0.40"))
    rec = s.bbo("a")
    assert rec is not None and not rec.from_book and rec.best_bid == px("0.30")
    book = s.get("a")
    assert book is not None and book.resync_reason == NO_SNAPSHOT


def test_mark_resync_all(store: BookStore) -> None:
    store.apply(snap([("0.40", "1")], [("0.60", "1")], asset="no"))
    assert store.needing_resync() == []
    store.mark_resync_all("disconnected")
    assert sorted(store.needing_resync()) == ["no", "yes"]
    book = store.get("no")
    assert book is not None and book.resync_reason == "disconnected"


# ---- remove ---------------------------------------------------------------------------------------


def test_remove_forgets_book_bbo_and_pending_tick(store: BookStore) -> None:
    store.apply(bbo_event("top-only", "0.40", "0.45"))
    store.apply(tick_event("later", 100, 10))
    assert store.remove("yes") is True
    assert store.get("yes") is None and "yes" not in store and len(store) == 0
    assert store.bbo("yes") is None
    assert store.remove("top-only") is True and store.bbo("top-only") is None
    assert store.remove("later") is True
    assert store.remove("never-seen") is False
    assert store.remove("yes") is False  # already gone


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(deltas([(BUY, "0.51", "3")], asset="yes"), id="deltas"),
        pytest.param(snap([("0.50", "10")], [("0.52", "5")], asset="yes"), id="snapshot"),
        pytest.param(bbo_event("yes", "0.40", "0.45"), id="bbo"),
        pytest.param(tick_event("yes", 100, 10), id="tick"),
    ],
)
def test_events_of_a_retired_asset_are_ignored(store: BookStore, event: object) -> None:
    store.remove("yes")
    applied = store.applied
    assert store.apply(event) is None  # type: ignore[arg-type]
    assert store.get("yes") is None and store.bbo("yes") is None and len(store) == 0
    assert store.ignored == 1 and store.applied == applied
    assert store.is_retired("yes")


def test_remove_without_retiring_lets_the_asset_come_back(store: BookStore) -> None:
    store.remove("yes")
    store.remove("yes", retire=False)
    assert not store.is_retired("yes")
    book = store.apply(snap([("0.30", "1")], [("0.70", "1")], asset="yes"))
    assert book is store.get("yes") and book is not None and book.best_bid == px("0.30")


def test_retired_ids_are_bounded_oldest_forgotten_first() -> None:
    s = BookStore()
    n = BookStore.MAX_RETIRED
    for i in range(n + 2):
        s.remove(f"a{i}")
    assert not s.is_retired("a0") and not s.is_retired("a1")
    assert s.is_retired("a2") and s.is_retired(f"a{n + 1}")
    assert s.apply(deltas([(BUY, "0.51", "3")], asset="a0")) is not None  # forgotten: a new book


def test_other_assets_are_untouched_by_remove(store: BookStore) -> None:
    store.apply(snap([("0.40", "1")], [("0.60", "1")], asset="no"))
    store.remove("yes")
    got = store.apply(deltas([(BUY, "0.41", "2")], asset="no"))
    assert got is store.get("no") and got is not None and got.best_bid == px("0.41")
    assert store.assets() == ["no"]
