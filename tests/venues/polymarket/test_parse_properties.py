"""Property tests: random valid books and price_changes survive JSON -> parse exactly, and no
input at all makes ``parse`` raise."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.model import ONE, BookDeltas, BookSnapshot, Side
from predtrade.venues.polymarket.parse import MarketMessageParser, UserMessageParser

from ._res import MS, raw

prices = st.integers(min_value=1, max_value=ONE - 1)
sizes = st.integers(min_value=1, max_value=10**14)  # up to 1e8 shares, in 1e-6 units
assets = st.sampled_from(["111", "222", "333", "9" * 78])


@st.composite
def decimal_text(draw: st.DrawFn, value: int, decimals: int) -> str:
    """``value`` (scaled by 10**decimals) written the ways the venue writes decimals: shortest,
    with trailing zeros, and (below 1) without the leading zero."""
    whole, frac = divmod(value, 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0")
    digits += "0" * draw(st.integers(0, 2))
    lead = "" if whole == 0 and digits and draw(st.booleans()) else str(whole)
    return f"{lead}.{digits}" if digits else lead


@st.composite
def books(draw: st.DrawFn) -> tuple[dict, dict[int, int], dict[int, int]]:
    bids = draw(st.dictionaries(prices, sizes, max_size=30))
    asks = draw(st.dictionaries(prices, sizes, max_size=30))
    empty = draw(st.sets(prices, max_size=5)) - bids.keys() - asks.keys()  # size-0 levels

    def levels(book: dict[int, int]) -> list[dict[str, str]]:
        out = [{"price": draw(decimal_text(p, 4)), "size": draw(decimal_text(s, 6))} for p, s in book.items()]
        out += [{"price": draw(decimal_text(p, 4)), "size": draw(st.sampled_from(["0", "0.0", "0.000000"]))}
                for p in empty]  # fmt: skip
        return draw(st.permutations(out))

    msg = {
        "event_type": "book",
        "asset_id": draw(assets),
        "market": "0xabc",
        "timestamp": str(draw(st.integers(0, 4_000_000_000_000))),
        "hash": "h",
        "bids": levels(bids),
        "asks": levels(asks),
    }
    return msg, bids, asks


@given(books())
@settings(max_examples=200)
def test_book_round_trip(case: tuple[dict, dict[int, int], dict[int, int]]) -> None:
    msg, bids, asks = case
    (book,) = MarketMessageParser().parse_strict(json.dumps(msg).encode(), 0)
    assert isinstance(book, BookSnapshot)
    assert book.bids == tuple(sorted(bids.items(), key=lambda lv: -lv[0]))
    assert book.asks == tuple(sorted(asks.items()))
    assert book.ts_venue == int(msg["timestamp"]) * MS
    assert book.asset_id == msg["asset_id"]


@st.composite
def entries(draw: st.DrawFn) -> tuple[dict, tuple]:
    aid = draw(assets)
    s = draw(st.sampled_from([Side.BUY, Side.SELL]))
    p = draw(prices)
    q = draw(st.one_of(st.just(0), sizes))
    bb = draw(st.integers(0, ONE - 1))
    ba = draw(st.integers(1, ONE))
    entry = {
        "asset_id": aid,
        "price": draw(decimal_text(p, 4)),
        "size": draw(decimal_text(q, 6)) or "0",
        "side": s.name,
        "hash": draw(st.text("0123456789abcdef", min_size=1, max_size=40)),
        "best_bid": draw(decimal_text(bb, 4)) or "0",
        "best_ask": draw(decimal_text(ba, 4)),
    }
    return entry, (aid, (s, p, q), bb, ba, entry["hash"])


@given(st.lists(entries(), min_size=1, max_size=12), st.integers(0, 4_000_000_000_000))
@settings(max_examples=200)
def test_price_change_round_trip(items: list[tuple[dict, tuple]], ts_ms: int) -> None:
    msg = {"event_type": "price_change", "market": "0xm", "timestamp": str(ts_ms),
           "price_changes": [e for e, _ in items]}  # fmt: skip
    # the reference grouping: one result per asset in order of first appearance
    expected: dict[str, dict] = {}
    for _, (aid, change, bb, ba, h) in items:
        g = expected.setdefault(aid, {"changes": []})
        g["changes"].append(change)
        g.update(best_bid=bb, best_ask=ba, hash=h)
    events = MarketMessageParser().parse_strict(json.dumps(msg).encode(), 3)
    assert [e.asset_id for e in events] == list(expected)
    for e in events:
        g = expected[e.asset_id]
        assert isinstance(e, BookDeltas)
        assert e.changes == tuple(g["changes"])
        assert (e.best_bid, e.best_ask, e.hash) == (g["best_bid"], g["best_ask"], g["hash"])
        assert (e.ts_venue, e.ts_local, e.market) == (ts_ms * MS, 3, "0xm")


FIXTURE_FRAMES = [
    raw("ws_messages/book.json"),
    raw("ws_messages/price_change_v2.json"),
    raw("ws_messages/user_trade1.json"),
    raw("ws_messages/order_cancel.json"),
]


@given(st.sampled_from(FIXTURE_FRAMES), st.data())
@settings(max_examples=300)
def test_parse_never_raises_on_mutated_frames(frame: bytes, data: st.DataObject) -> None:
    """Flip, drop or insert bytes in real frames: ``parse`` counts, it never raises."""
    buf = bytearray(frame)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(buf) - 1))
        op = data.draw(st.sampled_from(["flip", "drop", "insert"]))
        if op == "flip":
            buf[i] = data.draw(st.integers(0, 255))
        elif op == "drop":
            del buf[i]
        else:
            buf.insert(i, data.draw(st.sampled_from(b'"{}[],:0.-1x\\')))
    market, user = MarketMessageParser(), UserMessageParser(api_key="k", funder="0xf")
    market.parse(bytes(buf), 0)
    user.parse(bytes(buf), 0)


known_keys = st.sampled_from(
    ["event_type", "asset_id", "market", "timestamp", "price", "size", "side", "bids", "asks",
     "price_changes", "best_bid", "best_ask", "hash", "id", "status", "maker_orders", "trader_side"]
)  # fmt: skip
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
    | st.sampled_from(["0.5", ".5", "1.5", "0", "1", "BUY", "SELL", "TAKER", "MAKER", "MATCHED", "12", ""])
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(known_keys, inner, max_size=4),
    max_leaves=8,
)
event_types = st.sampled_from(["book", "price_change", "tick_size_change", "last_trade_price", "best_bid_ask",
                               "new_market", "market_resolved", "order", "trade"])  # fmt: skip


@given(event_types, st.dictionaries(known_keys, json_values, max_size=8))
@settings(max_examples=300)
def test_parse_never_raises_on_random_objects(event_type: str, fields: dict) -> None:
    frame = json.dumps({**fields, "event_type": event_type}).encode()
    MarketMessageParser().parse(frame, 0)
    UserMessageParser(api_key="k").parse(frame, 0)
