"""Pure pricing math for binary up/down rounds: fair value, volatility (EWMA + a measured
time-of-day profile), Kelly sizing, Bayesian anchoring to the market, calibration metrics, and
the one exact bridge from a model probability to a price on the tick grid.

No I/O (except loading the packaged volatility profile), no clock reads: callers pass
timestamps. Probabilities are floats; prices and sizes leaving this package are ints.
"""

from .bayes import anchor, anchor_to_price, logit, sigmoid
from .calibration import (
    CalibrationReport,
    ReliabilityBin,
    brier_score,
    brier_skill_score,
    calibration_report,
    expected_calibration_error,
    log_loss,
    reliability_bins,
)
from .fair_value import norm_cdf, prob_up, prob_up_ref, ref_to_float, time_to_expiry_s
from .grid import Rounding, check_tick, price_to_prob, prob_to_price
from .kelly import DEFAULT_KELLY, KellyParams, bet_fraction, kelly_fraction, kelly_size, win_probability
from .vol_profile import VolProfile, hour_of, weekday_of
from .volatility import EwmaVol, Seasonality, realized_vol

__all__ = [name for name in dir() if not name.startswith("_")]
