"""The ``price_change`` fast paths give exactly what the general rules give: ``parse_strict`` on
a frame that ends with its ``event_type`` (decoded straight as a PriceChange, like ``parse``), and
the two-entry shortcut of the handler (a level and its mirror, cache misses included), for good
frames, bad entries (skipped by ``parse``, raised by ``parse_strict``) and one asset twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.venues.polymarket._common import FrameParser
from predtrade.venues.polymarket.parse import MarketMessageParser, ParseError

from ._res import compact, obj

TS = 1_700_000_000_000_000_000
YES = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
NO = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
MARKET = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"


def event_type_last(msg: dict[str, Any]) -> bytes:
    """As the venue writes it: compact, ``event_type`` the last key."""
    body = {k: v for k, v in msg.items() if k != "event_type"}
    body["event_type"] = msg["event_type"]
    return compact(body)


def general(frame: bytes, assets: list[str], *, strict: bool) -> Any:
    """The general rules: the union decoder and the handler's per-entry loop (a subscription to
    every asset of the frame turns the two-entry shortcut off and filters nothing)."""
    parser = MarketMessageParser(subscribed=assets)
    if strict:
        return FrameParser.parse_strict(parser, frame, TS)
    return FrameParser.parse(parser, frame, TS), dict(parser.stats)


def outcome(fn: Any) -> Any:
    try:
        return fn()
    except ParseError as exc:
        return ("raised", exc.reason)


@pytest.mark.parametrize(
    "name", ["ws_messages/price_change.json", "ws_messages/price_change_v2.json",
             "rust_test_data/ws_market_price_change_msg.json"],
)  # fmt: skip
def test_parse_strict_fast_path_equals_the_generic_path_on_fixtures(name: str) -> None:
    msg = obj(name)
    frame = event_type_last(msg)
    assert frame.endswith(b'"event_type":"price_change"}')
    entries = msg.get("price_changes") or [msg]
    assets = sorted({e["asset_id"] for e in entries})
    fast = MarketMessageParser().parse_strict(frame, TS)
    assert fast
    assert fast == general(frame, assets, strict=True)
    assert fast == MarketMessageParser().parse(frame, TS)
    assert fast == MarketMessageParser().parse_strict(json.dumps(msg).encode(), TS)  # tag not last


PRICE = st.one_of(
    st.integers(1, 99).map(lambda c: f"0.{c:02d}"),
    st.integers(1, 9999).map(lambda p: f"{p / 10_000:.4f}"),  # fresh texts: cache misses
    st.sampled_from(["0", "1", "1.5", "abc", "", "0.00001"]),  # bad prices
)
SIZE = st.one_of(
    st.integers(0, 10**9).map(lambda n: f"{n // 100}.{n % 100:02d}"),
    st.sampled_from(["0", "-1", "x", "1e3"]),
)
BEST = st.one_of(st.none(), PRICE, st.sampled_from(["0", "1"]))


@st.composite
def entry(draw: st.DrawFn, asset: str) -> dict[str, Any]:
    e = {
        "asset_id": asset,
        "price": draw(PRICE),
        "size": draw(SIZE),
        "side": draw(st.sampled_from(["BUY", "SELL", "BUY", "SELL", "buy", "HOLD"])),
        "hash": draw(st.sampled_from(["h1", "h2"])),
    }
    for k in ("best_bid", "best_ask"):
        v = draw(BEST)
        if v is not None:
            e[k] = v
    return e


@settings(max_examples=400, deadline=None)
@given(st.data(), st.sampled_from([(YES, NO), (NO, YES), (YES, YES)]))
def test_the_two_entry_shortcut_equals_the_general_rules(data: st.DataObject, pair: tuple[str, str]) -> None:
    msg = {
        "market": MARKET,
        "price_changes": [data.draw(entry(pair[0])), data.draw(entry(pair[1]))],
        "timestamp": "1703875201000",
        "event_type": "price_change",
    }
    frame = event_type_last(msg)
    assets = sorted(set(pair))
    parser = MarketMessageParser()
    got = parser.parse(frame, TS)
    assert (got, dict(parser.stats)) == general(frame, assets, strict=False)
    assert outcome(lambda: MarketMessageParser().parse_strict(frame, TS)) == outcome(
        lambda: general(frame, assets, strict=True)
    )
