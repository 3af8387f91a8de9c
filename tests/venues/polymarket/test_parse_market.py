"""Market-channel parsing: real and hand-made fixtures -> normalized events, and bad input."""

from __future__ import annotations

import json

import pytest

from predtrade.model import (
    ONE,
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    MarketResolved,
    NewMarket,
    Side,
    TickSizeChange,
    TradePrint,
)
from predtrade.venues.polymarket.parse import MarketMessageParser, ParseError, Reason

from ._res import MS, compact, obj, raw, with_event_type

TS_LOCAL = 1_800_000_000_123_456_789

ASSET_DD_NO = "48331043336612883890938759509493159234755048973500640148014422747788308965732"
ASSET_DD_YES = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
MARKET_DD = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
ASSET_5F_A = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
ASSET_5F_B = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
MARKET_5F = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"

# The current-format example from the official docs (PROTOCOLS §2.2): one order mirrored on both
# tokens of the market, so two entries for two different assets; "1"/"0" mean an empty side.
DOCS_PRICE_CHANGE = {
    "market": MARKET_5F,
    "price_changes": [
        {"asset_id": ASSET_5F_A, "price": "0.5", "size": "200", "side": "BUY",
         "hash": "56621a121a47ed9333273e21c83b660cff37ae50", "best_bid": "0.5", "best_ask": "1"},
        {"asset_id": ASSET_5F_B, "price": "0.5", "size": "200", "side": "SELL",
         "hash": "1895759e4df7a796bf4f1c5a5950b748306923e2", "best_bid": "0", "best_ask": "0.5"},
    ],
    "timestamp": "1757908892351",
    "event_type": "price_change",
}  # fmt: skip


def one(events: list) -> object:
    assert len(events) == 1, events
    return events[0]


# ---- fixtures -> events ---------------------------------------------------------------------


def test_real_book_snapshot_is_sorted_best_first() -> None:
    book = one(MarketMessageParser().parse_strict(raw("ws_messages/book.json"), TS_LOCAL))
    assert isinstance(book, BookSnapshot)
    assert book.asset_id == ASSET_DD_NO
    assert book.market == MARKET_DD
    assert book.ts_venue == 1728799418260 * MS
    assert book.ts_local == TS_LOCAL
    assert book.hash == "655a38d4977427b086c25b985993691b753ed166"
    assert book.tick is None
    assert (len(book.bids), len(book.asks)) == (76, 86)
    # in the file the best levels are the LAST elements: 0.511 x 1304.72 and 0.514 x 20230.87
    assert book.bids[0] == (5110, 1_304_720_000)
    assert book.asks[0] == (5140, 20_230_870_000)
    assert book.bids[-1] == (10, 9_000_023_580_000)  # "0.001" x "9000023.58"
    assert book.asks[-1] == (9990, 10_500_100_000_000)  # "0.999" x "10500100"
    bid_prices = [p for p, _ in book.bids]
    ask_prices = [p for p, _ in book.asks]
    assert bid_prices == sorted(bid_prices, reverse=True) and len(set(bid_prices)) == 76
    assert ask_prices == sorted(ask_prices) and len(set(ask_prices)) == 86
    assert bid_prices[0] < ask_prices[0]


def test_hand_made_book_with_event_type() -> None:
    book = one(MarketMessageParser().parse_strict(raw("rust_test_data/ws_market_book_msg.json"), TS_LOCAL))
    assert book == BookSnapshot(
        asset_id=ASSET_5F_A,
        market=MARKET_DD,
        bids=((5000, 200_000_000), (4900, 350_000_000)),
        asks=((5100, 150_000_000), (5200, 250_000_000)),
        ts_venue=1703875200000 * MS,
        ts_local=TS_LOCAL,
    )


def test_book_drops_empty_levels_and_reads_optional_tick() -> None:
    msg = {
        "event_type": "book", "asset_id": "7", "market": "0xm", "timestamp": "1000",
        "bids": [{"price": ".48", "size": "30"}, {"price": ".49", "size": "0"},
                 {"price": ".50", "size": "15"}],
        "asks": [{"price": ".52", "size": "0.000"}, {"price": ".53", "size": "60"}],
        "tick_size": "0.001", "min_order_size": "5", "last_trade_price": "0.51", "neg_risk": False,
    }  # fmt: skip
    book = one(MarketMessageParser().parse_strict(compact(msg), 0))
    assert book.bids == ((5000, 15_000_000), (4800, 30_000_000))
    assert book.asks == ((5300, 60_000_000),)
    assert book.tick == 10
    assert book.ts_venue == 1000 * MS


def test_legacy_price_change() -> None:
    d = one(MarketMessageParser().parse_strict(raw("ws_messages/price_change.json"), TS_LOCAL))
    assert d == BookDeltas(
        asset_id=ASSET_DD_NO,
        market=MARKET_DD,
        changes=((Side.SELL, 5140, 21_574_080_000),),
        ts_venue=1723967931411 * MS,
        ts_local=TS_LOCAL,
        best_bid=None,
        best_ask=None,
        hash="bf32b3746fff40c76c98021b7f3f07261169dd26",
    )


def test_current_price_change_one_asset_three_entries() -> None:
    d = one(MarketMessageParser().parse_strict(raw("ws_messages/price_change_v2.json"), TS_LOCAL))
    assert d.asset_id == ASSET_5F_B
    assert d.market == MARKET_5F
    assert d.changes == (
        (Side.BUY, 6000, 3_300_000_000),
        (Side.BUY, 5000, 3_400_000_000),
        (Side.BUY, 7000, 3_400_000_000),
    )
    assert (d.best_bid, d.best_ask) == (6000, 7000)
    assert d.hash == "cf32b3746fff40c76c98021b7f3f07261169dd28"  # the last entry's
    assert d.ts_venue == 1729084877448 * MS


def test_docs_price_change_routes_each_asset_and_maps_empty_sides() -> None:
    events = MarketMessageParser().parse_strict(compact(DOCS_PRICE_CHANGE), TS_LOCAL)
    assert [e.asset_id for e in events] == [ASSET_5F_A, ASSET_5F_B]
    a, b = events
    assert a.changes == ((Side.BUY, 5000, 200_000_000),)
    assert (a.best_bid, a.best_ask) == (5000, ONE)  # "1": no asks
    assert a.hash == "56621a121a47ed9333273e21c83b660cff37ae50"
    assert b.changes == ((Side.SELL, 5000, 200_000_000),)
    assert (b.best_bid, b.best_ask) == (0, 5000)  # "0": no bids
    assert a.ts_venue == b.ts_venue == 1757908892351 * MS


def test_interleaved_assets_give_one_deltas_per_asset_in_order() -> None:
    entries = [
        {"asset_id": "A", "price": "0.40", "size": "10", "side": "BUY", "best_bid": "0.4", "best_ask": "0.6",
         "hash": "a1"},
        {"asset_id": "B", "price": "0.60", "size": "10", "side": "SELL", "best_bid": "0.4", "best_ask": "0.6",
         "hash": "b1"},
        {"asset_id": "A", "price": "0.41", "size": "0", "side": "BUY", "best_bid": "0.39", "best_ask": "0.6",
         "hash": "a2"},
        {"asset_id": "C", "price": "0.7", "size": "1", "side": "SELL", "hash": "c1"},
        {"asset_id": "B", "price": "0.59", "size": "2.5", "side": "SELL", "best_bid": "0.41",
         "best_ask": "0.59", "hash": "b2"},
    ]  # fmt: skip
    msg = compact({"event_type": "price_change", "market": "0xm", "timestamp": "5", "price_changes": entries})
    a, b, c = MarketMessageParser().parse_strict(msg, 0)
    assert (a.asset_id, a.changes) == ("A", ((Side.BUY, 4000, 10_000_000), (Side.BUY, 4100, 0)))
    assert (a.best_bid, a.best_ask, a.hash) == (3900, 6000, "a2")
    assert (b.asset_id, b.changes) == ("B", ((Side.SELL, 6000, 10_000_000), (Side.SELL, 5900, 2_500_000)))
    assert (b.best_bid, b.best_ask, b.hash) == (4100, 5900, "b2")
    assert (c.asset_id, c.changes) == ("C", ((Side.SELL, 7000, 1_000_000),))
    assert (c.best_bid, c.best_ask) == (None, None)  # that entry sent no top of book


def test_multi_asset_hand_made_quotes() -> None:
    frame = with_event_type("rust_test_data/ws_quotes.json", "price_change")
    a, b = MarketMessageParser().parse_strict(frame, 0)
    assert (a.asset_id, a.changes) == (ASSET_5F_A, ((Side.BUY, 5100, 150_000_000),))
    assert (a.best_bid, a.best_ask) == (5100, 5200)
    assert (b.asset_id, b.changes) == (ASSET_5F_B, ((Side.SELL, 4900, 100_000_000),))
    assert (b.best_bid, b.best_ask) == (4800, 4900)


def test_subscribed_filter_ignores_other_assets() -> None:
    parser = MarketMessageParser(subscribed=[ASSET_5F_B])
    (d,) = parser.parse(compact(DOCS_PRICE_CHANGE), 0)
    assert d.asset_id == ASSET_5F_B
    assert parser.parse(raw("ws_messages/book.json"), 0) == []
    assert parser.ignored["unsubscribed"] == 2
    assert not parser.stats
    parser.subscribe([ASSET_DD_NO])
    assert len(parser.parse(raw("ws_messages/book.json"), 0)) == 1
    parser.unsubscribe([ASSET_DD_NO, ASSET_5F_B])
    assert parser.parse(compact(DOCS_PRICE_CHANGE), 0) == []


def test_tick_size_change() -> None:
    e = one(MarketMessageParser().parse_strict(raw("ws_messages/tick_size_change.json"), TS_LOCAL))
    assert e == TickSizeChange(
        asset_id="115474063863764126958837769719736461272619491980773624567012766320777398670353",
        market="0xbacdf04bf7f22a670dc4fb408878ec56b76f9934599829455b9371693ba84b8b",
        old_tick=100,
        new_tick=10,
        ts_venue=1739068041853 * MS,
        ts_local=TS_LOCAL,
    )


def test_last_trade_price() -> None:
    e = one(MarketMessageParser().parse_strict(raw("ws_messages/last_trade_price.json"), TS_LOCAL))
    assert e == TradePrint(
        asset_id=ASSET_DD_YES,
        market=MARKET_DD,
        price=4910,
        size=85_360_000,
        side=Side.SELL,
        ts_venue=1724564136087 * MS,
        ts_local=TS_LOCAL,
        fee_rate_bps=0,
    )


def test_best_bid_ask() -> None:
    e = one(MarketMessageParser().parse_strict(raw("rust_test_data/ws_market_best_bid_ask_msg.json"), 1))
    assert e == BestBidAsk(
        asset_id="85354956062430465315924116860125388538595433819574542752031640332592237464430",
        market="0x0005c0d312de0be897668695bae9f32b624b4a1ae8b140c49f08447fcc74f442",
        best_bid=7300,
        best_ask=7700,
        ts_venue=1766789469958 * MS,
        ts_local=1,
    )


def test_new_market_and_market_resolved() -> None:
    yes = "76043073756653678226373981964075571318267289248134717369284518995922789326425"
    no = "31690934263385727664202099278545688007799199447969475608906331829650099442770"
    cid = "0x311d0c4b6671ab54af4970c06fcf58662516f5168997bdda209ec3db5aa6b0c1"
    parser = MarketMessageParser(subscribed=[])  # market-level events are not asset-filtered
    nm = one(parser.parse_strict(raw("rust_test_data/ws_market_new_market_msg.json"), 2))
    assert nm == NewMarket(
        market=cid,
        asset_ids=(yes, no),
        outcomes=("Yes", "No"),
        slug="nvda-above-240-on-january-30-2026",
        question="Will NVIDIA (NVDA) close above $240 end of January?",
        ts_venue=1766790415550 * MS,
        ts_local=2,
        tick=100,
    )
    mr = one(parser.parse_strict(raw("rust_test_data/ws_market_resolved_msg.json"), 3))
    assert mr == MarketResolved(
        market=cid, winning_asset_id=yes, winning_outcome="Yes", ts_venue=1766790415550 * MS, ts_local=3
    )


def test_array_frame_and_str_input() -> None:
    frame = b"[" + raw("ws_messages/book.json") + b"," + raw("ws_messages/price_change_v2.json") + b"]"
    parser = MarketMessageParser()
    events = parser.parse(frame, 0)
    assert [type(e) for e in events] == [BookSnapshot, BookDeltas]
    assert parser.parse(frame.decode(), 0) == events
    assert parser.parse(compact(DOCS_PRICE_CHANGE).decode(), 0) == parser.parse(compact(DOCS_PRICE_CHANGE), 0)
    assert parser.parse(b"[]", 0) == []


@pytest.mark.parametrize("frame", [b"PONG", "PONG", b"NO NEW ASSETS", "NO NEW ASSETS\n", b" PONG "])
def test_text_frames_are_ignored(frame: bytes | str) -> None:
    parser = MarketMessageParser()
    assert parser.parse(frame, 0) == []
    assert parser.parse_strict(frame, 0) == []
    assert parser.ignored["text_frame"] == 2
    assert not parser.stats


# ---- bad input: counted and skipped, never raised; parse_strict raises ---------------------


def _bad_price_change(price: str) -> bytes:
    msg = json.loads(json.dumps(DOCS_PRICE_CHANGE))
    msg["price_changes"][0]["price"] = price
    return compact(msg)


def _bad_book_price() -> bytes:
    msg = obj("ws_messages/book.json")
    msg["bids"][3]["price"] = "1.5"
    return compact(msg)


BAD_FRAMES = [
    pytest.param(b'{"event_type": "book", "asset_id": ', Reason.MALFORMED_JSON, id="truncated-json"),
    pytest.param(b"", Reason.MALFORMED_JSON, id="empty-frame"),
    pytest.param(b"PING PONG", Reason.MALFORMED_JSON, id="other-text"),
    pytest.param(b'{"event_type": "order_book_v9"}', Reason.UNKNOWN_EVENT_TYPE, id="unknown-event-type"),
    pytest.param(b'{"event_type": 7}', Reason.UNKNOWN_EVENT_TYPE, id="event-type-not-a-string"),
    pytest.param(b'{"market": "0x1"}', Reason.MISSING_FIELD, id="no-event-type"),
    pytest.param(b"[1]", Reason.NOT_AN_OBJECT, id="array-of-a-number"),
    pytest.param(b'"book"', Reason.NOT_AN_OBJECT, id="json-string"),
    pytest.param(_bad_book_price(), Reason.BAD_PRICE, id="book-price-1.5"),
    pytest.param(
        b'{"event_type":"price_change","market":"m","timestamp":"1","asset_id":"a","price":"1.5","size":"1",'
        b'"side":"BUY"}',
        Reason.BAD_PRICE,
        id="legacy-price-1.5",
    ),
    pytest.param(
        b'{"event_type":"price_change","market":"m","timestamp":"1","asset_id":"a","price":"0.5","size":"1"}',
        Reason.MISSING_FIELD,
        id="legacy-missing-side",
    ),
    pytest.param(
        b'{"event_type":"tick_size_change","asset_id":"a","market":"m","timestamp":"1","old_tick_size":"0.01",'
        b'"new_tick_size":"0.02"}',
        Reason.BAD_VALUE,
        id="invalid-tick",
    ),
    pytest.param(
        b'{"event_type":"last_trade_price","asset_id":"a","market":"m","timestamp":"17.5","price":"0.5",'
        b'"size":"1"}',
        Reason.BAD_VALUE,
        id="fractional-timestamp",
    ),
    pytest.param(
        b'{"event_type":"last_trade_price","asset_id":"a","market":"m","timestamp":"1","price":0.5,"size":"1"}',
        Reason.BAD_PRICE,
        id="price-as-json-number",
    ),
    pytest.param(
        b'{"event_type":"last_trade_price","asset_id":"a","market":"m","timestamp":"1","price":"0","size":"1"}',
        Reason.BAD_PRICE,
        id="price-zero",
    ),
    pytest.param(
        b'{"event_type":"last_trade_price","asset_id":"a","market":"m","timestamp":"1","price":"0.5",'
        b'"size":"-1"}',
        Reason.BAD_VALUE,
        id="negative-size",
    ),
    pytest.param(
        b'{"event_type":"best_bid_ask","asset_id":"a","market":"m","timestamp":"1","best_bid":"0.7",'
        b'"best_ask":"1.01"}',
        Reason.BAD_PRICE,
        id="best-ask-above-one",
    ),
]


@pytest.mark.parametrize(("frame", "reason"), BAD_FRAMES)
def test_bad_frames_are_counted_not_raised(frame: bytes, reason: Reason) -> None:
    parser = MarketMessageParser()
    assert parser.parse(frame, 0) == []
    assert dict(parser.stats) == {reason.value: 1}
    assert len(parser.errors) == 1
    assert parser.errors[0].startswith(reason.value + ":")
    assert "\n" not in parser.errors[0]
    with pytest.raises(ParseError) as info:
        parser.parse_strict(frame, 0)
    assert info.value.reason is reason


def test_bad_price_change_entry_skips_only_that_entry() -> None:
    parser = MarketMessageParser()
    events = parser.parse(_bad_price_change("1.5"), 0)
    assert [e.asset_id for e in events] == [ASSET_5F_B]  # the good entry still applies
    assert events[0].changes == ((Side.SELL, 5000, 200_000_000),)
    assert parser.stats == {"bad_price": 1}
    assert "1.5" in parser.errors[-1]
    with pytest.raises(ParseError) as info:
        parser.parse_strict(_bad_price_change("1.5"), 0)
    assert info.value.reason is Reason.BAD_PRICE


@pytest.mark.parametrize("bad", ["", "abc", "0.5.5", "-0.5", "1", "0.00001", "1e-1", "٠.٥"])
def test_bad_price_strings(bad: str) -> None:
    parser = MarketMessageParser()
    events = parser.parse(_bad_price_change(bad), 0)
    assert [e.asset_id for e in events] == [ASSET_5F_B]
    assert parser.stats == {"bad_price": 1}


def test_bad_side_and_bad_best_are_classified() -> None:
    msg = json.loads(json.dumps(DOCS_PRICE_CHANGE))
    msg["price_changes"][0]["side"] = "HOLD"
    msg["price_changes"][1]["best_bid"] = "2"
    parser = MarketMessageParser()
    (d,) = parser.parse(compact(msg), 0)
    # entry 0 is dropped (unknown side); entry 1's change stands but its top of book is unknown
    assert (d.asset_id, d.changes) == (ASSET_5F_B, ((Side.SELL, 5000, 200_000_000),))
    assert (d.best_bid, d.best_ask) == (None, None)
    assert parser.stats == {"bad_value": 1, "bad_price": 1}


def test_array_with_one_bad_item_keeps_the_others() -> None:
    frame = (
        b"["
        + raw("ws_messages/tick_size_change.json")
        + b',{"event_type":"mystery"},'
        + raw("ws_messages/last_trade_price.json")
        + b"]"
    )
    parser = MarketMessageParser()
    events = parser.parse(frame, 0)
    assert [type(e) for e in events] == [TickSizeChange, TradePrint]
    assert parser.stats == {"unknown_event_type": 1}
    with pytest.raises(ParseError):
        parser.parse_strict(frame, 0)


def test_error_log_is_bounded() -> None:
    parser = MarketMessageParser(max_errors=3)
    for i in range(10):
        parser.parse(b'{"event_type": "nope%d"}' % i, 0)
    assert parser.stats == {"unknown_event_type": 10}
    assert len(parser.errors) == 3
    assert "nope9" in parser.errors[-1]


def test_duplicate_book_level_is_refused() -> None:
    msg = {"event_type": "book", "asset_id": "a", "market": "m", "timestamp": "1",
           "bids": [{"price": "0.5", "size": "1"}, {"price": ".50", "size": "2"}], "asks": []}  # fmt: skip
    parser = MarketMessageParser()
    assert parser.parse(compact(msg), 0) == []
    assert parser.stats == {"bad_value": 1}


def test_entry_with_only_one_best_side() -> None:
    msg = {"event_type": "price_change", "market": "m", "timestamp": "9", "price_changes": [
        {"asset_id": "a", "price": ".45", "size": "3", "side": "BUY", "best_bid": ".45"}]}  # fmt: skip
    (d,) = MarketMessageParser().parse_strict(compact(msg), 0)
    assert (d.changes, d.best_bid, d.best_ask, d.hash) == (((Side.BUY, 4500, 3_000_000),), 4500, None, None)
