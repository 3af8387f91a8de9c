"""A run's summary, computed as the records stream past (:class:`MetricsSink`), and the same for a
stored run (:func:`summarize`).

Memory is bounded by the number of markets, outcome labels, order states and gates — never by the
number of events, orders, fills or decisions. Money is summed in exact ints and reported as
decimal strings (``format_cash``); ratios (Sharpe, Brier, orders per fill) are floats for display.

Definitions (the report and the CLI show the same numbers):

* **pnl** = last equity - initial cash. Equity is cash plus positions marked at mid (exact ints,
  from the runner's :class:`~predtrade.backtest.records.PnlPoint`).
* **max drawdown**: the largest fall of equity from its running peak; the path starts at the
  initial cash, so losing money before the first gain counts.
* **Sharpe per round** = mean / sample std of each market's settlement PnL
  (``MarketRecord.settled_pnl``). Not annualised: a round is the unit we trade.
* **Sharpe per day** = mean / sample std of daily (UTC) equity changes (the first day measured
  from the initial cash); ``sharpe_daily_annualised`` multiplies it by sqrt(365), because crypto
  up/down markets trade every day. Days without a PnL point are skipped, not counted as 0.
* **Brier** = mean over decisions of (fair value of YES - resolved YES outcome)^2, only for markets
  that resolved; ``brier_market`` is the same for the market's own mid, the baseline to beat.
* **orders per fill** = orders placed / fills (seed 000: 719,624 orders for 1,212 fills).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ..model.units import PRICE_DECIMALS, SIZE_DECIMALS, format_cash, format_fixed, format_size
from .records import (
    BlockedRecord,
    DecisionRecord,
    FillRecord,
    LatencyRecord,
    MarketRecord,
    MemorySink,
    OrderRecord,
    PnlPoint,
    RunInfo,
    RunSink,
    TransitionRecord,
)

__all__ = ["MetricsSink", "TeeSink", "outcome_label", "replay", "sharpe", "summarize"]

_DAY_NS = 86_400 * 1_000_000_000
_SIDES = ("BUY", "SELL")
#: latency histogram: log-spaced bins 1 % wide from 1 us (about 2,300 bins up to hours: bounded
#: memory, percentiles within 1 %)
_LAT_LO_MS = 0.001
_LAT_LOG_RATIO = math.log(1.01)
#: fill sources every simulated fill has (listed with 0 when unused, so the report shows all three)
FILL_SOURCES = ("trade", "book", "taker")
#: per-market rows listed in the summary (the newest); totals always cover every market
MAX_ROUNDS_LISTED = 1000


def sharpe(n: int, total: int, total_sq: int) -> float | None:
    """Mean / sample standard deviation of ``n`` int observations given their sum and sum of
    squares (exact int arithmetic until the final division). ``None`` below 2 observations or
    with zero variance."""
    if n < 2:
        return None
    var_num = n * total_sq - total * total  # = n^2 * population variance, exact
    if var_num <= 0:
        return None
    std = math.sqrt(var_num / (n * (n - 1)))
    return (total / n) / std


def outcome_label(position_key: str) -> str:
    """``"Up"`` for ``"Up"`` or ``"btc-updown-15m-1:Up"`` (position keys across markets)."""
    return position_key.rsplit(":", 1)[-1]


class _Market:
    __slots__ = ("decisions", "fills", "fv", "mid", "notional", "rec", "y")

    def __init__(self, rec: MarketRecord | None) -> None:
        self.rec = rec
        self.y: int | None = None  # resolved YES outcome (1/0), None until resolved
        self.fv = [0, 0.0, 0.0]  # n, sum p, sum p^2 of the model's fair value (unresolved part)
        self.mid = [0, 0.0, 0.0]  # the same for the market mid
        self.fills = 0
        self.notional = 0
        self.decisions = 0


def _brier_add(acc: list, sums: list, y: int) -> None:
    n, s, ss = sums
    acc[0] += n
    acc[1] += ss - 2.0 * y * s + n * y  # sum (p - y)^2 with y in {0, 1}
    sums[0], sums[1], sums[2] = 0, 0.0, 0.0


class MetricsSink:
    """A :class:`RunSink` that keeps only running totals; :meth:`summary` gives the result at any
    time. Expects one :class:`OrderRecord` per order (as the runner writes them)."""

    def __init__(self) -> None:
        self.info: RunInfo | None = None
        self.run_summary: dict = {}
        self.finished = False
        self._markets: dict[str, _Market] = {}
        self._fills: dict[tuple[str, str], list[int]] = {}  # (outcome, side) -> [n, shares, notional]
        self._rank: dict[str, int] = {}  # outcome label -> its index in its market (YES/Up first)
        self._fees = self._fees_paid = self._rebates = 0
        self._liquidity: Counter[str] = Counter()
        self._sources: Counter[str] = Counter(dict.fromkeys(FILL_SOURCES, 0))
        self._order_states: Counter[str] = Counter()
        self._orders = 0
        self._transitions = 0
        self._decisions = self._decisions_acting = self._actions = self._no_fv = 0
        self._brier = [0, 0.0]  # n, sum of squared errors (resolved markets)
        self._brier_mkt = [0, 0.0]
        self._pnl_n = 0
        self._last: PnlPoint | None = None
        self._first_ts: int | None = None
        self._peak: int | None = None
        self._max_dd = 0
        self._max_dd_frac = 0.0
        self._max_dd_ts: int | None = None
        self._day: int | None = None
        self._day_close: int | None = None  # last equity of the current day
        self._prev_close: int | None = None  # last equity of the previous day (or initial cash)
        self._daily = [0, 0, 0]  # n, sum, sum of squares of completed days' equity changes
        self._max_pos: dict[str, int] = {}
        self._blocked: Counter[str] = Counter()
        self._blocked_actions: Counter[str] = Counter()
        self._lat_hist: Counter[int] = Counter()
        self._lat = [0, 0.0, math.inf, 0.0]  # n, sum, min, max (ms)

    # ---- RunSink ---------------------------------------------------------------------------------

    def start(self, info: RunInfo) -> None:
        self.info = info
        if self._peak is None:
            self._peak = info.initial_cash
            self._prev_close = info.initial_cash

    def market(self, rec: MarketRecord) -> None:
        m = self._markets.get(rec.condition_id)
        if m is None:
            m = self._markets[rec.condition_id] = _Market(rec)
        elif m.rec is None:
            m.rec = rec
        else:  # a later record may carry the resolution; keep what an earlier one knew
            old = m.rec
            m.rec = MarketRecord(
                condition_id=rec.condition_id,
                slug=rec.slug or old.slug,
                token_ids=rec.token_ids,
                outcomes=rec.outcomes,
                end_ts=rec.end_ts if rec.end_ts is not None else old.end_ts,
                winning_outcome=rec.winning_outcome or old.winning_outcome,
                settled_pnl=rec.settled_pnl if rec.settled_pnl is not None else old.settled_pnl,
            )
        r = m.rec
        if m.y is None and r.winning_outcome is not None and r.winning_outcome in r.outcomes:
            m.y = 1 if r.winning_outcome == r.outcomes[0] else 0
            _brier_add(self._brier, m.fv, m.y)
            _brier_add(self._brier_mkt, m.mid, m.y)
        for i, label in enumerate(r.outcomes):
            self._rank.setdefault(label, i)
            for side in _SIDES:
                self._fills.setdefault((label, side), [0, 0, 0])

    def order(self, rec: OrderRecord) -> None:
        self._orders += 1
        self._order_states[rec.state] += 1

    def fill(self, rec: FillRecord) -> None:
        key = (rec.outcome, rec.side)
        acc = self._fills.get(key)
        if acc is None:
            acc = self._fills[key] = [0, 0, 0]
            other = (rec.outcome, "SELL" if rec.side == "BUY" else "BUY")
            self._fills.setdefault(other, [0, 0, 0])
        notional = rec.price * rec.size
        acc[0] += 1
        acc[1] += rec.size
        acc[2] += notional
        fee = rec.fee
        self._fees += fee
        if fee >= 0:
            self._fees_paid += fee
        else:
            self._rebates -= fee
        self._liquidity[rec.liquidity] += 1
        self._sources[rec.source or "unknown"] += 1
        m = self._markets.get(rec.market)
        if m is None:
            m = self._markets[rec.market] = _Market(None)
        m.fills += 1
        m.notional += notional

    def transition(self, rec: TransitionRecord) -> None:
        self._transitions += 1

    def decision(self, rec: DecisionRecord) -> None:
        self._decisions += 1
        if rec.actions:
            self._decisions_acting += 1
            self._actions += rec.actions
        m = self._markets.get(rec.market)
        if m is None:
            m = self._markets[rec.market] = _Market(None)
        m.decisions += 1
        p = rec.fair_value
        if p is not None and 0.0 <= p <= 1.0:  # also drops NaN
            if m.y is None:
                s = m.fv
                s[0] += 1
                s[1] += p
                s[2] += p * p
            else:
                self._brier[0] += 1
                self._brier[1] += (p - m.y) ** 2
        else:
            self._no_fv += 1
        if rec.mid is not None:
            q = rec.mid / 20_000  # YES mid x2 in 1e-4 units -> probability
            if m.y is None:
                s = m.mid
                s[0] += 1
                s[1] += q
                s[2] += q * q
            else:
                self._brier_mkt[0] += 1
                self._brier_mkt[1] += (q - m.y) ** 2

    def pnl(self, rec: PnlPoint) -> None:
        eq = rec.equity
        self._pnl_n += 1
        self._last = rec
        if self._first_ts is None:
            self._first_ts = rec.ts
        peak = self._peak
        if peak is None or eq > peak:
            self._peak = peak = eq
        dd = peak - eq
        if dd > self._max_dd:
            self._max_dd = dd
            self._max_dd_ts = rec.ts
        if dd > 0 and peak > 0 and dd / peak > self._max_dd_frac:
            self._max_dd_frac = dd / peak
        day = rec.ts // _DAY_NS
        if day != self._day:
            if self._day is not None and self._day_close is not None:
                self._close_day()
            self._day = day
        if self._prev_close is None:
            self._prev_close = eq
        self._day_close = eq
        for key, shares in rec.positions.items():
            label = outcome_label(key)
            a = -shares if shares < 0 else shares
            if a > self._max_pos.get(label, -1):
                self._max_pos[label] = a

    def _close_day(self) -> None:
        change = self._day_close - self._prev_close  # type: ignore[operator]
        d = self._daily
        d[0] += 1
        d[1] += change
        d[2] += change * change
        self._prev_close = self._day_close

    def blocked(self, rec: BlockedRecord) -> None:
        self._blocked[rec.gate] += 1
        self._blocked_actions[rec.action] += 1

    def latency(self, rec: LatencyRecord) -> None:
        ms = rec.ms
        if not ms >= 0.0:  # NaN or negative: not a latency
            return
        b = int(math.log(ms / _LAT_LO_MS) / _LAT_LOG_RATIO) if ms > _LAT_LO_MS else 0
        self._lat_hist[b] += 1
        lat = self._lat
        lat[0] += 1
        lat[1] += ms
        lat[2] = min(lat[2], ms)
        lat[3] = max(lat[3], ms)

    def finish(self, summary: dict) -> None:
        self.run_summary = dict(summary or {})
        self.finished = True

    # ---- results -------------------------------------------------------------------------------

    def _latency_pct(self, q: float) -> float | None:
        n = self._lat[0]
        if not n:
            return None
        rank = max(1, math.ceil(q * n))
        seen = 0
        for b in sorted(self._lat_hist):
            seen += self._lat_hist[b]
            if seen >= rank:
                upper = _LAT_LO_MS * math.exp((b + 1) * _LAT_LOG_RATIO)  # the bin's upper edge
                return round(max(self._lat[2], min(upper, self._lat[3])), 3)
        return self._lat[3]  # pragma: no cover

    def _daily_stats(self) -> tuple[int, float | None]:
        n, s, ss = self._daily
        if self._day_close is not None and self._prev_close is not None:  # the open (last) day
            c = self._day_close - self._prev_close
            n, s, ss = n + 1, s + c, ss + c * c
        return n, sharpe(n, s, ss)

    def _fill_cells(self) -> list[tuple[tuple[str, str], list[int]]]:
        """(outcome, side) cells, YES/Up outcomes first, then by name; BUY before SELL."""
        rank = self._rank
        return sorted(self._fills.items(), key=lambda kv: (rank.get(kv[0][0], 2), kv[0][0], kv[0][1]))

    def fills_by_outcome_side(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (label, side), acc in self._fill_cells():
            out.setdefault(label, {"BUY": 0, "SELL": 0})[side] = acc[0]
        return out

    def fills_table(self) -> list[dict[str, Any]]:
        """Seed 000's table, one row per outcome and side: fills, shares, notional, average price."""
        rows = []
        for (label, side), (n, shares, notional) in self._fill_cells():
            avg = (2 * notional + shares) // (2 * shares) if shares else None  # half-up, price units
            rows.append(
                {
                    "outcome": label,
                    "side": side,
                    "fills": n,
                    "shares": format_size(shares),
                    "notional": format_fixed(notional, PRICE_DECIMALS + SIZE_DECIMALS),
                    "avg_price": format_fixed(avg, PRICE_DECIMALS) if avg is not None else None,
                }
            )
        return rows

    def rounds(self) -> list[dict[str, Any]]:
        rows = []
        for cid, m in list(self._markets.items())[-MAX_ROUNDS_LISTED:]:
            r = m.rec
            rows.append(
                {
                    "condition_id": cid,
                    "slug": r.slug if r else cid,
                    "end_ts": r.end_ts if r else None,
                    "winner": r.winning_outcome if r else None,
                    "settled_pnl": format_cash(r.settled_pnl) if r and r.settled_pnl is not None else None,
                    "fills": m.fills,
                    "decisions": m.decisions,
                    "volume": format_fixed(m.notional, PRICE_DECIMALS + SIZE_DECIMALS),
                }
            )
        return rows

    def summary(self) -> dict[str, Any]:
        """Everything as one JSON-able dict (runner fields passed to :meth:`finish` included)."""
        info = self.info
        initial = info.initial_cash if info is not None else None
        last = self._last
        n_fills = sum(acc[0] for acc in self._fills.values())
        volume = sum(acc[2] for acc in self._fills.values())
        shares = sum(acc[1] for acc in self._fills.values())
        settled = [
            m.rec.settled_pnl for m in self._markets.values() if m.rec and m.rec.settled_pnl is not None
        ]
        days, sharpe_day = self._daily_stats()
        states = self._order_states
        run = self.run_summary
        events = run.get("events")
        elapsed = next(
            (run[k] for k in ("wall_seconds", "elapsed_s", "wall_s", "seconds", "elapsed") if k in run), None
        )
        eps = run.get("events_per_second")
        if eps is None and isinstance(events, int) and isinstance(elapsed, int | float) and elapsed > 0:
            eps = events / elapsed
        lat_n = self._lat[0]
        blocked = run.get("blocked_by_gate")
        if not isinstance(blocked, dict):
            blocked = dict(self._blocked.most_common())

        def cash(v: int | None) -> str | None:
            return format_cash(v) if v is not None else None

        out: dict[str, Any] = dict(run)
        out.update(
            {
                "run_id": info.run_id if info else run.get("run_id"),
                "mode": info.mode if info else run.get("mode"),
                "strategy": info.strategy if info else run.get("strategy"),
                "strategy_version": info.strategy_version if info else run.get("strategy_version"),
                "config_hash": info.config_hash if info else run.get("config_hash"),
                "data": info.data if info else run.get("data"),
                "data_format": info.data_format if info else run.get("data_format"),
                "events": events,
                "events_per_second": round(eps, 1) if isinstance(eps, int | float) else None,
                "initial_cash": cash(initial),
                "final_equity": cash(last.equity) if last else None,
                "pnl": cash(last.equity - initial) if last and initial is not None else None,
                "realized_pnl": cash(last.realized) if last else None,
                "unrealized_pnl": cash(last.unrealized) if last else None,
                "settled_pnl": format_cash(sum(settled)),
                "fees": format_cash(self._fees),
                "fees_paid": format_cash(self._fees_paid),
                "rebates": format_cash(self._rebates),
                "orders_placed": self._orders,
                "orders_filled": states.get("FILLED", 0),
                "orders_cancelled": states.get("CANCELLED", 0),
                "orders_rejected": states.get("REJECTED", 0),
                "orders_expired": states.get("EXPIRED", 0),
                "orders_by_state": dict(sorted(states.items())),
                "orders_per_fill": round(self._orders / n_fills, 2) if n_fills else None,
                "fill_rate": _r(n_fills / self._orders, 6) if self._orders else None,
                "fills": n_fills,
                "fills_by_outcome_side": self.fills_by_outcome_side(),
                "fills_table": self.fills_table(),
                "fill_sources": dict(sorted(self._sources.items())),
                "fill_liquidity": dict(sorted(self._liquidity.items())),
                "volume": format_fixed(volume, PRICE_DECIMALS + SIZE_DECIMALS),
                "shares": format_size(shares),
                "max_drawdown": format_cash(self._max_dd),
                "max_drawdown_pct": round(100 * self._max_dd_frac, 4),
                "max_drawdown_ts": self._max_dd_ts,
                "sharpe": _r(sharpe(len(settled), sum(settled), sum(v * v for v in settled))),
                "sharpe_rounds": len(settled),
                "sharpe_daily": _r(sharpe_day),
                "sharpe_daily_annualised": _r(
                    sharpe_day * math.sqrt(365) if sharpe_day is not None else None
                ),
                "sharpe_days": days,
                "brier": _r(self._brier[1] / self._brier[0] if self._brier[0] else None, 6),
                "brier_market": _r(
                    self._brier_mkt[1] / self._brier_mkt[0] if self._brier_mkt[0] else None, 6
                ),
                "brier_decisions": self._brier[0],
                "decisions": self._decisions,
                "decisions_acting": self._decisions_acting,
                "decision_actions": self._actions,
                "decisions_without_fair_value": self._no_fv,
                "transitions": self._transitions,
                "pnl_points": self._pnl_n,
                "start_ts": self._first_ts,
                "end_ts": last.ts if last else None,
                "max_abs_position": {k: format_size(v) for k, v in sorted(self._max_pos.items())},
                "final_positions": {k: format_size(v) for k, v in sorted(last.positions.items())}
                if last
                else {},
                # the runner's count when it has one: repeated identical refusals are counted by the
                # engine but written as one record
                "blocked": sum(blocked.values()),
                "blocked_by_gate": blocked,
                "blocked_records": sum(self._blocked.values()),
                "blocked_by_action": dict(self._blocked_actions.most_common()),
                "latency_ms": {
                    "count": lat_n,
                    "mean": round(self._lat[1] / lat_n, 3) if lat_n else None,
                    "p50": self._latency_pct(0.5),
                    "p99": self._latency_pct(0.99),
                    "max": round(self._lat[3], 3) if lat_n else None,
                },
                "markets": len(self._markets),
                "markets_resolved": sum(1 for m in self._markets.values() if m.y is not None),
                "rounds": self.rounds(),
            }
        )
        return out


def _r(v: float | None, digits: int = 4) -> float | None:
    return None if v is None or not math.isfinite(v) else round(v, digits)


class TeeSink:
    """Send every record to several sinks, in order (e.g. the store and the metrics)."""

    def __init__(self, *sinks: RunSink) -> None:
        self.sinks = sinks

    def start(self, info: RunInfo) -> None:
        for s in self.sinks:
            s.start(info)

    def market(self, rec: MarketRecord) -> None:
        for s in self.sinks:
            s.market(rec)

    def order(self, rec: OrderRecord) -> None:
        for s in self.sinks:
            s.order(rec)

    def fill(self, rec: FillRecord) -> None:
        for s in self.sinks:
            s.fill(rec)

    def transition(self, rec: TransitionRecord) -> None:
        for s in self.sinks:
            s.transition(rec)

    def decision(self, rec: DecisionRecord) -> None:
        for s in self.sinks:
            s.decision(rec)

    def pnl(self, rec: PnlPoint) -> None:
        for s in self.sinks:
            s.pnl(rec)

    def blocked(self, rec: BlockedRecord) -> None:
        for s in self.sinks:
            s.blocked(rec)

    def latency(self, rec: LatencyRecord) -> None:
        for s in self.sinks:
            s.latency(rec)

    def finish(self, summary: dict) -> None:
        for s in self.sinks:
            s.finish(summary)


def _iter(records: Any, name: str, mem_name: str) -> Any:
    if isinstance(records, MemorySink):
        return getattr(records, mem_name)
    return getattr(records, name)()


def replay(records: Any, sink: RunSink, *, finish: bool = True) -> None:
    """Feed a run's records (a :class:`~predtrade.persistence.StoredRun` or a :class:`MemorySink`)
    into ``sink``, table by table: markets, orders, fills, transitions, decisions, PnL, blocks,
    latencies; then ``finish`` with the run's stored summary."""
    if records.info is None:
        raise ValueError("run has no RunInfo (was it started?)")
    sink.start(records.info)
    for name, mem, method in (
        ("markets", "markets", sink.market),
        ("orders", "orders", sink.order),
        ("fills", "fills", sink.fill),
        ("transitions", "transitions", sink.transition),
        ("decisions", "decisions", sink.decision),
        ("pnl", "pnl_points", sink.pnl),
        ("blocked", "blocks", sink.blocked),
        ("latencies", "latencies", sink.latency),
    ):
        for rec in _iter(records, name, mem):
            method(rec)
    if finish:
        sink.finish(records.summary or {})


def summarize(records: Any) -> dict[str, Any]:
    """The summary of a stored (or in-memory) run, by the same accumulator the run itself used;
    runner fields of the stored summary (events, elapsed time) are kept."""
    m = MetricsSink()
    replay(records, m)
    return m.summary()
