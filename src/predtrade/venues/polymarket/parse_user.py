"""User-channel messages -> our order events (:class:`OrderCancelled`, :class:`OrderFilled`).

What is mapped, and why:

* ``order`` CANCELLATION, or any ``order`` whose status is ``CANCELED*`` (incl. the killed-FOK
  ``"CANCELED_order couldn't be fully filled..."``) or ``INVALID`` (venue-initiated cancel)
  -> :class:`OrderCancelled` with the venue status as ``reason`` and the order's cumulative
  ``size_matched`` (the OMS keeps reserving for matched fills whose ``trade`` messages are still to
  come). ``""`` (killed FOK) means the venue did not say: ``None``. A malformed one is counted
  (BAD_VALUE) and dropped, never the cancel itself.
* ``order`` PLACEMENT -> nothing: the REST ``POST /order`` response is our acknowledgement.
* ``order`` UPDATE -> nothing: it only carries the cumulative ``size_matched`` and the ids of the
  trades behind it, never the price of each fill; every fill it reflects also arrives as a
  ``trade`` message (with trade id, price, size and settlement status), which is what we book.
  (A missed ``trade`` message is a reconnect gap; the REST trades resync recovers it.)
* ``trade`` -> one :class:`OrderFilled` per order of ours in it, keyed by (trade id, order id):
  as taker (``trader_side == "TAKER"``) our order is ``taker_order_id`` with the top-level
  ``size``/``price``/``asset_id``; as maker, every ``maker_orders`` entry whose ``owner`` is our
  API key or whose ``maker_address`` is our funder address (case-insensitive) is ours, with that
  entry's ``matched_amount``/``price``/``asset_id`` (possibly the complementary token). The side is
  never emitted: the OMS takes it from our order (a cross-asset match inverts the naive guess).
  ``fee`` stays 0: the message carries only a rate; the OMS applies the market's fee schedule.

The same trade id is re-sent as its status advances (MATCHED -> MINED -> CONFIRMED, or
RETRYING/FAILED); each copy becomes an :class:`OrderFilled` with the new ``status``.
"""

from __future__ import annotations

import msgspec

from predtrade.model import Liquidity, OrderCancelled, OrderEvent, OrderFilled, TradeStatus

from . import schemas as sc
from ._common import FrameParser, ParseError, Reason, loose_time_ns, price, size

_USER_DECODER = msgspec.json.Decoder(sc.UserMessage | list[sc.UserMessage], strict=False)


class UserMessageParser(FrameParser):
    """User-channel frames -> :data:`predtrade.model.OrderEvent` lists.

    ``api_key`` (the L2 API key, a UUID) and/or ``funder`` (the maker/funder address) identify our
    orders inside a trade's ``maker_orders``; without either, maker fills cannot be attributed
    and such trades are refused with :attr:`Reason.NO_IDENTITY`.
    """

    __slots__ = ("_api_key", "_funder")

    def __init__(
        self, *, api_key: str | None = None, funder: str | None = None, max_errors: int = 100
    ) -> None:
        super().__init__(_USER_DECODER, sc.USER_TYPES, max_errors)
        self._api_key = api_key.strip().lower() if api_key else None
        self._funder = funder.strip().lower() if funder else None
        self._handlers = {sc.UserOrder: self._order, sc.UserTrade: self._trade}

    def parse(self, raw: bytes | str, ts_local: int) -> list[OrderEvent]:  # narrower return type
        return super().parse(raw, ts_local)

    def parse_strict(self, raw: bytes | str, ts_local: int) -> list[OrderEvent]:
        return super().parse_strict(raw, ts_local)

    # ---- handlers ---------------------------------------------------------------------------

    def _order(self, m: sc.UserOrder, ts_local: int, out: list, strict: bool) -> None:
        if not m.id:
            raise ParseError(Reason.MISSING_FIELD, "order message without id")
        status = (m.status or "").strip()
        st = status.upper()
        kind = (m.type or "").strip().upper()
        if kind == "CANCELLATION" or st.startswith(("CANCELED", "CANCELLED")) or st == "INVALID":
            ts = loose_time_ns(m.timestamp)
            matched = self._size_matched(m, strict)
            out.append(
                OrderCancelled(m.id, ts if ts is not None else ts_local, ts_local, status or kind, matched)
            )

    def _size_matched(self, m: sc.UserOrder, strict: bool) -> int | None:
        text = (m.size_matched or "").strip()
        if not text:
            return None
        try:
            return size(text)
        except ParseError as exc:  # losing the cancel would be worse than losing its size_matched
            self._skip_entry(ParseError(exc.reason, f"order {m.id} size_matched: {exc.detail}"), strict)
            return None

    def _trade(self, m: sc.UserTrade, ts_local: int, out: list, strict: bool) -> None:
        if not m.id:
            raise ParseError(Reason.MISSING_FIELD, "trade message without id")
        status = _trade_status(m.status)
        ts = _trade_time(m, ts_local)
        role = (m.trader_side or "").strip().upper()
        key, funder = self._api_key, self._funder
        taker = role == "TAKER" or (not role and key is not None and (m.owner or "").lower() == key)
        if taker:
            if not m.taker_order_id or m.asset_id is None or m.price is None or m.size is None:
                detail = f"taker trade {m.id}: needs taker_order_id, asset_id, price and size"
                raise ParseError(Reason.MISSING_FIELD, detail)
            out.append(
                OrderFilled(
                    m.taker_order_id, m.id, m.asset_id, price(m.price), size(m.size), status, ts, ts_local,
                    Liquidity.TAKER,
                )
            )
        if key is None and funder is None:
            if not taker:
                detail = f"trade {m.id}: no api_key/funder to find our maker orders with"
                raise ParseError(Reason.NO_IDENTITY, detail)
            return
        ours = 0
        for mo in m.maker_orders:
            if not (
                (key is not None and (mo.owner or "").lower() == key)
                or (funder is not None and (mo.maker_address or "").lower() == funder)
            ):
                continue
            ours += 1
            try:
                fill = OrderFilled(
                    mo.order_id, m.id, mo.asset_id, price(mo.price), size(mo.matched_amount), status, ts,
                    ts_local, Liquidity.MAKER,
                )
            except ParseError as exc:  # one bad entry must not hide our other fills in this trade
                detail = f"trade {m.id} maker order {mo.order_id}: {exc.detail}"
                self._skip_entry(ParseError(exc.reason, detail), strict)
                continue
            out.append(fill)
        if not taker and not ours:
            detail = f"trade {m.id} ({role or 'no trader_side'}): no order of ours in it"
            raise ParseError(Reason.NOT_OURS, detail)


def parse_user_message(
    raw: bytes | str, ts_local: int, *, api_key: str | None = None, funder: str | None = None
) -> list[OrderEvent]:
    """One user-channel frame -> our order events; raises :class:`ParseError` on bad input
    (use :class:`UserMessageParser` in a live loop: it counts and skips instead)."""
    return UserMessageParser(api_key=api_key, funder=funder).parse_strict(raw, ts_local)


def _trade_status(text: str) -> TradeStatus:
    try:
        return TradeStatus.parse(text)
    except (ValueError, AttributeError):
        raise ParseError(Reason.BAD_VALUE, f"unknown trade status {text!r}") from None


def _trade_time(m: sc.UserTrade, ts_local: int) -> int:
    """``timestamp`` (ms, or seconds in newer captures), else the match/update time; a message
    without any time still carries a real fill, so it falls back to our receive time."""
    for value, what in (
        (m.timestamp, "timestamp"),
        (m.match_time, "match_time"),
        (m.matchtime, "matchtime"),
        (m.last_update, "last_update"),
    ):
        ts = loose_time_ns(value, what)
        if ts is not None:
            return ts
    return ts_local
