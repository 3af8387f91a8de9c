"""Engine settings: when to evaluate, how to diff, how fast to act, how to estimate volatility.

Frozen msgspec Structs (unknown keys are refused). Times are float seconds in the config (model
space, like the strategies' configs) and become integer nanoseconds once, in :class:`Timing`;
money is an exact ``Decimal`` here and an int in cash units (1e-6) everywhere else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from predtrade.model.units import CASH_DECIMALS, from_decimal

NS = 1_000_000_000

VolProfileMode = Literal["hour", "hour_weekday", "flat"]


class EngineConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Parameters
    ----------
    initial_cash
        Starting cash of the account, dollars (exact decimal).
    book_depth
        Levels per side in each snapshot's top-of-book views.
    eval_on_top_change, eval_on_reference, eval_on_order_update
        Triggers (a), (b), (d): evaluate a market when its top of book (best prices or their sizes
        on either token) changed, when a reference tick arrived (markets with a round open only),
        when one of our orders in it changed state or filled.
    timer_s
        Trigger (c): evaluate every live market at least this often in event time (``None``: off).
    min_eval_interval_s
        Throttle: at most one evaluation per market per this many seconds of event time; a trigger
        inside the window is kept and evaluated when it ends.
    on_book_resync
        A book that needs a resync is never evaluated. ``"cancel"``: also cancel our working
        orders in that market (protective); ``"hold"``: leave them.
    size_tolerance_bps
        Hysteresis: a working order at the desired (asset, side, price) is kept while its
        remaining size is within this many basis points of the desired size.
    price_tolerance_ticks
        Hysteresis on price: keep an order up to this many ticks away from the desired price
        (0: the price tick must be unchanged).
    rate_limit_per_s, rate_limit_burst
        Per-market token bucket on event time for place/cancel actions; the excess is deferred to
        the next evaluation. Protective cancels (halt, resync, market end) bypass it.
    vol_halflife_s, vol_floor, vol_initial, vol_sample_s, vol_profile
        The EWMA volatility of the reference: half-life, floor, prior (``None``: the hour profile's
        own base sigma), minimum spacing of the ticks fed to it (1 s Chainlink returns are
        autocorrelated: an every-tick EWMA underestimates sigma by ~1.5x), time-of-day profile.
    reference_symbol
        Which reference feed the snapshots carry (``None``: the first symbol seen).
    ref_history_s, ref_history_step_s
        Reference history in the snapshot: this many seconds back, at most one point per step.
    round_open_from_reference, round_open_max_lag_s
        For an up/down round with no strike in its metadata, take the first reference tick at most
        this many seconds after the round's start as its open (else the strategy has no model
        fair value and falls back to the book).
    pnl_interval_s
        Account state (PnlPoint) sampled every this many seconds of event time (and at every fill
        and settlement).
    record_decisions, record_decision_bytes
        Write a DecisionRecord per evaluation; include the msgspec-JSON of the decision.
    blocked_record_interval_s
        A refusal identical to the last one written for the same market (gate, action, order) is
        counted but not written again within this many seconds (0: write every refusal).
    preflight_levels
        Levels walked when checking that an immediate order's liquidity exists.
    cancel_at_end
        Cancel our working orders in a market when its end time passes.
    settle_grace_s
        A resolved market is settled once none of our orders in it can still report a fill; if
        some never answer, it is settled anyway this many seconds after the resolution.
    id_prefix
        Prefix of client order ids.
    """

    initial_cash: Decimal = Decimal("1000")
    book_depth: int = 10
    eval_on_top_change: bool = True
    eval_on_reference: bool = True
    eval_on_order_update: bool = True
    timer_s: float | None = 1.0
    min_eval_interval_s: float = 0.1
    on_book_resync: Literal["cancel", "hold"] = "cancel"
    size_tolerance_bps: int = 2_000
    price_tolerance_ticks: int = 0
    rate_limit_per_s: float = 10.0
    rate_limit_burst: int = 30
    vol_halflife_s: float = 3_600.0
    vol_floor: float = 1e-5
    vol_initial: float | None = None
    vol_sample_s: float = 15.0
    vol_profile: VolProfileMode = "hour"
    reference_symbol: str | None = None
    ref_history_s: float = 120.0
    ref_history_step_s: float = 1.0
    round_open_from_reference: bool = True
    round_open_max_lag_s: float = 5.0
    pnl_interval_s: float = 60.0
    record_decisions: bool = True
    record_decision_bytes: bool = True
    blocked_record_interval_s: float = 1.0
    preflight_levels: int = 100
    cancel_at_end: bool = True
    settle_grace_s: float = 60.0
    id_prefix: str = "pt"

    def __post_init__(self) -> None:
        if self.initial_cash < 0:
            raise ValueError(f"initial_cash must be >= 0, got {self.initial_cash}")
        cash_units(self.initial_cash, "initial_cash")
        if not 1 <= self.book_depth <= 1000:
            raise ValueError(f"book_depth must be within 1..1000, got {self.book_depth}")
        if self.timer_s is not None and not self.timer_s > 0:
            raise ValueError(f"timer_s must be positive or null, got {self.timer_s}")
        for name in ("min_eval_interval_s", "vol_floor", "ref_history_s", "ref_history_step_s",
                     "round_open_max_lag_s", "blocked_record_interval_s", "vol_sample_s",
                     "settle_grace_s"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0 <= self.size_tolerance_bps <= 10_000:
            raise ValueError(f"size_tolerance_bps must be within 0..10000, got {self.size_tolerance_bps}")
        if not 0 <= self.price_tolerance_ticks <= 100:
            raise ValueError(f"price_tolerance_ticks must be within 0..100, got {self.price_tolerance_ticks}")
        if not self.rate_limit_per_s > 0 or self.rate_limit_burst < 1:
            raise ValueError("rate_limit_per_s must be positive and rate_limit_burst >= 1")
        if not self.vol_halflife_s > 0:
            raise ValueError(f"vol_halflife_s must be positive, got {self.vol_halflife_s}")
        if self.vol_initial is not None and not self.vol_initial >= 0:
            raise ValueError(f"vol_initial must be >= 0, got {self.vol_initial}")
        if not self.pnl_interval_s > 0:
            raise ValueError(f"pnl_interval_s must be positive, got {self.pnl_interval_s}")
        if self.preflight_levels < 1:
            raise ValueError(f"preflight_levels must be >= 1, got {self.preflight_levels}")


def cash_units(value: Decimal | int | str, what: str = "amount") -> int:
    """Dollars (exact decimal) to cash units (1e-6); refuses sub-micro amounts."""
    try:
        return from_decimal(Decimal(value), CASH_DECIMALS, what=what)
    except ArithmeticError as exc:  # pragma: no cover - Decimal() of a number never fails here
        raise ValueError(f"{what}: {value!r} is not a decimal amount") from exc


def seconds_ns(s: float) -> int:
    return round(s * NS)


class Timing:
    """The config's durations as int nanoseconds (read on the hot path)."""

    __slots__ = (
        "blocked_repeat",
        "history",
        "history_step",
        "min_eval",
        "pnl",
        "round_open_lag",
        "settle_grace",
        "timer",
        "vol_sample",
    )

    def __init__(self, c: EngineConfig) -> None:
        self.timer = seconds_ns(c.timer_s) if c.timer_s is not None else 0
        self.min_eval = seconds_ns(c.min_eval_interval_s)
        self.vol_sample = seconds_ns(c.vol_sample_s)
        self.history = seconds_ns(c.ref_history_s)
        self.history_step = seconds_ns(c.ref_history_step_s)
        self.round_open_lag = seconds_ns(c.round_open_max_lag_s)
        self.pnl = seconds_ns(c.pnl_interval_s)
        self.blocked_repeat = seconds_ns(c.blocked_record_interval_s)
        self.settle_grace = seconds_ns(c.settle_grace_s)
