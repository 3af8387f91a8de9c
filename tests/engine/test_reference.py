"""The reference tracker: latest tick, bounded history, volatility fed with subsampled ticks."""

from __future__ import annotations

import itertools
import math

import pytest

from predtrade.engine.reference import RefTracker
from predtrade.model import REF_SCALE
from predtrade.pricing.volatility import EwmaVol

NS = 1_000_000_000


def _tracker(sample_s: float, **kw) -> RefTracker:
    return RefTracker(
        "BTC",
        EwmaVol(3600.0),
        sample_ns=int(sample_s * NS),
        window_ns=kw.get("window", 60 * NS),
        step_ns=kw.get("step", NS),
    )


def test_volatility_is_fed_ticks_at_least_sample_apart() -> None:
    tr = _tracker(15.0)
    for i in range(121):  # 1 s ticks for two minutes
        tr.on_tick(i * NS, (100_000 + i) * REF_SCALE)
    assert tr.vol.count == 8  # returns over 0-15, 15-30, ..., 105-120 s
    every = _tracker(0.0)
    for i in range(121):
        every.on_tick(i * NS, (100_000 + i) * REF_SCALE)
    assert every.vol.count == 120


def test_subsampling_undoes_the_smoothing_bias() -> None:
    # a feed that smooths: each published tick moves half way to the true price, so 1 s returns
    # are autocorrelated and too small (sigma ~0.58x: the calibration study saw ~1/1.5 on
    # Chainlink); over 15 s the smoothing costs only a few percent
    import random

    rng = random.Random(7)
    true = pub = 100_000.0
    every, sampled = _tracker(0.0), _tracker(15.0)
    sigma = 3e-4  # per sqrt(second)
    for i in range(1, 6 * 3600):
        true *= math.exp(rng.gauss(0.0, sigma))
        pub += 0.5 * (true - pub)
        p = round(pub * REF_SCALE)
        every.on_tick(i * NS, p)
        sampled.on_tick(i * NS, p)
    assert every.vol.sigma < 0.75 * sigma  # every tick: badly underestimated
    assert sampled.vol.sigma == pytest.approx(sigma, rel=0.15)


def test_history_is_bounded_in_time_and_spaced_by_step() -> None:
    tr = _tracker(15.0, window=10 * NS, step=2 * NS)
    for i in range(50):
        tr.on_tick(i * NS // 2, 100 * REF_SCALE + i)
    h = tr.history()
    assert h is tr.history()  # cached until a new point is stored
    ts = [t for t, _ in h]
    assert ts[-1] - ts[0] <= 10 * NS
    assert all(b - a >= 2 * NS for a, b in itertools.pairwise(ts))
    assert tr.price == 100 * REF_SCALE + 49  # the latest tick, even if not stored in the history


def test_bad_ticks_are_counted_and_ignored() -> None:
    tr = _tracker(15.0)
    assert tr.on_tick(5 * NS, 100 * REF_SCALE)
    assert not tr.on_tick(6 * NS, 0)
    assert not tr.on_tick(4 * NS, 101 * REF_SCALE)  # older than the latest
    assert tr.bad == 2 and tr.price == 100 * REF_SCALE and tr.ticks == 1
