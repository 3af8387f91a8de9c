"""``predtrade data info`` and ``predtrade data samples``."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from predtrade.cli import main
from predtrade.data import SAMPLES, sample_path
from tests.data._shared import text_lines, write


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_json_counts_span_markets_assets(capsys) -> None:  # type: ignore[no-untyped-def]
    path = sample_path("btc15m")
    rows = list(csv.DictReader(text_lines(path)))
    code, out, err = run(capsys, "data", "info", str(path), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["format"] == "vinayak-orderbook"
    windows = {r["window_slug"] for r in rows}
    assert info["by_type"] == {
        "BookSnapshot": 2 * len(rows),
        "ReferencePrice": len(rows),
        "MarketResolved": len(windows),
    }
    assert info["events"] == sum(info["by_type"].values())
    assert info["start_ms"] == int(rows[0]["ts_ms"])
    # the last event is the resolution of the last window at its end (after its last row)
    assert info["end_ms"] == max(int(rows[-1]["ts_ms"]), int(rows[-1]["window_end_ts"]) * 1000)
    assert info["start"].startswith("2026-03-23T04:4") and info["start"].endswith("Z")
    assert info["markets"] == len(windows)
    assert info["assets"] == len({r["yes_token_id"] for r in rows} | {r["no_token_id"] for r in rows})
    assert info["bad_lines"] == 0


def test_info_table(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _err = run(capsys, "data", "info", str(sample_path("btc5m-chainlink")))
    assert code == 0
    flat = " ".join(out.split())
    assert "ligengxin-day" in flat and "ReferencePrice" in flat and "MarketResolved" in flat
    assert "2026-06-08T00:00" in flat


def test_info_skip_bad_counts(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    lines = text_lines(sample_path("btc15m-ticks"))[:300]
    lines[50] = "garbage"
    lines[150] = lines[150].replace(",book,", ",bogus,")
    p = write(tmp_path / "ticks.csv", lines)
    code, _out, err = run(capsys, "data", "info", str(p))
    assert code == 2 and err.strip().startswith(f"predtrade: error: {p}:51: ")
    code, out, _err = run(capsys, "data", "info", str(p), "--json", "--skip-bad")
    info = json.loads(out)
    assert code == 0 and info["bad_lines"] == 2 and info["events"] == 299 - 2


def test_samples_lists_every_sample(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _err = run(capsys, "data", "samples", "--json")
    assert code == 0
    items = json.loads(out)
    assert [i["name"] for i in items] == list(SAMPLES)
    for it in items:
        assert Path(it["path"]).exists() and it["bytes"] > 0 and it["licence"]
    code, out, _err = run(capsys, "data", "samples")
    assert code == 0 and all(name in out for name in SAMPLES)


def test_info_of_every_sample(capsys) -> None:  # type: ignore[no-untyped-def]
    for name in SAMPLES:
        code, out, err = run(capsys, "data", "info", str(sample_path(name)), "--json")
        assert code == 0, err
        info = json.loads(out)
        assert info["events"] > 0 and info["bad_lines"] == 0
        assert Counter(info["by_type"]).total() == info["events"]


def test_data_without_subcommand_prints_help(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _err = run(capsys, "data")
    assert code == 2 and "info" in out and "samples" in out


def test_compile_writes_a_file_that_info_reads_as_the_source(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src = sample_path("btc15m-ticks")
    dest = tmp_path / "ticks.ptev"
    code, out, err = run(capsys, "data", "compile", str(src), str(dest), "--json")
    assert code == 0, err
    made = json.loads(out)
    assert made["dest"] == str(dest) and made["bytes"] == dest.stat().st_size
    _, a, _ = run(capsys, "data", "info", str(src), "--json")
    _, b, _ = run(capsys, "data", "info", str(dest), "--json")
    want, got = json.loads(a), json.loads(b)
    assert got["format"] == "predtrade-events" and made["events"] == want["events"]
    for k in ("events", "by_type", "start_ms", "end_ms", "markets", "assets", "bad_lines", "counters"):
        assert got[k] == want[k], k
    code, out, _ = run(capsys, "data", "compile", str(src), str(tmp_path / "again.ptev"))
    assert code == 0 and "events" in out


def test_compile_of_a_corrupt_recording_fails_unless_skip_bad(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    lines = text_lines(sample_path("btc15m-ticks"))[:300]
    lines[50] = "garbage"
    p = write(tmp_path / "ticks.csv", lines)
    code, _out, err = run(capsys, "data", "compile", str(p), str(tmp_path / "x.ptev"))
    assert code == 2 and f"{p}:51" in err and not (tmp_path / "x.ptev").exists()
    code, out, _ = run(capsys, "data", "compile", str(p), str(tmp_path / "x.ptev"), "--json", "--skip-bad")
    assert code == 0 and json.loads(out)["bad_lines"] == 1
