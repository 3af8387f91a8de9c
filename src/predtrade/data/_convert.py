"""Exact conversions from recorded text to predtrade's fixed-point ints (never through float)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..model.events import REF_DECIMALS
from ..model.units import (
    MAX_PRICE,
    MIN_PRICE,
    PRICE_DECIMALS,
    SIZE_DECIMALS,
    UnitError,
    from_decimal,
    parse_fixed,
    parse_price,
)

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000


def number_text(raw: object) -> str:
    """The text of a JSON number or numeric string, as recorded (``msgspec.Raw``, bytes or str)."""
    text = raw if isinstance(raw, str) else bytes(raw).decode()  # type: ignore[call-overload]
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return text


def optional_text(raw: object) -> str | None:
    """``number_text`` of an optional ``msgspec.Raw`` field: ``None`` when absent or JSON ``null``."""
    if raw is None or not len(raw):  # type: ignore[arg-type]
        return None
    text = number_text(raw)
    return None if text == "null" else text


def fixed(text: str, decimals: int, what: str) -> int:
    """``parse_fixed`` that also takes exponent notation (``1e-05``) exactly, via ``Decimal``."""
    if "e" in text or "E" in text:
        try:
            return from_decimal(Decimal(text), decimals, what=what)
        except InvalidOperation:
            raise UnitError(f"{what}: not a number: {text!r}") from None
    return parse_fixed(text, decimals, what=what)


def price(text: str) -> int:
    """A price strictly inside (0, 1), in units of 1e-4."""
    if "e" in text or "E" in text:
        p = fixed(text, PRICE_DECIMALS, "price")
        if not MIN_PRICE <= p <= MAX_PRICE:
            raise UnitError(f"price {text!r} is outside (0, 1)")
        return p
    return parse_price(text)


_CACHE_MAX = 16_384
_SIZE_CACHE: dict[str, int] = {}
_REF_CACHE: dict[str, int] = {}


def size(text: str) -> int:
    """A size in units of 1e-6. Recorded sizes repeat a lot (1 Hz polls of a slow book), so valid
    strings are memoised in a bounded dict."""
    v = _SIZE_CACHE.get(text)
    if v is None:
        v = fixed(text, SIZE_DECIMALS, "size")
        if len(_SIZE_CACHE) >= _CACHE_MAX:
            _SIZE_CACHE.clear()
        _SIZE_CACHE[text] = v
    return v


def ref_price(text: str) -> int:
    """A reference (underlying) price such as ``"68279.25"`` in units of 1e-8 (memoised too)."""
    v = _REF_CACHE.get(text)
    if v is None:
        v = fixed(text, REF_DECIMALS, "reference price")
        if len(_REF_CACHE) >= _CACHE_MAX:
            _REF_CACHE.clear()
        _REF_CACHE[text] = v
    return v


def scaled18_to_ref(text: str) -> int:
    """An integer string scaled by 1e18 (Chainlink ``full_accuracy_value``, Polymarket
    ``priceToBeat``) in reference units of 1e-8, **rounded half to even**: 1e18 carries ten more
    digits than a reference unit, so an exact conversion is not possible. Rounding is monotone, so
    ``a >= b`` still implies ``round(a) >= round(b)`` for the settlement comparison."""
    t = text.strip()
    if not t.isdigit():
        raise UnitError(f"1e18-scaled value: not a non-negative integer string: {text!r}")
    q, r = divmod(int(t), 10 ** (18 - REF_DECIMALS))
    half = 10 ** (18 - REF_DECIMALS) // 2
    if r > half or (r == half and q % 2):
        q += 1
    return q


def ms_int(text: str, what: str = "timestamp") -> int:
    t = text.strip()
    if not t.isdigit():
        raise UnitError(f"{what}: not an integer: {text!r}")
    return int(t)


_SLUG_WINDOW = re.compile(r"-(\d+)([mhd])-(\d{9,11})$")
_UNIT_S = {"m": 60, "h": 3600, "d": 86400}


def slug_window(slug: str) -> tuple[int, int] | None:
    """``btc-updown-15m-1774241100`` -> (start, end) in Unix seconds; ``None`` if not that shape."""
    m = _SLUG_WINDOW.search(slug)
    if m is None:
        return None
    start = int(m.group(3))
    return start, start + int(m.group(1)) * _UNIT_S[m.group(2)]
