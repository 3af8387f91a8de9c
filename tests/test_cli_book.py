"""Acceptance tests of ``predtrade book``: the printed book equals the recorded snapshot at or before
the requested time (compared with the raw row, parsed independently with Decimal), and equals a
snapshot with price changes applied; bad input exits 2 with one ``PATH:LINE: reason`` line."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from predtrade.cli import main
from predtrade.data import format_ws_record, sample_path
from tests.data._shared import BOOKPOLY, WS_FIXTURES, need, text_lines, write

REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1  # exactly one JSON object
    return json.loads(out)


def _decimal_levels(levels: list[list[str]]) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(p), Decimal(s)) for p, s in levels]


def _raw_levels(levels: list[dict]) -> list[tuple[Decimal, Decimal]]:
    return [(lv["p"], lv["s"]) for lv in levels]  # numbers already Decimal (parse_float=Decimal)


# ---- bookpoly: the printed book is the recorded snapshot at or before --at -------------------------


def _bookpoly_rows(path: Path) -> list[dict]:
    return [json.loads(ln, parse_float=Decimal) for ln in text_lines(path)]


BOOKPOLY_SOURCES = [
    pytest.param(lambda: sample_path("btc1h"), id="sample"),
    pytest.param(lambda: need(BOOKPOLY), id="full"),
]


@pytest.mark.parametrize("get_path", BOOKPOLY_SOURCES)
@pytest.mark.parametrize("side", ["yes", "no"])
def test_book_at_times_prints_the_row_at_or_before(capsys, get_path, side: str) -> None:  # type: ignore[no-untyped-def]
    path: Path = get_path()
    rows = _bookpoly_rows(path)
    asset = rows[1][side]["token_id"]
    n = len(rows)
    k1, k2 = n // 3, (2 * n) // 3
    gap = next(k for k in range(k2, n - 1) if rows[k + 1]["ts_ms"] - rows[k]["ts_ms"] > 2)
    cases = [
        (rows[1]["ts_ms"], 1),  # exactly the first row of this market
        (rows[k1]["ts_ms"], k1),  # exactly at a row
        (rows[gap]["ts_ms"] + 1, gap),  # between two rows
        (rows[gap + 1]["ts_ms"] - 1, gap),  # just before the next row
        (rows[-1]["ts_ms"] + 60_000, n - 1),  # after the end
    ]
    for at, k in cases:
        got = run_json(capsys, "book", "--data", str(path), "--asset", asset, "--at", str(at))
        want = rows[k][side]
        assert got["asset_id"] == asset
        assert got["ts"] == rows[k]["ts_ms"], (at, k)
        assert _decimal_levels(got["bids"]) == _raw_levels(want["bids"]), (at, k)
        assert _decimal_levels(got["asks"]) == _raw_levels(want["asks"]), (at, k)
        assert got["outcome"] == ("Up" if side == "yes" else "Down")
        assert got["market"] == rows[k]["condition_id"]
        assert got["needs_resync"] is False


def test_book_default_is_the_latest_markets_first_outcome(capsys) -> None:  # type: ignore[no-untyped-def]
    rows = _bookpoly_rows(sample_path("btc1h"))
    got = run_json(capsys, "book", "--sample", "btc1h")
    # without --asset: the YES (Up) token of the market of the most recent event, at the end
    assert got["asset_id"] == rows[-1]["yes"]["token_id"]
    assert got["ts"] == rows[-1]["ts_ms"]
    assert _decimal_levels(got["bids"]) == _raw_levels(rows[-1]["yes"]["bids"])
    assert _decimal_levels(got["asks"]) == _raw_levels(rows[-1]["yes"]["asks"])


def test_book_default_at_a_time_follows_the_market_then_active(capsys) -> None:  # type: ignore[no-untyped-def]
    rows = _bookpoly_rows(sample_path("btc1h"))
    # at row 1's time only the previous hourly market has been seen (already at 0.001/0.999)
    got = run_json(capsys, "book", "--sample", "btc1h", "--at", str(rows[0]["ts_ms"]))
    assert got["asset_id"] == rows[0]["yes"]["token_id"]
    assert _decimal_levels(got["asks"]) == _raw_levels(rows[0]["yes"]["asks"])
    assert got["bids"] == []


def test_book_depth_limits_levels_best_first(capsys) -> None:  # type: ignore[no-untyped-def]
    rows = _bookpoly_rows(sample_path("btc1h"))
    asset = rows[-1]["yes"]["token_id"]
    got = run_json(capsys, "book", "--sample", "btc1h", "--asset", asset, "--depth", "3")
    assert _decimal_levels(got["bids"]) == _raw_levels(rows[-1]["yes"]["bids"][:3])
    assert _decimal_levels(got["asks"]) == _raw_levels(rows[-1]["yes"]["asks"][:3])
    assert Decimal(got["bids"][0][0]) > Decimal(got["bids"][1][0])
    assert Decimal(got["asks"][0][0]) < Decimal(got["asks"][1][0])


def test_book_before_any_event_is_an_error(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "book", "--sample", "btc1h", "--at", "1000")
    assert code == 2 and out == ""
    assert err.startswith("predtrade: error: ") and "no order book events" in err


def test_book_unknown_asset_is_an_error(capsys) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run(capsys, "book", "--sample", "btc1h", "--asset", "123")
    assert code == 2 and "asset 123" in err and len(err.strip().splitlines()) == 1


def test_book_table_output(capsys) -> None:  # type: ignore[no-untyped-def]
    rows = _bookpoly_rows(sample_path("btc1h"))
    asset = rows[-1]["no"]["token_id"]
    code, out, _err = run(capsys, "book", "--sample", "btc1h", "--asset", asset, "--depth", "5")
    assert code == 0
    assert asset in out and "(Down)" in out
    assert "2026-02-24T00:" in out  # ISO timestamp of the last row
    assert "resync needed: no" in " ".join(out.split())
    best_bid, best_ask = rows[-1]["no"]["bids"][0], rows[-1]["no"]["asks"][0]
    assert str(best_bid["p"]) in out and str(best_ask["p"]) in out


# ---- raw WebSocket recording: snapshot, then price changes -----------------------------------


def _ws_recording(tmp_path: Path) -> tuple[Path, dict, list[tuple[int, list[tuple[str, str, str]]]]]:
    book_text = need(WS_FIXTURES / "book.json").read_text()
    book = json.loads(book_text)
    t_book = int(book["timestamp"])
    changes = [
        # (ms, [(price, side, size)]): remove the best bid, change an ask, add a new best bid
        (t_book + 1_000, [("0.511", "BUY", "0"), ("0.514", "SELL", "500.5"), ("0.512", "BUY", "77")]),
        # then remove the best ask and add a far bid
        (t_book + 2_000, [("0.514", "SELL", "0"), ("0.2", "BUY", "10")]),
    ]
    lines = [format_ws_record(t_book * 1_000_000 + 50_000_000, book_text)]
    for ms, entries in changes:
        msg = {
            "market": book["market"],
            "price_changes": [
                {"asset_id": book["asset_id"], "price": p, "side": s, "size": z, "hash": "x"}
                for p, s, z in entries
            ],
            "event_type": "price_change",
            "timestamp": str(ms),
        }
        lines.append(format_ws_record(ms * 1_000_000 + 50_000_000, json.dumps(msg)))
    p = tmp_path / "market.jsonl"
    p.write_bytes(b"".join(lines))
    return p, book, changes


def _expected_book(book: dict, changes: list) -> tuple[list, list]:
    bids = {Decimal(lv["price"]): Decimal(lv["size"]) for lv in book["bids"]}
    asks = {Decimal(lv["price"]): Decimal(lv["size"]) for lv in book["asks"]}
    for _ms, entries in changes:
        for p, side, size in entries:
            levels = bids if side == "BUY" else asks
            if Decimal(size) == 0:
                levels.pop(Decimal(p), None)
            else:
                levels[Decimal(p)] = Decimal(size)
    return sorted(bids.items(), reverse=True), sorted(asks.items())


def test_book_after_snapshot_and_price_changes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, book, changes = _ws_recording(tmp_path)
    cases = [
        (int(book["timestamp"]) + 50, 0),  # the snapshot only (received 50 ms after its timestamp)
        (changes[0][0] + 500, 1),  # after the first price change
        (None, 2),  # the whole recording
    ]
    for at, n in cases:
        argv = ["book", "--data", str(path)] + (["--at", str(at)] if at is not None else [])
        got = run_json(capsys, *argv)
        want_bids, want_asks = _expected_book(book, changes[:n])
        assert got["asset_id"] == book["asset_id"]
        assert _decimal_levels(got["bids"]) == want_bids, n
        assert _decimal_levels(got["asks"]) == want_asks, n
        assert got["needs_resync"] is False
    # the first change put 0.512 on top; the second removed the best ask 0.514
    assert Decimal(got["bids"][0][0]) == Decimal("0.512")
    assert Decimal(got["asks"][0][0]) == Decimal("0.515")


def test_top_of_book_only_recording_prints_the_bbo(capsys) -> None:  # type: ignore[no-untyped-def]
    rows = [ln.split(",") for ln in text_lines(sample_path("btc15m-ticks"))[1:]]
    up = [r for r in rows if r[3] == "Up" and r[4] == "book"]
    last = max(up, key=lambda r: int(r[1]))  # by receipt time: the replay clock
    got = run_json(capsys, "book", "--sample", "btc15m-ticks", "--asset", "btc-updown-15m-1774125000:Up")
    assert got["top_of_book_only"] is True
    assert got["bids"] == ([[str(Decimal(last[8])), None]] if last[8] else [])
    assert got["asks"] == ([[str(Decimal(last[9])), None]] if last[9] else [])


# ---- bad input ---------------------------------------------------------------------------------


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("predtrade: error: ")
    return lines[0]


def test_missing_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "nope.jsonl"
    code, out, err = run(capsys, "book", "--data", str(p))
    assert code == 2 and out == ""
    assert _one_error_line(err) == f"predtrade: error: {p}: no such file or directory"


def test_unknown_format(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = write(tmp_path / "x.csv", ["a,b", "1,2"])
    code, _out, err = run(capsys, "book", "--data", str(p))
    assert code == 2
    assert _one_error_line(err).startswith(f"predtrade: error: {p}:1: unknown format")


def test_corrupt_line_in_the_middle(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    lines = text_lines(sample_path("btc1h"))[:40]
    lines[20] = lines[20][:300]  # a half-written JSON line
    p = write(tmp_path / "book.jsonl", lines)
    asset = json.loads(lines[1])["yes"]["token_id"]
    code, out, err = run(capsys, "book", "--data", str(p), "--asset", asset)
    assert code == 2 and out == ""
    assert _one_error_line(err).startswith(f"predtrade: error: {p}:21: ")
    # --skip-bad: the line is counted and the book is the last good row
    got = run_json(capsys, "book", "--data", str(p), "--asset", asset, "--skip-bad")
    assert got["bad_lines"] == 1
    assert got["ts"] == json.loads(lines[-1])["ts_ms"]


def test_truncated_gzip(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = gzip.compress("\n".join(text_lines(sample_path("btc1h"))).encode())
    p = tmp_path / "book.jsonl.gz"
    p.write_bytes(data[: len(data) // 2])
    code, _out, err = run(capsys, "book", "--data", str(p), "--at", "1771891300000")
    assert code == 2
    line = _one_error_line(err)
    assert line.startswith(f"predtrade: error: {p}:") and "truncated or corrupt gzip" in line
    got = run_json(capsys, "book", "--data", str(p), "--skip-bad")
    assert got["bad_lines"] == 1


def test_data_and_sample_are_exclusive(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        main(["book", "--data", "x", "--sample", "btc1h"])
    assert info.value.code == 2
    capsys.readouterr()


def test_unknown_sample(capsys) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run(capsys, "book", "--sample", "nope")
    assert code == 2 and "available: btc1h" in _one_error_line(err)


# ---- once through the installed console script --------------------------------------------------


def test_console_script_end_to_end() -> None:
    exe = Path(sys.executable).with_name("predtrade")
    if not exe.exists():
        pytest.skip(f"console script not installed beside {sys.executable}")
    rows = _bookpoly_rows(sample_path("btc1h"))
    asset, at = rows[5]["yes"]["token_id"], rows[5]["ts_ms"]
    proc = subprocess.run(
        [str(exe), "book", "--sample", "btc1h", "--asset", asset, "--at", str(at), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["ts"] == at
    assert _decimal_levels(got["bids"]) == _raw_levels(rows[5]["yes"]["bids"])
    bad = subprocess.run(
        [str(exe), "book", "--data", "/nonexistent/x.jsonl"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "predtrade: error: /nonexistent/x.jsonl: no such file or directory"
