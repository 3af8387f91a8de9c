"""Risk gates: named checks in front of every place/immediate action, and the halts behind them.

Gates, checked in this order (first refusal wins):

``order_sanity``        size >= the market's minimum, price inside (0, 1) and on the tick grid
``emergency_stop``      a manual halt (``halt``/``resume``); halting cancels every working order
``daily_loss``          equity change since the UTC day started (realized + unrealized) below
                        ``-daily_loss_limit``: halt until the next UTC day
``consecutive_losses``  ``max_consecutive_losses`` settled markets in a row lost money: halt until
                        ``resume``
``window_time``         no new BUY in the first ``no_buy_first_s`` / last ``no_buy_last_s`` seconds
                        of a round (sells that exit stay allowed)
``market_collateral``   cost basis held in the market + cash reserved by our orders there + the new
                        order's cost above ``max_market_collateral``
``bankroll``            the same summed over every market above ``bankroll`` (what the strategy may
                        use at all)

Cancels are never gated: they only ever reduce risk. Every refusal is counted by gate, logged as
a structured record (``logging`` INFO, only when enabled) and written as a ``BlockedRecord``.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import msgspec

from predtrade.backtest.records import BlockedRecord, RunSink
from predtrade.model.enums import Side

from .config import cash_units, seconds_ns

log = logging.getLogger("predtrade.engine.risk")

ORDER_SANITY = "order_sanity"
EMERGENCY_STOP = "emergency_stop"
DAILY_LOSS = "daily_loss"
CONSECUTIVE_LOSSES = "consecutive_losses"
WINDOW_TIME = "window_time"
MARKET_COLLATERAL = "market_collateral"
BANKROLL = "bankroll"
#: refusals that are not risk gates but are recorded the same way
BOOK_RESYNC = "book_resync"
STRATEGY_ERROR = "strategy_error"
FUNDS = "funds"
OMS = "oms"
LIQUIDITY = "liquidity"
VENUE_ERROR = "venue_error"
IN_FLIGHT = "in_flight"

GATES = (
    ORDER_SANITY,
    EMERGENCY_STOP,
    DAILY_LOSS,
    CONSECUTIVE_LOSSES,
    WINDOW_TIME,
    MARKET_COLLATERAL,
    BANKROLL,
)

_DAY_NS = 86_400 * 1_000_000_000


class RiskConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Parameters (dollars as exact decimals; ``None`` turns a gate off)
    ----------
    daily_loss_limit
        Halt for the rest of the UTC day once the day's PnL is below minus this.
    max_consecutive_losses
        Halt after this many settled markets in a row with negative PnL (markets we did not
        trade in neither count nor reset the streak).
    max_market_collateral
        Cost basis + reserved cash + new order cost allowed in one market.
    bankroll
        The same, summed over all markets: the capital the strategy may use.
    no_buy_first_s, no_buy_last_s
        Window time guards of a round (needs the market's start / end time).
    order_sanity
        Check min order size and the tick grid before the venue does.
    start_halted
        Start with the emergency stop engaged (resume to trade).
    """

    daily_loss_limit: Decimal | None = Decimal("200")
    max_consecutive_losses: int | None = 5
    max_market_collateral: Decimal | None = Decimal("500")
    bankroll: Decimal | None = None
    no_buy_first_s: float = 0.0
    no_buy_last_s: float = 30.0
    order_sanity: bool = True
    start_halted: bool = False

    def __post_init__(self) -> None:
        for name in ("daily_loss_limit", "max_market_collateral", "bankroll"):
            v = getattr(self, name)
            if v is not None:
                if v < 0:
                    raise ValueError(f"{name} must be >= 0, got {v}")
                cash_units(v, name)
        n = self.max_consecutive_losses
        if n is not None and n < 1:
            raise ValueError(f"max_consecutive_losses must be >= 1 or null, got {n}")
        if not (self.no_buy_first_s >= 0 and self.no_buy_last_s >= 0):
            raise ValueError("no_buy_first_s and no_buy_last_s must be >= 0")


def _opt_cash(v: Decimal | None, name: str) -> int | None:
    return None if v is None else cash_units(v, name)


class RiskManager:
    """Gate state and checks. Mutated only by the engine's synchronous handlers."""

    __slots__ = (
        "_bankroll",
        "_daily",
        "_first_ns",
        "_last_ns",
        "_market_max",
        "_max_losses",
        "_repeat_ns",
        "_written",
        "blocked",
        "config",
        "day",
        "day_end",
        "day_start",
        "day_start_equity",
        "halt_epoch",
        "halt_gate",
        "halt_reason",
        "halted",
        "loss_streak",
        "sink",
        "wants_market_exposure",
        "wants_total_exposure",
        "watch_equity",
    )

    def __init__(self, config: RiskConfig, sink: RunSink, *, repeat_ns: int = 0) -> None:
        self.config = config
        self.sink = sink
        self._daily = _opt_cash(config.daily_loss_limit, "daily_loss_limit")
        self._market_max = _opt_cash(config.max_market_collateral, "max_market_collateral")
        self._bankroll = _opt_cash(config.bankroll, "bankroll")
        self._max_losses = config.max_consecutive_losses
        self._first_ns = seconds_ns(config.no_buy_first_s)
        self._last_ns = seconds_ns(config.no_buy_last_s)
        self._repeat_ns = repeat_ns
        #: which exposures a buy's check needs (the engine computes only those)
        self.wants_market_exposure = self._market_max is not None
        self.wants_total_exposure = self._bankroll is not None
        self._written: dict[tuple, int] = {}
        self.blocked: dict[str, int] = {}
        self.halted = config.start_halted
        self.halt_epoch = 1 if config.start_halted else 0  # counts halts
        self.halt_gate = EMERGENCY_STOP if config.start_halted else ""
        self.halt_reason = "started halted" if config.start_halted else ""
        self.day: int | None = None
        #: the current UTC day as ``[day_start, day_end)`` in ns (empty until the first equity)
        self.day_start = 0
        self.day_end = 0
        self.day_start_equity = 0
        #: whether every flush's equity matters (a daily loss limit); otherwise only a day roll
        self.watch_equity = self._daily is not None
        self.loss_streak = 0

    # ---- halts -------------------------------------------------------------------------------

    def halt(self, gate: str, reason: str) -> bool:
        """Engage a halt; False if already halted (the first reason stands)."""
        if self.halted:
            return False
        self.halted = True
        self.halt_epoch += 1
        self.halt_gate = gate
        self.halt_reason = reason
        log.warning("trading halted", extra={"event": "halt", "gate": gate, "reason": reason})
        return True

    def resume(self) -> bool:
        """Clear any halt (and the loss streak that may have caused it)."""
        if not self.halted:
            return False
        log.warning("trading resumed", extra={"event": "resume", "gate": self.halt_gate})
        self.halted = False
        self.halt_gate = ""
        self.halt_reason = ""
        self.loss_streak = 0
        return True

    def needs_equity(self, now: int) -> bool:
        """Whether :meth:`on_equity` at ``now`` could do anything: roll the UTC day (which keeps
        the equity at its start), or check the daily loss limit (one is set and we are not
        halted). Otherwise the engine need not compute the equity at all."""
        return (self.watch_equity and not self.halted) or not self.day_start <= now < self.day_end

    def on_equity(self, now: int, equity: int) -> bool:
        """Roll the UTC day, then apply the daily loss limit. True when this call tripped it."""
        if not self.day_start <= now < self.day_end:  # another UTC day (or the first)
            day = self.day = now // _DAY_NS
            self.day_start = day * _DAY_NS
            self.day_end = self.day_start + _DAY_NS
            self.day_start_equity = equity
            if self.halted and self.halt_gate == DAILY_LOSS:
                self.resume()
            return False
        limit = self._daily
        if limit is None or self.halted:
            return False
        pnl = equity - self.day_start_equity
        if pnl < -limit:
            return self.halt(DAILY_LOSS, f"day PnL {pnl} below -{limit} (cash units)")
        return False

    def on_settled(self, pnl: int, traded: bool) -> bool:
        """A market settled with ``pnl``. True when this made the consecutive-loss halt trip."""
        if not traded:
            return False
        if pnl >= 0:
            self.loss_streak = 0
            return False
        self.loss_streak += 1
        n = self._max_losses
        if n is not None and self.loss_streak >= n and not self.halted:
            return self.halt(CONSECUTIVE_LOSSES, f"{self.loss_streak} settled markets lost in a row")
        return False

    def day_pnl(self, equity: int) -> int:
        return equity - self.day_start_equity if self.day is not None else 0

    # ---- the gates ---------------------------------------------------------------------------

    def check(
        self,
        *,
        side: Side,
        price: int,
        size: int,
        tick: int,
        min_size: int,
        now: int,
        start_ts: int | None,
        end_ts: int | None,
        new_cost: int,
        market_exposure: int,
        total_exposure: int,
    ) -> tuple[str, str] | None:
        """``(gate, reason)`` of the first gate refusing the order, else ``None``. ``new_cost``
        is the cash the order can still cost (0 for a sell); exposures exclude it."""
        if self.config.order_sanity:
            if size < min_size or size <= 0:
                return ORDER_SANITY, f"size {size} below the minimum {min_size}"
            if not 0 < price < 10_000 or price % tick:
                return ORDER_SANITY, f"price {price} outside (0, 1) or off the tick {tick}"
        if self.halted:
            return self.halt_gate or EMERGENCY_STOP, self.halt_reason or "halted"
        if side is Side.BUY:
            if start_ts is not None and self._first_ns and now < start_ts + self._first_ns:
                return WINDOW_TIME, f"no buys in the first {self.config.no_buy_first_s:g} s of the round"
            if end_ts is not None and self._last_ns and now > end_ts - self._last_ns:
                return WINDOW_TIME, f"no buys in the last {self.config.no_buy_last_s:g} s of the round"
        if new_cost > 0:
            m = self._market_max
            if m is not None and market_exposure + new_cost > m:
                return MARKET_COLLATERAL, f"market exposure {market_exposure} + {new_cost} > {m}"
            b = self._bankroll
            if b is not None and total_exposure + new_cost > b:
                return BANKROLL, f"total exposure {total_exposure} + {new_cost} > {b}"
        return None

    # ---- refusals ----------------------------------------------------------------------------

    def block(self, now: int, market: str, action: str, gate: str, reason: str, key: tuple = ()) -> None:
        """Count a refusal, log it (when INFO is enabled) and write a BlockedRecord unless the
        identical refusal was written for this market less than ``repeat_ns`` ago."""
        self.blocked[gate] = self.blocked.get(gate, 0) + 1
        if log.isEnabledFor(logging.INFO):
            extra = {"event": "blocked", "gate": gate, "action": action, "market": market, "reason": reason}
            log.info("action refused", extra=extra)
        rk = (market, action, gate, key)
        last = self._written.get(rk)
        if last is not None and now - last < self._repeat_ns:
            return
        if len(self._written) > 10_000:
            self._written.clear()  # bounded: a forgotten key only means one extra record
        self._written[rk] = now
        self.sink.blocked(BlockedRecord(ts=now, market=market, action=action, gate=gate, reason=reason))
