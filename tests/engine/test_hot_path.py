"""The decision pass's shortcuts change no result: a sink that drops decisions gets none built
(but they are still counted and numbered), the equity is computed only when the risk manager can
use it (and the day's starting equity is still taken at the day roll), and the net book views
(built side by side, kept while a side did not change) equal the plain subtraction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.backtest.records import MemorySink
from predtrade.book.types import TopOfBook
from predtrade.engine import RiskConfig
from predtrade.engine import decide as decide_mod
from predtrade.engine.accounts import Accounts
from predtrade.engine.risk import RiskManager
from predtrade.engine.sinks import NullSink, keeps_decisions
from predtrade.engine.snapshot import OwnCache, _net, _subtract
from predtrade.model import OrderFilled, TradeStatus

from ._fakes import NS, T0, ScriptedStrategy, both_books, deliver, desired, make_engine, px, quotes, sz

DAY = 86_400 * NS


class DropsDecisions(MemorySink):
    """A memory sink that says it does not keep decisions (and counts what it is sent)."""

    keeps_decisions = False

    def __init__(self) -> None:
        super().__init__()
        self.decision_calls = 0

    def decision(self, rec) -> None:  # type: ignore[no-untyped-def]
        self.decision_calls += 1


def _trade(sink: MemorySink):  # type: ignore[no-untyped-def]
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, _ = make_engine(strat, sink=sink)
    for i in range(4):
        for ev in both_books(T0 + i * NS, f"0.4{5 + i}"):
            engine.apply(ev)
        engine.flush(T0 + i * NS)
        deliver(engine, venue, T0 + i * NS + NS // 2)
    return engine


@pytest.mark.parametrize(
    ("sink", "keeps"),
    [
        pytest.param(NullSink(), False, id="null-sink-drops"),
        pytest.param(MemorySink(), True, id="no-attribute-keeps"),
        pytest.param(DropsDecisions(), False, id="says-it-drops"),
    ],
)
def test_a_sink_keeps_decisions_unless_it_says_otherwise(sink, keeps) -> None:
    assert keeps_decisions(sink) is keeps


def test_a_sink_that_drops_decisions_gets_none_built_but_they_are_counted(monkeypatch) -> None:
    kept = _trade(MemorySink())
    assert kept.stats.decisions == len(kept.sink.decisions) > 0  # type: ignore[attr-defined]

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("a decision record was built for a sink that drops them")

    monkeypatch.setattr(decide_mod, "snapshot_hash", boom)
    monkeypatch.setattr(decide_mod, "decision_record", boom)
    sink = DropsDecisions()
    dropped = _trade(sink)
    assert sink.decision_calls == 0
    assert dropped.stats.decisions == kept.stats.decisions
    assert dropped._seq == kept._seq == kept.sink.decisions[-1].seq  # type: ignore[attr-defined]
    assert dropped.stats.evaluations == kept.stats.evaluations
    assert [r.client_order_id for r in dropped.sink.orders] == [  # type: ignore[attr-defined]
        r.client_order_id for r in kept.sink.orders  # type: ignore[attr-defined]
    ]


def test_record_decisions_off_counts_nothing_whatever_the_sink() -> None:
    engine, _, _ = make_engine(ScriptedStrategy(), sink=DropsDecisions(), record_decisions=False)
    for ev in both_books(T0):
        engine.apply(ev)
    engine.flush(T0)
    assert engine.stats.evaluations == 1
    assert engine.stats.decisions == 0 and engine._seq == 0


# ---- equity only when needed -------------------------------------------------------------------


class _Blocks:
    def blocked(self, rec) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.mark.parametrize(
    ("limit", "halted", "at", "needs"),
    [
        pytest.param(None, False, T0 + NS, False, id="no-limit-same-day"),
        pytest.param(None, False, T0 + DAY, True, id="no-limit-next-day"),
        pytest.param(None, False, T0 - DAY, True, id="no-limit-earlier-day"),
        pytest.param(Decimal("5"), False, T0 + NS, True, id="limit-same-day"),
        pytest.param(Decimal("5"), True, T0 + NS, False, id="limit-but-halted"),
        pytest.param(Decimal("5"), True, T0 + DAY, True, id="halted-next-day"),
    ],
)
def test_the_risk_manager_says_when_it_needs_the_equity(limit, halted, at, needs) -> None:
    rm = RiskManager(RiskConfig(daily_loss_limit=limit), _Blocks())
    assert rm.needs_equity(T0)  # nothing yet: the first call starts the day
    rm.on_equity(T0, 1_000)
    if halted:
        rm.halt("emergency_stop", "test")
    assert rm.needs_equity(at) is needs


def _fill(engine, cid: str, price: str, size: str, ts: int) -> None:  # type: ignore[no-untyped-def]
    order = engine.oms.get(cid)
    engine.apply(
        OrderFilled(order.venue_order_id, f"t-{cid}-{ts}", order.asset_id, px(price), sz(size),
                    TradeStatus.MATCHED, ts, ts)
    )  # fmt: skip


def test_without_a_limit_the_equity_is_taken_only_at_the_day_roll(monkeypatch) -> None:
    calls: list[int] = []
    real = Accounts.equity

    def counted(self):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(self)

    monkeypatch.setattr(Accounts, "equity", counted)
    strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
    engine, venue, _ = make_engine(strat, risk=RiskConfig(daily_loss_limit=None, no_buy_last_s=0))
    day0 = T0
    for ev in both_books(day0):
        engine.apply(ev)
    engine.flush(day0)
    assert len(calls) == 1 and engine.risk.day_start_equity == engine.initial_cash
    deliver(engine, venue, day0 + NS)
    _fill(engine, "pt-1", "0.45", "10", day0 + 2 * NS)  # long 10 YES: cash moved, marks matter
    for i in range(3, 6):
        for ev in both_books(day0 + i * NS, f"0.4{i}"):
            engine.apply(ev)
        engine.flush(day0 + i * NS)
    assert len(calls) == 1  # same day, no limit: never asked
    # the next day: asked once, and the day starts from the equity at that moment
    next_day = day0 - day0 % DAY + DAY
    for ev in both_books(next_day + NS, "0.30", "0.32"):
        engine.apply(ev)
    engine.flush(next_day + NS)
    assert len(calls) == 2
    assert engine.risk.day == next_day // DAY
    expected = engine.inventory.cash + engine.accounts.position_value()[0]
    assert engine.risk.day_start_equity == expected != engine.initial_cash


def test_with_a_limit_the_loss_floor_halts_exactly_where_the_equity_check_did() -> None:
    # day PnL -2.4 against a limit of 2.4 does not halt; a tick lower it does
    def run(limit: str) -> bool:
        strat = ScriptedStrategy(lambda s: quotes(desired("BUY", "0.45", "10")))
        risk = RiskConfig(daily_loss_limit=Decimal(limit), no_buy_last_s=0)
        engine, venue, _ = make_engine(strat, risk=risk)
        for ev in both_books(T0):
            engine.apply(ev)
        engine.flush(T0)
        deliver(engine, venue, T0 + NS)
        _fill(engine, "pt-1", "0.45", "10", T0 + 2 * NS)
        for ev in both_books(T0 + 3 * NS, "0.20", "0.22"):  # marked at 0.21: -2.4
            engine.apply(ev)
        engine.flush(T0 + 3 * NS)
        return engine.risk.halted

    assert run("2.4") is False
    assert run("2.39") is True


# ---- net views ---------------------------------------------------------------------------------

PRICES = st.integers(1, 99).map(lambda c: c * 100)


@st.composite
def view_and_own(draw):  # type: ignore[no-untyped-def]
    bid_px = sorted(draw(st.sets(PRICES, max_size=6)), reverse=True)
    ask_px = sorted(draw(st.sets(PRICES, max_size=6)))
    size = st.integers(1, 50) .map(lambda n: n * 1_000_000)
    top = TopOfBook("t", tuple((p, draw(size)) for p in bid_px), tuple((p, draw(size)) for p in ask_px))
    own = draw(st.dictionaries(st.integers(0, 3).flatmap(lambda b: PRICES.map(lambda p: (b << 14) | p)), size,
                               max_size=8))  # fmt: skip
    return top, own


@settings(max_examples=300, deadline=None)
@given(view_and_own(), st.sampled_from([0, 2]))
def test_net_views_equal_the_plain_subtraction_and_are_kept_per_side(case, base) -> None:
    top, own = case
    c = OwnCache(())
    c.set_sizes(own)
    got = _net(top, base, c)
    assert got == _subtract(top, base, own)
    if got == top:
        assert got is top
    # the same side tuples again (an unchanged book side): the kept result, equal again
    again = _net(TopOfBook("t", top.bids, top.asks, 1, 1), base, c)
    assert (again.bids, again.asks) == (got.bids, got.asks)
    if got.bids is not top.bids:
        assert again.bids is got.bids
