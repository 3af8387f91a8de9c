"""Calibration of probability forecasts against resolved binary outcomes.

* Brier score ``mean((p - y)**2)``: 0 is perfect, 0.25 is "always say 0.5".
* Log loss ``-mean(y ln p + (1 - y) ln(1 - p))`` with ``p`` clipped into ``[eps, 1 - eps]`` (one
  confident miss would otherwise make it infinite and hide everything else).
* Reliability bins: forecasts grouped by predicted probability into ``n`` equal-width bins; a
  calibrated forecaster's observed frequency matches its mean prediction in every bin. ECE is the
  count-weighted mean gap.
* Brier skill score ``1 - brier / brier_baseline``: positive means better than the baseline. The
  baseline that matters for trading is the market's own price (seed 002's "model vs market");
  a constant (e.g. the base rate) is the weaker climatology baseline.

Outcomes are ``bool`` or ``0``/``1``; probabilities must be finite and within [0, 1]. Bad input
raises ``ValueError`` (these are offline reports: a silent NaN would be worse than a stop).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CalibrationReport",
    "ReliabilityBin",
    "brier_score",
    "brier_skill_score",
    "calibration_report",
    "expected_calibration_error",
    "log_loss",
    "reliability_bins",
]

DEFAULT_LOG_EPS = 1e-15


def _validate(probs: Sequence[float], outcomes: Sequence[int | bool]) -> list[int]:
    if len(probs) != len(outcomes):
        raise ValueError(f"probs and outcomes differ in length ({len(probs)} != {len(outcomes)})")
    if not probs:
        raise ValueError("no forecasts")
    ys: list[int] = []
    for p, y in zip(probs, outcomes, strict=True):
        if not (0.0 <= p <= 1.0):
            raise ValueError(f"probability must be within [0, 1], got {p!r}")
        if y not in (0, 1):  # True/False compare equal to 1/0
            raise ValueError(f"outcome must be 0/1 or a bool, got {y!r}")
        ys.append(int(y))
    return ys


def brier_score(probs: Sequence[float], outcomes: Sequence[int | bool]) -> float:
    ys = _validate(probs, outcomes)
    return math.fsum((p - y) ** 2 for p, y in zip(probs, ys, strict=True)) / len(ys)


def log_loss(
    probs: Sequence[float], outcomes: Sequence[int | bool], *, eps: float = DEFAULT_LOG_EPS
) -> float:
    if not (0.0 < eps < 0.5):
        raise ValueError(f"eps must be inside (0, 0.5), got {eps!r}")
    ys = _validate(probs, outcomes)
    lo, hi = eps, 1.0 - eps
    total = math.fsum(
        -math.log(min(hi, max(lo, p))) if y else -math.log1p(-min(hi, max(lo, p)))
        for p, y in zip(probs, ys, strict=True)
    )
    return total / len(ys)


def brier_skill_score(
    probs: Sequence[float],
    outcomes: Sequence[int | bool],
    baseline: Sequence[float] | float,
) -> float:
    """``1 - brier(probs) / brier(baseline)``; ``baseline`` is one forecast per outcome (e.g.
    the market mid at the same moment) or a constant. ``ValueError`` if the baseline is perfect
    (skill is then undefined)."""
    base = [float(baseline)] * len(probs) if isinstance(baseline, int | float) else baseline
    b_model = brier_score(probs, outcomes)
    b_base = brier_score(base, outcomes)
    if b_base == 0.0:
        raise ValueError("baseline Brier score is 0: skill is undefined")
    return 1.0 - b_model / b_base


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """Bin ``[lo, hi)`` (the last bin includes 1.0). ``mean_predicted``/``observed`` are ``None``
    for an empty bin."""

    lo: float
    hi: float
    count: int
    mean_predicted: float | None
    observed: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lo": self.lo,
            "hi": self.hi,
            "count": self.count,
            "mean_predicted": self.mean_predicted,
            "observed": self.observed,
        }


def reliability_bins(
    probs: Sequence[float], outcomes: Sequence[int | bool], n_bins: int = 10
) -> list[ReliabilityBin]:
    """``n_bins`` equal-width bins over [0, 1], empty ones included (counts sum to N)."""
    if type(n_bins) is not int or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}")
    ys = _validate(probs, outcomes)
    sum_p: list[list[float]] = [[] for _ in range(n_bins)]
    sum_y = [0] * n_bins
    for p, y in zip(probs, ys, strict=True):
        i = min(int(p * n_bins), n_bins - 1)
        sum_p[i].append(p)
        sum_y[i] += y
    out = []
    for i in range(n_bins):
        n = len(sum_p[i])
        out.append(
            ReliabilityBin(
                lo=i / n_bins,
                hi=(i + 1) / n_bins,
                count=n,
                mean_predicted=math.fsum(sum_p[i]) / n if n else None,
                observed=sum_y[i] / n if n else None,
            )
        )
    return out


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    """Count-weighted mean ``|mean_predicted - observed|`` over non-empty bins."""
    total = sum(b.count for b in bins)
    if total == 0:
        raise ValueError("no forecasts in bins")
    gaps = [
        b.count * abs(b.mean_predicted - b.observed)
        for b in bins
        if b.count and b.mean_predicted is not None and b.observed is not None
    ]
    return math.fsum(gaps) / total


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    n: int
    base_rate: float
    brier: float
    log_loss: float
    ece: float
    bins: tuple[ReliabilityBin, ...]
    baseline_brier: float | None = None
    brier_skill: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "base_rate": self.base_rate,
            "brier": self.brier,
            "log_loss": self.log_loss,
            "ece": self.ece,
            "baseline_brier": self.baseline_brier,
            "brier_skill": self.brier_skill,
            "bins": [b.to_dict() for b in self.bins],
        }


def calibration_report(
    probs: Sequence[float],
    outcomes: Sequence[int | bool],
    *,
    baseline: Sequence[float] | float | None = None,
    n_bins: int = 10,
) -> CalibrationReport:
    """Brier, log loss, reliability bins and ECE; Brier skill only with a ``baseline`` (and
    ``None`` when the baseline's Brier is 0 rather than an error, so a report always renders)."""
    ys = _validate(probs, outcomes)
    bins = tuple(reliability_bins(probs, ys, n_bins))
    brier = brier_score(probs, ys)
    b_base = skill = None
    if baseline is not None:
        base = [float(baseline)] * len(ys) if isinstance(baseline, int | float) else baseline
        b_base = brier_score(base, ys)
        skill = 1.0 - brier / b_base if b_base > 0.0 else None
    return CalibrationReport(
        n=len(ys),
        base_rate=sum(ys) / len(ys),
        brier=brier,
        log_loss=log_loss(probs, ys),
        ece=expected_calibration_error(bins),
        bins=bins,
        baseline_brier=b_base,
        brier_skill=skill,
    )
