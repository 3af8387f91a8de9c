"""``predtrade bench``: argument parsing, the command it runs, the JSON key mapping and the error
outside a source checkout. Nothing here runs or times a benchmark."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import predtrade
from predtrade import benchcli
from predtrade.benchcli import JSON_KEYS, BenchError, benchmarks_dir, build_command, summarize
from predtrade.cli import build_parser, main


def _args(*argv: str):
    return build_parser().parse_args(["bench", *argv])


@pytest.mark.parametrize(
    ("argv", "tail"),
    [
        pytest.param((), [], id="defaults"),
        pytest.param(("--json",), ["--json"], id="json"),
        pytest.param(("--quick",), ["--quick"], id="quick"),
        pytest.param(("--only", "decision"), ["decision"], id="one-only"),
        pytest.param(
            ("--json", "--quick", "--only", "replay", "--only", "nautilus"),
            ["--json", "--quick", "replay", "nautilus"],
            id="everything",
        ),
    ],
)
def test_options_become_the_benchmarks_command_line(argv, tail):
    args = _args(*argv)
    assert args.func is benchcli.cmd_bench
    assert build_command(args, python="py") == ["py", "-m", "benchmarks", *tail]


def test_unknown_option_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        _args("--fast")
    assert exc.value.code == 2
    assert "--fast" in capsys.readouterr().err


def _row(name, value, key="", unit="x"):
    return {"name": name, "value": value, "unit": unit, "note": "", "key": key}


def test_summary_has_exactly_the_headline_keys_then_every_row():
    rows = [
        _row("decision p50", 18.5, "decision_p50_us", "us"),
        _row("decision p99", 77.0, "decision_p99_us", "us"),
        _row("book: delta applied + best bid/ask read (set_level)", 140.0, unit="ns/op"),
        _row("replay 1M", 260_000, "replay_events_per_s", "events/s"),
        _row("replay 1M rss", 61.5, "replay_peak_rss_mb", "MB"),
        _row("book ratio", 2.4, "nautilus_book_ratio"),
        _row("backtest ratio", 2.1, "nautilus_backtest_ratio"),
        _row("sim submit + advance", 900.0, unit="ns/op"),
    ]
    out = summarize(rows)
    assert list(out) == [*JSON_KEYS, "results"]
    assert out["decision_p50_us"] == 18.5
    assert out["decision_p99_us"] == 77.0
    assert out["book_delta_ns"] == 140.0  # an older row without a key, recognised by its name
    assert out["replay_events_per_s"] == 260_000
    assert out["replay_peak_rss_mb"] == 61.5
    assert out["nautilus_book_ratio"] == 2.4
    assert out["nautilus_backtest_ratio"] == 2.1
    assert [r["name"] for r in out["results"]] == [r["name"] for r in rows]


def test_missing_or_unmeasured_numbers_are_null():
    rows = [
        _row("decision p50", 20.0, "decision_p50_us"),
        _row("book ratio", None, "nautilus_book_ratio"),  # NautilusTrader not set up
    ]
    out = summarize(rows)
    assert out["decision_p50_us"] == 20.0
    assert out["nautilus_book_ratio"] is None
    assert out["nautilus_backtest_ratio"] is None
    assert out["replay_events_per_s"] is None
    assert out["book_delta_ns"] is None


def test_first_row_with_a_key_wins_and_unknown_keys_stay_in_results_only():
    rows = [
        _row("replay 1M", 250_000, "replay_events_per_s"),
        _row("replay again", 1.0, "replay_events_per_s"),
        _row("evaluate", 9.0, "amm_evaluate_p50_us"),
    ]
    out = summarize(rows)
    assert out["replay_events_per_s"] == 250_000
    assert "amm_evaluate_p50_us" not in out
    assert out["results"][2]["key"] == "amm_evaluate_p50_us"


def test_benchmarks_dir_of_this_checkout():
    bench = benchmarks_dir()
    assert bench.name == "benchmarks"
    assert (bench / "__main__.py").is_file()
    assert bench.parent == Path(predtrade.__file__).resolve().parents[2]


def test_benchmarks_dir_refuses_an_installed_package(tmp_path):
    pkg = tmp_path / "site-packages" / "predtrade" / "__init__.py"
    pkg.parent.mkdir(parents=True)
    pkg.touch()
    with pytest.raises(BenchError, match="source checkout") as exc:
        benchmarks_dir(pkg)
    assert exc.value.exit_code == 2


def test_benchmarks_dir_needs_the_runner_not_just_a_folder(tmp_path):
    pkg = tmp_path / "src" / "predtrade" / "__init__.py"
    pkg.parent.mkdir(parents=True)
    pkg.touch()
    (tmp_path / "benchmarks").mkdir()
    with pytest.raises(BenchError):
        benchmarks_dir(pkg)
    (tmp_path / "benchmarks" / "__main__.py").touch()
    assert benchmarks_dir(pkg) == tmp_path / "benchmarks"


def test_cli_exits_2_with_one_line_outside_a_checkout(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "lib" / "predtrade" / "__init__.py"
    fake.parent.mkdir(parents=True)
    fake.touch()
    monkeypatch.setattr(predtrade, "__file__", str(fake))
    called = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: called.append(a))
    assert main(["bench", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("predtrade: error:") and "source checkout" in err
    assert called == []  # nothing was started


def test_cli_runs_the_suite_from_the_repository_root(monkeypatch):
    calls = []

    class Done:
        returncode = 3

    def fake_run(cmd, **kw):
        calls.append((cmd, kw))
        return Done()

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert main(["bench", "--quick", "--only", "book"]) == 3  # the suite's exit code is passed on
    (cmd, kw), = calls
    assert cmd[1:] == ["-m", "benchmarks", "--quick", "book"]
    assert kw["cwd"] == benchmarks_dir().parent
