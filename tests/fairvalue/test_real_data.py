"""The real recordings under ``../shared/data`` (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from predtrade.cli import main
from tests.fairvalue._independent import scorable_rounds

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
LIG = SHARED / "ligengxin_pm_samples"
HORIZONS = (240, 120, 60, 30, 10)


def need(p: Path) -> Path:
    if not p.exists():
        pytest.skip(f"real data not available: {p} (expected ../shared/data beside the repo)")
    return p


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[type-arg]
    need(SHARED)
    out_dir = tmp_path_factory.mktemp("fv")
    code = main(["fairvalue", "calibrate", "--data", str(SHARED), "--json", "--out", str(out_dir)])
    assert code == 0
    return json.loads((out_dir / "calibration.json").read_text()), out_dir


def test_real_round_count(report) -> None:  # type: ignore[no-untyped-def]
    rep, _d = report
    days = sorted(d for d in need(LIG).iterdir() if d.is_dir())
    resolved, scorable = scorable_rounds(days, HORIZONS)
    assert resolved == 584  # two days of 292 BTC 5m markets, all resolved
    lig = rep["by_source"]["ligengxin"]
    assert rep["primary"] == "ligengxin"
    assert rep["rounds"] == lig["rounds"] == scorable
    assert lig["counts"]["rounds_resolved"] == 584
    assert lig["counts"]["rounds_without_data"] == 584 - scorable
    assert lig["counts"]["no_strike"] == 22  # strike_value null in the vendor files
    assert 500 < scorable < 584
    for h in HORIZONS:
        s = rep["by_horizon"][str(h)]
        assert 500 < s["n"] <= scorable and 0.0 < s["brier"] < 0.25


def test_real_other_sources(report) -> None:  # type: ignore[no-untyped-def]
    rep, _d = report
    assert list(rep["by_source"]) == ["ligengxin", "houssem98", "vinayak", "felix"]
    hou = rep["by_source"]["houssem98"]
    assert hou["rounds"] == 203 and hou["by_horizon"]["240"] is None  # not sampled at 240 s
    assert hou["by_horizon"]["60"]["n"] == hou["by_horizon"]["60"]["market_n"] == 203
    assert rep["by_source"]["vinayak"]["rounds"] == 5  # the five complete 15-minute windows
    felix = rep["by_source"]["felix"]
    assert felix["rounds"] == 20_928 and felix["by_horizon"]["300"]["brier"] == pytest.approx(0.25)
    assert felix["up_rate"] == pytest.approx(10_628 / 20_928)


def test_real_out_writes_plotly_html(report) -> None:  # type: ignore[no-untyped-def]
    _rep, out_dir = report
    html = out_dir / "reliability.html"
    assert html.stat().st_size > 100_000
    text = html.read_text()
    assert "plotly" in text.lower() and "ligengxin" in text and "houssem98" in text
