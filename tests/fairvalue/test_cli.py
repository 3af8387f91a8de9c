"""``predtrade fairvalue calibrate`` in-process, on the bundled samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from predtrade.cli import main
from predtrade.data import sample_path
from tests.fairvalue._independent import scorable_rounds

HORIZONS = ["240", "120", "60", "30", "10"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["fairvalue", "calibrate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_json_shape_and_round_count(capsys: pytest.CaptureFixture[str]) -> None:
    day = sample_path("btc5m-chainlink")
    code, out, err = run(capsys, "--data", str(day), "--json")
    assert code == 0, err
    assert out.count("\n") == 1  # exactly one JSON object
    rep = json.loads(out)
    assert rep["primary"] == "ligengxin" and list(rep["by_source"]) == ["ligengxin"]
    resolved, scorable = scorable_rounds([day], [int(h) for h in HORIZONS])
    assert scorable > 20
    assert rep["rounds"] == scorable
    assert rep["by_source"]["ligengxin"]["counts"]["rounds_resolved"] == resolved
    assert rep["by_source"]["ligengxin"]["counts"]["rounds_without_data"] == resolved - scorable
    assert list(rep["by_horizon"]) == HORIZONS
    for h in HORIZONS:
        s = rep["by_horizon"][h]
        assert {"brier", "log_loss", "market_brier", "n"} <= s.keys()
        assert 0 < s["n"] <= rep["rounds"]
        assert 0.0 <= s["brier"] <= 0.3
        assert s["log_loss"] > 0.0
        assert s["market_brier"] is None  # no market prices in this source
    # later horizons are better informed: the model must gain on its 240 s self by 10 s
    assert rep["by_horizon"]["10"]["brier"] < rep["by_horizon"]["240"]["brier"]


def test_horizons_option_and_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data", str(sample_path("btc5m-chainlink")), "--horizons", "30,90")
    assert code == 0, err
    assert "ligengxin" in out and "Brier" in out and "reliability" in out
    code, out, err = run(
        capsys, "--data", str(sample_path("btc5m-chainlink")), "--horizons", "30,90", "--json"
    )
    assert list(json.loads(out)["by_horizon"]) == ["90", "30"]


def test_all_bundled_sources_with_market_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    root = sample_path("btc5m-chainlink").parent
    code, out, err = run(capsys, "--data", str(root), "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert list(rep["by_source"]) == ["ligengxin", "vinayak", "felix"]
    assert rep["primary"] == "ligengxin"
    assert rep["rounds"] == rep["by_source"]["ligengxin"]["rounds"]
    vin = rep["by_source"]["vinayak"]
    assert vin["rounds"] == 3  # the sample holds three complete 15-minute windows
    for h in HORIZONS:
        s = vin["by_horizon"][h]
        assert s["market_n"] == s["n"] == 3 and s["market_brier"] is not None
        assert s["bss_vs_market"] == pytest.approx(1 - s["brier_paired"] / s["market_brier"])
    felix = rep["by_source"]["felix"]
    assert felix["by_horizon"]["300"]["brier"] == pytest.approx(0.25)
    assert all(felix["by_horizon"][h] is None for h in HORIZONS)
    assert rep["combined"]["sources"] == ["ligengxin", "vinayak"]
    assert rep["combined"]["rounds"] == rep["rounds"] + 3


def test_out_writes_json_and_offline_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "report"
    code, out, err = run(capsys, "--data", str(sample_path("btc15m")), "--out", str(out_dir), "--json")
    assert code == 0, err
    saved = json.loads((out_dir / "calibration.json").read_text())
    printed = json.loads(out)
    saved.pop("elapsed_s"), printed.pop("elapsed_s")
    assert saved == printed
    html = (out_dir / "reliability.html").read_text()
    assert "plotly" in html and "market 60 s" in html and "model 240 s" in html
    assert '<script src="http' not in html  # plotly.js is inlined


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--data", "/no/such/path"], "no such file or directory", id="missing"),
        pytest.param(["--data", "{tmp}"], "no recognisable source", id="empty-folder"),
        pytest.param(["--data", "{tmp}", "--horizons", "60,x"], "--horizons", id="bad-horizons"),
        pytest.param(["--data", "{tmp}", "--horizons", "60,60"], "twice", id="duplicate-horizons"),
        pytest.param(["--data", "{tmp}", "--halflife", "0"], "--halflife", id="bad-halflife"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("predtrade: error:") and message in err
