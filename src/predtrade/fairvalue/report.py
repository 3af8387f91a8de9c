"""Assemble the per-source results into the report object (the ``--json`` output and
``calibration.json``) and render it as rich tables.

Top-level ``rounds`` / ``by_horizon`` are the **primary** source's figures (``primary`` names it:
``ligengxin``, the Chainlink-settled source, whenever it is present; otherwise the first source
found in :data:`~predtrade.fairvalue.datasets.SOURCE_ORDER`). ``combined`` pools the forecasts of
every source with an intra-round price path (not ``felix``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .calibrate import HorizonStats, ModelConfig, SourceResult, score_source
from .datasets import FELIX_HORIZON_S

__all__ = ["build_report", "render"]


def _stats(s: HorizonStats | None) -> dict[str, Any] | None:
    return s.to_dict() if s is not None else None


def _source_dict(res: SourceResult, cfg: ModelConfig) -> dict[str, Any]:
    horizons = cfg.horizons if res.has_path else (FELIX_HORIZON_S,)
    scored = score_source(res.forecasts, res.outcomes, horizons, n_bins=cfg.n_bins)
    by_h: dict[str, Any] = {str(h): None for h in cfg.horizons}
    by_h.update({str(h): _stats(s) for h, s in scored.items()})
    return {
        "description": res.description,
        "paths": res.paths,
        "rounds": res.rounds,
        "counts": dict(res.counts),
        "by_horizon": by_h,
        "skipped": {str(h): dict(sorted(c.items())) for h, c in res.skipped.items() if c},
        "notes": list(res.notes),
        **res.extra,
    }


def build_report(
    results: list[SourceResult], cfg: ModelConfig, elapsed_s: float | None = None
) -> dict[str, Any]:
    """The one JSON object of ``--json`` (see the module docstring for what is top-level)."""
    by_source = {r.name: _source_dict(r, cfg) for r in results}
    primary = results[0].name if results else None
    pooled = [r for r in results if r.has_path]
    forecasts = [replace(f, round_id=f"{r.name}:{f.round_id}") for r in pooled for f in r.forecasts]
    outcomes = {f"{r.name}:{k}": v for r in pooled for k, v in r.outcomes.items()}
    combined = score_source(forecasts, outcomes, cfg.horizons, n_bins=cfg.n_bins)
    top = by_source[primary] if primary is not None else {"rounds": 0, "by_horizon": {}}
    out: dict[str, Any] = {
        "primary": primary,
        "rounds": top["rounds"],
        "by_horizon": top["by_horizon"],
        "by_source": by_source,
        "combined": {
            "sources": [r.name for r in pooled],
            "rounds": sum(r.rounds for r in pooled),
            "by_horizon": {str(h): _stats(s) for h, s in combined.items()},
        },
        "model": cfg.to_dict(),
    }
    if elapsed_s is not None:
        out["elapsed_s"] = round(elapsed_s, 3)
    return out


# ---- rendering -------------------------------------------------------------------------------


def _f(x: float | None, nd: int = 4) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


def _signed(x: float | None) -> str:
    if x is None:
        return "—"
    colour = "green" if x > 0 else "red"
    return f"[{colour}]{x:+.3f}[/{colour}]"


def _rows(name: str, src: dict[str, Any]) -> list[list[str]]:
    rows = []
    for h, s in src["by_horizon"].items():
        skipped = src.get("skipped", {}).get(h, {})
        sk = " ".join(f"{k}={v}" for k, v in skipped.items())
        if s is None:
            if not sk:
                continue  # a horizon the source cannot have (e.g. felix, which only has 300 s)
            rows.append([name, h, "0", "—", "—", "—", "—", "—", "—", "—", "—", sk])
            continue
        rows.append([
            name, h, str(s["n"]), _f(s["brier"]), _f(s["log_loss"]), _f(s["ece"]), _f(s["base_rate"], 3),
            str(s["market_n"]) if s["market_n"] else "—", _f(s["market_brier"]), _f(s["brier_paired"]),
            _signed(s["bss_vs_market"]), sk,
        ])  # fmt: skip
    return rows


def _reliability(title: str, by_h: dict[str, Any], key: str) -> Any:
    from rich.table import Table

    cols = [(h, s[key]) for h, s in by_h.items() if s is not None and s.get(key)]
    if not cols:
        return None
    table = Table(title=f"{title}: observed up-rate / mean P (n)", title_justify="left")
    table.add_column("P bin", no_wrap=True)
    for h, _b in cols:
        table.add_column(f"{h} s", justify="right", no_wrap=True)
    nb = len(cols[0][1])
    for i in range(nb):
        if not any(b[i]["count"] for _h, b in cols):
            continue
        lo, hi = cols[0][1][i]["lo"], cols[0][1][i]["hi"]
        cells = []
        for _h, bins in cols:
            b = bins[i]
            cells.append(
                f"{b['observed']:.2f}/{b['mean_predicted']:.2f} ({b['count']})" if b["count"] else ""
            )
        table.add_row(f"{lo:.1f}–{hi:.1f}", *cells)
    return table


def render(report: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title="fair value vs resolved rounds (BSS > 0: the model beats the market)")
    heads = ["source", "h s", "n", "Brier", "logloss", "ECE", "up", "mkt n", "mkt Brier",
             "Brier@mkt n", "BSS vs mkt", "skipped"]  # fmt: skip
    for col in heads:
        table.add_column(col, justify="left" if col in ("source", "skipped") else "right")
    for name, src in report["by_source"].items():
        for row in _rows(name, src):
            table.add_row(*row)
        table.add_section()
    comb = report["combined"]
    if len(comb["sources"]) > 1:
        for row in _rows("combined", comb):
            table.add_row(*row)
    console.print(table)
    for name, src in report["by_source"].items():
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in src["counts"].items())
        console.print(f"[bold]{name}[/bold]: {src['description']}. {src['rounds']} rounds scored; {counts}.")
        for note in src["notes"]:
            console.print(f"  · {note}")
        extra = {k: v for k, v in src.items() if k in ("up_rate", "climatology_brier", "binance_t0_brier")}
        if extra:
            console.print("  · " + ", ".join(f"{k.replace('_', ' ')} {_f(v)}" for k, v in extra.items()))
        for key, what in (("bins", "model"), ("market_bins", "market")):
            t = _reliability(f"{name}: {what} reliability", src["by_horizon"], key)
            if t is not None:
                console.print(t)
    m = report["model"]
    feed = f"ticks >= {m['ewma_sample_s']:g} s apart" if m["ewma_sample_s"] else "every tick"
    took = f" in {report['elapsed_s']:.2f} s" if "elapsed_s" in report else ""
    console.print(
        f"model {m['formula']}; sigma = EWMA half-life {m['ewma_halflife_s']:g} s "
        f"({feed}) "
        f"x '{m['profile_mode']}' "
        f"profile (prior {m['ewma_prior_sigma']:.3g}/sqrt s); "
        f"price must be <= {m['max_price_age_s']:g} s old. "
        f"Top-level figures = primary source '{report['primary']}' ({report['rounds']} rounds){took}.",
        soft_wrap=True,
    )
