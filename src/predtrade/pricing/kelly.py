"""Kelly sizing for buying a binary contract.

A contract bought at price ``c`` pays 1 with probability ``p``. Staking a fraction ``f`` of the
bankroll buys ``f / c`` contracts; maximizing ``E[log wealth]`` gives::

    f* = (p - c) / (1 - c)

(0 or less means no edge: do not buy). Full Kelly is too aggressive when ``p`` is itself an
estimate, so the bet is ``multiplier * f*`` (fractional Kelly), capped at ``max_fraction`` and
gated: no bet when the edge ``p - c`` is below ``min_edge`` or the fractional Kelly is below
``min_kelly`` (tiny bets cost fees and attention for no expected growth worth having; seed 002
gates at 2%).

The NO side is the same formula on the other token: buying NO at ``1 - c`` wins with ``1 - p``.

Floats are fine for the fraction (model math); the conversion to shares is exact integer math
on the fixed-point units: the stake is ``floor(fraction * bankroll)`` computed from the float's
exact binary fraction, the share count is the largest whose cost (rounded up, as
:func:`predtrade.model.units.cost_up` charges it) fits the stake, floored to the size grid. Fees
are not included: pass a ``p`` and ``price`` that already account for them if you pay any.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from predtrade.model.enums import Outcome
from predtrade.model.units import NOTIONAL_PER_CASH, ONE

__all__ = [
    "DEFAULT_KELLY",
    "GATE_EPS",
    "KellyParams",
    "bet_fraction",
    "kelly_fraction",
    "kelly_size",
    "win_probability",
]


@dataclass(frozen=True, slots=True)
class KellyParams:
    """``multiplier``: fractional Kelly (0.25 = quarter Kelly); ``max_fraction``: cap on the share
    of bankroll per bet; ``min_edge``: minimum ``p - c``; ``min_kelly``: minimum fractional Kelly
    (after ``multiplier``, before the cap)."""

    multiplier: float = 0.25
    max_fraction: float = 0.1
    min_edge: float = 0.0
    min_kelly: float = 0.0

    def __post_init__(self) -> None:
        for name in ("multiplier", "max_fraction", "min_edge", "min_kelly"):
            v = getattr(self, name)
            if not (0.0 <= v <= 1.0):
                raise ValueError(f"KellyParams.{name} must be within [0, 1], got {v!r}")
        if self.min_kelly > self.max_fraction:
            raise ValueError("KellyParams.min_kelly above max_fraction would block every bet")


#: a value within this of a gate passes it: ``0.6 - 0.5`` is 0.09999999999999998 in floats and
#: must not fail a 0.1 edge gate
GATE_EPS = 1e-12

#: quarter Kelly, at most 10% of bankroll per bet, no gates
DEFAULT_KELLY = KellyParams()


def _check_pc(p: float, c: float) -> None:
    if not (0.0 <= p <= 1.0):
        raise ValueError(f"win probability must be within [0, 1], got {p!r}")
    if not (0.0 < c < 1.0):
        raise ValueError(f"price must be strictly inside (0, 1), got {c!r}")


def kelly_fraction(p: float, c: float) -> float:
    """Full Kelly fraction of bankroll for buying at ``c`` a contract that wins with ``p``;
    negative when the contract is overpriced."""
    _check_pc(p, c)
    return (p - c) / (1.0 - c)


def win_probability(p_yes: float, side: Outcome) -> float:
    """The probability that the token of ``side`` pays out, given P(YES)."""
    if not (0.0 <= p_yes <= 1.0):
        raise ValueError(f"p_yes must be within [0, 1], got {p_yes!r}")
    return p_yes if side == Outcome.YES else 1.0 - p_yes


def bet_fraction(p: float, c: float, params: KellyParams | None = None) -> float:
    """Fraction of bankroll to stake (0 when gated): fractional Kelly, gated, capped."""
    _check_pc(p, c)
    if params is None:
        params = DEFAULT_KELLY
    edge = p - c
    if edge <= 0.0 or edge < params.min_edge - GATE_EPS:
        return 0.0
    f = params.multiplier * edge / (1.0 - c)
    if f <= 0.0 or f < params.min_kelly - GATE_EPS:
        return 0.0
    return min(f, params.max_fraction)


def kelly_size(
    p_yes: float,
    price: int,
    bankroll: int,
    params: KellyParams | None = None,
    *,
    side: Outcome = Outcome.YES,
    size_step: int = 10_000,
    min_size: int = 0,
) -> int:
    """Shares (1e-6 units) to buy of the ``side`` token at ``price`` (1e-4 units, that token's own
    price: for NO quoted from a YES price ``c`` pass ``ONE - c``), given P(YES) = ``p_yes`` and a
    ``bankroll`` in cash units (1e-6). The result is a multiple of ``size_step`` (default 0.01
    share) and either 0 or at least ``min_size`` (e.g. ``Market.min_order_size``); its cost,
    rounded up, never exceeds ``floor(fraction * bankroll)``. A bankroll <= 0 sizes to 0.
    """
    if type(price) is not int or not 0 < price < ONE:
        raise ValueError(f"price must be an int strictly inside (0, {ONE}), got {price!r}")
    if size_step <= 0 or min_size < 0:
        raise ValueError(f"size_step must be > 0 and min_size >= 0, got {size_step!r}, {min_size!r}")
    f = bet_fraction(win_probability(p_yes, side), price / ONE, params)
    if f <= 0.0 or bankroll <= 0 or not math.isfinite(f):
        return 0
    num, den = f.as_integer_ratio()
    stake = bankroll * num // den  # cash units, floor(f * bankroll) exactly
    size = stake * NOTIONAL_PER_CASH // price  # largest size with price * size <= stake * 1e4
    size -= size % size_step
    return size if size >= min_size and size > 0 else 0
