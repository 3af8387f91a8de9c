"""Fixed-point units: parsing, formatting and rounding agree with Decimal."""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.model import (
    ONE,
    UnitError,
    check_price,
    complement,
    cost_up,
    format_price,
    format_size,
    parse_cash,
    parse_fixed,
    parse_price,
    parse_size,
    parse_tick,
    proceeds_down,
    shares_value,
)
from predtrade.model.units import format_fixed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0.52", 5200, id="plain"),
        pytest.param(".52", 5200, id="no-leading-zero"),
        pytest.param("0.5", 5000, id="one-digit"),
        pytest.param("0.0001", 1, id="smallest"),
        pytest.param("0.9999", 9999, id="largest"),
        pytest.param("0.520000", 5200, id="trailing-zeros"),
    ],
)
def test_parse_price(text: str, expected: int) -> None:
    assert parse_price(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("0", id="zero"),
        pytest.param("1", id="one"),
        pytest.param("1.5", id="above-one"),
        pytest.param("-0.5", id="negative"),
        pytest.param("0.00001", id="too-fine"),
        pytest.param("abc", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param("1e-2", id="exponent"),
        pytest.param("0.5.1", id="two-dots"),
        pytest.param(".", id="dot-only"),
    ],
)
def test_parse_price_rejects(text: str) -> None:
    with pytest.raises(UnitError):
        parse_price(text)


def test_price_tick_grid() -> None:
    assert parse_price("0.52", tick=100) == 5200
    assert parse_price("0.525", tick=50) == 5250
    with pytest.raises(UnitError, match="tick grid"):
        parse_price("0.525", tick=100)
    with pytest.raises(UnitError, match="tick grid"):
        check_price(5201, tick=100)
    with pytest.raises(UnitError, match="outside"):
        check_price(10_000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("150.25", 150_250_000), ("0", 0), ("219.217767", 219_217_767), ("9000023.58", 9_000_023_580_000)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected
    assert parse_size(format_size(expected)) == expected


def test_size_and_cash_errors() -> None:
    with pytest.raises(UnitError, match="more than 6"):
        parse_size("1.0000001")
    with pytest.raises(UnitError, match="negative"):
        parse_size("-1")
    assert parse_cash("-12.5") == -12_500_000


def test_ticks() -> None:
    assert [parse_tick(t) for t in ("0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001")] == [
        1000, 100, 50, 25, 10, 1,
    ]
    with pytest.raises(UnitError):
        parse_tick("0.02")


def test_format() -> None:
    assert format_price(5200) == "0.52"
    assert format_price(1) == "0.0001"
    assert format_size(150_250_000) == "150.25"
    assert format_size(0) == "0"
    assert format_fixed(-1_500_000, 6) == "-1.5"
    assert complement(5200) == 4800 == ONE - 5200


decimal_text = st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False)


@given(decimal_text)
def test_parse_agrees_with_decimal(d: Decimal) -> None:
    text = format(d, "f")
    assert parse_fixed(text, 6) == int(d * 10**6)
    assert Decimal(format_fixed(parse_fixed(text, 6), 6)) == d


prices = st.integers(min_value=1, max_value=9999)
sizes = st.integers(min_value=0, max_value=10**13)


@given(prices, sizes)
def test_cost_and_proceeds_agree_with_decimal(p: int, s: int) -> None:
    exact = Decimal(p) / 10**4 * (Decimal(s) / 10**6)
    assert Decimal(cost_up(p, s)) == (exact * 10**6).to_integral_value(ROUND_CEILING)
    assert Decimal(proceeds_down(p, s)) == (exact * 10**6).to_integral_value(ROUND_FLOOR)
    # a complete set (YES at p + NO at 1-p) costs exactly its payout when nothing is lost to rounding
    assert cost_up(p, s) + cost_up(ONE - p, s) >= shares_value(s)
    assert proceeds_down(p, s) + proceeds_down(ONE - p, s) <= shares_value(s)
