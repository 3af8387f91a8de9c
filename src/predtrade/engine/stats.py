"""Engine counters (plain ints on slots: incremented on the hot path)."""

from __future__ import annotations

_INT_FIELDS = (
    "events",
    "market_events",
    "order_events",
    "ref_ticks",
    "ignored_events",
    "evaluations",
    "evaluations_throttled",
    "skipped_halted",
    "skipped_resync",
    "strategy_errors",
    "triggers_top",
    "triggers_ref",
    "triggers_timer",
    "triggers_order",
    "orders_placed",
    "immediate_placed",
    "cancels_sent",
    "protective_cancels",
    "orders_cancelled",
    "orders_rejected",
    "orders_expired",
    "rejected_locally",
    "waiting_on_cancels",
    "orders_kept",
    "requotes_avoided",
    "actions_deferred",
    "fills",
    "fills_voided",
    "notional",
    "fees",
    "settlements",
    "fills_after_settlement",
    "settle_errors",
    "venue_errors",
    "decisions",
)


class EngineStats:
    """What the engine did. ``notional`` is the exact sum of ``price * size`` over fills
    (1e-10 cash units); ``fills_by_outcome_side`` is ``{label: {"BUY": n, "SELL": n}}``;
    ``oms_errors`` counts refused order events by error type."""

    __slots__ = (*_INT_FIELDS, "fills_by_outcome_side", "oms_errors")

    def __init__(self) -> None:
        for name in _INT_FIELDS:
            setattr(self, name, 0)
        self.fills_by_outcome_side: dict[str, dict[str, int]] = {}
        self.oms_errors: dict[str, int] = {}

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {name: getattr(self, name) for name in _INT_FIELDS}
        out["fills_by_outcome_side"] = {k: dict(v) for k, v in self.fills_by_outcome_side.items()}
        out["oms_errors"] = dict(self.oms_errors)
        return out

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)}" for k in _INT_FIELDS if getattr(self, k))
        return f"EngineStats({shown})"
