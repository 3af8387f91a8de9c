"""Enumerations shared by every layer."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Side(IntEnum):
    """Order / book side. ``BUY`` is the bid side, ``SELL`` the ask side."""

    BUY = 0
    SELL = 1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY

    @classmethod
    def parse(cls, text: str) -> Side:
        t = text.strip().upper()
        if t in ("BUY", "BID", "B"):
            return cls.BUY
        if t in ("SELL", "ASK", "S"):
            return cls.SELL
        raise ValueError(f"unknown side {text!r}")


class Outcome(IntEnum):
    """Index of an outcome token inside its binary market.

    ``YES`` is the first outcome (``"Yes"``, ``"Up"``), ``NO`` the second (``"No"``, ``"Down"``);
    a market's own labels live in :class:`predtrade.model.market.Market`. YES + NO pays exactly 1.
    """

    YES = 0
    NO = 1

    @property
    def other(self) -> Outcome:
        return Outcome.NO if self is Outcome.YES else Outcome.YES


class TimeInForce(StrEnum):
    GTC = "GTC"  # good till cancelled
    GTD = "GTD"  # good till date (expiration)
    FOK = "FOK"  # fill or kill
    FAK = "FAK"  # fill and kill (immediate or cancel)


class OrderState(StrEnum):
    """Lifecycle of one of our orders (see :mod:`predtrade.oms.fsm` for the legal edges)."""

    PENDING_SUBMIT = "PENDING_SUBMIT"
    OPEN = "OPEN"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    PENDING_CANCEL = "PENDING_CANCEL"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_working(self) -> bool:
        """Could still trade at the venue (and so reserves capital)."""
        return self in _WORKING


_TERMINAL = frozenset(
    {OrderState.FILLED, OrderState.CANCELLED, OrderState.REJECTED, OrderState.EXPIRED}
)
_WORKING = frozenset(
    {OrderState.PENDING_SUBMIT, OrderState.OPEN, OrderState.PARTIALLY_FILLED, OrderState.PENDING_CANCEL}
)


class TradeStatus(StrEnum):
    """Settlement status of a venue trade (Polymarket user channel)."""

    MATCHED = "MATCHED"
    MINED = "MINED"
    RETRYING = "RETRYING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self is TradeStatus.CONFIRMED or self is TradeStatus.FAILED

    @classmethod
    def parse(cls, text: str) -> TradeStatus:
        t = text.strip().upper()
        if t.startswith("TRADE_STATUS_"):
            t = t[len("TRADE_STATUS_") :]
        if t == "MATCHED_NOT_BROADCASTED":
            return cls.MATCHED
        return cls(t)


class Liquidity(StrEnum):
    MAKER = "MAKER"
    TAKER = "TAKER"
