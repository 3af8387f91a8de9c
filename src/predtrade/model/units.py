"""Exact fixed-point units.

Every price, size and amount of money in predtrade is a plain ``int``:

* **price** in units of 0.0001 (``PRICE_SCALE = 10_000``). A binary-outcome price lies strictly in
  (0, 1), so a valid price is an int in ``1..9999``. Every Polymarket tick size (0.1 down to
  0.0001) and Kalshi's cents are whole multiples of that unit.
* **size** (shares / contracts) in units of 1e-6 (``SIZE_SCALE``), matching on-chain amounts.
* **cash** (USDC / pUSD) in units of 1e-6 (``CASH_SCALE``).

``price * size`` is an exact integer in units of 1e-10 (a *notional*); converting it to cash needs a
rounding direction, which callers always name (:func:`notional_to_cash_up` for money we pay,
:func:`notional_to_cash_down` for money we receive), so that rounding never overstates our cash.

Decimal strings are parsed straight to integers (no float anywhere) and formatted back to the
shortest decimal string. Malformed input raises :class:`UnitError` (a ``ValueError``) with the
offending text in the message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NewType

Price = NewType("Price", int)
"""Price in units of 0.0001; valid prices are 1..9999."""
Size = NewType("Size", int)
"""Quantity in units of 1e-6 shares."""
Cash = NewType("Cash", int)
"""Money in units of 1e-6 USDC; may be negative for PnL."""

PRICE_DECIMALS = 4
SIZE_DECIMALS = 6
CASH_DECIMALS = 6
PRICE_SCALE = 10**PRICE_DECIMALS
SIZE_SCALE = 10**SIZE_DECIMALS
CASH_SCALE = 10**CASH_DECIMALS
#: notional (price units x size units) per cash unit
NOTIONAL_PER_CASH = PRICE_SCALE * SIZE_SCALE // CASH_SCALE
MIN_PRICE = 1
MAX_PRICE = PRICE_SCALE - 1
ONE = PRICE_SCALE  # the price of a certain outcome (1.0): a winning token pays this

#: tick sizes Polymarket allows, in price units
VALID_TICKS: frozenset[int] = frozenset({1000, 100, 50, 25, 10, 1})


class UnitError(ValueError):
    """A decimal string or value that cannot be represented exactly in the requested unit."""


def parse_fixed(text: str, decimals: int, *, what: str = "value", signed: bool = False) -> int:
    """Parse a plain decimal string (``"0.52"``, ``".52"``, ``"150.25"``, ``"0"``) to an integer
    scaled by ``10**decimals``. Refuses floats' exponents, extra precision and garbage.

    >>> parse_fixed(".52", 4)
    5200
    """
    if not isinstance(text, str):
        raise UnitError(f"{what}: expected a decimal string, got {type(text).__name__} {text!r}")
    s = text.strip()
    neg = False
    if s[:1] in ("-", "+"):
        if not signed and s[0] == "-":
            raise UnitError(f"{what}: negative value {text!r}")
        neg = s[0] == "-"
        s = s[1:]
    whole, _, frac = s.partition(".")
    if (
        not (whole or frac)
        or not s.isascii()
        or (whole and not whole.isdigit())
        or (frac and not frac.isdigit())
    ):
        raise UnitError(f"{what}: not a plain decimal number: {text!r}")
    if len(frac) > decimals:
        # trailing zeros beyond the precision are harmless ("0.520000000")
        extra = frac[decimals:]
        if extra.strip("0"):
            raise UnitError(f"{what}: {text!r} has more than {decimals} decimal places")
        frac = frac[:decimals]
    value = int(whole or "0") * 10**decimals + (int(frac.ljust(decimals, "0")) if frac else 0)
    return -value if neg else value


def format_fixed(value: int, decimals: int) -> str:
    """Format a scaled integer as the shortest exact decimal string (``5200, 4 -> "0.52"``)."""
    sign = "-" if value < 0 else ""
    q, r = divmod(abs(value), 10**decimals)
    if r == 0:
        return f"{sign}{q}"
    frac = str(r).rjust(decimals, "0").rstrip("0")
    return f"{sign}{q}.{frac}"


_PRICE_CACHE: dict[str, int] = {}


def parse_price(text: str, tick: int = 1) -> Price:
    """Parse a price string; it must lie strictly inside (0, 1) and on the ``tick`` grid.

    Results for valid strings are cached (the price domain is small), which makes the hot path a
    single dict lookup.
    """
    p = _PRICE_CACHE.get(text)
    if p is None:
        p = parse_fixed(text, PRICE_DECIMALS, what="price")
        if not MIN_PRICE <= p <= MAX_PRICE:
            raise UnitError(f"price {text!r} is outside (0, 1)")
        if len(_PRICE_CACHE) < 200_000:
            _PRICE_CACHE[text] = p
    if p % tick:
        raise UnitError(f"price {text!r} is off the tick grid {format_fixed(tick, PRICE_DECIMALS)}")
    return Price(p)


def parse_price_or_zero(text: str) -> int:
    """Parse a best-bid/ask style field where ``"0"``/``"1"``/``""`` mean "no level" (returns 0
    for no bid, ``ONE`` for no ask is left to the caller: this returns the raw scaled value)."""
    if not text:
        return 0
    return parse_fixed(text, PRICE_DECIMALS, what="price")


def check_price(p: int, tick: int = 1) -> Price:
    """Validate an integer price (in units of 0.0001) against (0, 1) and the tick grid."""
    if not MIN_PRICE <= p <= MAX_PRICE:
        raise UnitError(f"price {format_price(p)} is outside (0, 1)")
    if p % tick:
        raise UnitError(
            f"price {format_price(p)} is off the tick grid {format_fixed(tick, PRICE_DECIMALS)}"
        )
    return Price(p)


def parse_tick(text: str) -> int:
    """Parse a tick size (``"0.01"`` -> 100) and check it is one the venue allows."""
    t = parse_fixed(text, PRICE_DECIMALS, what="tick size")
    if t not in VALID_TICKS:
        raise UnitError(f"tick size {text!r} is not one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001")
    return t


def parse_size(text: str) -> Size:
    """Parse a non-negative share quantity (up to 6 decimals)."""
    return Size(parse_fixed(text, SIZE_DECIMALS, what="size"))


def parse_cash(text: str) -> Cash:
    """Parse an amount of money (signed, up to 6 decimals)."""
    return Cash(parse_fixed(text, CASH_DECIMALS, what="cash", signed=True))


def format_price(p: int) -> str:
    return format_fixed(p, PRICE_DECIMALS)


def format_size(s: int) -> str:
    return format_fixed(s, SIZE_DECIMALS)


def format_cash(c: int) -> str:
    return format_fixed(c, CASH_DECIMALS)


def to_decimal(value: int, decimals: int) -> Decimal:
    """Exact ``Decimal`` of a scaled integer, for the edges (SDK calls, reports)."""
    return Decimal(value).scaleb(-decimals)


def from_decimal(value: Decimal, decimals: int, *, what: str = "value") -> int:
    """Exact scaled integer from a ``Decimal``; refuses values that need rounding."""
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise UnitError(f"{what}: {value} has more than {decimals} decimal places")
    return int(scaled)


def complement(p: int) -> Price:
    """The price of the other outcome of a binary market: ``1 - p``."""
    return Price(ONE - p)


def notional(price: int, size: int) -> int:
    """Exact ``price * size`` in 1e-10 units."""
    return price * size


def notional_to_cash_up(n: int) -> Cash:
    """Notional to cash, rounding up (money we pay or reserve)."""
    return Cash(-((-n) // NOTIONAL_PER_CASH))


def notional_to_cash_down(n: int) -> Cash:
    """Notional to cash, rounding down (money we receive)."""
    return Cash(n // NOTIONAL_PER_CASH)


def cost_up(price: int, size: int) -> Cash:
    """What buying ``size`` at ``price`` costs, rounded up to the micro-dollar."""
    return notional_to_cash_up(price * size)


def proceeds_down(price: int, size: int) -> Cash:
    """What selling ``size`` at ``price`` yields, rounded down to the micro-dollar."""
    return notional_to_cash_down(price * size)


def shares_value(size: int) -> Cash:
    """Cash paid out at resolution for ``size`` winning shares (each pays 1)."""
    return Cash(size * CASH_SCALE // SIZE_SCALE)
