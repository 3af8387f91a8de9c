"""Out-of-sample evaluation of the fair-value model (``predtrade fairvalue calibrate``): run the
model over resolved rounds at several times to expiry, with no look-ahead, and score it against
the outcomes and, where recorded, the market's own price."""

from .calibrate import (
    DEFAULT_HORIZONS,
    Forecast,
    HorizonStats,
    ModelConfig,
    PathEvaluator,
    Round,
    SourceResult,
    mid_prob,
    score_horizon,
    score_source,
)

__all__ = [name for name in dir() if not name.startswith("_")]
