"""The simulated exchange: :class:`SimVenue` with named latency, queue and exchange models.

Models (hftbacktest naming): ``latency=ConstantLatency(...) | EmpiricalLatency(...)``,
``queue=RiskAverse() | ProbQueue(n)``, ``exchange=PartialFill() | NoPartialFill()``. Every rule
and every way the simulation can still flatter a strategy is written down in
``docs/SIMULATOR.md``.
"""

from .latency import (
    SEED001_CANCEL_MEDIAN_MS,
    SEED001_PLACE_QUANTILES_MS,
    ConstantLatency,
    EmpiricalLatency,
    LatencyModel,
    LatencySample,
    QuantileFunction,
    default_latency,
)
from .matching import SOURCE_BOOK, SOURCE_TAKER, SOURCE_TRADE
from .models import ExchangeModel, NoPartialFill, PartialFill, ProbQueue, QueueModel, RiskAverse
from .orders import (
    CANCEL_ALREADY_CANCELLED,
    CANCEL_ALREADY_FILLED,
    CANCEL_NOT_FOUND,
    CANCELLED_FAK_REMAINDER,
    CANCELLED_MARKET_RESOLVED,
    REJECT_FAK,
    REJECT_FOK,
    REJECT_INVALID_TOKEN,
    REJECT_MARKET_CLOSED,
    REJECT_MARKET_NOT_FOUND,
    REJECT_POST_ONLY_CROSSES,
    REJECT_POST_ONLY_TIF,
    reject_duplicate,
    reject_min_size,
    reject_price_range,
    reject_tick,
)
from .venue import RestingOrder, SimVenue

__all__ = [
    "CANCELLED_FAK_REMAINDER",
    "CANCELLED_MARKET_RESOLVED",
    "CANCEL_ALREADY_CANCELLED",
    "CANCEL_ALREADY_FILLED",
    "CANCEL_NOT_FOUND",
    "REJECT_FAK",
    "REJECT_FOK",
    "REJECT_INVALID_TOKEN",
    "REJECT_MARKET_CLOSED",
    "REJECT_MARKET_NOT_FOUND",
    "REJECT_POST_ONLY_CROSSES",
    "REJECT_POST_ONLY_TIF",
    "SEED001_CANCEL_MEDIAN_MS",
    "SEED001_PLACE_QUANTILES_MS",
    "SOURCE_BOOK",
    "SOURCE_TAKER",
    "SOURCE_TRADE",
    "ConstantLatency",
    "EmpiricalLatency",
    "ExchangeModel",
    "LatencyModel",
    "LatencySample",
    "NoPartialFill",
    "PartialFill",
    "ProbQueue",
    "QuantileFunction",
    "QueueModel",
    "RestingOrder",
    "RiskAverse",
    "SimVenue",
    "default_latency",
    "reject_duplicate",
    "reject_min_size",
    "reject_price_range",
    "reject_tick",
]
