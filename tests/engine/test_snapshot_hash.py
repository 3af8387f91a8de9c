"""The decision log's hashes: the snapshot hash identifies content (equal snapshots hash equal
however they were built, any change changes it, remembered digests never leak between objects),
and the decision bytes/hash built from a remembered head equal a plain encoding."""

from __future__ import annotations

import copy
import gc

import msgspec
import pytest

from predtrade.engine.snapshot import bytes_hash, decision_bytes, decision_record, snapshot_hash
from predtrade.model.enums import Side, TimeInForce
from predtrade.strategies.api import Decision, DesiredOrder
from predtrade.testkit.snapshots import (
    NO,
    YES,
    book,
    make_snapshot,
    own_order,
    position,
    updown_market,
)

MARKET = updown_market()


def base(**kw):
    kw.setdefault("market", MARKET)
    kw.setdefault("orders", (own_order("BUY", "0.45", "10"), own_order("SELL", "0.55", "5", NO)))
    kw.setdefault("yes_position", position(YES, "12", "0.4", market=MARKET))
    kw.setdefault("ref_history", ((1, 2), (3, 4), (5, 6)))
    kw.setdefault("sigma", 7e-5)
    return make_snapshot(**kw)


def test_equal_content_hashes_equal_however_it_was_built():
    a = base()
    b = copy.deepcopy(a)  # every part a different object
    assert snapshot_hash(a) == snapshot_hash(b) == snapshot_hash(a)
    # net books as separate but equal objects hash like net books that are the books
    c = msgspec.structs.replace(a, net_books=(copy.deepcopy(a.books[0]), copy.deepcopy(a.books[1])))
    assert snapshot_hash(c) == snapshot_hash(a)


CHANGES = [
    pytest.param(lambda s: {"ts": s.ts + 1}, id="ts"),
    pytest.param(lambda s: {"market": updown_market(tick=10)}, id="tick"),
    pytest.param(lambda s: {"books": (book(bids=[("0.48", "101")]), s.books[1])}, id="book-size"),
    pytest.param(lambda s: {"books": (s.books[0], book(asks=[("0.60", "1")]))}, id="no-book"),
    pytest.param(lambda s: {"net_books": (book(bids=[("0.48", "70")]), s.net_books[1])}, id="net-book"),
    pytest.param(
        lambda s: {"positions": (position(YES, "13", "0.4", market=MARKET), s.positions[1])}, id="position"
    ),
    pytest.param(lambda s: {"orders": s.orders[:1]}, id="orders-one-gone"),
    pytest.param(
        lambda s: {"orders": (own_order("BUY", "0.45", "9"), s.orders[1])}, id="order-remaining"
    ),
    pytest.param(lambda s: {"available_cash": s.available_cash - 1}, id="cash"),
    pytest.param(lambda s: {"ref_price": s.ref_price + 1}, id="ref"),
    pytest.param(lambda s: {"ref_history": ((1, 2), (3, 4), (5, 7))}, id="history-end"),
    pytest.param(lambda s: {"sigma": None}, id="sigma"),
    pytest.param(lambda s: {"sigma_multiplier": 1.5}, id="multiplier"),
    pytest.param(lambda s: {"round_open": (s.round_open or 0) + 1}, id="round-open"),
]


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_changes_the_hash(change):
    s = base()
    h = snapshot_hash(s)
    t = msgspec.structs.replace(s, **change(s))
    assert snapshot_hash(t) != h
    assert snapshot_hash(s) == h  # and going back gives the first hash again


def test_remembered_digests_follow_objects_not_addresses():
    # many short-lived order tuples for one market: each hashes by its content, even when a new
    # tuple reuses the address of one that was freed
    s = base()
    seen = {}
    for i in range(200):
        orders = (own_order("BUY", "0.45", str(1 + i % 7)),)
        h = snapshot_hash(msgspec.structs.replace(s, orders=orders))
        assert seen.setdefault(i % 7, h) == h
        del orders
        gc.collect()
    assert len(set(seen.values())) == 7


def _decision(quotes, reason="r", fv=0.5, immediate=()):
    return Decision(quotes=quotes, immediate=immediate, reason=reason, fair_value=fv)


QUOTES = (
    DesiredOrder("a" * 77, Side.BUY, 4800, 10_000_000),
    DesiredOrder("b" * 77, Side.SELL, 5200, 5_000_000, TimeInForce.GTC, False),
)
TAKE = (DesiredOrder("a" * 77, Side.BUY, 5300, 1_000_000, TimeInForce.FAK, False),)


@pytest.mark.parametrize(
    "decisions",
    [
        pytest.param(
            [_decision(QUOTES, "x"), _decision(QUOTES, "y", 0.25), _decision(QUOTES, "z", None)],
            id="same-quotes-new-tail",
        ),
        pytest.param([_decision((), "hold", None)], id="hold"),
        pytest.param([_decision(QUOTES, 'quote " \\ é \n', 1e-17)], id="escapes"),
        pytest.param([_decision(QUOTES, immediate=TAKE), _decision(QUOTES)], id="immediate"),
        pytest.param([_decision(QUOTES), _decision(QUOTES[:1]), _decision(QUOTES)], id="quotes-change"),
    ],
)
def test_decision_record_equals_a_plain_encoding(decisions):
    for d in decisions:
        for cid in ("m1", "m2"):
            db, dh = decision_record(cid, d)
            assert db == decision_bytes(d)
            assert dh == bytes_hash(db)
            assert msgspec.json.decode(db, type=Decision) == d
