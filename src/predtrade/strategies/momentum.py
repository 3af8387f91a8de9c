"""Momentum edge taker (seed 004): buy Up or Down with an immediate order when the reference
price has been moving that way *and* the model's fair value is far enough above the ask; exit
with an immediate sell on take-profit or stop-loss.

Everything is read off the snapshot: "one position per round" is "no shares, no cost and no
realized PnL in this market yet", "already sending" is "a working order in this market".
"""

from __future__ import annotations

import math
from bisect import bisect_right
from decimal import Decimal
from typing import ClassVar, Literal

from predtrade.model.enums import Outcome, Side, TimeInForce
from predtrade.model.units import NOTIONAL_PER_CASH, ONE, format_price, format_size
from predtrade.pricing.kelly import KellyParams, kelly_size

from . import _params as P
from ._orders import working_orders
from .api import STRATEGY_API_VERSION, Decision, DesiredOrder, PositionView, Snapshot
from .config import StrategyConfig
from .fair import books_need_resync, effective_sigma, model_fair_value, token_prob
from .stages.budget import buy_reserve, fit_size

_PPM = 1_000_000


class MomentumConfig(StrategyConfig, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Seed 004's gates and exits; dollars as exact decimals, thresholds as floats."""

    #: momentum is the log return over this many seconds of reference history...
    lookback_s: float = 30.0
    #: ...divided by sigma * sqrt(lookback_s) (a z-score), divided by this and clipped to [-1, 1]
    score_scale: float = 3.0
    #: |score| needed to enter (seed 004: 0.12)
    min_signal_score: float = 0.12
    #: fair probability of the token minus its ask minus the taker fee per share (seed 004: 0.05)
    min_edge: float = 0.05
    #: exit when the best bid is this far above (below) the average entry price, as a fraction
    take_profit_pct: float = 0.25
    stop_loss_pct: float = 0.18
    #: no entry in the first / last seconds of a round (seed 004: 45 / 30)
    entry_window_min_s: float = 45.0
    min_seconds_before_close: float = 30.0
    #: entry limit = ask + this many ticks; exit limit = bid - exit_slippage_ticks
    slippage_ticks: int = 1
    exit_slippage_ticks: int = 0
    #: "fixed": spend ``stake`` dollars; "kelly": fractional Kelly of available cash
    sizing: Literal["fixed", "kelly"] = "fixed"
    stake: Decimal = Decimal("5")
    kelly_multiplier: float = 0.25
    kelly_max_fraction: float = 0.05
    #: pay-up cap: never enter above this token price
    max_entry_price: float = 0.95
    default_sigma: float = 8e-5
    ito: bool = False

    def __post_init__(self) -> None:
        P.check_positive("lookback_s", self.lookback_s)
        P.check_positive("score_scale", self.score_scale)
        P.check_prob("min_signal_score", self.min_signal_score)
        P.check_prob("min_edge", self.min_edge)
        P.check_prob("take_profit_pct", self.take_profit_pct, hi=100.0, open_lo=True)
        P.check_prob("stop_loss_pct", self.stop_loss_pct, open_lo=True)
        P.check_positive("entry_window_min_s", self.entry_window_min_s, allow_zero=True)
        P.check_positive("min_seconds_before_close", self.min_seconds_before_close, allow_zero=True)
        if not 0 <= self.slippage_ticks <= 100 or not 0 <= self.exit_slippage_ticks <= 100:
            raise ValueError("slippage_ticks and exit_slippage_ticks must be within 0..100")
        P.cash("stake", P.as_decimal(self, "stake"))
        P.check_prob("kelly_multiplier", self.kelly_multiplier, open_lo=True)
        P.check_prob("kelly_max_fraction", self.kelly_max_fraction, open_lo=True)
        P.check_prob("max_entry_price", self.max_entry_price, open_lo=True, hi=0.9999)
        P.check_positive("default_sigma", self.default_sigma)


class MomentumStrategy:
    name: ClassVar[str] = "momentum"
    version: ClassVar[int] = 1
    #: the strategy API this was written against (see ``api.STRATEGY_API_VERSION``)
    api_version: ClassVar[int] = STRATEGY_API_VERSION

    __slots__ = ("_kelly", "_lookback_ns", "_max_entry", "_sl_ppm", "_stake", "_tp_ppm", "config")

    def __init__(self, config: MomentumConfig | None = None) -> None:
        c = config if config is not None else MomentumConfig()
        self.config = c
        self._stake = P.cash("stake", c.stake)
        self._lookback_ns = round(c.lookback_s * 1e9)
        self._tp_ppm = round(c.take_profit_pct * _PPM)
        self._sl_ppm = round(c.stop_loss_pct * _PPM)
        self._max_entry = P.price_units(c.max_entry_price)
        self._kelly = KellyParams(multiplier=c.kelly_multiplier, max_fraction=c.kelly_max_fraction)

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, snapshot: Snapshot) -> Decision:
        c = self.config
        if books_need_resync(snapshot):
            return Decision(reason="hold: book needs resync")
        fv = model_fair_value(snapshot, c.default_sigma, ito=c.ito)
        if working_orders(snapshot):
            return Decision(reason="hold: order in flight", fair_value=fv)
        for outcome in (Outcome.YES, Outcome.NO):
            pos = snapshot.positions[outcome]
            if pos.shares > 0:
                return self._exit(snapshot, outcome, pos, fv)
        if any(p.cost or p.realized_pnl for p in snapshot.positions):
            return Decision(reason="hold: one position per round (already traded)", fair_value=fv)
        if fv is None:
            return Decision(reason="hold: no fair value (reference/round/end missing)")
        guard = self._window_guard(snapshot)
        if guard:
            return Decision(reason=f"hold: {guard}", fair_value=fv)
        score = self.score(snapshot)
        if score is None:
            return Decision(reason="hold: no momentum (reference history too short)", fair_value=fv)
        return self._entry(snapshot, fv, score)

    # ------------------------------------------------------------------ signal
    def score(self, snapshot: Snapshot) -> float | None:
        """Momentum in [-1, 1]: ``ln(S_now / S_then) / (sigma * sqrt(lookback))`` over
        ``score_scale``, clipped; ``S_then`` is the last reference tick at or before
        ``ts - lookback``. ``None`` when the history does not reach back that far."""
        hist = snapshot.ref_history
        now = snapshot.ref_price
        if now is None and hist:
            now = hist[-1][1]
        if now is None or not hist:
            return None
        i = bisect_right(hist, snapshot.ts - self._lookback_ns, key=_ts)
        if i == 0:
            return None
        then = hist[i - 1][1]
        if then <= 0 or now <= 0:
            return None
        sigma = effective_sigma(snapshot, self.config.default_sigma)
        z = math.log(now / then) / (sigma * math.sqrt(self.config.lookback_s))
        s = z / self.config.score_scale
        return -1.0 if s < -1.0 else 1.0 if s > 1.0 else s

    def _window_guard(self, snapshot: Snapshot) -> str | None:
        since = snapshot.seconds_since_start
        left = snapshot.seconds_to_expiry
        if since is None or left is None:
            return "round start/end unknown"
        if since < self.config.entry_window_min_s:
            return f"window: {since:.0f}s into round < {self.config.entry_window_min_s:g}s"
        if left < self.config.min_seconds_before_close:
            return f"window: {left:.0f}s left < {self.config.min_seconds_before_close:g}s"
        return None

    # ------------------------------------------------------------------ entry
    def _entry(self, snapshot: Snapshot, fv: float, score: float) -> Decision:
        c = self.config
        if score == 0.0 or abs(score) < c.min_signal_score:
            return Decision(reason=f"hold: score {score:+.2f} below {c.min_signal_score:g}", fair_value=fv)
        outcome = Outcome.YES if score > 0 else Outcome.NO
        label = snapshot.market.label(outcome)
        market = snapshot.market
        tick = market.tick
        book = snapshot.net_books[outcome]
        ask = book.best_ask
        if ask >= ONE:
            return Decision(reason=f"hold: no {label} ask", fair_value=fv)
        p = token_prob(fv, outcome)
        fee = _fee_per_share(market.fees.rate_ppm, market.fees.exponent, ask / ONE)
        edge = p - ask / ONE - fee
        if edge < c.min_edge - 1e-12:
            return Decision(
                reason=f"hold: {label} score {score:+.2f} edge {edge:.3f} < {c.min_edge:g}", fair_value=fv
            )
        limit = min(ask + c.slippage_ticks * tick, ONE - tick)
        limit -= limit % tick
        if limit > self._max_entry:
            why = f"hold: {label} limit {format_price(limit)} above max entry"
            return Decision(reason=why, fair_value=fv)
        size = self._size(snapshot, fv, outcome, limit)
        if size < market.min_order_size or size <= 0:
            return Decision(reason=f"hold: {label} size below min (cash/stake)", fair_value=fv)
        depth = sum(s for px, s in book.asks if px <= limit)
        if depth < size:
            return Decision(
                reason=f"hold: preflight {label} depth {format_size(depth)} < {format_size(size)}",
                fair_value=fv,
            )
        order = DesiredOrder(
            market.token_ids[outcome], Side.BUY, limit, size, TimeInForce.FAK, post_only=False
        )
        reason = f"enter {label} score {score:+.2f} edge {edge:.3f} {format_size(size)}@{format_price(limit)}"
        return Decision(immediate=(order,), reason=reason, fair_value=fv)

    def _size(self, snapshot: Snapshot, fv: float, outcome: Outcome, limit: int) -> int:
        """Shares to buy at ``limit``: the fixed stake or fractional Kelly of available cash, on a
        0.01-share grid, trimmed so cost plus worst-case taker fee fits in available cash."""
        step = 10_000
        cash = snapshot.available_cash
        fees = snapshot.market.fees
        if self.config.sizing == "kelly":
            size = kelly_size(fv, limit, cash, self._kelly, side=outcome, size_step=step)
        else:
            size = self._stake * NOTIONAL_PER_CASH // limit
            size -= size % step
        if size <= 0 or buy_reserve(limit, size, fees, False) <= cash:
            return max(size, 0)
        return min(size, fit_size(limit, cash, step, fees, False))

    # ------------------------------------------------------------------ exit
    def _exit(self, snapshot: Snapshot, outcome: Outcome, pos: PositionView, fv: float | None) -> Decision:
        c = self.config
        market = snapshot.market
        label = market.label(outcome)
        avg = pos.avg_price
        bid = snapshot.net_books[outcome].best_bid
        if avg is None or avg <= 0:
            return Decision(reason=f"hold {label}: no entry price", fair_value=fv)
        if bid <= 0:
            return Decision(reason=f"hold {label}: no bid to exit into", fair_value=fv)
        # integer comparison of bid / avg against 1 +- pct (in ppm)
        if bid * _PPM >= avg * (_PPM + self._tp_ppm):
            why = "take profit"
        elif bid * _PPM <= avg * (_PPM - self._sl_ppm):
            why = "stop loss"
        else:
            return Decision(
                reason=f"hold {label}: bid {format_price(bid)} vs avg {format_price(avg)}", fair_value=fv
            )
        if pos.shares < market.min_order_size:
            return Decision(reason=f"hold {label}: {why} but position below min size", fair_value=fv)
        limit = max(market.tick, bid - c.exit_slippage_ticks * market.tick)
        order = DesiredOrder(
            market.token_ids[outcome], Side.SELL, limit, pos.shares, TimeInForce.FAK, post_only=False
        )
        reason = (
            f"exit {label} {why}: bid {format_price(bid)} vs avg {format_price(avg)} "
            f"{format_size(pos.shares)}@{format_price(limit)}"
        )
        return Decision(immediate=(order,), reason=reason, fair_value=fv)


def _ts(point: tuple[int, int]) -> int:
    return point[0]


def _fee_per_share(rate_ppm: int, exponent: int, c: float) -> float:
    """Taker fee per share as a probability: ``rate * (c * (1 - c)) ** exponent``."""
    if rate_ppm == 0:
        return 0.0
    return rate_ppm / _PPM * (c * (1.0 - c)) ** exponent
