"""Bands: one bid and one ask at +-``band`` around a target (fair value or mid), shifted against
inventory, left alone while the target stays within ``refresh_tolerance`` of where the resting
quotes were placed.

"Where they were placed" is read off the resting orders in the snapshot, not remembered: a rung
placed around target ``t`` sits at ``down(t - band)`` (bid) or ``up(t + band)`` (ask), so
``t`` is recovered to within half a tick from its price. No hidden state means a restart, a
replay or a second instance all make the same decision.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from predtrade.model.enums import Outcome, Side
from predtrade.model.units import ONE, format_size

from . import _params as P
from ._orders import buy_cash_room, resting_orders
from .api import STRATEGY_API_VERSION, Decision, DesiredOrder, OwnOrder, Snapshot
from .config import StrategyConfig
from .fair import books_need_resync, combined_bbo, fair_value
from .proposal import to_orders
from .stages import base_ladder, budget, express, inventory_skew, near_expiry, taker_filter


class BandsConfig(StrategyConfig, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Units as in :class:`~predtrade.strategies.amm.AmmConfig`."""

    #: "fair_value": model P(up) (falling back to the mid if configured); "mid": the net book mid
    target: Literal["fair_value", "mid"] = "fair_value"
    fallback_to_mid: bool = True
    default_sigma: float = 8e-5
    ito: bool = False
    #: distance of each quote from the target
    band: float = 0.03
    #: keep resting quotes while |target - placed-around| <= this
    refresh_tolerance: float = 0.01
    order_size: Decimal = Decimal("10")
    size_step: Decimal = Decimal("0.01")
    #: |YES - NO| shares at which the target shift saturates and the adding side stops quoting
    inventory_limit: Decimal = Decimal("50")
    #: target shift against inventory at the limit
    max_target_shift: float = 0.03
    no_buy_above: float = 0.90
    no_buy_seconds: float = 60.0
    max_collateral: Decimal = Decimal("50")
    post_only: bool = True
    taker_mode: Literal["move", "drop"] = "move"

    def __post_init__(self) -> None:
        P.check_positive("default_sigma", self.default_sigma)
        P.check_prob("band", self.band, lo=0.0001, hi=0.5)
        P.check_prob("refresh_tolerance", self.refresh_tolerance, hi=0.5)
        size = P.shares("order_size", P.as_decimal(self, "order_size"))
        step = P.shares("size_step", P.as_decimal(self, "size_step"))
        if size % step:
            raise ValueError(f"order_size {self.order_size} is not a multiple of size_step {self.size_step}")
        P.shares("inventory_limit", P.as_decimal(self, "inventory_limit"))
        P.check_prob("max_target_shift", self.max_target_shift, hi=0.5)
        P.check_prob("no_buy_above", self.no_buy_above, open_lo=True)
        P.check_positive("no_buy_seconds", self.no_buy_seconds, allow_zero=True)
        P.cash("max_collateral", P.as_decimal(self, "max_collateral"), allow_zero=True)


class BandsStrategy:
    name: ClassVar[str] = "bands"
    version: ClassVar[int] = 1
    #: the strategy API this was written against (see ``api.STRATEGY_API_VERSION``)
    api_version: ClassVar[int] = STRATEGY_API_VERSION

    __slots__ = ("_collateral", "_limit", "_no_buy_above", "_size", "_step", "config")

    def __init__(self, config: BandsConfig | None = None) -> None:
        c = config if config is not None else BandsConfig()
        self.config = c
        self._size = P.shares("order_size", c.order_size)
        self._step = P.shares("size_step", c.size_step)
        self._limit = P.shares("inventory_limit", c.inventory_limit)
        self._collateral = P.cash("max_collateral", c.max_collateral, allow_zero=True)
        self._no_buy_above = P.price_units(c.no_buy_above)

    def evaluate(self, snapshot: Snapshot) -> Decision:
        c = self.config
        if books_need_resync(snapshot):
            return Decision(reason="hold: book needs resync")
        fv, src = fair_value(
            snapshot,
            source="model" if c.target == "fair_value" else "mid",
            fallback_to_mid=c.fallback_to_mid,
            default_sigma=c.default_sigma,
            ito=c.ito,
        )
        if fv is None:
            return Decision(reason=f"hold: no target ({src})")
        market = snapshot.market
        tick, min_size = market.tick, market.min_order_size
        yes, no = snapshot.positions
        net = yes.shares - no.shares
        q = max(-1.0, min(1.0, net / self._limit))
        target = min(1.0, max(0.0, fv - c.max_target_shift * q))

        p = base_ladder(target, c.band, c.band, 1, self._size, tick)
        p = inventory_skew(p, net=net, limit=self._limit, min_size=min_size, size_step=self._step)
        p = express(p, yes_shares=yes.shares, no_shares=no.shares, min_size=min_size)
        p = near_expiry(
            p,
            yes_prob=fv,
            seconds_left=snapshot.seconds_to_expiry,
            no_buy_above=self._no_buy_above,
            no_buy_seconds=c.no_buy_seconds,
        )
        room = buy_cash_room(snapshot, self._collateral)
        p = budget(
            p, cash=room, min_size=min_size, size_step=self._step, fees=market.fees, post_only=c.post_only
        )
        if c.post_only:
            best_bid, best_ask = combined_bbo(snapshot)
            p = taker_filter(p, best_bid=best_bid, best_ask=best_ask, tick=tick, mode=c.taker_mode)
        fresh = to_orders(p, market, post_only=c.post_only)
        head = f"target={target:.3f}/{src} net={format_size(net)}"

        resting = resting_orders(snapshot)
        if resting:
            placed = _placed_around(resting, market.token_ids, c.band, tick)
            same_legs = sorted((o.asset_id, o.side) for o in resting) == sorted(
                (o.asset_id, o.side) for o in fresh
            )
            if same_legs and abs(target - placed) <= c.refresh_tolerance + 1e-12:
                kept = tuple(
                    DesiredOrder(o.asset_id, o.side, o.price, o.remaining, post_only=c.post_only)
                    for o in resting
                )
                return Decision(quotes=kept, reason=f"{head} keep (placed {placed:.3f})", fair_value=fv)
            why = "legs changed" if not same_legs else f"moved from {placed:.3f}"
            head = f"{head} requote ({why})"
        notes = " ".join(p.notes)
        return Decision(quotes=fresh, reason=f"{head}{' ' + notes if notes else ''}", fair_value=fv)


def _placed_around(orders: tuple[OwnOrder, ...], tokens: tuple[str, str], band: float, tick: int) -> float:
    """Mean target implied by the resting rungs: a YES-space bid ``b`` was placed at
    ``down(t - band)``, so ``t`` lies in ``[b + band, b + band + tick)``; take the middle (asks
    mirror that)."""
    total = 0.0
    for o in orders:
        outcome = Outcome.YES if o.asset_id == tokens[0] else Outcome.NO
        yes_px = o.price if outcome is Outcome.YES else ONE - o.price
        is_bid = (outcome is Outcome.YES) == (o.side is Side.BUY)
        if is_bid:
            total += (yes_px + tick / 2) / ONE + band
        else:
            total += (yes_px - tick / 2) / ONE - band
    return total / len(orders)
