"""scripts/build_vol_profile.py: deterministic output, errors, and the committed table is what
the script produces from the real data."""

import csv
import importlib.util
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from predtrade.pricing.vol_profile import VolProfile

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_vol_profile.py"
REAL_DATA = Path("/work/shared/data/felix_btc5m_outcomes/polymarket_btc_5m_enriched.csv")
MONDAY_S = 1_773_619_200


def _load_script():
    spec = importlib.util.spec_from_file_location("build_vol_profile", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _write_csv(path: Path, n_weeks: int = 2) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "date", "hour_utc", "btc_open", "btc_close"])
        rows = []
        for k in range(168 * n_weeks):
            r = (0.002 if k % 24 in (14, 15) else 0.001) * (1 if k % 2 else -1)
            rows.append([MONDAY_S + k * 3600, "x", "x", "70000.0", repr(70000.0 * math.exp(r))])
        w.writerows(reversed(rows))  # unsorted on purpose


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def test_script_is_deterministic_and_output_loads(tmp_path: Path) -> None:
    data = tmp_path / "windows.csv"
    _write_csv(data)
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    assert _run("--data", str(data), "--out", str(out1)).returncode == 0
    assert _run("--data", str(data), "--out", str(out2)).returncode == 0
    assert out1.read_bytes() == out2.read_bytes()
    prof = VolProfile.from_file(out1)
    assert prof.meta["rows"] == 336 and prof.meta["source"] == "windows.csv"
    assert prof.hour_multiplier[15] > 1.0 > prof.hour_multiplier[3]


def test_script_evaluate_prints_the_mode_comparison(tmp_path: Path) -> None:
    data = tmp_path / "windows.csv"
    _write_csv(data, n_weeks=4)
    res = _run("--data", str(data), "--out", str(tmp_path / "p.json"), "--evaluate")
    assert res.returncode == 0, res.stderr
    assert "hour_weekday" in res.stdout and "static" in res.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("timestamp,btc_open\n1,2\n", "missing columns: btc_close", id="missing-column"),
        pytest.param("timestamp,btc_open,btc_close\n1,abc,2\n", ":2: bad row", id="bad-number"),
        pytest.param("timestamp,btc_open,btc_close\n", "no usable windows", id="no-rows"),
    ],
)
def test_script_errors_exit_2_with_a_message(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "bad.csv"
    data.write_text(content, encoding="utf-8")
    out = tmp_path / "p.json"
    res = _run("--data", str(data), "--out", str(out))
    assert res.returncode == 2
    assert message in res.stderr
    assert not out.exists()


@pytest.mark.skipif(not REAL_DATA.exists(), reason="shared data set not present")
def test_committed_profile_is_reproducible_from_the_real_data() -> None:
    mod = _load_script()
    generated = mod.render(mod.build(REAL_DATA))
    committed = (
        resources.files("predtrade.pricing").joinpath("vol_profile_v1.json").read_text(encoding="utf-8")
    )
    assert generated == committed
