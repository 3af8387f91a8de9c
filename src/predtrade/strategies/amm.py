"""The AMM: a fair-value ladder on both sides of a binary market, skewed by inventory at every
price level, expressed on whichever token sells what we hold, and never crossing itself or the
book.

Pipeline (each stage in :mod:`.stages`, each pure): base ladder -> level filter -> price skew ->
inventory skew -> express on YES/NO -> near-expiry -> budget -> taker filter. Everything is in
YES-price terms until the final conversion (see :mod:`.proposal`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from predtrade.model.units import format_size

from . import _params as P
from ._orders import buy_cash_room
from .api import STRATEGY_API_VERSION, Decision, Snapshot
from .config import StrategyConfig
from .fair import FairValueSource, books_need_resync, combined_bbo, fair_value
from .proposal import to_orders
from .stages import (
    base_ladder,
    budget,
    express,
    inventory_skew,
    level_filter,
    near_expiry,
    price_skew,
    scaled_spread,
    taker_filter,
)


class AmmConfig(StrategyConfig, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Probabilities and price distances are floats in [0, 1] (model space; they reach the tick
    grid only through :func:`predtrade.pricing.grid.prob_to_price` with a directed rounding or as
    whole ticks); shares and dollars are exact decimals (write ``"10"`` or ``10``)."""

    #: "model": P(up) from the reference price; "mid": the combined net book mid
    fair_value_source: FairValueSource = "model"
    #: with "model", use the book mid when reference, round open or end time is missing
    fallback_to_mid: bool = True
    #: base sigma per sqrt(second) when the snapshot has none (scaled by sigma_multiplier)
    default_sigma: float = 8e-5
    ito: bool = False
    #: distance of the first rung from fair value, before the time-of-day multiplier
    spread: float = 0.02
    min_spread: float = 0.01
    max_spread: float = 0.06
    #: distance between rungs
    level_step: float = 0.01
    levels: int = 3
    order_size: Decimal = Decimal("10")
    size_step: Decimal = Decimal("0.01")
    #: rungs outside this YES-price band are not quoted
    min_quote_price: float = 0.02
    max_quote_price: float = 0.98
    #: |YES - NO| shares at which skew saturates and the adding side stops quoting
    inventory_limit: Decimal = Decimal("100")
    #: price shift of the whole ladder at the inventory limit
    max_price_skew: float = 0.03
    #: stop buying a token whose fair probability or order price is above this
    no_buy_above: float = 0.90
    #: stop buying with fewer than this many seconds to the market's end
    no_buy_seconds: float = 60.0
    #: cost basis of holdings + reservation of our buys in this market, in dollars
    max_collateral: Decimal = Decimal("100")
    post_only: bool = True
    #: a post-only rung that would cross the net book: "move" it inside or "drop" it
    taker_mode: Literal["move", "drop"] = "move"

    def __post_init__(self) -> None:
        P.check_positive("default_sigma", self.default_sigma)
        P.check_prob("spread", self.spread, hi=0.5, open_lo=True)
        P.check_prob("min_spread", self.min_spread, lo=0.0001, hi=0.5)
        P.check_prob("max_spread", self.max_spread, lo=0.0001, hi=0.5)
        if self.min_spread > self.max_spread:
            raise ValueError(f"min_spread {self.min_spread} is above max_spread {self.max_spread}")
        P.check_prob("level_step", self.level_step, hi=0.5, open_lo=True)
        if not 1 <= self.levels <= 50:
            raise ValueError(f"levels must be within 1..50, got {self.levels}")
        size = P.shares("order_size", P.as_decimal(self, "order_size"))
        step = P.shares("size_step", P.as_decimal(self, "size_step"))
        if size % step:
            raise ValueError(f"order_size {self.order_size} is not a multiple of size_step {self.size_step}")
        P.check_prob("min_quote_price", self.min_quote_price, open_lo=True)
        P.check_prob("max_quote_price", self.max_quote_price, hi=0.9999)
        if self.min_quote_price >= self.max_quote_price:
            raise ValueError("min_quote_price must be below max_quote_price")
        P.shares("inventory_limit", P.as_decimal(self, "inventory_limit"))
        P.check_prob("max_price_skew", self.max_price_skew, hi=0.5)
        P.check_prob("no_buy_above", self.no_buy_above, open_lo=True)
        P.check_positive("no_buy_seconds", self.no_buy_seconds, allow_zero=True)
        P.cash("max_collateral", P.as_decimal(self, "max_collateral"), allow_zero=True)


class AmmStrategy:
    """``evaluate(snapshot) -> Decision``; holds only its config and values derived from it."""

    name: ClassVar[str] = "amm"
    version: ClassVar[int] = 1
    #: the strategy API this was written against (see ``api.STRATEGY_API_VERSION``)
    api_version: ClassVar[int] = STRATEGY_API_VERSION

    __slots__ = (
        "_collateral",
        "_hi",
        "_limit",
        "_lo",
        "_no_buy_above",
        "_size",
        "_skew",
        "_step",
        "config",
    )

    def __init__(self, config: AmmConfig | None = None) -> None:
        c = config if config is not None else AmmConfig()
        self.config = c
        self._size = P.shares("order_size", c.order_size)
        self._step = P.shares("size_step", c.size_step)
        self._limit = P.shares("inventory_limit", c.inventory_limit)
        self._collateral = P.cash("max_collateral", c.max_collateral, allow_zero=True)
        self._skew = P.price_units(c.max_price_skew)
        self._no_buy_above = P.price_units(c.no_buy_above)
        self._lo = P.price_units(c.min_quote_price)
        self._hi = P.price_units(c.max_quote_price)

    def evaluate(self, snapshot: Snapshot) -> Decision:
        c = self.config
        if books_need_resync(snapshot):
            return Decision(reason="hold: book needs resync")
        fv, src = fair_value(
            snapshot,
            source=c.fair_value_source,
            fallback_to_mid=c.fallback_to_mid,
            default_sigma=c.default_sigma,
            ito=c.ito,
        )
        if fv is None:
            return Decision(reason=f"hold: no fair value ({src})")
        market = snapshot.market
        tick = market.tick
        min_size = market.min_order_size
        yes, no = snapshot.positions
        net = yes.shares - no.shares
        spread = scaled_spread(c.spread, snapshot.sigma_multiplier, c.min_spread, c.max_spread)

        p = base_ladder(fv, spread, c.level_step, c.levels, self._size, tick)
        p = level_filter(p, min_price=self._lo, max_price=self._hi)
        p = price_skew(p, net=net, limit=self._limit, max_skew=self._skew, tick=tick)
        p = inventory_skew(p, net=net, limit=self._limit, min_size=min_size, size_step=self._step)
        p = express(p, yes_shares=yes.shares, no_shares=no.shares, min_size=min_size)
        p = near_expiry(
            p,
            yes_prob=fv,
            seconds_left=snapshot.seconds_to_expiry,
            no_buy_above=self._no_buy_above,
            no_buy_seconds=c.no_buy_seconds,
        )
        p = budget(
            p,
            cash=buy_cash_room(snapshot, self._collateral),
            min_size=min_size,
            size_step=self._step,
            fees=market.fees,
            post_only=c.post_only,
        )
        if c.post_only:
            best_bid, best_ask = combined_bbo(snapshot)
            p = taker_filter(p, best_bid=best_bid, best_ask=best_ask, tick=tick, mode=c.taker_mode)

        quotes = to_orders(p, market, post_only=c.post_only)
        notes = " ".join(p.notes)
        reason = (
            f"fv={fv:.3f}/{src} s={spread:.3f} net={format_size(net)} "
            f"{len(p.bids)}b/{len(p.asks)}a{' ' + notes if notes else ''}"
        )
        return Decision(quotes=quotes, reason=reason, fair_value=fv)
