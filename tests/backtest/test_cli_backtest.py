"""``predtrade backtest`` end to end with the real engine and simulated venue (bundled samples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from predtrade.backtest.metrics import MetricsSink, TeeSink
from predtrade.backtest.records import MemorySink
from predtrade.backtest.runner import run_backtest
from predtrade.cli import main
from predtrade.data import open_recording, sample_path
from predtrade.strategies import build_strategy
from predtrade.venues.sim import SimVenue
from tests.backtest._spec import REQUIRED_JSON_KEYS
from tests.data._shared import text_lines, write

REQUIRED = REQUIRED_JSON_KEYS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("bt")
    summaries = []
    for _ in range(2):
        cap = _Capture()
        with cap:
            code = main(["backtest", "--sample", "btc15m", "--strategy", "amm", "--out", str(out), "--json"])
        assert code == 0, cap.err
        summaries.append(json.loads(cap.out))
    return out, summaries


class _Capture:
    """stdout/stderr capture for module-scoped fixtures (capsys is function-scoped)."""

    def __enter__(self) -> _Capture:
        import contextlib
        import io

        self._o, self._e = io.StringIO(), io.StringIO()
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(contextlib.redirect_stdout(self._o))
        self._stack.enter_context(contextlib.redirect_stderr(self._e))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self.out, self.err = self._o.getvalue(), self._e.getvalue()


def test_backtest_json_has_the_promised_keys(stored: tuple[Path, list[dict]]) -> None:
    out, (s, _) = stored
    assert set(REQUIRED) <= set(s)
    assert s["events"] == sum(1 for _ in open_recording(sample_path("btc15m")).events())
    assert isinstance(s["events_per_second"], int | float) and s["events_per_second"] > 0
    for key in ("volume", "fees", "pnl", "max_drawdown", "realized_pnl", "settled_pnl"):
        assert isinstance(s[key], str), key
    assert set(s["fills_by_outcome_side"]) == {"Up", "Down"}
    assert sum(n for sides in s["fills_by_outcome_side"].values() for n in sides.values()) == s["fills"]
    assert s["fills"] > 0 and s["orders_placed"] >= s["orders_cancelled"]
    assert s["markets_resolved"] == 3 and s["brier"] is not None
    assert Path(s["report"]).is_file() and Path(s["report"]).parent == out
    assert (out / "predtrade_runs.sqlite").is_file()


def test_two_runs_of_one_config_agree_and_have_full_parity(
    stored: tuple[Path, list[dict]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, (a, b) = stored
    assert a["run_id"] != b["run_id"]
    for key in REQUIRED:
        if key not in ("run_id", "report", "events_per_second"):
            assert a[key] == b[key], key
    code, text, _err = run(
        capsys, "parity", a["run_id"], b["run_id"], "--db", str(out / "predtrade_runs.sqlite"), "--json"
    )
    res = json.loads(text)
    assert code == 0
    assert res["match_rate"] == 1.0 and res["identical"] and res["first_divergence"] is None
    assert res["decisions_a"] == res["decisions_b"] == res["matched"] > 0


def test_backtest_show_re_renders_the_stored_run(
    stored: tuple[Path, list[dict]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, (a, _) = stored
    code, text, err = run(
        capsys,
        "backtest-show",
        a["run_id"],
        "--db",
        str(out / "predtrade_runs.sqlite"),
        "--out",
        str(tmp_path),
        "--json",
    )
    assert code == 0, err
    shown = json.loads(text)
    assert Path(shown["report"]).parent == tmp_path and Path(shown["report"]).is_file()
    for key in REQUIRED:
        if key != "report":
            assert shown[key] == a[key], key
    code, text, _err = run(
        capsys, "backtest-show", "latest", "--db", str(out / "predtrade_runs.sqlite"), "--out", str(tmp_path)
    )
    assert code == 0 and "FILLS BY OUTCOME AND SIDE" in text


def test_runs_lists_both(stored: tuple[Path, list[dict]], capsys: pytest.CaptureFixture[str]) -> None:
    out, (a, b) = stored
    code, text, _err = run(capsys, "runs", "--db", str(out / "predtrade_runs.sqlite"), "--json")
    rows = {r["run_id"]: r for r in json.loads(text)}
    assert code == 0 and {a["run_id"], b["run_id"]} <= set(rows)
    assert rows[a["run_id"]]["pnl"] == a["pnl"] and rows[a["run_id"]]["fills"] == a["fills"]


def test_corrupt_recording_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = text_lines(sample_path("btc15m"))[:400]
    lines[300] = lines[300][:40]  # a truncated row
    p = write(tmp_path / "orderbook_2026-03-23.csv.gz", lines, gz=True)
    code, out, err = run(capsys, "backtest", "--data", str(p), "--out", str(tmp_path / "o"), "--json")
    assert code == 2 and out == ""
    assert err.startswith(f"predtrade: error: {p}:301: ") and err.count("\n") == 1


@pytest.mark.parametrize("strategy", ["amm", "bands", "momentum"])
@pytest.mark.parametrize("sample", ["btc15m", "btc15m-ticks", "btc1h"])
def test_metrics_agree_with_the_engines_own_counts(sample: str, strategy: str) -> None:
    """Two independent tallies of one run — the engine's stats and the metrics computed from the
    records it wrote — must agree on every number both have."""
    metrics, mem = MetricsSink(), MemorySink()
    runner = run_backtest(
        open_recording(sample_path(sample)),
        build_strategy(strategy),
        venue_factory=lambda markets, books: SimVenue(markets, books),
        sink=TeeSink(mem, metrics),
    )
    s = metrics.summary()
    for key in (
        "pnl",
        "fees",
        "volume",
        "fills",
        "orders_placed",
        "orders_cancelled",
        "orders_rejected",
        "realized_pnl",
        "unrealized_pnl",
        "settled_pnl",
        "final_equity",
        "initial_cash",
        "events",
    ):
        if key in runner:
            assert s[key] == runner[key], key
    nonzero = {o: {k: v for k, v in sides.items() if v} for o, sides in s["fills_by_outcome_side"].items()}
    theirs = {
        o: {k: v for k, v in sides.items() if v} for o, sides in runner["fills_by_outcome_side"].items()
    }
    assert {o: v for o, v in nonzero.items() if v} == {o: v for o, v in theirs.items() if v}
    assert {k: v for k, v in s["fill_sources"].items() if v} == {
        k: v for k, v in runner["fill_sources"].items() if v
    }
