"""Decision parity of two runs."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from predtrade.persistence import RunStore, SqliteSink, compare_decisions

from . import factory as f


def _log(n: int = 6) -> list:
    # two markets deciding at the same instants, as a multi-market run does
    out = []
    for i in range(n):
        out.append(f.decision(2 * i, ts=f.T0 + i * f.SEC, market="m1", reason=f"m1 #{i}"))
        out.append(
            f.decision(
                2 * i + 1,
                ts=f.T0 + i * f.SEC,
                market="m2",
                snapshot_hash=f"x{i}",
                decision_hash=f"y{i}",
                reason=f"m2 #{i}",
            )
        )
    return out


def test_identical_logs_match_100_percent() -> None:
    res = compare_decisions(_log(), _log())
    assert res.match_rate == 1.0
    assert res.identical and res.first_divergence is None
    assert (res.decisions_a, res.decisions_b, res.paired, res.matched) == (12, 12, 12, 12)


def test_a_changed_decision_is_reported_at_its_seq() -> None:
    b = _log()
    b[7] = msgspec.structs.replace(b[7], decision_hash="other", reason="changed my mind")
    res = compare_decisions(_log(), b)
    assert res.matched == 11 and res.decision_mismatch == 1
    assert res.match_rate == pytest.approx(11 / 12)
    d = res.first_divergence
    assert d is not None
    assert (d.kind, d.seq_a, d.seq_b, d.market) == ("decision", 7, 7, "m2")
    assert (d.reason_a, d.reason_b) == ("m2 #3", "changed my mind")
    assert d.ts == f.T0 + 3 * f.SEC


def test_different_inputs_are_not_counted_as_different_decisions() -> None:
    b = _log()
    b[4] = msgspec.structs.replace(b[4], snapshot_hash="moved", decision_hash="other")
    res = compare_decisions(_log(), b)
    assert res.snapshot_mismatch == 1 and res.decision_mismatch == 0
    assert res.same_snapshot == 11 and res.match_rate == 1.0
    assert not res.identical
    assert res.first_divergence is not None and res.first_divergence.kind == "snapshot"


def test_a_missing_decision_does_not_shift_the_alignment() -> None:
    b = _log()
    del b[2]  # run B skipped m1's decision at t1: every later pair must still line up
    res = compare_decisions(_log(), b)
    assert res.only_a == 1 and res.only_b == 0
    assert res.matched == 11 and res.match_rate == 1.0
    d = res.first_divergence
    assert d is not None and (d.kind, d.seq_a, d.seq_b, d.reason_b) == ("only_a", 2, None, None)


def test_extra_decisions_at_the_end_of_b() -> None:
    a = _log(3)
    res = compare_decisions(a, _log(4))
    assert res.only_b == 2 and res.matched == 6
    assert res.first_divergence is not None and res.first_divergence.seq_b == 6


def test_empty_logs() -> None:
    res = compare_decisions([], [])
    assert res.match_rate is None and res.identical
    assert res.to_dict()["match_rate"] is None


def test_stored_runs_compare_through_the_store(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        for rid, log in (("a", _log()), ("b", _log())):
            sink = SqliteSink(store, batch=5)
            sink.start(f.info(run_id=rid))
            for d in log:
                sink.decision(d)
            sink.finish({})
        res = compare_decisions(store.load_run("a").decisions(), store.load_run("b").decisions())
        assert res.to_dict()["match_rate"] == 1.0 and res.paired == 12
