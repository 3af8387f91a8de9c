"""The hot-path converters agree with the model's exact parsers, and times parse exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.model import ONE, parse_size
from predtrade.venues.polymarket import _common as cm
from predtrade.venues.polymarket.parse import ParseError, Reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3300", 3_300_000_000, id="integer"),
        pytest.param("21574.08", 21_574_080_000, id="two-decimals"),
        pytest.param(".5", 500_000, id="no-leading-zero"),
        pytest.param("0.000001", 1, id="smallest"),
        pytest.param("0", 0, id="zero"),
        pytest.param("0.000", 0, id="zero-with-decimals"),
        pytest.param("1.50000000", 1_500_000, id="trailing-zeros-beyond-6"),
        pytest.param("007", 7_000_000, id="leading-zeros"),
        # unambiguous spellings the model's parse_size also accepts (the slow path defers to it)
        pytest.param("5.", 5_000_000, id="trailing-dot"),
        pytest.param(" 1", 1_000_000, id="space"),
        pytest.param("+1", 1_000_000, id="plus"),
    ],
)
def test_size(text: str, expected: int) -> None:
    cm._SIZES.pop(text, None)
    assert cm.size(text) == expected
    assert cm.size(text) == expected  # cached


@pytest.mark.parametrize("text", ["", "-1", "1.0000001", "1e3", "1.2.3", "abc", "١٢", "0x10", "1_000", "∞"])
def test_bad_size(text: str) -> None:
    with pytest.raises(ParseError) as info:
        cm.size(text)
    assert info.value.reason is Reason.BAD_VALUE
    assert text not in cm._SIZES


@given(st.integers(0, 10**15), st.integers(0, 3))
def test_size_matches_model_parser(value: int, pad: int) -> None:
    whole, frac = divmod(value, 10**6)
    text = f"{whole}.{str(frac).rjust(6, '0')[: 6 - pad] if pad < 6 else ''}"
    text = text.rstrip(".") if text.endswith(".") else text
    cm._SIZES.pop(text, None)
    try:
        expected = parse_size(text)
    except ValueError:
        with pytest.raises(ParseError):
            cm.size(text)
    else:
        assert cm.size(text) == expected


@pytest.mark.parametrize(
    ("bid", "ask", "expected"),
    [
        pytest.param("0", "1", (0, ONE), id="empty-book"),
        pytest.param("0.0", "1.00", (0, ONE), id="empty-book-padded"),
        pytest.param(".49", ".51", (4900, 5100), id="no-leading-zero"),
        pytest.param("0.0001", "0.9999", (1, 9999), id="extremes"),
    ],
)
def test_best_bid_ask(bid: str, ask: str, expected: tuple) -> None:
    assert (cm.best_bid(bid), cm.best_ask(ask)) == expected


@pytest.mark.parametrize(("fn", "text"), [(cm.best_bid, "1"), (cm.best_ask, "0"), (cm.best_bid, "-0.1"),
                                          (cm.best_ask, "1.0001"), (cm.best_bid, "")])  # fmt: skip
def test_bad_best(fn: object, text: str) -> None:
    with pytest.raises(ParseError) as info:
        fn(text)  # type: ignore[operator]
    assert info.value.reason is Reason.BAD_PRICE


@pytest.mark.parametrize(
    ("value", "expected_ns"),
    [
        pytest.param("1725868885871", 1725868885871 * 10**6, id="ms-string"),
        pytest.param("1762776436", 1762776436 * 10**9, id="seconds-string"),
        pytest.param(1762776436, 1762776436 * 10**9, id="seconds-int"),
        pytest.param("1725868885871123", 1725868885871123 * 10**3, id="us-string"),
        pytest.param("1725868885871123456", 1725868885871123456, id="ns-string"),
        pytest.param("2024-01-01T00:00:00Z", 1704067200 * 10**9, id="iso-z"),
        pytest.param("2026-03-11T09:29:01.328428Z", 1773221341328428000, id="iso-micros"),
        pytest.param("2026-06-08 00:00:16+00", 1780876816 * 10**9, id="iso-short-offset"),
        pytest.param("2026-06-08T02:00:16+02:00", 1780876816 * 10**9, id="iso-offset"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_loose_time(value: str | int | None, expected_ns: int | None) -> None:
    assert cm.loose_time_ns(value) == expected_ns


@pytest.mark.parametrize("value", ["soon", "-5", True, 1.5, "12:00"])
def test_bad_loose_time(value: object) -> None:
    with pytest.raises(ParseError) as info:
        cm.loose_time_ns(value)  # type: ignore[arg-type]
    assert info.value.reason is Reason.BAD_VALUE
