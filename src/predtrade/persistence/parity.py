"""Decision parity: did two runs decide the same things on the same inputs?

Two runs (a replay and the live session it recorded, or two replays of one config) are compared
decision by decision. Decisions are aligned by time: both logs are walked in order, decisions at
the same ``ts`` are paired per market in the order they were made, and a decision the other run
has no partner for is counted as "only in A/B". A pair whose ``snapshot_hash`` matches saw the
same inputs, so its ``decision_hash`` must match too — the match rate is over those pairs. Pairs
whose snapshots differ are counted apart: the inputs diverged (data, fills, timing), which is a
different finding from "same input, different decision". Memory is bounded by the decisions that
share one timestamp.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from itertools import groupby

import msgspec

from ..backtest.records import DecisionRecord

__all__ = ["Divergence", "ParityResult", "compare_decisions"]


class Divergence(msgspec.Struct, frozen=True, kw_only=True):
    """The first place the runs differ. ``kind``: ``"decision"`` (same snapshot, different
    decision), ``"snapshot"`` (different inputs) or ``"only_a"``/``"only_b"`` (no partner)."""

    kind: str
    ts: int
    market: str
    seq_a: int | None
    seq_b: int | None
    reason_a: str | None
    reason_b: str | None


class ParityResult(msgspec.Struct, kw_only=True):
    decisions_a: int = 0
    decisions_b: int = 0
    paired: int = 0
    same_snapshot: int = 0
    matched: int = 0
    decision_mismatch: int = 0
    snapshot_mismatch: int = 0
    only_a: int = 0
    only_b: int = 0
    first_divergence: Divergence | None = None

    @property
    def match_rate(self) -> float | None:
        """Share of same-snapshot pairs whose decisions match (``None`` when there are none)."""
        return self.matched / self.same_snapshot if self.same_snapshot else None

    @property
    def identical(self) -> bool:
        return (
            self.decision_mismatch == 0
            and self.snapshot_mismatch == 0
            and self.only_a == 0
            and self.only_b == 0
        )

    def to_dict(self) -> dict:
        out = msgspec.to_builtins(self)
        out["match_rate"] = self.match_rate
        out["identical"] = self.identical
        return out


def _by_ts(decisions: Iterable[DecisionRecord]) -> Iterator[tuple[int, list[DecisionRecord]]]:
    for ts, group in groupby(decisions, key=lambda d: d.ts):
        yield ts, list(group)


def compare_decisions(a: Iterable[DecisionRecord], b: Iterable[DecisionRecord]) -> ParityResult:
    """Compare two decision logs (each in the order it was written, i.e. by time)."""
    res = ParityResult()
    ia, ib = _by_ts(a), _by_ts(b)
    ga, gb = next(ia, None), next(ib, None)
    while ga is not None or gb is not None:
        if gb is None or (ga is not None and ga[0] < gb[0]):
            _unpaired(res, ga[1], "only_a")  # type: ignore[index]
            ga = next(ia, None)
        elif ga is None or gb[0] < ga[0]:
            _unpaired(res, gb[1], "only_b")
            gb = next(ib, None)
        else:
            _pair_group(res, ga[1], gb[1])
            ga, gb = next(ia, None), next(ib, None)
    return res


def _unpaired(res: ParityResult, group: list[DecisionRecord], kind: str) -> None:
    for d in group:
        if kind == "only_a":
            res.decisions_a += 1
            res.only_a += 1
            _diverge(res, kind, d, None)
        else:
            res.decisions_b += 1
            res.only_b += 1
            _diverge(res, kind, None, d)


def _pair_group(res: ParityResult, ga: list[DecisionRecord], gb: list[DecisionRecord]) -> None:
    queues: dict[str, deque[DecisionRecord]] = defaultdict(deque)
    for d in gb:
        queues[d.market].append(d)
    res.decisions_b += len(gb)
    for da in ga:
        res.decisions_a += 1
        q = queues.get(da.market)
        if not q:
            res.only_a += 1
            _diverge(res, "only_a", da, None)
            continue
        db = q.popleft()
        res.paired += 1
        if da.snapshot_hash != db.snapshot_hash:
            res.snapshot_mismatch += 1
            _diverge(res, "snapshot", da, db)
        else:
            res.same_snapshot += 1
            if da.decision_hash == db.decision_hash:
                res.matched += 1
            else:
                res.decision_mismatch += 1
                _diverge(res, "decision", da, db)
    for q in queues.values():
        for db in q:
            res.only_b += 1
            _diverge(res, "only_b", None, db)


def _diverge(res: ParityResult, kind: str, da: DecisionRecord | None, db: DecisionRecord | None) -> None:
    if res.first_divergence is not None:
        return
    d = da if da is not None else db
    assert d is not None
    res.first_divergence = Divergence(
        kind=kind,
        ts=d.ts,
        market=d.market,
        seq_a=da.seq if da is not None else None,
        seq_b=db.seq if db is not None else None,
        reason_a=da.reason if da is not None else None,
        reason_b=db.reason if db is not None else None,
    )
