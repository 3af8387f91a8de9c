"""Shared pieces of the Polymarket parsers: the typed error, the skip/error log, and the hot-path
converters from venue decimal strings to fixed-point ints.

The converters cache by the exact text: the venue repeats the same few hundred price strings and
many size strings, and a dict hit (~30 ns) is far cheaper than parsing (``parse_size`` costs
~800 ns). Only valid texts are cached; caches are bounded so hostile input cannot grow them.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec

from predtrade.model import ONE, PRICE_SCALE, SIZE_SCALE, Side, UnitError, parse_price, parse_size, parse_tick
from predtrade.model.units import parse_fixed

from .schemas import Level

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000


class Reason(StrEnum):
    """Why a message (or one entry of it) was skipped."""

    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    BAD_PRICE = "bad_price"  # malformed, off-unit, or outside (0, 1)
    BAD_VALUE = "bad_value"  # wrong JSON type, bad size/side/tick/timestamp/status
    NO_IDENTITY = "no_identity"  # a maker trade, but no api_key/funder to find our orders with
    NOT_OURS = "not_ours"  # a trade we are told we are in, but none of its orders is ours


class ParseError(ValueError):
    """A venue message that cannot be turned into normalized events. ``reason`` says why in one
    word (a :class:`Reason`), ``detail`` in one line."""

    def __init__(self, reason: Reason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}")


class ErrorLog:
    """Counts skipped messages by reason and keeps the last ``max_errors`` one-line reasons.

    ``stats`` maps :class:`Reason` values to counts; ``ignored`` counts benign skips
    (text frames, assets we did not subscribe to) that are not errors.
    """

    __slots__ = ("errors", "ignored", "stats")

    def __init__(self, max_errors: int = 100) -> None:
        self.stats: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()
        self.errors: deque[str] = deque(maxlen=max_errors)

    def record(self, exc: ParseError) -> None:
        self.stats[exc.reason.value] += 1
        self.errors.append(one_line(str(exc)))


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- prices and sizes -----------------------------------------------------------------------

_PRICES: dict[str, int] = {}
_SIZES: dict[str, int] = {}
_BIDS: dict[str, int] = {}
_ASKS: dict[str, int] = {}
_CACHE_MAX = 65_536
SIDES: dict[str, Side] = {"BUY": Side.BUY, "SELL": Side.SELL, "buy": Side.BUY, "sell": Side.SELL}


def price(text: str) -> int:
    """A price strictly inside (0, 1), in 1e-4 units. Raises :class:`ParseError` (BAD_PRICE)."""
    p = _PRICES.get(text)
    if p is None:
        return _price_miss(text)
    return p


def _price_miss(text: str) -> int:
    if not isinstance(text, str):
        raise ParseError(Reason.BAD_PRICE, f"price {text!r} is not a string")
    try:
        p = parse_price(text)
    except UnitError as exc:
        raise ParseError(Reason.BAD_PRICE, str(exc)) from None
    if len(_PRICES) < _CACHE_MAX:
        _PRICES[text] = p
    return p


def size(text: str) -> int:
    """A non-negative size in 1e-6 units. Raises :class:`ParseError` (BAD_VALUE)."""
    s = _SIZES.get(text)
    if s is None:
        return _size_miss(text)
    return s


def _size_miss(text: str) -> int:
    if not isinstance(text, str):
        raise ParseError(Reason.BAD_VALUE, f"size {text!r} is not a string")
    s = _plain_size(text)
    if s is None:
        try:
            s = parse_size(text)
        except UnitError as exc:
            raise ParseError(Reason.BAD_VALUE, str(exc)) from None
    if len(_SIZES) >= _CACHE_MAX:
        _SIZES.clear()
    _SIZES[text] = s
    return s


_POW10 = tuple(10 ** (6 - n) for n in range(7))  # _POW10[n] scales n fraction digits to 1e-6


def _plain_size(text: str) -> int | None:
    """Exact fast path for the canonical forms (``"3300"``, ``"21574.08"``, ``".5"``); ``None``
    sends anything else to :func:`parse_size` (which also produces the error message)."""
    if text.isdigit():
        return int(text) * SIZE_SCALE if text.isascii() else None
    i = text.find(".")
    if i >= 0:
        digits = text[:i] + text[i + 1 :]
        n = len(text) - i - 1
        if 0 < n <= 6 and digits.isdigit() and digits.isascii():
            return int(digits) * _POW10[n]
    return None


def best_bid(text: str) -> int:
    """A venue best bid: ``"0"`` means no bids (0); otherwise a price in (0, 1)."""
    v = _BIDS.get(text)
    if v is None:
        v = _best(text, _BIDS, 0, PRICE_SCALE - 1, "best_bid")
    return v


def best_ask(text: str) -> int:
    """A venue best ask: ``"1"`` means no asks (``ONE``); otherwise a price in (0, 1)."""
    v = _ASKS.get(text)
    if v is None:
        v = _best(text, _ASKS, 1, ONE, "best_ask")
    return v


def _best(text: str, cache: dict[str, int], lo: int, hi: int, what: str) -> int:
    try:
        v = parse_fixed(text, 4, what=what)
    except (UnitError, AttributeError, TypeError) as exc:
        raise ParseError(Reason.BAD_PRICE, f"{what} {text!r}: {exc}") from None
    if not lo <= v <= hi:
        raise ParseError(Reason.BAD_PRICE, f"{what} {text!r} is outside [{lo}, {hi}] (1e-4 units)")
    if len(cache) < _CACHE_MAX:
        cache[text] = v
    return v


def side(text: str | None) -> Side:
    s = SIDES.get(text) if text is not None else None
    if s is None:
        if isinstance(text, str):
            try:
                return Side.parse(text)
            except ValueError:
                pass
        raise ParseError(Reason.BAD_VALUE, f"unknown side {text!r}")
    return s


def opt_side(text: str | None) -> Side | None:
    """A side that the venue may leave empty (``last_trade_price``)."""
    if not text:
        return None
    return side(text)


# ---- helpers --------------------------------------------------------------------------------


def book_side(levels: list[Level], what: str, *, best_high: bool) -> tuple[tuple[int, int], ...]:
    """Book levels -> ``((price, size), ...)`` best first (highest first for bids,
    ``best_high=True``), whatever order the venue sent; size-0 levels are skipped; a repeated
    price is refused (an ambiguous snapshot must not silently become our book)."""
    out = []
    for lv in levels:
        p = _PRICES.get(lv.price) or price(lv.price)
        q = _SIZES.get(lv.size)
        if q is None:
            q = size(lv.size)
        if q:
            out.append((p, q))
    out.sort(reverse=best_high)  # prices are unique unless the snapshot is bad (checked next)
    if len(out) > 1 and len({p for p, _ in out}) != len(out):
        raise ParseError(Reason.BAD_VALUE, f"{what}: a price level appears twice")
    return tuple(out)


def tick_of(text: str, what: str) -> int:
    try:
        return parse_tick(text)
    except (UnitError, AttributeError, TypeError) as exc:
        raise ParseError(Reason.BAD_VALUE, f"{what}: {exc}") from None



# ---- times ----------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_to_ns(text: str) -> int:
    """ISO-8601 (``2026-03-12T09:25:00Z``, ``2026-06-08 00:00:16+00``) to Unix ns, exactly."""
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    elif len(t) >= 3 and t[-3] in "+-" and t[-2:].isdigit() and ":" not in t[-3:]:
        t = t + ":00"  # "+00" -> "+00:00"
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_S + delta.microseconds * 1_000


def loose_time_ns(value: str | int | None, what: str = "timestamp") -> int | None:
    """User-channel time to Unix ns: epoch seconds, ms, us or ns (by magnitude) as a string or
    int, or ISO-8601. ``None``/``""`` give ``None``; anything else unparsable raises."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not a time")
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            n = int(value)
        else:
            try:
                return iso_to_ns(value)
            except ValueError:
                raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not a time") from None
    elif isinstance(value, int):
        n = value
    else:
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not a time")
    if n < 0:
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is negative")
    # 1e11 s is year 5138 and 1e11 ms is 1973, so the magnitude tells the unit apart.
    if n < 100_000_000_000:
        return n * NS_PER_S
    if n < 100_000_000_000_000:
        return n * NS_PER_MS
    if n < 100_000_000_000_000_000:
        return n * 1_000
    return n


# ---- frame parsing shared by the market and user channels -----------------------------------

#: what msgspec raises on undecodable input (invalid UTF-8 inside a string is a UnicodeDecodeError)
DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError)

#: plain-text frames the server sends that are not JSON and carry nothing for us
TEXT_FRAMES = frozenset({"PONG", "NO NEW ASSETS", b"PONG", b"NO NEW ASSETS"})


class FrameParser:
    """One WebSocket frame (a JSON object or an array of them, or a text frame) -> events.

    Subclasses set ``_handlers``: struct type -> ``handler(msg, ts_local, out, strict)`` which
    appends events to ``out`` and raises :class:`ParseError` on bad input. A handler that can skip
    a bad *part* of a message calls :meth:`_skip_entry` (raises when strict, else counts).
    """

    __slots__ = ("_decoder", "_handlers", "_log", "_types")

    def __init__(self, decoder: msgspec.json.Decoder, types: dict[str, type], max_errors: int) -> None:
        self._decoder = decoder
        self._types = types
        self._log = ErrorLog(max_errors)
        self._handlers: dict[type, Callable[[Any, int, list, bool], None]] = {}

    @property
    def stats(self) -> Counter[str]:
        """Skipped messages (or entries) by :class:`Reason` value."""
        return self._log.stats

    @property
    def ignored(self) -> Counter[str]:
        """Benign skips: ``text_frame`` (PONG, NO NEW ASSETS), ``unsubscribed``."""
        return self._log.ignored

    @property
    def errors(self) -> list[str]:
        """The last ``max_errors`` errors, one line each, oldest first."""
        return list(self._log.errors)

    def parse(self, raw: bytes | str, ts_local: int) -> list:
        """Events of one frame; bad messages are counted and skipped, never raised."""
        try:
            msg = self._decoder.decode(raw)
        except DECODE_ERRORS:  # incl. ValidationError and bad UTF-8: find out what, item by item
            return self._parse_generic(raw, ts_local, strict=False)
        return self._convert_all(msg, ts_local)

    def _convert_all(self, msg: Any, ts_local: int) -> list:
        out: list = []
        for m in msg if type(msg) is list else (msg,):
            n = len(out)
            try:
                self._handlers[type(m)](m, ts_local, out, False)
            except Exception as exc:  # a bad message must not stop the loop (counted, kept)
                del out[n:]
                self._log.record(as_parse_error(exc, m.__struct_config__.tag))
        return out

    def parse_strict(self, raw: bytes | str, ts_local: int) -> list:
        """Like :meth:`parse` but raises :class:`ParseError` on the first bad message or entry.
        Text frames (PONG, NO NEW ASSETS) still give ``[]``."""
        try:
            msg = self._decoder.decode(raw)
        except DECODE_ERRORS:
            return self._parse_generic(raw, ts_local, strict=True)
        out: list = []
        for m in msg if type(msg) is list else (msg,):
            try:
                self._handlers[type(m)](m, ts_local, out, True)
            except ParseError:
                raise
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise as_parse_error(exc, m.__struct_config__.tag) from exc
        return out

    def _parse_generic(self, raw: bytes | str, ts_local: int, strict: bool) -> list:
        """Slow path after the typed decode failed: classify the failure per item."""
        if is_text_frame(raw):
            self._log.ignored["text_frame"] += 1
            return []
        try:
            obj = msgspec.json.decode(raw)
        except DECODE_ERRORS as exc:
            head = raw[:60] if isinstance(raw, str) else bytes(raw[:60])
            err = ParseError(Reason.MALFORMED_JSON, f"{exc}; frame starts {head!r}")
            if strict:
                raise err from None
            self._log.record(err)
            return []
        out: list = []
        for item in obj if isinstance(obj, list) else (obj,):
            n = len(out)
            try:
                m = self._typed(item)
                self._handlers[type(m)](m, ts_local, out, strict)
            except Exception as exc:
                del out[n:]
                err = as_parse_error(exc, "message")
                if strict:
                    raise err from (None if exc is err else exc)
                self._log.record(err)
        return out

    def _typed(self, item: object) -> Any:
        """One generically decoded item to its typed struct, with the precise reason on failure."""
        if not isinstance(item, dict):
            raise ParseError(Reason.NOT_AN_OBJECT, f"expected a JSON object, got {type(item).__name__}")
        et = item.get("event_type")
        if et is None:
            raise ParseError(Reason.MISSING_FIELD, "message has no event_type")
        cls = self._types.get(et) if isinstance(et, str) else None
        if cls is None:
            raise ParseError(Reason.UNKNOWN_EVENT_TYPE, f"event_type {one_line(repr(et), 80)}")
        try:
            return msgspec.convert(item, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise validation_error(exc, et) from None

    def _skip_entry(self, exc: ParseError, strict: bool) -> None:
        if strict:
            raise exc
        self._log.record(exc)


def is_text_frame(raw: bytes | str) -> bool:
    if len(raw) > 32:
        return False
    text = raw.strip() if isinstance(raw, str | bytes) else bytes(raw).strip()
    return text in TEXT_FRAMES


def validation_error(exc: msgspec.ValidationError, what: str) -> ParseError:
    """Classify a msgspec validation failure: missing field, bad price, or other bad value."""
    text = str(exc)
    if text.startswith("Object missing required field"):
        return ParseError(Reason.MISSING_FIELD, f"{what}: {text}")
    field = text.rpartition("`$")[2].rpartition(".")[2]
    if "price" in field or field.startswith("best_"):
        return ParseError(Reason.BAD_PRICE, f"{what}: {text}")
    return ParseError(Reason.BAD_VALUE, f"{what}: {text}")


def as_parse_error(exc: BaseException, what: str) -> ParseError:
    if isinstance(exc, ParseError):
        return exc
    if isinstance(exc, UnitError):
        return ParseError(Reason.BAD_VALUE, f"{what}: {exc}")
    return ParseError(Reason.BAD_VALUE, f"{what}: {type(exc).__name__}: {exc}")
