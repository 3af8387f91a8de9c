"""The AMM: a fair-value ladder on both sides of a binary market, skewed by inventory at every
price level, expressed on whichever token sells what we hold, and never crossing itself or the
book.

Pipeline (each stage in :mod:`.stages`, each pure): base ladder -> level filter -> price skew ->
inventory skew -> express on YES/NO -> near-expiry -> budget -> taker filter. Everything is in
YES-price terms until the final conversion (see :mod:`.proposal`).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import ClassVar, Literal

from predtrade.model.market import Market
from predtrade.model.units import ONE, format_size
from predtrade.pricing.grid import prob_to_price

from . import _params as P
from ._orders import own_buy_reserve
from .api import STRATEGY_API_VERSION, Decision, DesiredOrder, Snapshot
from .config import StrategyConfig
from .fair import FairValueSource, fair_value, model_fair_value
from .proposal import Proposal, to_orders
from .stages import (
    budget,
    express,
    inventory_skew,
    level_filter,
    price_skew,
    taker_filter,
)
from .stages.ladder import Anchor, grid_step, ladder_from_anchor
from .stages.near_expiry import ExpiryFlags, near_expiry_with


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
    """``evaluate(snapshot) -> Decision``; holds only its config, values derived from it and a
    memo of pipeline results (see :meth:`evaluate`)."""

    name: ClassVar[str] = "amm"
    version: ClassVar[int] = 1
    #: the strategy API this was written against (see ``api.STRATEGY_API_VERSION``)
    api_version: ClassVar[int] = STRATEGY_API_VERSION
    #: levels per side it reads from the snapshot's books: the best bid and ask of the net books
    #: (:func:`.fair.combined_bbo`) and the resync flags; the engine builds no deeper views
    book_depth: ClassVar[int] = 1

    __slots__ = (
        "_collateral",
        "_grid",
        "_hi",
        "_limit",
        "_lo",
        "_memo",
        "_model",
        "_no_buy_above",
        "_no_buy_limit",
        "_own",
        "_pre",
        "_size",
        "_skew",
        "_spread_text",
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
        self._no_buy_limit = self._no_buy_above / ONE  # as expiry_flags computes it
        self._lo = P.price_units(c.min_quote_price)
        self._hi = P.price_units(c.max_quote_price)
        self._model = c.fair_value_source == "model"
        self._memo = _Fifo(_MEMO_SIZE)  # (*key, *combined bbo) -> (market, quotes, tail)
        self._pre = _Fifo(_MEMO_SIZE)  # key -> [market, proposal before the taker filter, ...]
        self._grid: dict[int, int] = {}  # tick -> the level step in price units (0: not whole ticks)
        self._own: tuple | None = None  # (orders tuple, token ids, own_buy_reserve of them)
        self._spread_text: tuple[float, str] = (-1.0, "")  # (spread, " s=<spread:.3f>")

    def evaluate(self, snapshot: Snapshot) -> Decision:
        """Fair value, then the pipeline of the module doc.

        The stages read the fair value and the clock only through the ladder's anchor (its
        rounded first rungs) and the near-expiry flags, and the rest of the snapshot only through
        our holdings, the cash room, the combined net best bid/ask and the market. Those values
        (plus the market's identity; everything else is this instance's fixed config) are the key
        of a small memo of the pipeline's output: most evaluations (a size change at the best
        level, a reference tick that moves the fair value less than a tick) then skip the stages.
        Pure memoization: a hit returns exactly what the stages would.
        """
        c = self.config
        b, n = snapshot.books, snapshot.net_books  # books_need_resync, inlined
        if b[0].needs_resync or b[1].needs_resync or n[0].needs_resync or n[1].needs_resync:
            return Decision(reason="hold: book needs resync")
        fv = model_fair_value(snapshot, c.default_sigma, ito=c.ito) if self._model else None
        if fv is not None:
            src = "model"
        else:  # another source, or the model lacks an input: the general rule (and its reason)
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
        yes, no = snapshot.positions
        # The small stages below are written out (scaled_spread, expiry_flags, buy_cash_room,
        # combined_bbo: the same operations): this runs on every evaluation, and each call on
        # a cold cache costs more than the arithmetic. tests/strategies pin them to the helpers.
        m = snapshot.sigma_multiplier  # scaled_spread
        if 0.0 < m < _INF:
            spread = c.spread * m
            lo, hi = c.min_spread, c.max_spread
            spread = lo if spread < lo else hi if spread > hi else spread
        else:
            spread = c.max_spread
        su = self._grid.get(tick)
        if su is None:
            su = self._grid[tick] = grid_step(c.level_step, tick)
        if su:  # ladder_anchor(fv, spread, c.level_step, tick, su), inlined
            lo = tick / ONE
            x = fv - spread
            y = fv + spread
            anchor: Anchor = (
                su,
                prob_to_price(x, tick, "down") if x >= lo else None,
                prob_to_price(y, tick, "up") if y <= 1.0 - lo else None,
            )
        else:
            anchor = (0, fv, spread)
        end = market.end_ts  # snapshot.seconds_to_expiry, inlined
        left = None if end is None else (end - snapshot.ts) / 1e9
        nba = self._no_buy_above  # expiry_flags
        limit = self._no_buy_limit
        nbs = c.no_buy_seconds
        flags = (
            (left is None or left >= nbs) and nba >= (1.0 - fv) * ONE and nba >= fv * ONE,
            left is not None and left < nbs,
            fv <= limit,
            1.0 - fv <= limit,
        )
        orders = snapshot.orders
        own = 0
        if orders:  # the reservation of our buys changes only with our orders: keep it per tuple
            mo = self._own
            tokens = market.token_ids
            if mo is not None and mo[0] is orders and mo[1] is tokens:
                own = mo[2]
            else:
                own = own_buy_reserve(orders, tokens)
                self._own = (orders, tokens, own)
        cash = snapshot.available_cash + own  # buy_cash_room
        room = self._collateral - (yes.cost + no.cost)
        if room < cash:
            cash = room
        ys = yes.shares
        ns = no.shares
        # one flat tuple per key (a nested one hashes every inner tuple again on each lookup)
        key = (*anchor, *flags, ys, ns, cash, id(market))
        if c.post_only:  # combined_bbo (of the net books)
            lv = n[0].bids
            yb = lv[0][0] if lv else 0
            lv = n[0].asks
            ya = lv[0][0] if lv else ONE
            lv = n[1].bids
            nb = ONE - lv[0][0] if lv else ONE
            lv = n[1].asks
            na = ONE - lv[0][0] if lv else 0
            bbo: tuple[int, int] | None = (yb if yb > na else na, ya if ya < nb else nb)
            mkey = (*key, *bbo)  # type: ignore[misc]
        else:
            bbo = None
            mkey = key
        memo = self._memo
        hit = memo.table.get(mkey)
        if hit is None or hit[0] is not market:
            pre = self._pre.table.get(key)
            if pre is None or pre[0] is not market:
                # [market, proposal before the taker filter, its quotes, its reason tail]
                pre = [market, self._stages(market, anchor, flags, ys, ns, cash), None, ""]
                self._pre.put(key, pre)
            hit = (market, *self._finish(market, pre, bbo, ys - ns))
            memo.put(mkey, hit)
        sp = self._spread_text  # the spread moves with the hour's multiplier: format it once
        if sp[0] != spread:
            sp = self._spread_text = (spread, f" s={spread:.3f}")
        return Decision(hit[1], _EMPTY, f"fv={fv:.3f}/{src}{sp[1]}{hit[2]}", fv)

    def _stages(
        self,
        market: Market,
        anchor: Anchor,
        flags: ExpiryFlags,
        yes_shares: int,
        no_shares: int,
        cash: int,
    ) -> Proposal:
        """The stages from the ladder to the budget (none reads the book)."""
        c = self.config
        tick = market.tick
        min_size = market.min_order_size
        net = yes_shares - no_shares
        p = ladder_from_anchor(anchor, c.level_step, c.levels, self._size, tick)
        p = level_filter(p, min_price=self._lo, max_price=self._hi)
        p = price_skew(p, net=net, limit=self._limit, max_skew=self._skew, tick=tick)
        p = inventory_skew(p, net=net, limit=self._limit, min_size=min_size, size_step=self._step)
        p = express(p, yes_shares=yes_shares, no_shares=no_shares, min_size=min_size)
        p = near_expiry_with(p, flags, self._no_buy_above)
        p = budget(
            p,
            cash=cash,
            min_size=min_size,
            size_step=self._step,
            fees=market.fees,
            post_only=c.post_only,
        )
        return p

    def _finish(
        self, market: Market, pre: list, bbo: tuple[int, int] | None, net: int
    ) -> tuple[tuple[DesiredOrder, ...], str]:
        """The taker filter against the combined net book, then the venue orders and reason
        tail: ``(quotes, tail)``. Those of the unfiltered proposal are kept in ``pre`` once
        made (most books cross nothing)."""
        c = self.config
        p = pre[1]
        if bbo is not None:
            q = taker_filter(p, best_bid=bbo[0], best_ask=bbo[1], tick=market.tick, mode=c.taker_mode)
            if q is not p:  # a rung crossed
                return to_orders(q, market, post_only=c.post_only), _tail(q, net)
        if pre[2] is None:
            pre[2] = to_orders(p, market, post_only=c.post_only)
            pre[3] = _tail(p, net)
        return pre[2], pre[3]


def _tail(p: Proposal, net: int) -> str:
    """The part of the reason after fair value and spread."""
    notes = " ".join(p.notes)
    return f" net={format_size(net)} {len(p.bids)}b/{len(p.asks)}a{' ' + notes if notes else ''}"


class _Fifo:
    """A memo table holding the last ``size`` entries put in (oldest out first, one at a time:
    dropping a whole table at once frees hundreds of objects in one evaluation)."""

    __slots__ = ("_i", "_ring", "table")

    def __init__(self, size: int) -> None:
        self.table: dict = {}
        self._ring: list = [None] * size  # keys in insertion order, a ring
        self._i = 0

    def put(self, key: object, value: object) -> None:
        ring = self._ring
        i = self._i
        old = ring[i]
        if old is not None:
            self.table.pop(old, None)
        ring[i] = key
        self._i = (i + 1) % len(ring)
        self.table[key] = value

    def __len__(self) -> int:
        return len(self.table)


#: pipeline results kept per strategy instance: the hits come from the last few keys (16 entries
#: already catch 98% of what 1024 do on the btc15m sample)
_MEMO_SIZE = 64
_INF = math.inf
_EMPTY: tuple = ()
