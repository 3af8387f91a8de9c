"""Strategies: the pure ``evaluate(snapshot) -> Decision`` contract and the shipped strategies.

``STRATEGIES`` maps a name to ``(strategy class, config class)``; :func:`build_strategy` makes one
from a name and an optional TOML/JSON config file (defaults otherwise).
"""

from __future__ import annotations

from pathlib import Path

from predtrade.errors import ConfigError

from .amm import AmmConfig, AmmStrategy
from .api import (
    HOLD,
    STRATEGY_API_VERSION,
    Decision,
    DesiredOrder,
    OwnOrder,
    PositionView,
    Snapshot,
    Strategy,
)
from .bands import BandsConfig, BandsStrategy
from .config import StrategyConfig, config_from_dict, load_config
from .momentum import MomentumConfig, MomentumStrategy
from .proposal import Proposal, Quote

STRATEGIES: dict[str, tuple[type, type[StrategyConfig]]] = {
    "amm": (AmmStrategy, AmmConfig),
    "bands": (BandsStrategy, BandsConfig),
    "momentum": (MomentumStrategy, MomentumConfig),
}

#: example configs (every default, commented) shipped beside this module
EXAMPLES_DIR = Path(__file__).with_name("examples")


def build_strategy(name: str, config_path: str | Path | None = None) -> Strategy:
    """The strategy registered as ``name``, configured from ``config_path`` (``.toml``/``.json``;
    unknown keys and impossible values raise :class:`~predtrade.errors.ConfigError`) or with its
    defaults."""
    entry = STRATEGIES.get(name)
    if entry is None:
        known = ", ".join(sorted(STRATEGIES))
        raise ConfigError(f"unknown strategy {name!r} (known: {known})")
    cls, cfg_cls = entry
    config = cfg_cls() if config_path is None else load_config(cfg_cls, config_path)
    return cls(config)


__all__ = [
    "EXAMPLES_DIR",
    "HOLD",
    "STRATEGIES",
    "STRATEGY_API_VERSION",
    "AmmConfig",
    "AmmStrategy",
    "BandsConfig",
    "BandsStrategy",
    "Decision",
    "DesiredOrder",
    "MomentumConfig",
    "MomentumStrategy",
    "OwnOrder",
    "PositionView",
    "Proposal",
    "Quote",
    "Snapshot",
    "Strategy",
    "StrategyConfig",
    "build_strategy",
    "config_from_dict",
    "load_config",
]
