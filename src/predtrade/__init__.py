"""predtrade: a trading system for binary prediction markets (Polymarket first)."""

from predtrade import _accel

__version__ = "0.1.0"

# before any hot-path module is imported: stale compiled modules (or all of them, with
# PREDTRADE_PURE_PYTHON=1) load from their source (see predtrade._accel)
_accel.install()
