"""The HTML report: sections, figures, the fills table's numbers, offline plotly, downsampling."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from predtrade.backtest.metrics import replay, summarize
from predtrade.backtest.records import MemorySink
from predtrade.backtest.report import _fill_traces, _MinMax, _Outcomes, _series, render_report, report_html
from predtrade.persistence import RunStore, SqliteSink
from tests.persistence import factory as f

SECTIONS = (
    "headline",
    "equity",
    "inventory",
    "fair-value",
    "fills",
    "rounds",
    "latency",
    "blocked",
    "assumptions",
)
FIGURES = ("fig-equity", "fig-inventory", "fig-fair", "fig-latency", "fig-blocked")


def _section(page: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', page, re.S)
    assert m, f"no section {sid}"
    return m.group(1)


@pytest.fixture(scope="module")
def stored_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("report")
    with RunStore(tmp / "runs.sqlite") as store:
        replay(f.full_run("bt-1"), SqliteSink(store))
        path = render_report(store.load_run("bt-1"), tmp / "out")
    return path, path.read_text(encoding="utf-8")


def test_report_is_written_under_out_dir_named_by_run(stored_page: tuple[Path, str]) -> None:
    path, page = stored_page
    assert path.name == "report_bt-1.html" and path.parent.name == "out"
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Backtest · amm v3 · btc15m.csv.gz</title>" in page


def test_every_section_and_figure_is_there(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    for sid in SECTIONS:
        _section(page, sid)
    for div in FIGURES:
        assert f'id="{div}"' in page


def test_plotly_is_inlined_once_so_the_page_works_offline(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    assert page.count("plotly.js v") == 1  # the library itself, once
    assert page.count("Plotly.newPlot(") == len(FIGURES)
    assert "<script src=" not in page  # nothing loaded from the network


def test_fills_table_numbers(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    table = _section(page, "fills")
    # full_run: Up BUY fills of 1, 2, 3 shares at 0.45, 0.4501, 0.4502 -> avg 27008/6 = 0.4501 (half-up);
    # Down SELL one fill of 10 shares at 0.45
    up = re.search(r"Up</td>(.*?)</tr>", table, re.S)
    down = re.search(r"Down</td>(.*?)</tr>", table, re.S)
    assert up and down
    cells = lambda row: re.findall(r"<td>(.*?)</td>", row)  # noqa: E731
    assert cells(up.group(1)) == ["3", "6", "0.4501", "0", "0", "—"]
    assert cells(down.group(1)) == ["0", "0", "—", "1", "10", "0.45"]
    # fill sources: three from trade prints, one from the book moving through us
    assert re.search(r"<td>book</td><td>1</td>", table) and re.search(r"<td>trade</td><td>3</td>", table)


def test_headline_numbers(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    head = _section(page, "headline")
    # equity 1000 -> 1010 -> 990 -> 1005: pnl +5, drawdown 20; fees 1234 - 1234 + 1234 (+0 for the 4th)
    assert "5.00 USDC" in head and "20.00 USDC" in head
    assert "0.001234" in head
    assert "Orders per fill" in head and "0.75" in head  # 3 orders / 4 fills
    assert "Events / s" in head and "2468.0" in head  # 1234 events in 0.5 s


def test_assumptions_and_config_are_shown(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    sim = _section(page, "assumptions")
    assert "RiskAverse" in sim and "latency_ms" in sim and "abc123" in sim
    assert "&quot;spread&quot;: &quot;0.02&quot;" in sim


def test_blocked_gates_and_markets(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    assert "max_position" in _section(page, "blocked")
    rounds = _section(page, "rounds")
    assert "btc-updown-15m-m1" in rounds and "-5" in rounds


def test_memory_run_renders_the_same_page_as_the_stored_run(stored_page: tuple[Path, str]) -> None:
    _, page = stored_page
    strip = lambda p: re.sub(r'"[0-9a-f-]{36}"', "", p)  # noqa: E731  plotly's random uuids
    assert strip(report_html(f.full_run("bt-1"))) == strip(page)


def test_user_text_is_escaped(tmp_path: Path) -> None:
    run = f.full_run()
    run.info = msgspec.structs.replace(run.info, strategy="<script>alert(1)</script>")
    page = report_html(run)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_an_empty_run_still_renders(tmp_path: Path) -> None:
    run = MemorySink()
    run.start(f.info(run_id="empty"))
    run.finish({})
    page = render_report(run, tmp_path).read_text(encoding="utf-8")
    assert "no PnL points recorded" in page and "no decisions recorded" in page
    assert "no latencies recorded" in page and "no action was blocked" in page


def test_downsampling_keeps_extremes_and_bounds_points() -> None:
    n = 10_000
    ds = _MinMax(n, 200)
    for i in range(n):
        ds.add(i, -500.0 if i == 6_543 else float(i % 7))
    ds.done()
    assert len(ds.x) <= 200
    assert -500.0 in ds.y and 6_543 in ds.x  # the spike survives
    assert ds.x == sorted(ds.x)  # still in time order


def test_short_series_are_not_downsampled() -> None:
    ds = _MinMax(3, 200)
    for i in range(3):
        ds.add(i, float(i))
    assert ds.done().y == [0.0, 1.0, 2.0]


def test_long_series_are_bounded_and_keep_the_trough() -> None:
    run = MemorySink()
    run.start(f.info())
    for i in range(20_000):
        eq = 1000 + (i % 50) - (300 if i == 12_345 else 0)
        run.pnl(f.pnl(f.T0 + i * f.SEC, eq * f.USDC, positions={"Up": (i % 13) * f.USDC}))
    s = _series(run, summarize(run), 400)
    assert 0 < len(s["equity"].y) <= 400 and 0 < len(s["inventory"]["Up"].y) <= 400
    assert min(s["equity"].y) == 1000 + 12_345 % 50 - 300  # the one-point dip is drawn
    assert min(s["drawdown"].y) == -(1049 - (1000 + 12_345 % 50 - 300))  # from the peak 1049
    assert max(s["inventory"]["Up"].y) == 12


def test_down_fills_are_drawn_on_the_up_probability_axis() -> None:
    run = MemorySink()
    run.start(f.info())
    run.market(f.market("m1"))
    run.fill(f.fill(0, outcome="Down", asset_id=f"m1-{f.DOWN}", side="BUY", price=3000))
    run.fill(f.fill(1, outcome="Up", asset_id=f"m1-{f.UP}", side="SELL", price=7100))
    traces = {t["name"]: t for t in _fill_traces(run, _Outcomes(run.markets))}
    assert traces["buy Down"]["y"] == [0.7] and traces["buy Down"]["symbol"] == "triangle-up"
    assert traces["sell Up"]["y"] == [0.71] and traces["sell Up"]["symbol"] == "triangle-down"
    assert traces["buy Down"]["colour"] != traces["sell Up"]["colour"]
