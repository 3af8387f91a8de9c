"""Validation and unit conversion shared by the strategy configs.

Configs keep human units (probabilities as floats, shares and dollars as ``Decimal``) so a TOML
file reads naturally; strategies convert them once, at construction, to the fixed-point ints the
hot path uses. Every check raises ``ValueError`` naming the field, which
:func:`predtrade.strategies.config.config_from_dict` turns into a ``ConfigError``.
"""

from __future__ import annotations

import math
from decimal import Decimal

import msgspec

from predtrade.model.units import CASH_DECIMALS, ONE, SIZE_DECIMALS, UnitError, from_decimal


def check_prob(name: str, value: float, *, lo: float = 0.0, hi: float = 1.0, open_lo: bool = False) -> None:
    """``value`` must be a finite float within ``[lo, hi]`` (``(lo, hi]`` with ``open_lo``)."""
    ok = math.isfinite(value) and (value > lo if open_lo else value >= lo) and value <= hi
    if not ok:
        bound = "(" if open_lo else "["
        raise ValueError(f"{name} must be within {bound}{lo}, {hi}], got {value!r}")


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        what = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {what}, got {value!r}")


def as_decimal(obj: object, name: str) -> Decimal:
    """Normalize the ``Decimal`` field ``name`` of a frozen config built in Python with a str, int
    or float (decoding from TOML/JSON already yields a ``Decimal``), so ``AmmConfig(order_size="10")``
    equals the decoded config; anything else is refused."""
    value = getattr(obj, name)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{name} must be a decimal number, got {value!r}")
    try:
        d = Decimal(value) if isinstance(value, str | int) else Decimal(repr(value))
    except ArithmeticError:
        raise ValueError(f"{name} must be a decimal number, got {value!r}") from None
    msgspec.structs.force_setattr(obj, name, d)
    return d


def shares(name: str, value: Decimal, *, allow_zero: bool = False) -> int:
    """A share quantity in 1e-6 units; refuses negatives and more than 6 decimals."""
    return _fixed(name, value, SIZE_DECIMALS, allow_zero)


def cash(name: str, value: Decimal, *, allow_zero: bool = False) -> int:
    """An amount of money in 1e-6 units; refuses negatives and more than 6 decimals."""
    return _fixed(name, value, CASH_DECIMALS, allow_zero)


def _fixed(name: str, value: Decimal, decimals: int, allow_zero: bool) -> int:
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value}")
    try:
        n = from_decimal(value, decimals, what=name)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    if n < 0 or (n == 0 and not allow_zero):
        what = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {what}, got {value}")
    return n


def price_units(value: float) -> int:
    """A probability-space distance or level as price units (1e-4), rounded to the nearest unit.

    Goes through the float's shortest decimal repr (``0.03`` -> 300), so a config value written
    with at most 4 decimals converts exactly."""
    return round(Decimal(repr(value)) * ONE)
