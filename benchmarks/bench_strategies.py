"""Strategy evaluation cost: one ``evaluate(snapshot)`` on representative snapshots."""

from __future__ import annotations

from benchmarks._harness import Result, ns_per_op
from predtrade.model import Outcome
from predtrade.strategies import AmmStrategy, BandsStrategy, MomentumStrategy
from predtrade.testkit.snapshots import (
    NS,
    START_TS,
    STRIKE,
    book,
    cash,
    make_snapshot,
    own_order,
    position,
    ref,
)


def _cases() -> dict:
    amm = AmmStrategy()
    history = tuple((START_TS + i * NS, STRIKE) for i in range(150))
    return {
        "amm evaluate (typical)": (amm, make_snapshot(ref_price=ref("100003.17"))),
        "amm evaluate (heavy NO inventory, taker filter)": (
            amm,
            make_snapshot(
                yes_book=book(bids=[("0.66", "200")], asks=[("0.68", "200")]),
                no_position=position(Outcome.NO, "300", "0.45"),
                ref_price=ref("100043"),
            ),
        ),
        "amm evaluate (budget trims)": (amm, make_snapshot(available_cash=cash("12"))),
        "bands evaluate (keep resting quotes)": (
            BandsStrategy(),
            make_snapshot(
                orders=(
                    own_order("BUY", "0.47", "10", Outcome.YES, client_order_id="a"),
                    own_order("BUY", "0.47", "10", Outcome.NO, client_order_id="b"),
                )
            ),
        ),
        "momentum evaluate (entry)": (
            MomentumStrategy(),
            make_snapshot(
                ref_price=ref("100040"),
                ref_history=history,
                yes_book=book(bids=[("0.53", "100")], asks=[("0.55", "100")]),
            ),
        ),
    }


def benchmarks() -> list[Result]:
    out = []
    for name, (strategy, snap) in _cases().items():
        evaluate = strategy.evaluate

        def run(n: int, evaluate=evaluate, snap=snap) -> None:
            for _ in range(n):
                evaluate(snap)

        out.append(Result(name, ns_per_op(run, 5_000) / 1000, "us/op"))
    return out
