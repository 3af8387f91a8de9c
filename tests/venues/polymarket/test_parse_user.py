"""User-channel parsing: our fills (taker, maker, cross-asset maker), cancels, statuses."""

from __future__ import annotations

import pytest

from predtrade.model import Liquidity, OrderCancelled, OrderFilled, TradeStatus
from predtrade.venues.polymarket.parse import ParseError, Reason, UserMessageParser, parse_user_message

from ._res import MS, S, compact, obj, raw, with_event_type

OUR_KEY = "3e2c94ca-8124-c4c1-c7ea-be1ea21b71fe"  # owner of order_placement.json / order_cancel.json
OUR_FUNDER = "0xa3D82Ed56F4c68d2328Fb8c29e568Ba2cAF7d7c8"  # their maker_address
YES = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
NO = "48331043336612883890938759509493159234755048973500640148014422747788308965732"


def test_maker_fill_identified_by_owner() -> None:
    (fill,) = parse_user_message(raw("ws_messages/user_trade1.json"), 7, api_key=OUR_KEY)
    assert fill == OrderFilled(
        venue_order_id="0xab679e56242324e15e59cfd488cd0f12e4fd71b153b9bfb57518898b9983145e",
        trade_id="83b5c849-620e-4c23-b63b-2e779c04a6e7",
        asset_id=YES,
        price=5180,
        size=5_000_000,
        status=TradeStatus.MINED,
        ts_venue=1725868885871 * MS,
        ts_local=7,
        liquidity=Liquidity.MAKER,
    )


def test_cross_asset_maker_fill_uses_the_maker_entry_token_and_price() -> None:
    # The first maker order is a BUY NO at 0.482 that matched the taker's BUY YES at 0.518.
    (fill,) = parse_user_message(
        raw("ws_messages/user_trade1.json"), 0, api_key="78132BC3-22AF-6AA2-79AE-11929F821CAE"
    )
    assert fill.venue_order_id == "0x3b67d584e1e7ad29b06bda373449638898aa87f0c9fd52a34bdbfb1325a6c184"
    assert fill.asset_id == NO  # not the trade's top-level asset
    assert (fill.price, fill.size) == (4820, 10_000_000)
    assert fill.liquidity is Liquidity.MAKER


def test_maker_fill_identified_by_funder_address_case_insensitive() -> None:
    by_key = parse_user_message(raw("ws_messages/user_trade1.json"), 0, api_key=OUR_KEY)
    by_funder = parse_user_message(raw("ws_messages/user_trade1.json"), 0, funder=OUR_FUNDER.lower())
    assert by_funder == by_key


def test_taker_fill() -> None:
    (fill,) = parse_user_message(raw("ws_messages/user_trade2.json"), 9, api_key=OUR_KEY)
    assert fill == OrderFilled(
        venue_order_id="0x5b605a0e8e40f3402d3cb3bc19edad6733ed23fbc079d2a09ee399c3487ace81",
        trade_id="f50e8ab2-652d-4dc8-9c82-8e46197fe98d",
        asset_id=YES,
        price=5200,
        size=5_000_000,
        status=TradeStatus.MATCHED,
        ts_venue=1725958682125 * MS,
        ts_local=9,
        liquidity=Liquidity.TAKER,
    )


def test_taker_fill_needs_no_identity() -> None:
    (fill,) = parse_user_message(raw("ws_messages/user_trade2.json"), 0)
    assert fill.venue_order_id == "0x5b605a0e8e40f3402d3cb3bc19edad6733ed23fbc079d2a09ee399c3487ace81"


def test_newer_capture_timestamp_in_seconds() -> None:
    (fill,) = parse_user_message(raw("ws_messages/user_trade3.json"), 0, funder=OUR_FUNDER)
    assert fill.venue_order_id == "0x3ad09f225ebe141dfbdb3824f31cb457e8e0301ca4e0a06311e543f5328b9dea"
    assert fill.ts_venue == 1762776436 * S
    assert (fill.price, fill.size, fill.status) == (5130, 5_000_000, TradeStatus.CONFIRMED)


def test_several_of_our_maker_orders_in_one_trade() -> None:
    fills = parse_user_message(raw("ws_messages/user_trade4.json"), 0, funder=OUR_FUNDER)
    assert [(f.venue_order_id[:10], f.price, f.size) for f in fills] == [
        ("0x3ad09f22", 4000, 5_000_000),
        ("0x67b598ca", 3000, 5_000_000),
    ]
    assert {f.trade_id for f in fills} == {"83b5c849-620e-4c23-b63b-2e779c04a6e7"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param("MATCHED", TradeStatus.MATCHED, id="matched"),
        pytest.param("MINED", TradeStatus.MINED, id="mined"),
        pytest.param("CONFIRMED", TradeStatus.CONFIRMED, id="confirmed"),
        pytest.param("RETRYING", TradeStatus.RETRYING, id="retrying"),
        pytest.param("FAILED", TradeStatus.FAILED, id="failed"),
        pytest.param("TRADE_STATUS_CONFIRMED", TradeStatus.CONFIRMED, id="rest-prefixed"),
        pytest.param("mined", TradeStatus.MINED, id="lower-case"),
    ],
)
def test_status_progression_keeps_the_fill_key(status: str, expected: TradeStatus) -> None:
    msg = obj("ws_messages/user_trade2.json")
    first = parse_user_message(compact(msg), 0)[0]
    msg["status"] = status
    (fill,) = parse_user_message(compact(msg), 0)
    assert fill.status is expected
    assert (fill.trade_id, fill.venue_order_id) == (first.trade_id, first.venue_order_id)
    assert (fill.price, fill.size) == (first.price, first.size)


def test_unknown_trade_status_is_an_error() -> None:
    msg = obj("ws_messages/user_trade2.json")
    msg["status"] = "EVAPORATED"
    parser = UserMessageParser(api_key=OUR_KEY)
    assert parser.parse(compact(msg), 0) == []
    assert parser.stats == {"bad_value": 1}
    with pytest.raises(ParseError) as info:
        parser.parse_strict(compact(msg), 0)
    assert info.value.reason is Reason.BAD_VALUE


def test_trade_time_falls_back_to_match_time_then_receive_time() -> None:
    msg = obj("ws_messages/user_trade2.json")
    del msg["timestamp"]
    assert parse_user_message(compact(msg), 0)[0].ts_venue == 1725958681 * S  # match_time
    del msg["match_time"]
    msg["matchtime"] = "1725958680"
    assert parse_user_message(compact(msg), 0)[0].ts_venue == 1725958680 * S
    del msg["matchtime"], msg["last_update"]
    assert parse_user_message(compact(msg), 42)[0].ts_venue == 42


def test_iso_match_time_is_accepted() -> None:
    msg = obj("rust_test_data/ws_user_trade_msg.json")
    del msg["timestamp"]
    (fill,) = parse_user_message(compact(msg), 0)
    assert fill.ts_venue == 1704067200 * S  # "2024-01-01T00:00:00Z"


def test_maker_trade_without_identity_is_refused() -> None:
    parser = UserMessageParser()
    assert parser.parse(raw("ws_messages/user_trade1.json"), 0) == []
    assert parser.stats == {"no_identity": 1}
    with pytest.raises(ParseError) as info:
        parser.parse_strict(raw("ws_messages/user_trade1.json"), 0)
    assert info.value.reason is Reason.NO_IDENTITY


def test_maker_trade_with_none_of_our_orders_is_flagged() -> None:
    parser = UserMessageParser(api_key="00000000-0000-0000-0000-00000000dead")
    assert parser.parse(raw("ws_messages/user_trade1.json"), 0) == []
    assert parser.stats == {"not_ours": 1}


def test_bad_price_in_our_maker_entry_skips_only_that_fill() -> None:
    msg = obj("ws_messages/user_trade4.json")
    msg["maker_orders"][0]["price"] = "1.5"
    parser = UserMessageParser(funder=OUR_FUNDER)
    fills = parser.parse(compact(msg), 0)
    assert [f.price for f in fills] == [3000]
    assert parser.stats == {"bad_price": 1}


# ---- order events ---------------------------------------------------------------------------


def test_cancellation() -> None:
    (e,) = parse_user_message(raw("ws_messages/order_cancel.json"), 3, api_key=OUR_KEY)
    assert e == OrderCancelled(
        venue_order_id="0xc6e99c14f1c7cae9e0538eb2d45a4d8b93ffd743e850edd1502a8c85700be5d3",
        ts_venue=1725841743272 * MS,
        ts_local=3,
        reason="CANCELED",
        size_matched=5_000_000,  # "5" shares matched before the cancel
    )


def test_killed_fok_with_empty_strings() -> None:
    (e,) = parse_user_message(raw("rust_test_data/ws_user_order_fok_killed.json"), 0)
    assert isinstance(e, OrderCancelled)
    assert e.venue_order_id == "0x78xx"
    assert e.ts_venue == 1777824065000 * MS
    assert e.reason == "CANCELED_order couldn't be fully filled. FOK orders are fully filled or killed."
    assert e.size_matched is None  # "": the venue did not say


def test_venue_initiated_cancel_status_invalid() -> None:
    (e,) = parse_user_message(with_event_type("rust_test_data/ws_user_order_venue_cancel.json", "order"), 0)
    assert isinstance(e, OrderCancelled)
    assert (e.venue_order_id, e.reason, e.ts_venue) == ("0x0e", "INVALID", 1774378800285 * MS)
    assert e.size_matched == 0  # "0": nothing matched, nothing in flight


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2.5", 2_500_000, id="fraction"),
        pytest.param("0.000001", 1, id="one_micro_share"),
        pytest.param(" 12 ", 12_000_000, id="padded"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_cancellation_size_matched(text: str | None, expected: int | None) -> None:
    msg = obj("ws_messages/order_cancel.json")
    if text is None:
        del msg["size_matched"]
    else:
        msg["size_matched"] = text
    (e,) = parse_user_message(compact(msg), 0)
    assert isinstance(e, OrderCancelled) and e.size_matched == expected


@pytest.mark.parametrize("text", [pytest.param("-1", id="negative"), pytest.param("5 shares", id="junk")])
def test_bad_size_matched_keeps_the_cancel(text: str) -> None:
    msg = obj("ws_messages/order_cancel.json")
    msg["size_matched"] = text
    parser = UserMessageParser(api_key=OUR_KEY)
    (e,) = parser.parse(compact(msg), 0)
    assert isinstance(e, OrderCancelled) and e.reason == "CANCELED" and e.size_matched is None
    assert parser.stats == {"bad_value": 1}
    with pytest.raises(ParseError) as info:
        parser.parse_strict(compact(msg), 0)
    assert info.value.reason is Reason.BAD_VALUE


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(raw("ws_messages/order_placement.json"), id="placement"),
        pytest.param(with_event_type("rust_test_data/ws_user_order_update.json", "order"), id="update"),
    ],
)
def test_placement_and_update_emit_nothing(frame: bytes) -> None:
    parser = UserMessageParser(api_key=OUR_KEY)
    assert parser.parse_strict(frame, 0) == []
    assert not parser.stats


def test_user_frames_pong_array_and_garbage() -> None:
    parser = UserMessageParser(api_key=OUR_KEY)
    assert parser.parse(b"PONG", 0) == []
    frame = b"[" + raw("ws_messages/order_cancel.json") + b"," + raw("ws_messages/user_trade2.json") + b"]"
    assert [type(e) for e in parser.parse(frame, 0)] == [OrderCancelled, OrderFilled]
    assert parser.parse(b"{not json", 0) == []
    assert parser.parse(raw("ws_messages/book.json"), 0) == []  # a market message on the user channel
    assert parser.stats == {"malformed_json": 1, "unknown_event_type": 1}
