"""Queue-position and exchange (fill) models of the simulated venue, named as in hftbacktest.

**Queue models** estimate how much displayed size rests *ahead* of one of our resting orders at
its price. The venue does the bookkeeping common to every model (see ``docs/SIMULATOR.md``):

* on arrival we join behind the whole displayed size at our price;
* a recorded trade at our price advances the queue by its size, and what exceeds the queue
  ahead fills us;
* the queue ahead is never larger than the displayed size (a level cannot hide more others in
  front of us than it shows);
* a displayed *decrease* not already explained by recorded trades at that price is handed to
  :meth:`QueueModel.on_decrease`, which decides how much of it came from ahead of us. That is
  the one place the models differ.

A size decrease never fills us: without a trade print we cannot tell a cancel from a trade.

``match_window_ms``: Polymarket sends ``price_change`` and ``last_trade_price`` as separate
messages and a recording may hold them in either order. When a decrease moved us up and a trade
print at the same price follows within this window, the print is taken to be the *same* event
and only its excess over the progress already granted moves the queue or fills us. Without that,
one trade would advance the queue twice.

**Exchange models** say whether a resting order may be filled in part.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

NS_PER_MS = 1_000_000


@runtime_checkable
class QueueModel(Protocol):
    name: str
    match_window_ns: int

    def on_decrease(self, ahead: int, behind: int, decrease: int) -> int:
        """New size ahead of us after ``decrease`` (> 0, not explained by recorded trades) left
        the level; ``ahead + behind`` was the displayed size before. The venue then caps the
        result at the new displayed size."""
        ...

    def describe(self) -> dict[str, object]: ...


def _window(ms: int) -> int:
    if ms < 0:
        raise ValueError(f"match_window_ms must be >= 0, got {ms}")
    return ms * NS_PER_MS


class RiskAverse:
    """The conservative default: others' cancels never move us up except when the displayed
    size falls below the queue ahead of us (then we are at most the whole level back).
    Only recorded trades at our price advance the queue."""

    name = "RiskAverse"

    __slots__ = ("match_window_ms", "match_window_ns")

    def __init__(self, *, match_window_ms: int = 1000) -> None:
        self.match_window_ms = match_window_ms
        self.match_window_ns = _window(match_window_ms)

    def on_decrease(self, ahead: int, behind: int, decrease: int) -> int:
        return ahead  # the venue's cap at the displayed size does the rest

    def describe(self) -> dict[str, object]:
        return {"model": self.name, "match_window_ms": self.match_window_ms}


class ProbQueue:
    """hftbacktest's power probability queue idea, in its ``PowerProbQueueFunc3`` form: of an
    unexplained decrease ``d``, the share ``(ahead / (ahead + behind)) ** power`` is taken to
    have come from ahead of us (rounded down, so never more progress than the formula gives);
    the rest from behind. If ``behind`` cannot absorb its share, the excess also comes from
    ahead. ``power = 1`` is proportional; a larger power credits the queue ahead with less of
    each cancel, i.e. more conservative. Exact integer arithmetic.
    """

    name = "ProbQueue"

    __slots__ = ("match_window_ms", "match_window_ns", "power")

    def __init__(self, power: int = 2, *, match_window_ms: int = 1000) -> None:
        if type(power) is not int or power < 1:
            raise ValueError(f"power must be an int >= 1, got {power!r}")
        self.power = power
        self.match_window_ms = match_window_ms
        self.match_window_ns = _window(match_window_ms)

    def on_decrease(self, ahead: int, behind: int, decrease: int) -> int:
        if ahead <= 0:
            return 0
        if behind <= 0:
            return max(0, ahead - decrease)
        n = self.power
        from_front = decrease * ahead**n // (ahead + behind) ** n
        from_front = max(from_front, decrease - behind)  # behind cannot lose more than it holds
        return max(0, ahead - from_front)

    def describe(self) -> dict[str, object]:
        return {"model": self.name, "power": self.power, "match_window_ms": self.match_window_ms}


@runtime_checkable
class ExchangeModel(Protocol):
    name: str
    partial: bool

    def describe(self) -> dict[str, object]: ...


class PartialFill:
    """A resting order may be filled in part by each fill opportunity (the venue's behaviour)."""

    name = "PartialFill"
    partial = True

    def describe(self) -> dict[str, object]:
        return {"model": self.name}


class NoPartialFill:
    """A resting order fills only when one opportunity (one trade print, one book move) covers
    its whole remaining size; otherwise nothing fills (its queue still advances). Taker orders
    still walk the book level by level: their partial fills are what the venue itself does.
    Stricter than hftbacktest's model of the same name, which fills whole at the touch."""

    name = "NoPartialFill"
    partial = False

    def describe(self) -> dict[str, object]:
        return {"model": self.name}


__all__ = ["ExchangeModel", "NoPartialFill", "PartialFill", "ProbQueue", "QueueModel", "RiskAverse"]
