"""Frozen value types: fixed-point units, ids, enums, events and market metadata.

This package imports nothing else from predtrade.
"""

from .enums import Liquidity, OrderState, Outcome, Side, TimeInForce, TradeStatus
from .events import (
    REF_DECIMALS,
    REF_SCALE,
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    CancelRejected,
    Event,
    Level,
    MarketEvent,
    MarketResolved,
    NewMarket,
    OrderAccepted,
    OrderCancelled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    ReferencePrice,
    TickSizeChange,
    TradePrint,
)
from .ids import ClientOrderId, ClientOrderIdGenerator, ConditionId, TokenId, TradeId, VenueOrderId
from .market import NO_FEES, PPM, FeeSchedule, Market
from .units import (
    CASH_SCALE,
    MAX_PRICE,
    MIN_PRICE,
    ONE,
    PRICE_SCALE,
    SIZE_SCALE,
    Cash,
    Price,
    Size,
    UnitError,
    check_price,
    complement,
    cost_up,
    format_cash,
    format_fixed,
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

__all__ = [name for name in dir() if not name.startswith("_")]
