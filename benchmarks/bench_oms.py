"""Order management hot paths: a fill (state machine + inventory), a duplicate fill, submit + ack."""

from __future__ import annotations

from benchmarks._harness import Result, ns_per_op
from predtrade.model import OrderAccepted, OrderFilled, Side, TradeStatus
from predtrade.oms import Inventory, OrderManager
from predtrade.testkit import Stubs

N = 20_000
_CASH = 10**15
_VID = Stubs.venue_id("pt-1")
# prebuilt so the timing covers only the manager: N distinct partial fills of one big BUY
_FILLS = [
    OrderFilled(_VID, f"trade-{i}", Stubs.YES, 4_900 + i % 100, 1_000_000, TradeStatus.MATCHED, i, i)
    for i in range(N)
]
_DUP = OrderFilled(_VID, "trade-0", Stubs.YES, 4_900, 1_000_000, TradeStatus.MINED, 1, 1)
_ACKS = [OrderAccepted(f"pt-{i + 1}", f"0x{i:064x}", i, i) for i in range(N)]


def _working_order() -> OrderManager:
    om = OrderManager(Inventory(_CASH))
    o = om.submit(market=Stubs.CONDITION_ID, asset_id=Stubs.YES, side=Side.BUY, price=5_000, size=10**12)
    om.apply(OrderAccepted(o.client_order_id, _VID, 0, 0))
    return om


def _fills(n: int) -> None:
    om = _working_order()
    apply = om.apply
    for ev in _FILLS[:n]:
        apply(ev)


def _duplicates(n: int) -> None:
    om = _working_order()
    apply = om.apply
    apply(_FILLS[0])
    dup = _DUP
    for _ in range(n):
        apply(dup)


def _submit_ack(n: int) -> None:
    om = OrderManager(Inventory(_CASH))
    submit, apply = om.submit, om.apply
    market, token, buy = Stubs.CONDITION_ID, Stubs.YES, Side.BUY
    for ack in _ACKS[:n]:
        submit(market=market, asset_id=token, side=buy, price=5_000, size=10_000_000)
        apply(ack)


def benchmarks() -> list[Result]:
    return [
        Result(
            "oms fill (new trade, open order)", ns_per_op(_fills, N), "ns/fill", "FSM + dedupe + inventory"
        ),
        Result("oms duplicate fill", ns_per_op(_duplicates, N), "ns/fill", "status update only"),
        Result("oms submit + ack", ns_per_op(_submit_ack, N), "ns/order", "reserve, id, venue-id map"),
    ]


if __name__ == "__main__":
    for r in benchmarks():
        print(f"{r.name:40s} {r.value:10.1f} {r.unit:9s} {r.note}")
