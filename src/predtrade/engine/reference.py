"""Reference (underlying) price tracking: the latest tick, a bounded history, and the EWMA
volatility fed with subsampled ticks.

Why subsample: a calibration study found 1 s Chainlink returns autocorrelated (the feed smooths),
so an EWMA fed every tick underestimates sigma by about 1.5x. Feeding it only ticks at least
``vol_sample_s`` apart measures returns over a horizon where that smoothing has washed out.
"""

from __future__ import annotations

from collections import deque

from predtrade.model.events import REF_SCALE
from predtrade.pricing.volatility import EwmaVol

_EMPTY: tuple = ()


class RefTracker:
    """One reference symbol. ``price``/``ts`` are the latest tick (price in 1e-8 units);
    ``history()`` (``hist``) is a tuple of ``(ts, price)``, oldest first, at most one point per
    ``step_ns`` and reaching ``window_ns`` back (rebuilt when a point is stored)."""

    __slots__ = (
        "_hist",
        "_last_fed",
        "_sample_ns",
        "_step_ns",
        "_window_ns",
        "bad",
        "hist",
        "price",
        "symbol",
        "ticks",
        "ts",
        "vol",
    )

    def __init__(self, symbol: str, vol: EwmaVol, *, sample_ns: int, window_ns: int, step_ns: int) -> None:
        self.symbol = symbol
        self.vol = vol
        self.price: int | None = None
        self.ts = 0
        self.ticks = 0
        self.bad = 0
        self._sample_ns = sample_ns
        self._window_ns = window_ns
        self._step_ns = step_ns
        maxlen = window_ns // step_ns + 2 if step_ns else 4096
        self._hist: deque[tuple[int, int]] = deque(maxlen=max(2, maxlen))
        #: the history as a tuple, rebuilt when a point is stored (once per ``step_ns``)
        self.hist: tuple[tuple[int, int], ...] = _EMPTY
        self._last_fed: int | None = None

    def on_tick(self, ts: int, price: int) -> bool:
        """Fold in one tick; False (counted in ``bad``) for a non-positive price or a tick older
        than the latest one."""
        if price <= 0 or ts < self.ts:
            self.bad += 1
            return False
        self.price = price
        self.ts = ts
        self.ticks += 1
        hist = self._hist
        if not hist or ts - hist[-1][0] >= self._step_ns:
            hist.append((ts, price))
            cutoff = ts - self._window_ns
            while hist[0][0] < cutoff and len(hist) > 1:
                hist.popleft()
            self.hist = tuple(hist)
        last = self._last_fed
        if (last is None or ts - last >= self._sample_ns) and self.vol.update(ts, price / REF_SCALE):
            self._last_fed = ts
        return True

    def history(self) -> tuple[tuple[int, int], ...]:
        return self.hist

    def sigma(self, now: int, end: int | None) -> float | None:
        """Sigma per sqrt(second) for pricing a digital expiring at ``end`` (seasonalised over
        [now, end]); ``None`` while the estimator has neither prior nor data."""
        return self.vol.sigma_to(now, end)
