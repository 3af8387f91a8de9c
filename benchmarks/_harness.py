"""Tiny timing harness: medians of repeated runs, reported per operation."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One measured number. ``key`` names it in ``--json`` output (``predtrade bench``);
    ``value`` is ``None`` when it could not be measured here (``note`` says why)."""

    name: str
    value: float | None
    unit: str
    note: str = ""
    key: str = ""


@dataclass
class Options:
    """Run-wide switches set by ``python -m benchmarks`` (``--quick``: smaller streams and fewer
    repeats, for a fast look; the documented numbers are never quick ones)."""

    quick: bool = False


options = Options()


def ns_per_op(run: Callable[[int], None], n: int, repeat: int = 7) -> float:
    """``run(n)`` performs ``n`` operations; returns the median over ``repeat`` runs of ns/op."""
    run(max(1, n // 10))  # warm up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        run(n)
        samples.append((time.perf_counter_ns() - t0) / n)
    return statistics.median(samples)


def percentiles_us(samples_ns: list[int]) -> tuple[float, float]:
    s = sorted(samples_ns)
    p50 = s[len(s) // 2] / 1000
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))] / 1000
    return p50, p99
