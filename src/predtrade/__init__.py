"""predtrade: a trading system for binary prediction markets (Polymarket first)."""

__version__ = "0.1.0"
