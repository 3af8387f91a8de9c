"""REST /book (snapshot + summary hash) and Gamma market objects."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from predtrade.model import NO_FEES, FeeSchedule, Market
from predtrade.venues.polymarket.parse import (
    ParseError,
    Reason,
    parse_gamma_market,
    parse_rest_book,
    rest_book_hash,
    verify_rest_book_hash,
)

from ._res import MS, S, obj

# ---- /book ----------------------------------------------------------------------------------


def test_rest_book_fixture_is_sorted_best_first() -> None:
    book = parse_rest_book(obj("http_responses/book.json"), ts_local=5)
    assert book.asset_id == "23360939988679364027624185518382759743328544433592111535569478055890815567848"
    assert book.market == "0x1a4f04c2e6c000d9fc524eb12e7333217411a226c34745af140f195c0227cd5f"
    assert book.bids == ((1000, 125_000_000), (900, 294_000_000), (800, 120_000_000), (600, 200_000_000),
                         (100, 1_000_000_000))  # fmt: skip
    assert book.asks[0] == (1400, 705_000_000)
    assert book.asks[-1] == (9800, 5_000_000_000)
    assert book.asks[4] == (4700, 50_000_000)
    assert len(book.asks) == 7
    assert (book.ts_venue, book.ts_local) == (1728799418260 * MS, 5)
    assert book.hash == "2fc4a3d6a98bc164e057589bcb74981852b87412"


# An object in the current /book shape. Its hash was published as a test vector by the official
# py-clob-client test suite (tests/test_utilities.py, test_parse_raw_orderbook_summary_and_hash);
# it is not computed by our code.
CURRENT_BOOK = {
    "market": "0xaabbcc",
    "asset_id": "100",
    "bids": [{"price": "0.3", "size": "100"}, {"price": "0.4", "size": "100"}],
    "asks": [{"price": "0.6", "size": "100"}, {"price": "0.7", "size": "100"}],
    "hash": "0458ea5755c9f73d64a14636fa5c36ed460ec394",
    "timestamp": "123456789",
    "min_order_size": "100",
    "neg_risk": False,
    "tick_size": "0.01",
    "last_trade_price": "0.5",
}


def test_rest_book_hash_matches_the_published_vector() -> None:
    assert rest_book_hash(CURRENT_BOOK) == "0458ea5755c9f73d64a14636fa5c36ed460ec394"
    assert verify_rest_book_hash(CURRENT_BOOK)


def test_rest_book_hash_ignores_the_hash_field_and_input_key_order() -> None:
    shuffled = dict(reversed(list(CURRENT_BOOK.items())))
    shuffled["hash"] = "whatever"
    assert rest_book_hash(shuffled) == CURRENT_BOOK["hash"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("timestamp", "123456790", id="timestamp"),
        pytest.param("neg_risk", True, id="neg_risk"),
        pytest.param("tick_size", "0.001", id="tick_size"),
        pytest.param("last_trade_price", "0.50", id="same-value-other-spelling"),
        pytest.param("bids", CURRENT_BOOK["bids"][::-1], id="level-order"),
    ],
)
def test_rest_book_hash_detects_any_change(key: str, value: object) -> None:
    tampered = {**CURRENT_BOOK, key: value}
    assert rest_book_hash(tampered) != CURRENT_BOOK["hash"]
    assert not verify_rest_book_hash(tampered)


def test_current_book_parses_with_tick() -> None:
    book = parse_rest_book(CURRENT_BOOK)
    assert book.bids == ((4000, 100_000_000), (3000, 100_000_000))
    assert book.asks == ((6000, 100_000_000), (7000, 100_000_000))
    assert book.tick == 100
    assert book.ts_venue == 123456789 * MS


def test_2024_fixture_verifies_with_the_legacy_layout() -> None:
    fixture = obj("http_responses/book.json")
    assert rest_book_hash(fixture, legacy=True) == fixture["hash"]
    assert verify_rest_book_hash(fixture)
    fixture["asks"][0]["size"] = "5001"
    assert not verify_rest_book_hash(fixture)


def test_2024_websocket_book_hash_uses_the_same_legacy_layout() -> None:
    # PROTOCOLS lists the WS hash algorithm as unverified; this real 2024 capture reproduces.
    ws_book = obj("ws_messages/book.json")
    assert rest_book_hash(ws_book, legacy=True) == "655a38d4977427b086c25b985993691b753ed166"
    assert verify_rest_book_hash(ws_book)


def test_hash_of_incomplete_book() -> None:
    incomplete = {k: v for k, v in CURRENT_BOOK.items() if k != "tick_size"}
    with pytest.raises(ParseError) as info:
        rest_book_hash(incomplete)
    assert info.value.reason is Reason.MISSING_FIELD
    assert not verify_rest_book_hash({"market": "x"})
    assert not verify_rest_book_hash({**CURRENT_BOOK, "bids": "nope"})


def test_bad_rest_book() -> None:
    with pytest.raises(ParseError) as info:
        parse_rest_book({**CURRENT_BOOK, "asks": [{"price": "1.2", "size": "1"}]})
    assert info.value.reason is Reason.BAD_PRICE
    with pytest.raises(ParseError) as info:
        parse_rest_book({k: v for k, v in CURRENT_BOOK.items() if k != "asset_id"})
    assert info.value.reason is Reason.MISSING_FIELD


# ---- Gamma ----------------------------------------------------------------------------------


def test_gamma_market_fixture() -> None:
    m = parse_gamma_market(obj("rust_test_data/gamma_market.json"))
    assert m == Market(
        condition_id="0x78443f961b9a65869dcb39359de9960165c7e5cbad0904eac7f29cd77872a63b",
        token_ids=(
            "104239898038807136052399800151408521467737075933964991162589336683346093173875",
            "71183960810705820955071415844881728181970340514894896943812046065452395013351",
        ),
        outcomes=("Up", "Down"),
        tick=100,
        min_order_size=5_000_000,
        end_ts=1773307500 * S,  # 2026-03-12T09:25:00Z
        start_ts=1773307200 * S,  # 2026-03-12T09:20:00Z, the timestamp in the slug
        neg_risk=False,
        fees=NO_FEES,  # this 2026-03 object predates feeSchedule
        slug="btc-updown-5m-1773307200",
        question="Bitcoin Up or Down - March 12, 5:20AM-5:25AM ET",
    )


LIGENGXIN = Path("/work/shared/data/ligengxin_pm_samples/2026-06-08/BTC-5m-markets-2026-06-08.jsonl.gz")


@pytest.mark.skipif(not LIGENGXIN.exists(), reason="shared vendor sample not present (not redistributable)")
def test_gamma_market_from_vendor_sample_agrees_with_the_vendor_fields() -> None:
    with gzip.open(LIGENGXIN, "rt") as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) == 292
    for row in rows:
        m = parse_gamma_market(row["raw"])
        # the vendor's own (independent) columns of the same row
        assert m.condition_id == row["condition_id"]
        assert list(m.token_ids) == row["token_ids"]
        assert m.start_ts == row["start_sec"] * S
        assert m.end_ts == row["end_sec"] * S
        assert m.slug == row["slug"]
        # every raw["feeSchedule"] is {"rate": 0.07, "exponent": 1, "takerOnly": true, "rebateRate": 0.2}
        assert m.fees == FeeSchedule(rate_ppm=70_000, exponent=1, taker_only=True, rebate_rate_ppm=200_000)
        assert m.tick == {0.01: 100, 0.001: 10}[row["raw"]["orderPriceMinTickSize"]]
        assert m.min_order_size == 5_000_000
        assert m.outcomes == ("Up", "Down")
    first = parse_gamma_market(rows[0]["raw"])
    assert first.slug == "btc-updown-5m-1780876500"
    assert first.tick == 10  # orderPriceMinTickSize 0.001 in the first row


def _gamma(**changes: object) -> dict:
    base = obj("rust_test_data/gamma_market.json")
    for k, v in changes.items():
        if v is None:
            base.pop(k, None)
        else:
            base[k] = v
    return base


def test_gamma_accepts_lists_and_event_start_fallback() -> None:
    m = parse_gamma_market(
        _gamma(outcomes=["Yes", "No"], clobTokenIds=["1", "2"], eventStartTime=None, negRisk=True)
    )
    assert m.token_ids == ("1", "2")
    assert m.neg_risk is True
    assert m.start_ts == 1773307200 * S  # events[0].startTime
    fees = {"rate": "0.0125", "exponent": 2, "takerOnly": False, "rebateRate": 0}
    assert parse_gamma_market(_gamma(feeSchedule=fees)).fees == FeeSchedule(
        rate_ppm=12_500, exponent=2, taker_only=False, rebate_rate_ppm=0
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"clobTokenIds": "[]"}, Reason.BAD_VALUE, id="hydration-window-no-tokens"),
        pytest.param({"outcomes": '["A", "B", "C"]'}, Reason.BAD_VALUE, id="not-binary"),
        pytest.param({"clobTokenIds": '["0x12", "34"]'}, Reason.BAD_VALUE, id="token-not-decimal"),
        pytest.param({"outcomes": "[not json"}, Reason.BAD_VALUE, id="outcomes-not-json"),
        pytest.param({"conditionId": None}, Reason.MISSING_FIELD, id="no-condition-id"),
        pytest.param({"orderPriceMinTickSize": None}, Reason.MISSING_FIELD, id="legacy-no-tick"),
        pytest.param({"orderPriceMinTickSize": 0.02}, Reason.BAD_VALUE, id="invalid-tick"),
        pytest.param({"orderMinSize": "five"}, Reason.BAD_VALUE, id="bad-min-size"),
        pytest.param({"endDate": "next tuesday"}, Reason.BAD_VALUE, id="bad-end-date"),
        pytest.param({"feeSchedule": {"rate": 1e-7}}, Reason.BAD_VALUE, id="fee-rate-too-precise"),
        pytest.param({"feeSchedule": {"rate": 0.07, "exponent": 1.5}}, Reason.BAD_VALUE, id="half-exponent"),
        pytest.param({"negRisk": "false"}, Reason.BAD_VALUE, id="neg-risk-string"),
    ],
)
def test_gamma_errors(changes: dict, reason: Reason) -> None:
    with pytest.raises(ParseError) as info:
        parse_gamma_market(_gamma(**changes))
    assert info.value.reason is reason
