"""The backtest CLI's plumbing (store, metrics, report, JSON shape, errors, runs, show, parity) with a
small stand-in for ``run_backtest`` that follows its interface and replays the real recording, so
these tests do not depend on the engine's numbers. ``test_cli_backtest.py`` runs the real engine."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from predtrade.backtest.cli import estimate_events
from predtrade.backtest.records import DecisionRecord, FillRecord, MarketRecord, PnlPoint, RunInfo
from predtrade.cli import main
from predtrade.data import open_recording, sample_path
from predtrade.model.events import BookSnapshot, MarketResolved
from tests.backtest._spec import REQUIRED_JSON_KEYS
from tests.data._shared import text_lines, write

REQUIRED = REQUIRED_JSON_KEYS


def fake_run_backtest(
    recording: Any,
    strategy: Any,
    *,
    venue_factory: Any,
    engine_config: Any,
    risk_config: Any,
    sink: Any,
    progress: Any = None,
    progress_every: int = 1000,
    run_id: str | None = None,
) -> dict:
    """Replays ``recording``: one decision per book snapshot (hashes derived from the event, so two
    replays agree), a fill every 50th snapshot, a PnL point every 20th, markets resolved."""
    from predtrade.book import BookStore

    markets = recording.markets()
    venue_factory(markets, BookStore())  # the CLI's factory must build a venue from these
    cash = int(engine_config.initial_cash * 1_000_000)
    sink.start(
        RunInfo(
            run_id=run_id or "runner-id",
            mode="backtest",
            strategy=strategy.name,
            strategy_version=strategy.version,
            config={},
            config_hash="h",
            data=str(recording.path),
            data_format=recording.format,
            started_at=1,
            initial_cash=cash,
        )
    )
    for m in markets.values():
        sink.market(
            MarketRecord(
                condition_id=m.condition_id,
                slug=m.slug or m.condition_id,
                token_ids=m.token_ids,
                outcomes=m.outcomes,
                end_ts=m.end_ts,
            )
        )
    n = snaps = 0
    for ev in recording.events():
        n += 1
        if progress is not None and n % progress_every == 0:
            progress(n, ev.ts_local)
        if isinstance(ev, MarketResolved) and ev.market in markets:
            m = markets[ev.market]
            sink.market(
                MarketRecord(
                    condition_id=m.condition_id,
                    slug=m.slug or m.condition_id,
                    token_ids=m.token_ids,
                    outcomes=m.outcomes,
                    winning_outcome=ev.winning_outcome,
                    settled_pnl=snaps,
                )
            )
        if not isinstance(ev, BookSnapshot):
            continue
        snaps += 1
        h = hashlib.sha1(f"{ev.asset_id}{ev.ts_local}{ev.bids[:1]}".encode()).hexdigest()[:16]
        bid = ev.bids[0][0] if ev.bids else 1
        sink.decision(
            DecisionRecord(
                seq=snaps,
                ts=ev.ts_local,
                market=ev.market,
                snapshot_hash=h,
                decision_hash=h[::-1],
                reason="quote",
                fair_value=0.5,
                mid=2 * bid,
                n_quotes=2,
                n_immediate=0,
                actions=0,
            )
        )
        if snaps % 50 == 0:
            m = markets.get(ev.market)
            label = m.label_of(ev.asset_id) if m else "Up"
            sink.fill(
                FillRecord(
                    ts=ev.ts_local,
                    client_order_id=f"o{snaps}",
                    trade_id=f"t{snaps}",
                    market=ev.market,
                    asset_id=ev.asset_id,
                    outcome=label or "Up",
                    side="BUY",
                    price=max(1, bid),
                    size=5_000_000,
                    fee=0,
                    liquidity="MAKER",
                    source="book",
                )
            )
        if snaps % 20 == 0:
            sink.pnl(
                PnlPoint(
                    ts=ev.ts_local,
                    cash=cash,
                    equity=cash - snaps,
                    realized=0,
                    unrealized=-snaps,
                    fees=0,
                    reserved=0,
                    positions={"Up": snaps},
                )
            )
    summary = {"events": n, "elapsed_s": 0.5}
    sink.finish(summary)
    return summary


@pytest.fixture(autouse=True)
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = types.ModuleType("predtrade.backtest.runner")
    mod.run_backtest = fake_run_backtest  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "predtrade.backtest.runner", mod)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def backtest_json(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    *extra: str,
    source: tuple[str, ...] = ("--sample", "btc15m"),
) -> dict:
    code, out, err = run(capsys, "backtest", *source, "--out", str(tmp_path / "out"), "--json", *extra)
    assert code == 0, err
    assert out.count("\n") == 1  # exactly one JSON object on stdout
    return json.loads(out)


def test_backtest_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = backtest_json(capsys, tmp_path)
    assert set(REQUIRED) <= set(s)
    events = sum(1 for _ in open_recording(sample_path("btc15m")).events())
    assert s["events"] == events and s["events_per_second"] == events / 0.5
    snapshots = sum(1 for e in open_recording(sample_path("btc15m")).events() if isinstance(e, BookSnapshot))
    assert s["fills"] == snapshots // 50
    assert sum(v for sides in s["fills_by_outcome_side"].values() for v in sides.values()) == s["fills"]
    assert set(s["fills_by_outcome_side"]) == {"Up", "Down"}
    for key in ("volume", "fees", "pnl", "max_drawdown"):
        assert isinstance(s[key], str), key  # money as decimal strings
    assert s["run_id"].startswith("bt-") and s["run_id"].endswith(tuple("0123456789abcdef"))
    report = Path(s["report"])
    assert report.is_file() and report.parent == tmp_path / "out"
    assert "Fills by outcome and side" in report.read_text(encoding="utf-8")
    # the run is stored under the CLI's id in <out>/predtrade_runs.sqlite, with the summary
    db = tmp_path / "out" / "predtrade_runs.sqlite"
    with sqlite3.connect(db) as conn:
        (rid, summary) = conn.execute("SELECT run_id, summary FROM runs").fetchone()
    assert rid == s["run_id"] and json.loads(summary)["fills"] == s["fills"]


def test_backtest_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "backtest", "--sample", "btc15m", "--out", str(tmp_path))
    assert code == 0
    flat = " ".join(out.split())
    assert "BACKTEST bt-" in flat and "FILLS BY OUTCOME AND SIDE" in flat and "report: " in flat
    assert "orders per fill" in flat and "Brier" in flat


def test_cash_option_sets_the_initial_cash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert backtest_json(capsys, tmp_path, "--cash", "250.5")["initial_cash"] == "250.5"


@pytest.mark.parametrize("cash", ["abc", "-5", "1.0000001"])
def test_bad_cash_is_a_usage_error(tmp_path: Path, cash: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["backtest", "--sample", "btc15m", "--out", str(tmp_path), "--cash", cash])
    assert exc.value.code == 2


def test_show_re_renders_and_matches_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = backtest_json(capsys, tmp_path)
    Path(s["report"]).unlink()
    code, out, err = run(
        capsys,
        "backtest-show",
        s["run_id"],
        "--db",
        str(tmp_path / "out" / "predtrade_runs.sqlite"),
        "--out",
        str(tmp_path / "again"),
        "--json",
    )
    assert code == 0, err
    shown = json.loads(out)
    assert Path(shown["report"]).is_file() and Path(shown["report"]).parent == tmp_path / "again"
    for key in REQUIRED:
        if key != "report":
            assert shown[key] == s[key], key


def test_runs_lists_stored_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = backtest_json(capsys, tmp_path)
    b = backtest_json(capsys, tmp_path, "--strategy", "bands")
    db = str(tmp_path / "out" / "predtrade_runs.sqlite")
    code, out, _err = run(capsys, "runs", "--db", db, "--json")
    rows = json.loads(out)
    assert code == 0 and [r["run_id"] for r in rows] == [a["run_id"], b["run_id"]]
    assert (
        rows[1]["strategy"].startswith("bands")
        and rows[0]["pnl"] == a["pnl"]
        and rows[0]["fills"] == a["fills"]
    )
    code, out, _err = run(capsys, "runs", "--db", db)
    assert code == 0 and "STORED RUNS (2)" in out and a["run_id"] in out


def test_parity_of_two_runs_of_one_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = backtest_json(capsys, tmp_path), backtest_json(capsys, tmp_path)
    db = tmp_path / "out" / "predtrade_runs.sqlite"
    code, out, _err = run(capsys, "parity", a["run_id"], b["run_id"], "--db", str(db), "--json")
    res = json.loads(out)
    assert code == 0 and res["match_rate"] == 1.0 and res["identical"] and res["first_divergence"] is None
    # change one decision of B: reported at its seq, exit status 1
    with sqlite3.connect(db) as conn:
        key = conn.execute("SELECT id FROM runs WHERE run_id = ?", (b["run_id"],)).fetchone()[0]
        conn.execute(
            "UPDATE decisions SET decision_hash = 'x', reason = 'changed' WHERE run = ? AND seq = 37", (key,)
        )
    code, out, _err = run(capsys, "parity", a["run_id"], b["run_id"], "--db", str(db), "--json")
    res = json.loads(out)
    assert code == 1 and res["decision_mismatch"] == 1 and res["match_rate"] < 1.0
    assert res["first_divergence"]["seq_a"] == 37 and res["first_divergence"]["reason_b"] == "changed"
    code, out, _err = run(capsys, "parity", a["run_id"], b["run_id"], "--db", str(db))
    flat = " ".join(out.split())
    assert code == 1 and "first divergence" in flat and "seq 37" in flat and "'changed'" in flat


def test_corrupt_recording_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = text_lines(sample_path("btc15m"))[:200]
    lines[120] = lines[120][: len(lines[120]) // 2]  # a line cut in half
    p = write(tmp_path / "orderbook_2026-03-23.csv", lines)
    code, out, err = run(capsys, "backtest", "--data", str(p), "--out", str(tmp_path / "out"), "--json")
    assert code == 2 and out == ""
    assert err.startswith(f"predtrade: error: {p}:121: ") and err.count("\n") == 1
    # the half-written run was not kept
    code, out, _err = run(capsys, "runs", "--db", str(tmp_path / "out" / "predtrade_runs.sqlite"), "--json")
    assert json.loads(out) == []
    # with --skip-bad the same file runs
    s = backtest_json(capsys, tmp_path, "--skip-bad", source=("--data", str(p)))
    assert s["events"] > 0 and s["bad_lines"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--strategy", "nope"], "unknown strategy 'nope'", id="unknown-strategy"),
        pytest.param(["--config", "/nonexistent.toml"], "no such config file", id="missing-config"),
    ],
)
def test_config_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "backtest", "--sample", "btc15m", "--out", str(tmp_path), *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_bad_config_values_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "amm.toml"
    cfg.write_text("no_such_setting = 3\n")
    code, _out, err = run(
        capsys, "backtest", "--sample", "btc15m", "--config", str(cfg), "--out", str(tmp_path)
    )
    assert code == 2 and err.count("\n") == 1 and str(cfg) in err


@pytest.mark.parametrize("cmd", [["backtest-show", "nope"], ["runs"], ["parity", "a", "b"]])
def test_missing_store_or_run_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cmd: list[str]
) -> None:
    code, _out, err = run(capsys, *cmd, "--db", str(tmp_path / "none.sqlite"))
    assert code == 2 and "no run store" in err and err.count("\n") == 1
    assert not (tmp_path / "none.sqlite").exists()  # looking does not create a store


def test_show_unknown_run_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backtest_json(capsys, tmp_path)
    code, _out, err = run(
        capsys, "backtest-show", "zzz", "--db", str(tmp_path / "out" / "predtrade_runs.sqlite")
    )
    assert code == 2 and "'zzz' is not stored" in err


@pytest.mark.parametrize("name", ["btc1h", "btc15m", "btc15m-ticks", "btc5m-outcomes"])
def test_event_estimate_is_close(name: str) -> None:
    path = sample_path(name)
    actual = sum(1 for _ in open_recording(path).events())
    est = estimate_events(path, sample_lines=100)
    assert est is not None and abs(est - actual) <= 0.25 * actual


def test_event_estimate_gives_up_quietly(tmp_path: Path) -> None:
    assert estimate_events(tmp_path) is None  # a folder
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01" * 100)
    assert estimate_events(junk) is None
