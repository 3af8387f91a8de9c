"""Minimal strategies for the side-by-side comparison with NautilusTrader's BacktestEngine.

predtrade strategies are pure and see snapshots, not events: the engine evaluates a market when
its top of book changed, on a reference tick, on a timer or when one of our orders changed,
throttled to one evaluation per 100 ms of event time. So the "counting" strategy counts
evaluations (the events themselves are counted by the runner), and the "every N events"
strategy reads the number of events handed out so far from the recording (a shared one-element
list, see :class:`benchmarks._stream.BenchRecording`) and, at its first evaluation after each
multiple of N, alternately asks for one resting post-only buy far from the market (the engine
places it) or for nothing (the engine cancels it).
"""

from __future__ import annotations

from typing import ClassVar

from predtrade.model.enums import Side
from predtrade.strategies.api import Decision, DesiredOrder, Snapshot

_NOTHING = Decision(reason="count")


class CountingStrategy:
    name: ClassVar[str] = "bench-count"
    version: ClassVar[int] = 1

    def __init__(self) -> None:
        self.calls = 0

    def evaluate(self, snapshot: Snapshot) -> Decision:
        self.calls += 1
        return _NOTHING


class EveryNStrategy:
    """Place or cancel one order every ``every`` events (as counted in ``counter[0]``)."""

    name: ClassVar[str] = "bench-every-n"
    version: ClassVar[int] = 1

    def __init__(self, counter: list[int], every: int = 100, price: int = 100, size: int = 5_000_000) -> None:
        self.counter = counter
        self.every = every
        self.next_at = every
        self.price = price  # 0.01: rests, never fills
        self.size = size  # 5 shares, the venue minimum
        self.want = False
        self.calls = 0
        self.toggles = 0

    def evaluate(self, snapshot: Snapshot) -> Decision:
        self.calls += 1
        n = self.counter[0]
        if n >= self.next_at:
            while self.next_at <= n:
                self.next_at += self.every
            self.want = not self.want
            self.toggles += 1
        if not self.want:
            return _NOTHING
        token = snapshot.market.token_ids[0]
        return Decision(quotes=(DesiredOrder(token, Side.BUY, self.price, self.size),), reason="every-n")
