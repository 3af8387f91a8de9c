"""The trading engine: the one-writer loop, decision diffing with hysteresis and rate limits,
risk gates, and the service every surface (CLI, API, notifiers) calls."""

from .config import EngineConfig
from .execution import Plan, plan_quotes, preflight_depth
from .loop import Engine
from .risk import GATES, RiskConfig, RiskManager
from .service import CommandResult, OrderInfo, PositionInfo, Status, TradingService
from .sinks import NullSink
from .stats import EngineStats

__all__ = [
    "GATES",
    "CommandResult",
    "Engine",
    "EngineConfig",
    "EngineStats",
    "NullSink",
    "OrderInfo",
    "Plan",
    "PositionInfo",
    "RiskConfig",
    "RiskManager",
    "Status",
    "TradingService",
    "plan_quotes",
    "preflight_depth",
]
