"""MetricsSink on hand-built records: every expected number is worked out by hand (or by the
standard library) from the records, not copied from the implementation."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from predtrade.backtest.metrics import MetricsSink, TeeSink, replay, sharpe, summarize
from predtrade.backtest.records import MemorySink, RunSink
from predtrade.persistence import RunStore, SqliteSink
from tests.persistence import factory as f

U = f.USDC


def _sink(**info_kw: object) -> MetricsSink:
    m = MetricsSink()
    m.start(f.info(**info_kw))
    return m


@pytest.mark.parametrize(
    ("path", "drawdown", "pct"),
    [
        pytest.param(
            [1000, 1010, 990, 1005, 980, 1020, 1000], 30, 100 * 30 / 1010, id="deepest-after-second-dip"
        ),
        pytest.param([990, 995, 1001], 10, 1.0, id="losing-from-the-start-counts"),
        pytest.param([1000, 1001, 1002], 0, 0.0, id="only-up"),
        pytest.param([1000, 1200, 1100, 1300, 1040], 260, 20.0, id="new-peak-then-deeper-fall"),
    ],
)
def test_max_drawdown_of_a_known_equity_path(path: list[int], drawdown: int, pct: float) -> None:
    m = _sink(initial_cash=1000 * U)
    for i, eq in enumerate(path):
        m.pnl(f.pnl(f.T0 + i * f.SEC, eq * U))
    s = m.summary()
    assert s["max_drawdown"] == str(drawdown)
    assert s["max_drawdown_pct"] == pytest.approx(pct, abs=1e-4)
    assert s["pnl"] == str(path[-1] - 1000)
    assert s["final_equity"] == str(path[-1])


def test_fills_by_outcome_and_side_volume_and_average_price() -> None:
    m = _sink()
    m.market(f.market("m1"))
    cells = {("Up", "BUY"): 3, ("Up", "SELL"): 5, ("Down", "BUY"): 8, ("Down", "SELL"): 1}
    n = 0
    for (outcome, side), count in cells.items():
        for _ in range(count):
            m.fill(f.fill(n, outcome=outcome, side=side, price=4000, size=2 * U))
            n += 1
    s = m.summary()
    assert s["fills"] == 17
    assert s["fills_by_outcome_side"] == {"Up": {"BUY": 3, "SELL": 5}, "Down": {"BUY": 8, "SELL": 1}}
    assert s["volume"] == "13.6"  # 17 fills x 2 shares x 0.40
    assert s["shares"] == "34"


def test_average_price_is_size_weighted() -> None:
    m = _sink()
    m.fill(f.fill(0, price=4500, size=10 * U))
    m.fill(f.fill(1, price=5000, size=30 * U))
    row = next(r for r in m.summary()["fills_table"] if (r["outcome"], r["side"]) == ("Up", "BUY"))
    assert row["avg_price"] == "0.4875"  # (0.45 x 10 + 0.50 x 30) / 40
    assert row["notional"] == "19.5"
    # the other side of a traded outcome is listed with zero fills, so the table is complete
    assert m.summary()["fills_by_outcome_side"] == {"Up": {"BUY": 2, "SELL": 0}}


def test_outcomes_are_listed_yes_first_whatever_filled_first() -> None:
    m = _sink()
    m.fill(f.fill(0, outcome="Down", side="SELL"))
    m.market(f.market("m1"))
    m.fill(f.fill(1, outcome="Up"))
    assert list(m.summary()["fills_by_outcome_side"]) == ["Up", "Down"]
    cells = [(r["outcome"], r["side"]) for r in m.summary()["fills_table"]]
    assert cells == [("Up", "BUY"), ("Up", "SELL"), ("Down", "BUY"), ("Down", "SELL")]


def test_known_markets_appear_in_the_fills_table_even_without_fills() -> None:
    m = _sink()
    m.market(f.market("m1"))
    assert m.summary()["fills_by_outcome_side"] == {
        "Up": {"BUY": 0, "SELL": 0},
        "Down": {"BUY": 0, "SELL": 0},
    }


def test_orders_counts_and_orders_per_fill() -> None:
    m = _sink()
    states = ["CANCELLED"] * 7 + ["REJECTED"] * 2 + ["FILLED"] * 2 + ["EXPIRED"]
    for i, st in enumerate(states):
        m.order(f.order(f"o{i}", state=st))
    for i in range(3):  # one order filled in two parts
        m.fill(f.fill(i))
    s = m.summary()
    assert (s["orders_placed"], s["orders_cancelled"], s["orders_rejected"], s["orders_expired"]) == (
        12,
        7,
        2,
        1,
    )
    assert s["orders_filled"] == 2
    assert s["orders_per_fill"] == 4.0
    assert s["fill_rate"] == pytest.approx(0.25)


def test_no_fills_means_no_orders_per_fill() -> None:
    m = _sink()
    m.order(f.order())
    s = m.summary()
    assert s["orders_per_fill"] is None and s["fill_rate"] == 0.0


def test_fees_and_rebates() -> None:
    m = _sink()
    m.fill(f.fill(0, fee=1_500_000))
    m.fill(f.fill(1, fee=-250_000))
    m.fill(f.fill(2, fee=3))
    s = m.summary()
    assert (s["fees"], s["fees_paid"], s["rebates"]) == ("1.250003", "1.500003", "0.25")


def _brier_run(resolve_first: bool) -> dict:
    m = _sink()
    m.market(f.market("m1"))
    m.market(f.market("m2"))
    m.market(f.market("m3"))
    resolutions = [f.market("m1", winning_outcome="Up"), f.market("m2", winning_outcome="Down")]
    if resolve_first:
        for r in resolutions:
            m.market(r)
    m.decision(f.decision(0, market="m1", fair_value=0.8, mid=2 * 6000))
    m.decision(f.decision(1, market="m1", fair_value=0.6, mid=2 * 5000))
    m.decision(f.decision(2, market="m2", fair_value=0.3, mid=None))
    m.decision(f.decision(3, market="m3", fair_value=0.99))  # never resolves: not scored
    m.decision(f.decision(4, market="m1", fair_value=None, mid=None))  # no fair value: not scored
    if not resolve_first:
        for r in resolutions:
            m.market(r)
    return m.summary()


@pytest.mark.parametrize(
    "resolve_first", [pytest.param(False, id="resolved-after"), pytest.param(True, id="resolved-before")]
)
def test_brier_of_known_fair_values_and_outcomes(resolve_first: bool) -> None:
    s = _brier_run(resolve_first)
    # m1 resolved Up (y=1): (0.8-1)^2 + (0.6-1)^2; m2 resolved Down (y=0): 0.3^2
    assert s["brier"] == pytest.approx((0.04 + 0.16 + 0.09) / 3, abs=1e-6)
    assert s["brier_decisions"] == 3
    # the market's own mid where recorded: m1 only (mids 0.6 and 0.5, y=1)
    assert s["brier_market"] == pytest.approx((0.16 + 0.25) / 2, abs=1e-6)
    assert s["decisions_without_fair_value"] == 1
    assert (s["markets"], s["markets_resolved"]) == (3, 2)


def test_sharpe_per_round_from_settlement_pnl() -> None:
    pnls = [1, 2, 3, 6]
    m = _sink()
    for i, p in enumerate(pnls):
        m.market(f.market(f"m{i}", winning_outcome="Up", settled_pnl=p * U))
    s = m.summary()
    assert s["sharpe"] == pytest.approx(statistics.mean(pnls) / statistics.stdev(pnls), abs=1e-4)
    assert s["sharpe_rounds"] == 4
    assert s["settled_pnl"] == "12"


def test_sharpe_per_day_from_daily_equity_changes() -> None:
    m = _sink(initial_cash=1000 * U)
    # three UTC days; several points a day, only each day's last equity matters
    days = [(1003, 1010), (1020, 1005), (990, 1030)]
    for d, (mid_day, close) in enumerate(days):
        base = (f.T0 // f.DAY + d) * f.DAY
        m.pnl(f.pnl(base + 3600 * f.SEC, mid_day * U))
        m.pnl(f.pnl(base + 20 * 3600 * f.SEC, close * U))
    s = m.summary()
    changes = [10, -5, 25]
    expected = statistics.mean(changes) / statistics.stdev(changes)
    assert s["sharpe_days"] == 3
    assert s["sharpe_daily"] == pytest.approx(expected, abs=1e-4)
    assert s["sharpe_daily_annualised"] == pytest.approx(expected * math.sqrt(365), abs=1e-3)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([5], None, id="one-observation"),
        pytest.param([2, 2, 2], None, id="no-variance"),
        pytest.param([1, -1], 0.0, id="zero-mean"),
        pytest.param([3, 5, 10], statistics.mean([3, 5, 10]) / statistics.stdev([3, 5, 10]), id="stdlib"),
    ],
)
def test_sharpe_helper(values: list[int], expected: float | None) -> None:
    got = sharpe(len(values), sum(values), sum(v * v for v in values))
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_inventory_path_and_pnl_parts() -> None:
    m = _sink()
    m.pnl(f.pnl(f.T0, positions={"Up": 5 * U, "Down": 0}))
    m.pnl(f.pnl(f.T0 + 1, positions={"s1:Up": 12 * U, "s2:Down": -7 * U}, realized=3, unrealized=-2))
    m.pnl(f.pnl(f.T0 + 2, positions={"Up": 2 * U, "Down": 1 * U}, realized=4 * U, unrealized=-U // 2))
    s = m.summary()
    assert s["max_abs_position"] == {"Down": "7", "Up": "12"}
    assert s["final_positions"] == {"Down": "1", "Up": "2"}
    assert (s["realized_pnl"], s["unrealized_pnl"]) == ("4", "-0.5")


def test_blocked_and_latency() -> None:
    m = _sink()
    for gate in ("max_position", "max_position", "rate_limit"):
        m.blocked(f.blocked(gate))
    for ms in [10.0] * 98 + [250.0, 900.0]:
        m.latency(f.latency(ms))
    m.latency(f.latency(float("nan")))  # not a latency: ignored
    s = m.summary()
    assert s["blocked"] == 3 and s["blocked_by_gate"] == {"max_position": 2, "rate_limit": 1}
    # the runner's own count wins where it has one (it counts repeats it did not write)
    m.finish({"blocked_by_gate": {"max_position": 9, "rate_limit": 1}})
    s = m.summary()
    assert (s["blocked"], s["blocked_records"]) == (10, 3)
    lat = s["latency_ms"]
    assert lat["count"] == 100 and lat["max"] == 900.0
    assert 10.0 <= lat["p50"] <= 10.1  # within the histogram's 1 %
    assert 250.0 <= lat["p99"] <= 252.5
    assert lat["mean"] == pytest.approx((980 + 250 + 900) / 100)


@pytest.mark.parametrize(
    ("values", "p50", "p99"),
    [
        pytest.param([0.0005] * 10, 0.0005, 0.0005, id="sub-microsecond"),
        pytest.param([30.0] * 90 + [2500.0] * 10, 30.0, 2500.0, id="seconds-long-tail"),
        pytest.param([5_000_000.0] * 3, 5_000_000.0, 5_000_000.0, id="over-an-hour"),
    ],
)
def test_latency_percentiles_stay_within_one_percent(values: list[float], p50: float, p99: float) -> None:
    m = _sink()
    for ms in values:
        m.latency(f.latency(ms))
    lat = m.summary()["latency_ms"]
    assert lat["p50"] == pytest.approx(p50, rel=0.011, abs=0.001)
    assert lat["p99"] == pytest.approx(p99, rel=0.011, abs=0.001)


def test_runner_fields_pass_through_and_events_per_second() -> None:
    m = _sink()
    m.finish({"events": 1000, "elapsed_s": 0.25, "bad_lines": 2})
    s = m.summary()
    assert (s["events"], s["events_per_second"], s["bad_lines"]) == (1000, 4000.0, 2)


def test_tee_sink_sends_everything_to_every_sink() -> None:
    a, b = MemorySink(), MetricsSink()
    tee = TeeSink(a, b)
    assert isinstance(tee, RunSink)
    replay(f.full_run(), tee)
    src = f.full_run()
    assert (a.markets, a.fills, a.decisions, a.pnl_points, a.summary) == (
        src.markets,
        src.fills,
        src.decisions,
        src.pnl_points,
        src.summary,
    )
    assert b.summary()["fills"] == len(src.fills)


def test_summarize_of_a_stored_run_equals_the_live_metrics(tmp_path: Path) -> None:
    live = MetricsSink()
    with RunStore(tmp_path / "runs.sqlite") as store:
        replay(f.full_run(), TeeSink(SqliteSink(store), live))
        stored = summarize(store.load_run("run-1"))
    assert stored == live.summary()
    assert stored == summarize(f.full_run())
    assert stored["fills"] == 4 and stored["events"] == 1234
