from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.model import FeeSchedule, Market, Outcome, Side, TradeStatus

YES = "1" * 77
NO = "2" * 77


def test_market_outcome_mapping() -> None:
    m = Market(condition_id="0xabc", token_ids=(YES, NO), outcomes=("Up", "Down"))
    assert m.outcome_of(YES) is Outcome.YES
    assert m.outcome_of(NO) is Outcome.NO
    assert m.other_token(YES) == NO
    assert m.label_of(NO) == "Down"
    assert m.outcome_by_label("up") is Outcome.YES
    assert m.outcome_by_label("No") is Outcome.NO
    with pytest.raises(KeyError):
        m.outcome_of("3")


def test_enums() -> None:
    assert Side.parse("buy") is Side.BUY and Side.BUY.opposite is Side.SELL
    assert Outcome.YES.other is Outcome.NO
    assert TradeStatus.parse("TRADE_STATUS_CONFIRMED") is TradeStatus.CONFIRMED
    assert TradeStatus.parse("MATCHED").is_final is False
    with pytest.raises(ValueError):
        Side.parse("hold")


def test_fee_schedule_example() -> None:
    # 100 shares at 0.50 with a 7% rate, exponent 1: 100 * 0.07 * 0.25 = 1.75 USDC
    fees = FeeSchedule(rate_ppm=70_000, exponent=1, taker_only=True, rebate_rate_ppm=200_000)
    assert fees.taker_fee(5000, 100_000_000) == 1_750_000
    assert fees.maker_fee(5000, 100_000_000) == 0
    assert fees.maker_rebate(5000, 100_000_000) == 350_000


@given(
    st.integers(1, 9999),
    st.integers(0, 10**12),
    st.integers(0, 200_000),
    st.integers(1, 3),
)
def test_fee_agrees_with_decimal(p: int, s: int, rate: int, e: int) -> None:
    fees = FeeSchedule(rate_ppm=rate, exponent=e, rebate_rate_ppm=250_000)
    price = Decimal(p) / 10**4
    exact = Decimal(s) / 10**6 * Decimal(rate) / 10**6 * (price * (1 - price)) ** e * 10**6
    assert Decimal(fees.taker_fee(p, s)) == exact.to_integral_value(ROUND_CEILING)
    assert fees.maker_rebate(p, s) == int(
        (Decimal(fees.taker_fee(p, s)) * Decimal(250_000) / 10**6).to_integral_value(ROUND_FLOOR)
    )
