"""Brier, log loss, skill, reliability bins and the report."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.pricing.calibration import (
    brier_score,
    brier_skill_score,
    calibration_report,
    expected_calibration_error,
    log_loss,
    reliability_bins,
)


@pytest.mark.parametrize(
    ("probs", "outcomes", "expected"),
    [
        pytest.param([1.0, 0.0], [1, 0], 0.0, id="perfect"),
        pytest.param([0.5] * 4, [1, 0, 1, 1], 0.25, id="coin"),
        pytest.param([0.8, 0.3], [1, 0], (0.04 + 0.09) / 2, id="mixed"),
        pytest.param([0.0], [True], 1.0, id="confident-miss"),
    ],
)
def test_brier_known(probs: list[float], outcomes: list[int], expected: float) -> None:
    assert brier_score(probs, outcomes) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    ("probs", "outcomes", "expected"),
    [
        pytest.param([0.5], [1], math.log(2), id="coin"),
        pytest.param([0.8, 0.3], [1, 0], -(math.log(0.8) + math.log(0.7)) / 2, id="mixed"),
        pytest.param([0.0], [1], -math.log(1e-15), id="clipped-miss"),  # 34.54, not inf
        pytest.param([1.0], [0], -math.log1p(-(1 - 1e-15)), id="clipped-miss-other-side"),
    ],
)
def test_log_loss_known(probs: list[float], outcomes: list[int], expected: float) -> None:
    assert log_loss(probs, outcomes) == pytest.approx(expected, rel=1e-9)


def test_brier_skill_score() -> None:
    probs, outcomes = [0.8, 0.3], [1, 0]
    # vs a constant 0.5 (Brier 0.25): 1 - 0.065 / 0.25 = 0.74
    assert brier_skill_score(probs, outcomes, 0.5) == pytest.approx(0.74, abs=1e-12)
    # vs a per-forecast market baseline with Brier (0.09 + 0.16) / 2 = 0.125: 1 - 0.065 / 0.125 = 0.48
    assert brier_skill_score(probs, outcomes, [0.7, 0.4]) == pytest.approx(0.48, abs=1e-12)
    assert brier_skill_score(probs, outcomes, probs) == 0.0
    with pytest.raises(ValueError):
        brier_skill_score(probs, outcomes, [1.0, 0.0])  # perfect baseline: undefined


def test_reliability_bins_known() -> None:
    bins = reliability_bins([0.05, 0.15, 0.15, 0.95, 1.0], [0, 1, 0, 1, 1], n_bins=10)
    assert [b.count for b in bins] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    assert (bins[0].mean_predicted, bins[0].observed) == (0.05, 0.0)
    assert bins[1].mean_predicted == pytest.approx(0.15) and bins[1].observed == 0.5
    assert bins[2].mean_predicted is None and bins[2].observed is None
    assert bins[9].mean_predicted == pytest.approx(0.975) and bins[9].observed == 1.0  # 1.0 in the last bin
    assert (bins[3].lo, bins[3].hi) == (0.3, 0.4)
    # ECE = (1 * 0.05 + 2 * 0.35 + 2 * 0.025) / 5
    assert expected_calibration_error(bins) == pytest.approx((0.05 + 0.7 + 0.05) / 5, abs=1e-12)


@given(
    data=st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), min_size=1, max_size=200),
    n_bins=st.integers(1, 25),
)
def test_reliability_bins_partition_the_forecasts(data: list[tuple[float, bool]], n_bins: int) -> None:
    probs = [p for p, _ in data]
    outcomes = [y for _, y in data]
    bins = reliability_bins(probs, outcomes, n_bins)
    assert len(bins) == n_bins
    assert sum(b.count for b in bins) == len(data)
    assert sum(round(b.observed * b.count) for b in bins if b.count) == sum(outcomes)
    for b in bins:
        if b.count:
            assert b.lo - 1e-12 <= b.mean_predicted <= b.hi + 1e-12


def test_report_renders_to_json() -> None:
    report = calibration_report([0.8, 0.3, 0.6, 0.1], [1, 0, 0, 0], baseline=[0.5, 0.5, 0.5, 0.5], n_bins=5)
    d = report.to_dict()
    json.dumps(d)  # plain types only
    assert d["n"] == 4 and d["base_rate"] == 0.25
    assert d["brier"] == pytest.approx((0.04 + 0.09 + 0.36 + 0.01) / 4)
    assert d["baseline_brier"] == pytest.approx(0.25)
    assert d["brier_skill"] == pytest.approx(1 - 0.125 / 0.25)
    assert len(d["bins"]) == 5 and sum(b["count"] for b in d["bins"]) == 4
    no_base = calibration_report([0.8], [1])
    assert no_base.brier_skill is None and no_base.baseline_brier is None
    perfect_base = calibration_report([0.8], [1], baseline=1.0)
    assert perfect_base.baseline_brier == 0.0 and perfect_base.brier_skill is None


@pytest.mark.parametrize(
    ("probs", "outcomes"),
    [
        pytest.param([], [], id="empty"),
        pytest.param([0.5], [1, 0], id="length-mismatch"),
        pytest.param([1.5], [1], id="prob-above-one"),
        pytest.param([math.nan], [1], id="prob-nan"),
        pytest.param([0.5], [2], id="outcome-two"),
        pytest.param([0.5], ["yes"], id="outcome-text"),
    ],
)
def test_bad_input_rejected(probs: list, outcomes: list) -> None:
    for fn in (brier_score, log_loss, reliability_bins):
        with pytest.raises(ValueError):
            fn(probs, outcomes)
