"""Bayesian anchoring of the model to the market: limits, hand-computed values, clamps."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.pricing.bayes import anchor, anchor_to_price, logit, sigmoid

probs = st.floats(0.0, 1.0)


@given(model=probs, market=probs, damping=probs)
def test_zero_confidence_returns_the_market_exactly(model: float, market: float, damping: float) -> None:
    assert anchor(model, market, 0.0, damping) == market
    assert anchor(model, market, damping, 0.0) == market


@given(p=probs, confidence=probs, damping=probs)
def test_agreement_leaves_the_price_unchanged(p: float, confidence: float, damping: float) -> None:
    assert anchor(p, p, confidence, damping) == p


@pytest.mark.parametrize(
    ("model", "market", "confidence", "damping", "expected"),
    [
        # logit(0.8) = ln 4; half of it = ln 2 -> odds 2 -> 2/3
        pytest.param(0.8, 0.5, 1.0, 0.5, 2 / 3, id="half-way-in-log-odds"),
        # market odds 1/4, model odds 1, LR = 4, LR^0.5 = 2 -> odds 1/2 -> 1/3
        pytest.param(0.5, 0.2, 0.5, 1.0, 1 / 3, id="lr-power"),
        # seed 002 style: confidence 0.5, damping 0.5 -> LR^0.25; LR = 16 -> x2 odds: 1 -> 2
        pytest.param(16 / 17, 0.5, 0.5, 0.5, 2 / 3, id="seed-002-quarter-power"),
        pytest.param(0.9, 0.3, 1.0, 1.0, 0.9, id="full-weight-is-the-model"),
    ],
)
def test_anchor_hand_computed(
    model: float, market: float, confidence: float, damping: float, expected: float
) -> None:
    assert anchor(model, market, confidence, damping) == pytest.approx(expected, rel=1e-12)


@given(model=probs, market=probs, confidence=probs, damping=probs)
def test_posterior_lies_between_market_and_model(
    model: float, market: float, confidence: float, damping: float
) -> None:
    post = anchor(model, market, confidence, damping)
    lo, hi = min(model, market), max(model, market)
    assert 0.0 <= post <= 1.0
    # clipping to [eps, 1 - eps] may place it up to eps outside an exact 0/1 endpoint
    assert lo - 1e-9 - 1e-15 <= post <= hi + 1e-9 + 1e-15


@given(model=st.floats(0.01, 0.99), market=st.floats(0.01, 0.99), c1=probs, c2=probs)
def test_more_confidence_moves_further_towards_the_model(
    model: float, market: float, c1: float, c2: float
) -> None:
    lo, hi = sorted((c1, c2))
    a, b = anchor(model, market, lo), anchor(model, market, hi)
    assert abs(b - model) <= abs(a - model) + 1e-12


@pytest.mark.parametrize(
    ("model", "market", "expected"),
    [
        # model certain: log-odds clipped at +-ln((1 - 1e-9) / 1e-9) = +-20.7233
        pytest.param(1.0, 0.5, 1 / (1 + math.exp(-0.25 * math.log((1 - 1e-9) / 1e-9))), id="model-one"),
        pytest.param(0.0, 0.5, 1 / (1 + math.exp(0.25 * math.log((1 - 1e-9) / 1e-9))), id="model-zero"),
        # market certain, model 0.5: posterior is 3/4 of the way to the clipped market log-odds
        pytest.param(0.5, 1.0, 1 / (1 + math.exp(-0.75 * math.log((1 - 1e-9) / 1e-9))), id="market-one"),
    ],
)
def test_extreme_probabilities_are_clipped_not_infinite(model: float, market: float, expected: float) -> None:
    assert anchor(model, market, 0.5, 0.5) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((1.2, 0.5, 0.5), id="model-above-one"),
        pytest.param((0.5, -0.1, 0.5), id="market-negative"),
        pytest.param((0.5, 0.5, 1.5), id="confidence-above-one"),
        pytest.param((0.5, 0.5, math.nan), id="confidence-nan"),
    ],
)
def test_anchor_rejects(args: tuple) -> None:
    with pytest.raises(ValueError):
        anchor(*args)
    with pytest.raises(ValueError):
        anchor(0.6, 0.5, 0.5, 0.5, eps=0.0)


def test_anchor_to_price_uses_the_price_as_the_prior() -> None:
    assert anchor_to_price(0.8, 5000, 1.0, 0.5) == pytest.approx(2 / 3, rel=1e-12)
    with pytest.raises(ValueError):
        anchor_to_price(0.8, 0.5, 1.0)  # type: ignore[arg-type]


@given(x=st.floats(-700.0, 700.0))
def test_sigmoid_inverts_logit(x: float) -> None:
    p = sigmoid(x)
    assert 0.0 <= p <= 1.0
    if 1e-300 < p < 1.0:
        # p carries up to half an ulp (<= 1.2e-16) of rounding; logit magnifies it by 1 / (p (1 - p))
        assert logit(p) == pytest.approx(x, rel=1e-12, abs=1e-12 + 2.3e-16 / (p * (1.0 - p)))
