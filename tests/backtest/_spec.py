"""What the issue requires `predtrade backtest --json` to print (stated here, independently of the
implementation's own JSON_KEYS, so a missing key fails the tests)."""

REQUIRED_JSON_KEYS = (
    "run_id",
    "events",
    "orders_placed",
    "orders_cancelled",
    "fills",
    "fills_by_outcome_side",
    "volume",
    "fees",
    "pnl",
    "max_drawdown",
    "sharpe",
    "brier",
    "events_per_second",
    "report",
)
