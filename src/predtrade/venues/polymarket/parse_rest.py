"""REST shapes: CLOB ``GET /book`` (snapshot + its SHA-1 summary hash) and Gamma market objects.

These take already-decoded JSON objects (dicts), as an HTTP client or a recording hands them
over. Gamma sends some numbers as JSON numbers (``orderPriceMinTickSize: 0.01``); they are turned
into exact ints through ``Decimal(str(x))``, which recovers the shortest decimal the venue wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from predtrade.model import NO_FEES, BookSnapshot, FeeSchedule, Market, UnitError
from predtrade.model.units import PRICE_DECIMALS, SIZE_DECIMALS, VALID_TICKS, from_decimal

from . import schemas as sc
from ._common import NS_PER_MS, ParseError, Reason, book_side, iso_to_ns, validation_error

_FEE_DECIMALS = 6  # fee rates in parts per million

#: key order of the server's hash payload (PROTOCOLS §5.3); ``hash`` is hashed as ""
HASH_KEYS = (
    "market",
    "asset_id",
    "timestamp",
    "hash",
    "bids",
    "asks",
    "min_order_size",
    "tick_size",
    "neg_risk",
    "last_trade_price",
)
#: layout that reproduces the 2024 capture (tests/.../http_responses/book.json): no timestamp
#: and none of the later fields
LEGACY_HASH_KEYS = ("market", "asset_id", "hash", "bids", "asks")
_NEWER_KEYS = ("min_order_size", "tick_size", "neg_risk", "last_trade_price")


# ---- CLOB /book -----------------------------------------------------------------------------


def parse_rest_book(obj: dict[str, Any], ts_local: int = 0) -> BookSnapshot:
    """A ``GET /book`` response (or one element of ``POST /books``) -> :class:`BookSnapshot`,
    levels best first (the venue sends them worst first), size-0 levels dropped."""
    try:
        book = msgspec.convert(obj, sc.RestBook, strict=False)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, "book") from None
    bids = book_side(book.bids, "bids", best_high=True)
    asks = book_side(book.asks, "asks", best_high=False)
    tick = _tick(book.tick_size, "tick_size") if book.tick_size not in (None, "") else None
    return BookSnapshot(
        book.asset_id,
        book.market,
        bids,
        asks,
        book.timestamp * NS_PER_MS,
        ts_local,
        book.hash,
        tick,
    )


def rest_book_hash(obj: Mapping[str, Any], *, legacy: bool = False) -> str:
    """The server's summary hash of a ``/book`` response: SHA-1 hex of the compact JSON of
    ``market, asset_id, timestamp, hash="", bids, asks, min_order_size, tick_size, neg_risk,
    last_trade_price`` in exactly that order, values as the server sent them, levels as
    ``{"price", "size"}`` in the server's order. ``legacy=True`` hashes the 2024 layout
    (``market, asset_id, hash="", bids, asks``)."""
    payload: dict[str, Any] = {}
    for key in LEGACY_HASH_KEYS if legacy else HASH_KEYS:
        if key == "hash":
            payload[key] = ""
        elif key in ("bids", "asks"):
            levels = obj.get(key)
            if not isinstance(levels, list):
                raise ParseError(Reason.MISSING_FIELD, f"book hash: {key} is missing or not a list")
            try:
                payload[key] = [{"price": lv["price"], "size": lv["size"]} for lv in levels]
            except (KeyError, TypeError) as exc:
                raise ParseError(Reason.MISSING_FIELD, f"book hash: bad {key} level ({exc})") from None
        else:
            if key not in obj:
                raise ParseError(Reason.MISSING_FIELD, f"book hash: {key} is missing")
            payload[key] = obj[key]
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def verify_rest_book_hash(obj: Mapping[str, Any]) -> bool:
    """True if ``obj["hash"]`` matches :func:`rest_book_hash`. Books without the newer fields
    (``min_order_size``, ``tick_size``, ``neg_risk``, ``last_trade_price``) are checked with the
    legacy layout. Never raises: a malformed book simply does not verify."""
    expected = obj.get("hash")
    if not isinstance(expected, str) or not expected:
        return False
    legacy = not all(k in obj for k in _NEWER_KEYS)
    try:
        return rest_book_hash(obj, legacy=legacy) == expected.lower()
    except (ParseError, TypeError, ValueError):
        return False


# ---- Gamma markets --------------------------------------------------------------------------


def parse_gamma_market(obj: Mapping[str, Any]) -> Market:
    """A Gamma ``/markets`` object -> :class:`Market`.

    ``outcomes``/``clobTokenIds`` are JSON-encoded strings (lists accepted too); index i of one
    belongs to index i of the other, so ``token_ids[0]`` is the first outcome ("Yes"/"Up").
    ``eventStartTime`` (or the first event's ``startTime``) is the round start of up/down
    markets. A missing ``feeSchedule`` means no fees are known (:data:`NO_FEES`).
    Raises :class:`ParseError` for anything that is not a tradeable binary CLOB market.
    """
    cid = _req(obj, "conditionId")
    if not isinstance(cid, str) or not cid:
        raise ParseError(Reason.BAD_VALUE, f"gamma market: conditionId {cid!r}")
    outcomes = _json_list(obj, "outcomes")
    tokens = _json_list(obj, "clobTokenIds")
    if len(outcomes) != 2 or len(tokens) != 2:
        shape = f"{len(outcomes)} outcomes, {len(tokens)} tokens"
        raise ParseError(Reason.BAD_VALUE, f"gamma market {cid}: not binary ({shape})")
    if not all(isinstance(t, str) and t.isascii() and t.isdigit() for t in tokens):
        raise ParseError(Reason.BAD_VALUE, f"gamma market {cid}: clobTokenIds {tokens!r} are not token ids")
    tick = _tick(_req(obj, "orderPriceMinTickSize"), "orderPriceMinTickSize")
    min_size = _decimal_int(_req(obj, "orderMinSize"), SIZE_DECIMALS, "orderMinSize")
    return Market(
        condition_id=cid,
        token_ids=(tokens[0], tokens[1]),
        outcomes=(str(outcomes[0]), str(outcomes[1])),
        tick=tick,
        min_order_size=min_size,
        end_ts=_opt_time(obj.get("endDate"), "endDate"),
        start_ts=_start_time(obj),
        neg_risk=_bool(obj.get("negRisk"), False, "negRisk"),
        fees=_fees(obj.get("feeSchedule"), cid),
        slug=str(obj.get("slug") or ""),
        question=str(obj.get("question") or ""),
    )


def _req(obj: Mapping[str, Any], key: str) -> Any:
    value = obj.get(key)
    if value is None:
        raise ParseError(Reason.MISSING_FIELD, f"gamma market: {key} is missing")
    return value


def _json_list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = _req(obj, key)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ParseError(Reason.BAD_VALUE, f"gamma market: {key} {value[:80]!r} is not JSON") from None
    if not isinstance(value, list):
        raise ParseError(Reason.BAD_VALUE, f"gamma market: {key} is not a list")
    return value


def _bool(value: Any, default: bool, what: str) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):  # "false" must not become True
        raise ParseError(Reason.BAD_VALUE, f"gamma market: {what} {value!r} is not a boolean")
    return value


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not a number")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not a number") from None
    if not d.is_finite():
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not finite")
    return d


def _decimal_int(value: Any, decimals: int, what: str) -> int:
    try:
        n = from_decimal(_decimal(value, what), decimals, what=what)
    except UnitError as exc:
        raise ParseError(Reason.BAD_VALUE, str(exc)) from None
    if n < 0:
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is negative")
    return n


def _tick(value: Any, what: str) -> int:
    t = _decimal_int(value, PRICE_DECIMALS, what)
    if t not in VALID_TICKS:
        raise ParseError(Reason.BAD_VALUE, f"{what} {value!r} is not a valid tick size")
    return t


def _opt_time(value: Any, what: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ParseError(Reason.BAD_VALUE, f"gamma market: {what} {value!r} is not an ISO time")
    try:
        return iso_to_ns(value)
    except ValueError:
        raise ParseError(Reason.BAD_VALUE, f"gamma market: {what} {value!r} is not an ISO time") from None


def _start_time(obj: Mapping[str, Any]) -> int | None:
    if obj.get("eventStartTime"):
        return _opt_time(obj["eventStartTime"], "eventStartTime")
    events = obj.get("events")
    if isinstance(events, list) and events and isinstance(events[0], dict):
        return _opt_time(events[0].get("startTime"), "events[0].startTime")
    return None


def _fees(value: Any, cid: str) -> FeeSchedule:
    if value is None:
        return NO_FEES
    if not isinstance(value, dict):
        raise ParseError(Reason.BAD_VALUE, f"gamma market {cid}: feeSchedule is not an object")
    exponent = _decimal(value.get("exponent", 1), "feeSchedule.exponent")
    if exponent != exponent.to_integral_value() or exponent < 0:
        raise ParseError(Reason.BAD_VALUE, f"gamma market {cid}: fee exponent {exponent} is not whole")
    return FeeSchedule(
        rate_ppm=_decimal_int(value.get("rate", 0), _FEE_DECIMALS, "feeSchedule.rate"),
        exponent=int(exponent),
        taker_only=_bool(value.get("takerOnly"), True, "feeSchedule.takerOnly"),
        rebate_rate_ppm=_decimal_int(value.get("rebateRate", 0), _FEE_DECIMALS, "feeSchedule.rebateRate"),
    )

