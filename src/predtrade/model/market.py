"""Market metadata for binary outcome markets."""

from __future__ import annotations

import msgspec

from .enums import Outcome
from .units import ONE, PRICE_SCALE, SIZE_SCALE

#: fee rates are stored in parts per million (0.07 -> 70_000)
PPM = 1_000_000


class FeeSchedule(msgspec.Struct, frozen=True, kw_only=True):
    """Polymarket fee schedule: a taker pays ``shares * rate * (p * (1 - p)) ** exponent`` USDC;
    a maker receives ``rebate_rate`` of the fee its fills generated (when ``taker_only``)."""

    rate_ppm: int = 0
    exponent: int = 1
    taker_only: bool = True
    rebate_rate_ppm: int = 0

    def taker_fee(self, price: int, size: int) -> int:
        """Taker fee in cash micro-units for ``size`` (1e-6 shares) at ``price`` (1e-4),
        rounded up (money we pay)."""
        if self.rate_ppm == 0 or size == 0:
            return 0
        e = self.exponent
        num = size * self.rate_ppm * (price * (ONE - price)) ** e
        den = PPM * (PRICE_SCALE * PRICE_SCALE) ** e
        return -((-num) // den)

    def maker_fee(self, price: int, size: int) -> int:
        """Fee a maker pays (0 when the schedule is taker-only)."""
        return 0 if self.taker_only else self.taker_fee(price, size)

    def maker_rebate(self, price: int, size: int) -> int:
        """Rebate a maker earns on its fills, rounded down (money we receive)."""
        if not self.rebate_rate_ppm:
            return 0
        gross = self.taker_fee(price, size)
        return gross * self.rebate_rate_ppm // PPM

    @property
    def is_free(self) -> bool:
        return self.rate_ppm == 0


NO_FEES = FeeSchedule()


class Market(msgspec.Struct, frozen=True, kw_only=True):
    """A binary market: two outcome tokens that together pay exactly 1 at resolution.

    Times are Unix nanoseconds. ``tick`` and ``min_order_size`` are in price units (1e-4) and size
    units (1e-6). ``strike`` is the reference price the round opened at (up/down rounds), in
    reference units (1e-8), or ``None``.
    """

    condition_id: str
    token_ids: tuple[str, str]
    outcomes: tuple[str, str] = ("Yes", "No")
    tick: int = 100
    min_order_size: int = 5 * SIZE_SCALE
    end_ts: int | None = None
    start_ts: int | None = None
    neg_risk: bool = False
    fees: FeeSchedule = NO_FEES
    slug: str = ""
    question: str = ""
    strike: int | None = None

    def outcome_of(self, token_id: str) -> Outcome:
        if token_id == self.token_ids[0]:
            return Outcome.YES
        if token_id == self.token_ids[1]:
            return Outcome.NO
        raise KeyError(f"token {token_id} is not part of market {self.condition_id}")

    def token(self, outcome: Outcome) -> str:
        return self.token_ids[outcome]

    def other_token(self, token_id: str) -> str:
        return self.token_ids[1 - self.outcome_of(token_id)]

    def label(self, outcome: Outcome) -> str:
        return self.outcomes[outcome]

    def label_of(self, token_id: str) -> str:
        return self.outcomes[self.outcome_of(token_id)]

    def outcome_by_label(self, label: str) -> Outcome:
        low = label.strip().lower()
        for i, name in enumerate(self.outcomes):
            if name.lower() == low:
                return Outcome(i)
        aliases = {"yes": 0, "up": 0, "no": 1, "down": 1}
        if low in aliases:
            return Outcome(aliases[low])
        raise KeyError(f"market {self.condition_id} has no outcome {label!r}")
