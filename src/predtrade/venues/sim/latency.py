"""Order latency models for the simulated venue, named as in hftbacktest.

hftbacktest separates *feed* latency (each recorded event carries the venue's and our receive
time) from *order entry* latency (we send -> the matching engine has it) and *response* latency
(the engine answers -> we read the answer). The recording already carries feed latency, so a
model here only produces the two order legs, for placing and for cancelling:

* :class:`ConstantLatency` - fixed legs; exact, for tests and what-if runs.
* :class:`EmpiricalLatency` - samples a round trip from a measured distribution given as
  quantiles (a piecewise-linear quantile function) with the venue's seeded RNG, and splits it
  into entry and response by a fixed share. Deterministic for a given seed and call order.

The default (:func:`default_latency`) is the place round trip measured on Polymarket in seed 001
(N = 2,315,223 places, 2026-06-05..11): p10 34 ms, p25 36, p50 38, p75 44, p90 74, p95 313,
p99 2.79 s, split half entry / half response. Only the cancel *median* (31 ms) was measured, so
cancels use the same shape scaled to that median - a tail we assume rather than measured, and
one that errs towards slow cancels (the conservative side for a market maker).

Latencies are time, not money: floats are allowed in the model math; every leg handed to the
venue is an int number of nanoseconds.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Protocol, runtime_checkable

import msgspec

NS_PER_MS = 1_000_000

#: seed 001: measured Polymarket place round trip, quantile -> milliseconds
SEED001_PLACE_QUANTILES_MS: tuple[tuple[float, float], ...] = (
    (0.10, 34.0),
    (0.25, 36.0),
    (0.50, 38.0),
    (0.75, 44.0),
    (0.90, 74.0),
    (0.95, 313.0),
    (0.99, 2787.0),
)
#: seed 001: measured cancel round trip median, milliseconds
SEED001_CANCEL_MEDIAN_MS = 31.0


class LatencySample(msgspec.Struct, frozen=True, gc=False):
    """One simulated round trip: ``kind`` is ``"place"`` or ``"cancel"``, ``ts`` when we sent
    the request (ns), and the two legs in ns."""

    kind: str
    client_order_id: str
    ts: int
    entry_ns: int
    response_ns: int

    @property
    def round_trip_ns(self) -> int:
        return self.entry_ns + self.response_ns

    @property
    def ms(self) -> float:
        """Round trip in milliseconds (display and plots only)."""
        return self.round_trip_ns / NS_PER_MS


@runtime_checkable
class LatencyModel(Protocol):
    """What the venue asks of a latency model. Each call may draw from ``rng``."""

    name: str

    def place(self, rng: random.Random) -> tuple[int, int]:
        """``(entry_ns, response_ns)`` for one order placement."""
        ...

    def cancel(self, rng: random.Random) -> tuple[int, int]:
        """``(entry_ns, response_ns)`` for one cancel request."""
        ...

    def response(self, rng: random.Random) -> int:
        """The response leg alone, for messages the venue starts (fills of resting orders,
        venue-initiated cancels)."""
        ...

    def describe(self) -> dict[str, object]: ...


def _ns(ms: float) -> int:
    if ms < 0:
        raise ValueError(f"latency must be >= 0 ms, got {ms}")
    return round(ms * NS_PER_MS)


class ConstantLatency:
    """Every order takes ``entry_ms`` to reach the engine and ``response_ms`` for the answer to
    come back; cancels take ``cancel_entry_ms`` / ``cancel_response_ms`` (default: the same)."""

    name = "ConstantLatency"

    __slots__ = ("_cancel", "_place", "cancel_entry_ms", "cancel_response_ms", "entry_ms", "response_ms")

    def __init__(
        self,
        entry_ms: float,
        response_ms: float,
        *,
        cancel_entry_ms: float | None = None,
        cancel_response_ms: float | None = None,
    ) -> None:
        self.entry_ms = entry_ms
        self.response_ms = response_ms
        self.cancel_entry_ms = entry_ms if cancel_entry_ms is None else cancel_entry_ms
        self.cancel_response_ms = response_ms if cancel_response_ms is None else cancel_response_ms
        self._place = (_ns(entry_ms), _ns(response_ms))
        self._cancel = (_ns(self.cancel_entry_ms), _ns(self.cancel_response_ms))

    def place(self, rng: random.Random) -> tuple[int, int]:
        return self._place

    def cancel(self, rng: random.Random) -> tuple[int, int]:
        return self._cancel

    def response(self, rng: random.Random) -> int:
        return self._place[1]

    def describe(self) -> dict[str, object]:
        return {
            "model": self.name,
            "entry_ms": self.entry_ms,
            "response_ms": self.response_ms,
            "cancel_entry_ms": self.cancel_entry_ms,
            "cancel_response_ms": self.cancel_response_ms,
        }


class QuantileFunction:
    """Piecewise-linear inverse CDF through ``(q, value)`` points, ``q`` strictly increasing in
    [0, 1]. Outside the first/last point the function is flat: a sample never leaves
    ``[min value, max value]`` (so the tail beyond the highest quantile given is cut off)."""

    __slots__ = ("qs", "vs")

    def __init__(self, points: Iterable[tuple[float, float]] | Mapping[float, float]) -> None:
        pts = sorted(points.items() if isinstance(points, Mapping) else points)
        if not pts:
            raise ValueError("a quantile function needs at least one (q, value) point")
        qs = [float(q) for q, _ in pts]
        vs = [float(v) for _, v in pts]
        if any(not 0.0 <= q <= 1.0 for q in qs):
            raise ValueError(f"quantiles must lie in [0, 1], got {qs}")
        if any(b <= a for a, b in pairwise(qs)):
            raise ValueError(f"quantiles must be strictly increasing, got {qs}")
        if any(b < a for a, b in pairwise(vs)):
            raise ValueError(f"values must not decrease with the quantile, got {vs}")
        if vs[0] < 0:
            raise ValueError(f"latencies must be >= 0, got {vs[0]}")
        self.qs = qs
        self.vs = vs

    def __call__(self, u: float) -> float:
        qs, vs = self.qs, self.vs
        if u <= qs[0]:
            return vs[0]
        if u >= qs[-1]:
            return vs[-1]
        i = bisect_right(qs, u)  # qs[i-1] <= u < qs[i]
        q0, q1 = qs[i - 1], qs[i]
        v0, v1 = vs[i - 1], vs[i]
        return v0 + (v1 - v0) * (u - q0) / (q1 - q0)

    def scaled(self, factor: float) -> QuantileFunction:
        return QuantileFunction([(q, v * factor) for q, v in zip(self.qs, self.vs, strict=True)])

    @property
    def median(self) -> float:
        return self(0.5)

    def points(self) -> list[list[float]]:
        return [[q, v] for q, v in zip(self.qs, self.vs, strict=True)]


class EmpiricalLatency:
    """Round trips drawn from measured quantiles (ms), split into ``entry_share`` for the way in
    and the rest for the way back (hftbacktest's ``IntpOrderLatency`` idea, from quantiles
    rather than a recorded series).

    ``cancel_quantiles`` gives the cancel round trip; without it, cancels use the place
    distribution scaled so that its median is ``cancel_median_ms`` (or unscaled when that is
    also ``None``).
    """

    name = "EmpiricalLatency"

    __slots__ = ("cancel_fn", "entry_share", "place_fn")

    def __init__(
        self,
        quantiles: Iterable[tuple[float, float]] | Mapping[float, float],
        *,
        cancel_quantiles: Iterable[tuple[float, float]] | Mapping[float, float] | None = None,
        cancel_median_ms: float | None = None,
        entry_share: float = 0.5,
    ) -> None:
        if not 0.0 <= entry_share <= 1.0:
            raise ValueError(f"entry_share must lie in [0, 1], got {entry_share}")
        self.entry_share = entry_share
        self.place_fn = QuantileFunction(quantiles)
        if cancel_quantiles is not None:
            self.cancel_fn = QuantileFunction(cancel_quantiles)
        elif cancel_median_ms is not None:
            median = self.place_fn.median
            if median <= 0:
                raise ValueError("cannot scale a place distribution whose median is 0")
            self.cancel_fn = self.place_fn.scaled(cancel_median_ms / median)
        else:
            self.cancel_fn = self.place_fn

    @classmethod
    def seed001(cls) -> EmpiricalLatency:
        """The Polymarket place round trip measured in seed 001, cancels scaled to its 31 ms median."""
        return cls(SEED001_PLACE_QUANTILES_MS, cancel_median_ms=SEED001_CANCEL_MEDIAN_MS)

    def _split(self, fn: QuantileFunction, rng: random.Random) -> tuple[int, int]:
        rt = _ns(fn(rng.random()))
        entry = round(rt * self.entry_share)
        return entry, rt - entry

    def place(self, rng: random.Random) -> tuple[int, int]:
        return self._split(self.place_fn, rng)

    def cancel(self, rng: random.Random) -> tuple[int, int]:
        return self._split(self.cancel_fn, rng)

    def response(self, rng: random.Random) -> int:
        return self._split(self.place_fn, rng)[1]

    def describe(self) -> dict[str, object]:
        return {
            "model": self.name,
            "place_quantiles_ms": self.place_fn.points(),
            "cancel_quantiles_ms": [[q, round(v, 3)] for q, v in self.cancel_fn.points()],
            "entry_share": self.entry_share,
        }


def default_latency() -> EmpiricalLatency:
    """The simulator's default latency model (seed 001's measured Polymarket latencies)."""
    return EmpiricalLatency.seed001()


__all__ = [
    "NS_PER_MS",
    "SEED001_CANCEL_MEDIAN_MS",
    "SEED001_PLACE_QUANTILES_MS",
    "ConstantLatency",
    "EmpiricalLatency",
    "LatencyModel",
    "LatencySample",
    "QuantileFunction",
    "default_latency",
]
