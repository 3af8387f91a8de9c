"""Source discovery, the houssem98 ladder loader/evaluator and the felix outcomes-only source."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from statistics import NormalDist

import pytest

from predtrade.data import sample_path
from predtrade.errors import DataError
from predtrade.fairvalue.calibrate import NS_PER_S, ModelConfig
from predtrade.fairvalue.datasets import evaluate_felix, evaluate_houssem, find_sources, load_ladder
from predtrade.pricing import VolProfile

PHI = NormalDist().cdf
PROFILE = VolProfile.load()
CFG = ModelConfig(PROFILE)
W = 1_785_106_200  # window start (s)


def _side(bid: float | None, ask: float | None) -> dict[str, float | None]:
    return {"bid": bid, "ask": ask, "ask_depth": 1.0, "bid_depth": 1.0}


def _sample(offset: int, t: float, spot: float | None, up: dict | None, down: dict | None) -> dict:  # type: ignore[type-arg]
    return {"offset": offset, "t": t, "spot": spot, "delta_pct": 0.0, "up": up, "down": down}


def _ladder(tmp_path: Path, windows: list[dict]) -> Path:  # type: ignore[type-arg]
    p = tmp_path / "ladder.jsonl"
    p.write_text("".join(json.dumps(w) + "\n" for w in windows))
    return p


def _window(samples: list[dict], winner: str | None = "UP", open_px: float | None = 65_000.0) -> dict:  # type: ignore[type-arg]
    return {"window_ts": W, "slug": f"btc-updown-5m-{W}", "open_px": open_px, "liquidity": 1.0,
            "samples": samples, "winner": winner}  # fmt: skip


def test_ladder_maps_exact_offsets_only_and_uses_the_samples_own_time(tmp_path: Path) -> None:
    samples = [
        _sample(120, -118.3, 65_050.0, _side(0.60, 0.62), _side(0.38, 0.40)),
        _sample(90, -89.7, 65_000.0, _side(0.5, 0.52), _side(0.48, 0.5)),  # 90 is not a horizon
        _sample(60, -59.7, 64_990.0, {"ask": None, "bid": None}, _side(0.70, 0.72)),  # empty Up book
        _sample(10, -9.8, 64_900.0, _side(None, 0.01), _side(0.99, None)),  # one-sided near the end
    ]
    res = evaluate_houssem([_ladder(tmp_path, [_window(samples)])], CFG)
    got = {f.horizon_s: f for f in res.forecasts}
    assert sorted(got) == [10, 60, 120]
    assert res.skipped[240]["not_sampled"] == 1 and res.skipped[30]["not_sampled"] == 1
    close = (W + 300) * NS_PER_S
    for h, t, spot in ((120, 118.3, 65_050.0), (60, 59.7, 64_990.0), (10, 9.8, 64_900.0)):
        f = got[h]
        assert f.t_s == pytest.approx(t)
        sigma = PROFILE.sigma_over(close - round(t * 1000) * 1_000_000, close)
        assert f.sigma == pytest.approx(sigma)
        assert f.p_model == pytest.approx(PHI(math.log(spot / 65_000.0) / (sigma * math.sqrt(t))), abs=1e-12)
    assert got[120].p_market == pytest.approx(0.61)
    assert got[60].p_market == pytest.approx(1 - 0.71)  # from the Down book
    assert got[10].p_market == pytest.approx(0.005)  # no bid counts as 0
    assert res.outcomes == {f"btc-updown-5m-{W}": True}
    assert res.rounds == 1


def test_ladder_unresolved_and_missing_values_are_counted(tmp_path: Path) -> None:
    a = _window([_sample(60, -59.7, None, _side(0.5, 0.52), None)], winner="DOWN")
    b = _window([_sample(60, -59.7, 65_000.0, _side(0.5, 0.52), None)], winner=None)
    b["window_ts"], b["slug"] = W + 300, f"btc-updown-5m-{W + 300}"
    c = _window([_sample(60, -59.7, 65_000.0, None, None)], open_px=None)
    c["window_ts"], c["slug"] = W + 600, f"btc-updown-5m-{W + 600}"
    res = evaluate_houssem([_ladder(tmp_path, [a, b, c])], CFG)
    assert res.skipped[60]["no_price"] == 1 and res.skipped[60]["no_strike"] == 1
    assert [f.round_id for f in res.forecasts] == [b["slug"]]
    assert res.rounds == 0  # the one forecast belongs to the unresolved window
    assert res.counts["unresolved"] == 1 and res.counts["windows"] == 3


def test_ladder_bad_line_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "ladder.jsonl"
    p.write_text(json.dumps(_window([])) + "\n" + '{"window_ts": "soon"}\n')
    with pytest.raises(DataError) as ei:
        load_ladder(p)
    assert ei.value.line == 2 and "ladder" in ei.value.message


FELIX_HEADER = "timestamp,date,hour_utc,minute,outcome,up_price,down_price,btc_open,btc_close,btc_change_pct"


def test_felix_is_the_half_baseline_with_the_binance_agreement(tmp_path: Path) -> None:
    rows = [
        "1773619800,2026-03-16,0,10,down,0.0,1.0,72886.16,72880.00,-0.01",  # agrees
        "1773619200,2026-03-16,0,0,up,1.0,0.0,72815.25,72942.17,0.17",  # agrees
        "1773619500,2026-03-16,0,5,up,1.0,0.0,72942.17,72940.00,-0.01",  # Binance says down: basis
    ]
    p = tmp_path / "outcomes.csv"
    p.write_text(FELIX_HEADER + "\n" + "\n".join(rows) + "\n")
    res = evaluate_felix([p], CFG)
    assert [f.p_model for f in res.forecasts] == [0.5, 0.5, 0.5]
    assert {f.horizon_s for f in res.forecasts} == {300}
    assert res.extra["up_rate"] == pytest.approx(2 / 3)
    assert res.extra["binance_close_vs_open_agreement"] == pytest.approx(2 / 3)
    assert res.has_path is False


def test_find_sources_in_the_bundled_samples_folder() -> None:
    root = sample_path("btc5m-chainlink").parent
    found = find_sources(root)
    assert list(found) == ["ligengxin", "vinayak", "felix"]  # bookpoly / ticks / snapshots ignored
    assert found["ligengxin"] == [sample_path("btc5m-chainlink")]
    assert found["vinayak"] == [sample_path("btc15m")]


def test_find_sources_from_a_single_file(tmp_path: Path) -> None:
    day = sample_path("btc5m-chainlink")
    markets = next(day.glob("*markets*"))
    assert find_sources(markets) == {"ligengxin": [day]}  # the day folder it belongs to
    assert find_sources(sample_path("btc5m-outcomes")) == {"felix": [sample_path("btc5m-outcomes")]}
    lone = tmp_path / markets.name
    shutil.copy(markets, lone)
    with pytest.raises(DataError, match="not a source"):
        find_sources(lone)  # a markets file without its prices is not evaluable


@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(lambda d: d / "nope", "no such file", id="missing"),
        pytest.param(lambda d: d, "no recognisable source", id="empty-folder"),
        pytest.param(
            lambda d: (d / "x.csv").write_text("a,b\n1,2\n") and d / "x.csv", "not a source", id="csv"
        ),
    ],
)
def test_find_sources_errors(tmp_path: Path, make, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match=match):
        find_sources(make(tmp_path))
