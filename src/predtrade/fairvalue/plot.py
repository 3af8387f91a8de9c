"""``--out DIR``: ``calibration.json`` (the report object) and ``reliability.html``, a self-contained
Plotly page (plotly.js inlined, so it opens offline): one panel per source, one curve per horizon
(observed up-rate against mean predicted P per bin; hover shows the count), the diagonal, and the
market's curve (dotted) where the source records market prices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from predtrade.errors import ConfigError

__all__ = ["reliability_html", "write_outputs"]

_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _panels(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    panels = [
        (f"{name} ({src['rounds']} rounds)", src["by_horizon"])
        for name, src in report["by_source"].items()
        if any(s is not None for s in src["by_horizon"].values())
    ]
    comb = report["combined"]
    if len(comb["sources"]) > 1:
        panels.append((f"combined ({comb['rounds']} rounds)", comb["by_horizon"]))
    return panels


def _curve(bins: list[dict[str, Any]]) -> tuple[list[float], list[float], list[int]]:
    pts = [(b["mean_predicted"], b["observed"], b["count"]) for b in bins if b["count"]]
    return [p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts]


def reliability_html(report: dict[str, Any]) -> str:
    import plotly.graph_objects as go
    import plotly.io as pio
    from plotly.subplots import make_subplots

    panels = _panels(report) or [("no forecasts", {})]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _b in panels])
    horizons = sorted({h for _t, by_h in panels for h in by_h}, key=int, reverse=True)
    colour = {h: _COLOURS[i % len(_COLOURS)] for i, h in enumerate(horizons)}
    shown: set[str] = set()
    for col, (_title, by_h) in enumerate(panels, 1):
        fig.add_trace(
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#999", "dash": "dash"},
                       name="perfectly calibrated", legendgroup="diag", showlegend=col == 1),
            row=1, col=col,
        )  # fmt: skip
        for h, s in by_h.items():
            if s is None:
                continue
            for key, label, dash in (
                ("bins", f"model {h} s", "solid"),
                ("market_bins", f"market {h} s", "dot"),
            ):
                bins = s.get(key)
                if not bins:
                    continue
                x, y, n = _curve(bins)
                fig.add_trace(
                    go.Scatter(
                        x=x, y=y, customdata=n, mode="lines+markers", name=label, legendgroup=label,
                        showlegend=label not in shown, line={"color": colour[h], "dash": dash},
                        hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<br>n %{customdata}",
                    ),
                    row=1, col=col,
                )  # fmt: skip
                shown.add(label)
        fig.update_xaxes(title_text="predicted P(up)", range=[0, 1], row=1, col=col)
        fig.update_yaxes(title_text="observed up-rate", range=[0, 1], row=1, col=col)
    fig.update_layout(
        title=f"Fair-value reliability (primary: {report.get('primary')})",
        width=max(520, 460 * len(panels)), height=520,
    )  # fmt: skip
    return pio.to_html(fig, include_plotlyjs=True, full_html=True)


def write_outputs(out_dir: str | Path, report: dict[str, Any]) -> list[Path]:
    """Write ``calibration.json`` and ``reliability.html`` into ``out_dir`` (created if missing)."""
    d = Path(out_dir)
    try:
        d.mkdir(parents=True, exist_ok=True)
        js = d / "calibration.json"
        js.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
        html = d / "reliability.html"
        html.write_text(reliability_html(report), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--out {d}: cannot write: {exc.strerror or exc}") from None
    return [js, html]
