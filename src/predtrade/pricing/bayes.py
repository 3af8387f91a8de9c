"""Bayesian anchoring of a model probability to the market price (seed 002).

The market price is the prior; the model's disagreement with it is treated as a likelihood ratio
whose weight is shrunk::

    LR             = odds(model) / odds(market)
    odds(posterior) = odds(market) * LR ** (confidence * damping)

In log-odds this is a convex combination, ``logit(post) = (1 - k) * logit(market) + k *
logit(model)`` with ``k = confidence * damping`` in [0, 1]: ``k = 0`` returns the market, ``k = 1``
the model, and the posterior always lies between the two. Why anchor at all: a model that is
not yet calibrated (see :mod:`predtrade.pricing.calibration`) is usually overconfident, and the
market aggregates information the model does not see; seed 002 uses damping 0.5 with confidence
0.4..0.5, i.e. ``k`` ~0.2..0.25.

Probabilities of exactly 0 or 1 have infinite log-odds; both inputs are clipped into
``[eps, 1 - eps]`` before the log-odds step (so a model that says "certain" pulls hard but
finitely). The two exact limits are returned untouched: ``k == 0`` gives ``market_p`` and
``model_p == market_p`` gives ``market_p``.
"""

from __future__ import annotations

import math

from predtrade.model.units import ONE

__all__ = ["DEFAULT_EPS", "anchor", "anchor_to_price", "logit", "sigmoid"]

DEFAULT_EPS = 1e-9


def logit(p: float) -> float:
    """``ln(p / (1 - p))`` for p strictly inside (0, 1), accurate near both ends."""
    return math.log(p) - math.log1p(-p)


def sigmoid(x: float) -> float:
    """Inverse of :func:`logit` without overflow for large ``|x|``."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def anchor(
    model_p: float,
    market_p: float,
    confidence: float,
    damping: float = 0.5,
    *,
    eps: float = DEFAULT_EPS,
) -> float:
    """Posterior P(YES): the market prior moved towards the model by ``confidence * damping`` in
    log-odds. All arguments must be within [0, 1] (``0 < eps < 0.5``); ``ValueError`` otherwise."""
    checks = (("model_p", model_p), ("market_p", market_p), ("confidence", confidence), ("damping", damping))
    for name, v in checks:
        if not (0.0 <= v <= 1.0):
            raise ValueError(f"{name} must be within [0, 1], got {v!r}")
    if not (0.0 < eps < 0.5):
        raise ValueError(f"eps must be inside (0, 0.5), got {eps!r}")
    k = confidence * damping
    if k == 0.0 or model_p == market_p:
        return market_p
    lo, hi = eps, 1.0 - eps
    lm = logit(min(hi, max(lo, market_p)))
    lmod = logit(min(hi, max(lo, model_p)))
    return sigmoid(lm + k * (lmod - lm))


def anchor_to_price(
    model_p: float,
    market_price: int,
    confidence: float,
    damping: float = 0.5,
    *,
    eps: float = DEFAULT_EPS,
) -> float:
    """:func:`anchor` with the market given as a price in 1e-4 units (e.g. a mid)."""
    if type(market_price) is not int or not 0 <= market_price <= ONE:
        raise ValueError(f"market_price must be an int within [0, {ONE}], got {market_price!r}")
    return anchor(model_p, market_price / ONE, confidence, damping, eps=eps)
