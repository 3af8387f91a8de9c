"""Builders with every argument defaulted, so a test states only what matters to it::

    om = Stubs.manager(cash=Stubs.usd(100))
    order = Stubs.submit(om, price=Stubs.px("0.40"), size=Stubs.shares(10))
    om.apply(Stubs.accepted(order))
    om.apply(Stubs.filled(order, size=Stubs.shares(4)))

Event builders accept an :class:`~predtrade.oms.Order` (or a client / venue id string) as their
first argument; venue ids default to :meth:`Stubs.venue_id` of the order's client id, which is what
:meth:`Stubs.accepted` assigns, so acks and later updates line up without bookkeeping.
"""

from __future__ import annotations

import hashlib
from typing import Any

from predtrade.model import (
    CancelRejected,
    FeeSchedule,
    Liquidity,
    Market,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    Side,
    TimeInForce,
    TradeStatus,
    parse_cash,
    parse_price,
    parse_size,
)
from predtrade.model.units import SIZE_SCALE
from predtrade.oms import Inventory, Order, OrderManager

#: a condition id and two 77-digit token ids shaped like Polymarket's
CONDITION_ID = "0x" + hashlib.sha256(b"predtrade-stub-market").hexdigest()
YES_TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
NO_TOKEN = "52114319501245915516055106046884209969926127482827954674443846427813813222426"

_T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z in Unix ns

OrderRef = Order | str


def _client_id(ref: OrderRef) -> str:
    return ref.client_order_id if isinstance(ref, Order) else ref


def _venue_id(ref: OrderRef) -> str:
    if isinstance(ref, Order):
        return ref.venue_order_id or Stubs.venue_id(ref.client_order_id)
    return ref if ref.startswith("0x") else Stubs.venue_id(ref)


class Stubs:
    """Namespace of builders (all static)."""

    CONDITION_ID = CONDITION_ID
    YES = YES_TOKEN
    NO = NO_TOKEN
    T0 = _T0

    # ---- units, from the decimal strings a reader thinks in
    @staticmethod
    def px(text: str) -> int:
        return parse_price(text)

    @staticmethod
    def shares(n: int | str) -> int:
        return parse_size(str(n))

    @staticmethod
    def usd(n: int | str) -> int:
        return parse_cash(str(n))

    @staticmethod
    def venue_id(key: str) -> str:
        """A deterministic 0x + 64-hex venue order id (the shape of Polymarket's order hash)."""
        return "0x" + hashlib.sha256(key.encode()).hexdigest()

    # ---- metadata
    @staticmethod
    def fees(**overrides: Any) -> FeeSchedule:
        """A crypto-style taker fee: rate 0.07, exponent 1, taker only."""
        kw: dict[str, Any] = {"rate_ppm": 70_000, "exponent": 1, "taker_only": True}
        kw.update(overrides)
        return FeeSchedule(**kw)

    @staticmethod
    def market(**overrides: Any) -> Market:
        """A binary Yes/No market with two 77-digit token ids, tick 0.01, min size 5."""
        kw: dict[str, Any] = {
            "condition_id": CONDITION_ID,
            "token_ids": (YES_TOKEN, NO_TOKEN),
            "outcomes": ("Yes", "No"),
            "tick": 100,
            "min_order_size": 5 * SIZE_SCALE,
            "slug": "stub-market",
            "question": "Will the stub resolve Yes?",
        }
        kw.update(overrides)
        return Market(**kw)

    # ---- the OMS
    @staticmethod
    def inventory(cash: int = 1_000 * 1_000_000) -> Inventory:
        return Inventory(cash)

    @staticmethod
    def manager(cash: int = 1_000 * 1_000_000, *, id_prefix: str = "pt") -> OrderManager:
        return OrderManager(Inventory(cash), id_prefix=id_prefix)

    @staticmethod
    def submit(
        om: OrderManager,
        *,
        market: str = CONDITION_ID,
        asset_id: str = YES_TOKEN,
        side: Side = Side.BUY,
        price: int = 5_000,
        size: int = 10 * SIZE_SCALE,
        tif: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        ts_local: int = _T0,
        fees: FeeSchedule | None = None,
        venue_order_id: str | None = None,
    ) -> Order:
        """Submit a BUY of 10 YES at 0.50 unless told otherwise."""
        return om.submit(
            market=market,
            asset_id=asset_id,
            side=side,
            price=price,
            size=size,
            tif=tif,
            post_only=post_only,
            ts_local=ts_local,
            fees=fees,
            venue_order_id=venue_order_id,
        )

    # ---- venue events about our orders
    @staticmethod
    def accepted(
        ref: OrderRef = "pt-1", *, venue_order_id: str | None = None, ts_venue: int = _T0, ts_local: int = _T0
    ) -> OrderAccepted:
        cid = _client_id(ref)
        return OrderAccepted(cid, venue_order_id or _venue_id(ref), ts_venue, ts_local)

    @staticmethod
    def rejected(
        ref: OrderRef = "pt-1",
        *,
        reason: str = "not enough balance",
        ts_venue: int = _T0,
        ts_local: int = _T0,
    ) -> OrderRejected:
        return OrderRejected(_client_id(ref), reason, ts_venue, ts_local)

    @staticmethod
    def cancelled(
        ref: OrderRef = "pt-1", *, reason: str = "", ts_venue: int = _T0, ts_local: int = _T0
    ) -> OrderCancelled:
        return OrderCancelled(_venue_id(ref), ts_venue, ts_local, reason)

    @staticmethod
    def cancel_rejected(
        ref: OrderRef = "pt-1", *, reason: str = "order not found", ts_venue: int = _T0, ts_local: int = _T0
    ) -> CancelRejected:
        return CancelRejected(_venue_id(ref), reason, ts_venue, ts_local)

    @staticmethod
    def expired(ref: OrderRef = "pt-1", *, ts_venue: int = _T0, ts_local: int = _T0) -> OrderExpired:
        return OrderExpired(_venue_id(ref), ts_venue, ts_local)

    @staticmethod
    def filled(
        ref: OrderRef = "pt-1",
        *,
        trade_id: str = "trade-1",
        asset_id: str | None = None,
        price: int | None = None,
        size: int | None = None,
        status: TradeStatus = TradeStatus.MATCHED,
        ts_venue: int = _T0,
        ts_local: int = _T0,
        liquidity: Liquidity | None = Liquidity.MAKER,
        fee: int = 0,
    ) -> OrderFilled:
        """A fill of the whole order at its limit, ``MATCHED``, unless told otherwise. Without an
        :class:`Order` to read them from, price defaults to 0.50 and size to 10 shares."""
        if isinstance(ref, Order):
            asset_id = asset_id or ref.asset_id
            price = ref.price if price is None else price
            size = ref.size - ref.filled if size is None else size
        return OrderFilled(
            venue_order_id=_venue_id(ref),
            trade_id=trade_id,
            asset_id=asset_id or YES_TOKEN,
            price=5_000 if price is None else price,
            size=10 * SIZE_SCALE if size is None else size,
            status=status,
            ts_venue=ts_venue,
            ts_local=ts_local,
            liquidity=liquidity,
            fee=fee,
        )
