"""One self-contained HTML page per run: headline numbers, equity and drawdown, inventory, fair
value against the market with our fills, the fills-by-outcome-and-side table, latency, risk blocks
and the simulator's assumptions.

The page works offline: plotly.js is inlined once (with the first figure) and every later figure
reuses it. Long series are **downsampled** before plotting so a day of data stays a few MB: each
series is cut into about ``max_points / 2`` equal-count buckets and each bucket keeps its lowest
and highest point (in time order), so spikes and the drawdown's trough survive, which a plain
every-k-th sample would lose. Fill markers beyond ``MAX_FILL_MARKERS`` are thinned to every k-th
fill (the tables count every fill). Records are read as streams; nothing holds a whole table.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import orjson

from ..model.units import format_cash, format_price, format_size
from .metrics import outcome_label, summarize
from .records import MemorySink

__all__ = ["MAX_FILL_MARKERS", "MAX_POINTS", "render_report", "report_html"]

MAX_POINTS = 4000
MAX_FILL_MARKERS = 4000
#: outcome index -> colour, the same in every figure and table (YES/Up green, NO/Down red)
OUTCOME_COLOURS = ("#1a9850", "#d73027")
OTHER_COLOUR = "#7f7f7f"
EQUITY_COLOUR = "#1f4e79"
FAIR_COLOUR = "#6a3d9a"
MID_COLOUR = "#8c8c8c"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _records(run: Any, table: str) -> Any:
    if isinstance(run, MemorySink):
        mem = {"pnl": "pnl_points", "blocked": "blocks"}.get(table, table)
        return iter(getattr(run, mem))
    return iter(getattr(run, table)())


def _count(run: Any, table: str) -> int:
    if isinstance(run, MemorySink):
        return len(getattr(run, {"pnl": "pnl_points", "blocked": "blocks"}.get(table, table)))
    return run.count(table)


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts / 1e9, tz=UTC)  # display only


class _MinMax:
    """Streaming min/max-per-bucket downsampler for a series of known length ``n``."""

    __slots__ = ("_b", "_bucket", "x", "y")

    def __init__(self, n: int, max_points: int) -> None:
        self._bucket = max(1, math.ceil(n / max(1, max_points // 2)))
        self._b: list[tuple[Any, float]] = []
        self.x: list[Any] = []
        self.y: list[float | None] = []

    def add(self, x: Any, y: float) -> None:
        if self._bucket == 1:
            self.x.append(x)
            self.y.append(y)
            return
        self._b.append((x, y))
        if len(self._b) >= self._bucket:
            self._flush()

    def _flush(self) -> None:
        b = self._b
        if not b:
            return
        lo = min(range(len(b)), key=lambda i: b[i][1])
        hi = max(range(len(b)), key=lambda i: b[i][1])
        for i in sorted({lo, hi}):
            self.x.append(b[i][0])
            self.y.append(b[i][1])
        b.clear()

    def gap(self) -> None:
        """Break the line here (a new market starts)."""
        self._flush()
        if self.x and self.y[-1] is not None:
            self.x.append(self.x[-1])
            self.y.append(None)

    def done(self) -> _MinMax:
        self._flush()
        return self


# ---- data ---------------------------------------------------------------------------------------


class _Outcomes:
    """Which outcome index an asset or label is, for colours and the YES-price axis."""

    def __init__(self, markets: list[Any]) -> None:
        self.by_asset: dict[str, int] = {}
        self.by_label: dict[str, int] = {}
        for m in markets:
            for i in (0, 1):
                self.by_asset[m.token_ids[i]] = i
                self.by_label.setdefault(m.outcomes[i], i)

    def index(self, label: str, asset: str | None = None) -> int | None:
        if asset is not None and asset in self.by_asset:
            return self.by_asset[asset]
        return self.by_label.get(outcome_label(label))

    def colour(self, label: str, asset: str | None = None) -> str:
        i = self.index(label, asset)
        return OUTCOME_COLOURS[i] if i is not None else OTHER_COLOUR

    def order(self, labels: Any) -> list[str]:
        return sorted(labels, key=lambda s: (self.by_label.get(s, 9), s))


def _series(run: Any, summary: dict, max_points: int) -> dict[str, Any]:
    n = _count(run, "pnl")
    eq, dd = _MinMax(n, max_points), _MinMax(n, max_points)
    labels = list(summary.get("max_abs_position", {}))
    inv = {lab: _MinMax(n, max_points) for lab in labels}
    peak = run.info.initial_cash
    for p in _records(run, "pnl"):
        t = _dt(p.ts)
        eq.add(t, p.equity / 1e6)
        peak = max(peak, p.equity)
        dd.add(t, (p.equity - peak) / 1e6)
        agg: dict[str, int] = {}
        for k, v in p.positions.items():
            lab = outcome_label(k)
            agg[lab] = agg.get(lab, 0) + v
        for lab, s in inv.items():
            s.add(t, agg.get(lab, 0) / 1e6)
    nd = _count(run, "decisions")
    fv, mid = _MinMax(nd, max_points), _MinMax(nd, max_points)
    last_market = None
    for d in _records(run, "decisions"):
        if d.market != last_market:
            if last_market is not None:
                fv.gap()
                mid.gap()
            last_market = d.market
        t = _dt(d.ts)
        if d.fair_value is not None and 0.0 <= d.fair_value <= 1.0:
            fv.add(t, d.fair_value)
        if d.mid is not None:
            mid.add(t, d.mid / 20_000)
    return {
        "equity": eq.done(),
        "drawdown": dd.done(),
        "inventory": {k: v.done() for k, v in inv.items()},
        "fair": fv.done(),
        "mid": mid.done(),
    }


def _fill_traces(run: Any, outcomes: _Outcomes) -> list[dict[str, Any]]:
    n = _count(run, "fills")
    step = max(1, math.ceil(n / MAX_FILL_MARKERS))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for i, f in enumerate(_records(run, "fills")):
        if i % step:
            continue
        idx = outcomes.index(f.outcome, f.asset_id)
        g = groups.setdefault((f.outcome, f.side), {"x": [], "y": [], "text": [], "idx": idx})
        g["x"].append(_dt(f.ts))
        g["y"].append((f.price if idx != 1 else 10_000 - f.price) / 10_000)
        g["text"].append(
            f"{f.side} {format_size(f.size)} {f.outcome} @ {format_price(f.price)}"
            f"<br>{f.liquidity.lower()}, {f.source or 'sim'}, fee {format_cash(f.fee)}"
        )
    traces = []
    for (label, side), g in sorted(groups.items(), key=lambda kv: (kv[1]["idx"] or 0, kv[0][1])):
        traces.append(
            {
                "name": f"{side.lower()} {label}" + (f" (1 in {step})" if step > 1 else ""),
                "x": g["x"],
                "y": g["y"],
                "text": g["text"],
                "symbol": "triangle-up" if side == "BUY" else "triangle-down",
                "colour": OUTCOME_COLOURS[g["idx"]] if g["idx"] is not None else OTHER_COLOUR,
                "open": side == "SELL",
            }
        )
    return traces


def _latency_bins(run: Any, bins: int = 40) -> dict[str, Any] | None:
    """Log-spaced histogram of latencies by kind (two passes over the records: range, then counts).
    Round trips have a heavy tail (a few seconds against a median of tens of ms), which linear bins
    would squash into one bar."""
    lo, hi, kinds = math.inf, -math.inf, set()
    for r in _records(run, "latencies"):
        if r.ms >= 0:
            lo, hi = min(lo, r.ms), max(hi, r.ms)
            kinds.add(r.kind)
    if lo == math.inf:
        return None
    lo = max(lo, 0.001)
    hi = max(hi, lo * 1.01)
    step = math.log(hi / lo) / bins
    counts = {k: [0] * bins for k in sorted(kinds)}
    for r in _records(run, "latencies"):
        if r.ms >= 0:
            i = int(math.log(max(r.ms, lo) / lo) / step)
            counts[r.kind][min(bins - 1, i)] += 1
    edges = [lo * math.exp(i * step) for i in range(bins + 1)]
    return {"edges": edges, "counts": counts}


# ---- figures ------------------------------------------------------------------------------------


def _layout(fig: Any, title: str, *, height: int = 420, **kw: Any) -> Any:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 30, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        font={"family": _FONT},
        **kw,
    )
    return fig


def _empty(fig: Any, text: str) -> None:
    fig.add_annotation(
        text=text,
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 14, "color": "#888"},
    )


def _figures(run: Any, summary: dict, outcomes: _Outcomes, max_points: int) -> dict[str, Any]:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    s = _series(run, summary, max_points)
    figs: dict[str, Any] = {}

    f = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.06)
    f.add_trace(
        go.Scatter(
            x=s["equity"].x,
            y=s["equity"].y,
            name="equity",
            mode="lines",
            line={"color": EQUITY_COLOUR, "width": 2},
        ),
        row=1,
        col=1,
    )
    f.add_trace(
        go.Scatter(
            x=s["drawdown"].x,
            y=s["drawdown"].y,
            name="drawdown",
            mode="lines",
            fill="tozeroy",
            line={"color": "#d73027", "width": 1},
        ),
        row=2,
        col=1,
    )
    f.add_hline(
        y=run.info.initial_cash / 1e6,
        line={"dash": "dot", "color": "#999"},
        row=1,
        col=1,
        annotation_text="initial cash",
        annotation_position="bottom left",
    )
    f.update_yaxes(title_text="equity (USDC)", row=1, col=1)
    f.update_yaxes(title_text="drawdown (USDC)", row=2, col=1)
    f.update_xaxes(title_text="time (UTC)", row=2, col=1)
    if not s["equity"].x:
        _empty(f, "no PnL points recorded")
    figs["equity"] = _layout(
        f, "Equity (cash + positions at mid) and drawdown from peak", height=520, hovermode="x unified"
    )

    f = go.Figure()
    for lab in outcomes.order(s["inventory"]):
        ser = s["inventory"][lab]
        f.add_trace(
            go.Scatter(
                x=ser.x,
                y=ser.y,
                name=lab,
                mode="lines",
                line={"shape": "hv", "width": 2, "color": outcomes.colour(lab)},
            )
        )
    if not s["inventory"]:
        _empty(f, "no positions held")
    figs["inventory"] = _layout(
        f,
        "Inventory by outcome (shares held, summed over markets)",
        xaxis_title="time (UTC)",
        yaxis_title="shares",
        hovermode="x unified",
    )

    f = go.Figure()
    f.add_trace(
        go.Scatter(
            x=s["mid"].x,
            y=s["mid"].y,
            name="market mid",
            mode="lines",
            line={"color": MID_COLOUR, "width": 1.5},
            connectgaps=False,
        )
    )
    f.add_trace(
        go.Scatter(
            x=s["fair"].x,
            y=s["fair"].y,
            name="our fair value",
            mode="lines",
            line={"color": FAIR_COLOUR, "width": 2},
            connectgaps=False,
        )
    )
    for t in _fill_traces(run, outcomes):
        f.add_trace(
            go.Scatter(
                x=t["x"],
                y=t["y"],
                text=t["text"],
                name=t["name"],
                mode="markers",
                hoverinfo="text+x",
                marker={
                    "symbol": t["symbol"] + ("-open" if t["open"] else ""),
                    "size": 9,
                    "color": t["colour"],
                    "line": {"width": 1.5, "color": t["colour"]},
                },
            )
        )
    if not (s["mid"].x or s["fair"].x):
        _empty(f, "no decisions recorded")
    names = outcomes.order(outcomes.by_label)
    note = f" ({names[1]} fills drawn at 1 − price)" if len(names) > 1 else ""
    first = names[0] if names else "YES"
    figs["fair"] = _layout(
        f,
        f"Fair value vs market mid, P({first}), with our fills{note}",
        height=480,
        xaxis_title="time (UTC)",
        yaxis_title=f"P({first})",
        yaxis_range=[0, 1],
    )

    f = go.Figure()
    lat = _latency_bins(run)
    if lat is None:
        _empty(f, "no latencies recorded")
    else:
        for i, (kind, counts) in enumerate(lat["counts"].items()):
            colour = ("#4575b4", "#f46d43", "#74add1")[i % 3]
            f.add_trace(
                go.Scatter(
                    x=lat["edges"],
                    y=[*counts, counts[-1]],
                    name=kind,
                    mode="lines",
                    line={"shape": "hv", "color": colour, "width": 1.5},
                    fill="tozeroy",
                    opacity=0.6,
                )
            )
        ls = summary.get("latency_ms") or {}
        for q in ("p50", "p99"):
            if isinstance(ls.get(q), int | float) and ls[q] > 0:
                # on a log axis a shape takes the value, an annotation its log10
                f.add_vline(x=ls[q], line={"dash": "dot", "color": "#555"})
                f.add_annotation(
                    x=math.log10(ls[q]),
                    y=0.97,
                    xref="x",
                    yref="paper",
                    text=f" {q} {ls[q]:g} ms ",
                    showarrow=False,
                    xanchor="left" if q == "p50" else "right",
                    yanchor="top",
                    font={"size": 11, "color": "#555"},
                )
    figs["latency"] = _layout(
        f,
        "Order round-trip latency (log scale)",
        xaxis={"type": "log", "title": {"text": "ms"}},
        yaxis_title="orders",
        height=360,
    )

    gates = summary.get("blocked_by_gate") or {}
    f = go.Figure(go.Bar(x=list(gates.values()), y=list(gates), orientation="h", marker_color="#b2182b"))
    if not gates:
        _empty(f, "no action was blocked")
    figs["blocked"] = _layout(
        f,
        "Actions blocked by risk gate",
        xaxis_title="actions blocked",
        height=max(260, 60 + 32 * len(gates)),
        yaxis={"autorange": "reversed"},
    )
    return figs


# ---- html ---------------------------------------------------------------------------------------


def _e(v: Any) -> str:
    return html.escape("—" if v is None else str(v))


def _table(head: list[str], rows: list[list[Any]], *, cls: str = "") -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _kv(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv"><tbody>{body}</tbody></table>'


def _signed(v: str | None) -> str:
    if v is None:
        return "neutral"
    return "neg" if v.startswith("-") else ("pos" if v.strip("0.") else "neutral")


def _cents(v: str | None) -> str:
    """A money string rounded to cents for the headline cards (exact Decimal, display only)."""
    if v is None:
        return "—"
    return f"{Decimal(v).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,} USDC"


def _cards(s: dict) -> str:
    def pct(v: Any) -> str:
        return f"{v:.2f} %" if isinstance(v, int | float) else "—"

    cards = [
        ("PnL", _cents(s.get("pnl")), _signed(s.get("pnl"))),
        ("Fees (net)", _cents(s.get("fees")), "neutral"),
        ("Fills", f"{s.get('fills')}", "neutral"),
        ("Orders per fill", _e(s.get("orders_per_fill")), "neutral"),
        ("Max drawdown", f"{_cents(s.get('max_drawdown'))} ({pct(s.get('max_drawdown_pct'))})", "neutral"),
        ("Sharpe / round", _e(s.get("sharpe")), "neutral"),
        ("Brier (market)", f"{_e(s.get('brier'))} ({_e(s.get('brier_market'))})", "neutral"),
        ("Events / s", _e(s.get("events_per_second")), "neutral"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{_e(k)}</div><div class="value {c}">{_e(v)}</div></div>'
            for k, v, c in cards
        )
        + "</div>"
    )


def _headline(s: dict) -> str:
    lat = s.get("latency_ms") or {}
    return _kv(
        [
            ("PnL (equity − initial cash)", f"{s.get('pnl')} USDC"),
            (
                "realized / unrealized / settled",
                f"{s.get('realized_pnl')} / {s.get('unrealized_pnl')} / {s.get('settled_pnl')} USDC",
            ),
            ("initial cash → final equity", f"{s.get('initial_cash')} → {s.get('final_equity')} USDC"),
            (
                "fees paid / rebates / net",
                f"{s.get('fees_paid')} / {s.get('rebates')} / {s.get('fees')} USDC",
            ),
            ("volume", f"{s.get('volume')} USDC ({s.get('shares')} shares)"),
            ("orders placed", s.get("orders_placed")),
            (
                "filled / cancelled / rejected / expired",
                f"{s.get('orders_filled')} / {s.get('orders_cancelled')} / "
                f"{s.get('orders_rejected')} / {s.get('orders_expired')}",
            ),
            ("fills (orders per fill)", f"{s.get('fills')} ({_e(s.get('orders_per_fill'))})"),
            ("max drawdown", f"{s.get('max_drawdown')} USDC ({s.get('max_drawdown_pct')} % of peak)"),
            (
                "Sharpe per round (not annualised)",
                f"{_e(s.get('sharpe'))} over {s.get('sharpe_rounds')} rounds",
            ),
            (
                "Sharpe per day (× √365 annualised)",
                f"{_e(s.get('sharpe_daily'))} ({_e(s.get('sharpe_daily_annualised'))})"
                f" over {s.get('sharpe_days')} days",
            ),
            (
                "Brier: our fair value / market mid",
                f"{_e(s.get('brier'))} / {_e(s.get('brier_market'))} "
                f"({s.get('brier_decisions')} decisions in resolved markets)",
            ),
            ("decisions (acting)", f"{s.get('decisions')} ({s.get('decisions_acting')})"),
            ("markets (resolved)", f"{s.get('markets')} ({s.get('markets_resolved')})"),
            (
                "max |position| by outcome",
                ", ".join(f"{k} {v}" for k, v in (s.get("max_abs_position") or {}).items()) or "—",
            ),
            (
                "latency p50 / p99 / max",
                f"{_e(lat.get('p50'))} / {_e(lat.get('p99'))} / {_e(lat.get('max'))} ms",
            ),
            ("events (per second)", f"{_e(s.get('events'))} ({_e(s.get('events_per_second'))})"),
        ]
    )


def _fills_tables(s: dict, outcomes: _Outcomes) -> str:
    by = {(r["outcome"], r["side"]): r for r in s.get("fills_table", [])}
    labels = outcomes.order({o for o, _ in by})
    rows = []
    for lab in labels:
        b, sl = by.get((lab, "BUY")), by.get((lab, "SELL"))
        dot = f'<span class="dot" style="background:{outcomes.colour(lab)}"></span>'
        cells = [f"{dot}{_e(lab)}"]
        for r in (b, sl):
            cells += [
                _e(r["fills"] if r else 0),
                _e(r["shares"] if r else "0"),
                _e(r["avg_price"] if r else None),
            ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = (
        "<thead><tr><th rowspan=2>outcome</th><th colspan=3>Buy</th><th colspan=3>Sell</th></tr>"
        "<tr><th>fills</th><th>shares</th><th>avg price</th><th>fills</th><th>shares</th><th>avg price</th>"
        "</tr></thead>"
    )
    fills = f'<table class="fills">{head}<tbody>{"".join(rows)}</tbody></table>'
    src = s.get("fill_sources") or {}
    liq = s.get("fill_liquidity") or {}
    desc = {
        "trade": "a recorded trade print crossed our price",
        "book": "the book moved through our price",
        "taker": "our order took liquidity",
    }
    sources = _table(["fill source", "fills", "meaning"], [[k, v, desc.get(k, "")] for k, v in src.items()])
    liquidity = _table(["liquidity", "fills"], [[k.lower(), v] for k, v in liq.items()])
    return f'<div class="row">{fills}{sources}{liquidity}</div>'


def _flat(d: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested settings as ``a · b`` rows; lists shown compactly."""
    rows: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows += _flat(v, key + " · ")
        elif isinstance(v, list | tuple):
            rows.append((key, orjson.dumps(v).decode()))
        else:
            rows.append((key, v))
    return rows


def _sim_and_config(run: Any) -> str:
    info = run.info
    sim = dict(info.sim or {})
    engine, risk = sim.pop("engine", None), sim.pop("risk", None)
    cfg = orjson.dumps(info.config, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    ident = _kv(
        [
            ("run id", info.run_id),
            ("mode", info.mode),
            ("strategy", f"{info.strategy} v{info.strategy_version}"),
            ("config hash", info.config_hash),
            ("data", f"{info.data} ({info.data_format})"),
            ("started", _dt(info.started_at).strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("initial cash", f"{format_cash(info.initial_cash)} USDC"),
        ]
    )
    parts = [
        f"<div><h3>Simulator assumptions</h3>{_kv(_flat(sim) or [('(none recorded)', '')])}</div>",
        f"<div><h3>Run</h3>{ident}</div>",
    ]
    second = []
    if isinstance(engine, dict):
        second.append(f"<div><h3>Engine</h3>{_kv(_flat(engine))}</div>")
    if isinstance(risk, dict):
        second.append(f"<div><h3>Risk gates</h3>{_kv(_flat(risk))}</div>")
    second.append(f"<div><h3>Strategy config</h3><pre>{_e(cfg)}</pre></div>")
    return f'<div class="row">{"".join(parts)}</div><div class="row">{"".join(second)}</div>'


def _rounds(s: dict, outcomes: _Outcomes) -> str:
    rounds = (s.get("rounds") or [])[-200:]
    if not rounds:
        return "<p class=note>No markets recorded.</p>"
    rows = []
    for r in rounds:
        win = r["winner"]
        dot = f'<span class="dot" style="background:{outcomes.colour(win)}"></span>' if win else ""
        pnl = r["settled_pnl"]
        cells = [
            _e(r["slug"]),
            dot + _e(win),
            f'<span class="{_signed(pnl)}">{_e(pnl)}</span>',
            _e(r["fills"]),
            _e(r["volume"]),
            _e(r["decisions"]),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("market", "winner", "settled PnL (USDC)", "fills", "volume (USDC)", "decisions")
    )
    more = len(s.get("rounds") or []) - len(rounds)
    note = f"<p class=note>{more} earlier markets not shown.</p>" if more > 0 else ""
    return f'<table class="rounds"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'


_CSS = """
body{font-family:$FONT;margin:0;background:#f5f6f8;color:#1d2733}
header{background:#1f2a37;color:#fff;padding:22px 32px}
header h1{margin:0 0 6px;font-size:24px;font-weight:600} header .sub{opacity:.75;font-size:13px}
main{max-width:1320px;margin:0 auto;padding:20px 24px 40px}
section{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08);
  margin:18px 0;padding:16px 20px}
h2{font-size:17px;margin:2px 0 12px;font-weight:600} h3{font-size:14px;margin:6px 0 8px;color:#445}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:12px 14px}
.card .label{font-size:12px;color:#667;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:20px;font-weight:600;margin-top:4px;font-variant-numeric:tabular-nums}
.pos{color:#1a9850} .neg{color:#d73027}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;margin:4px 16px 8px 0}
table.kv{max-width:640px} table.kv th{white-space:nowrap}
table.kv td{text-align:left;overflow-wrap:anywhere}
th,td{padding:5px 10px;border-bottom:1px solid #e6e8eb;text-align:right}
th{background:#f0f2f5;font-weight:600} table.kv th{text-align:left;background:none;color:#445;font-weight:500}
td:first-child{text-align:left}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
pre{background:#f6f8fa;padding:10px;border-radius:6px;font-size:12px;max-height:320px;overflow:auto}
.note{font-size:12px;color:#667} .rounds{max-height:420px}
""".replace("$FONT", _FONT)


def report_html(run: Any, summary: dict | None = None, *, max_points: int = MAX_POINTS) -> str:
    """The report page as a string (see :func:`render_report`)."""
    import plotly.io as pio

    s = summary if summary is not None else summarize(run)
    markets = run.markets() if not isinstance(run, MemorySink) else run.markets
    outcomes = _Outcomes(list(markets))
    figs = _figures(run, s, outcomes, max_points)
    cfg = {"displaylogo": False, "responsive": True}
    div: dict[str, str] = {}
    for i, (name, fig) in enumerate(figs.items()):
        div[name] = pio.to_html(
            fig, full_html=False, include_plotlyjs=i == 0, config=cfg, div_id=f"fig-{name}"
        )
    info = run.info
    title = f"Backtest · {info.strategy} v{info.strategy_version} · {Path(info.data).name}"
    span = ""
    if s.get("start_ts") and s.get("end_ts"):
        span = f" · {_dt(s['start_ts']):%Y-%m-%d %H:%M} → {_dt(s['end_ts']):%Y-%m-%d %H:%M} UTC"
    sections = [
        ("headline", "Headline", _cards(s) + "<div style='height:12px'></div>" + _headline(s)),
        ("equity", "PnL", div["equity"]),
        ("inventory", "Inventory", div["inventory"]),
        ("fair-value", "Fair value, market and fills", div["fair"]),
        ("fills", "Fills by outcome and side", _fills_tables(s, outcomes)),
        ("rounds", "Markets", _rounds(s, outcomes)),
        ("latency", "Latency", div["latency"]),
        ("blocked", "Risk gates", div["blocked"]),
        ("assumptions", "Simulator assumptions and configuration", _sim_and_config(run)),
    ]
    body = "".join(f'<section id="{sid}"><h2>{_e(h)}</h2>{content}</section>' for sid, h, content in sections)
    foot = (
        f"<p class=note>Series with more than {max_points} points are downsampled to the lowest and highest "
        f"point of equal-count buckets; at most {MAX_FILL_MARKERS} fill markers are drawn. Tables and "
        "headline numbers use every record. Money is exact (fixed point), shown in USDC.</p>"
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body><header><h1>{_e(title)}</h1>"
        f"<div class=sub>run {_e(info.run_id)} · {_e(info.mode)} · "
        f"config {_e(info.config_hash[:12])}{_e(span)}"
        f"</div></header><main>{body}{foot}</main></body></html>"
    )


def render_report(
    run: Any, out_dir: str | Path, *, summary: dict | None = None, max_points: int = MAX_POINTS
) -> Path:
    """Write ``<out_dir>/report_<run_id>.html`` for a stored run (or a :class:`MemorySink`) and
    return its path. ``summary`` defaults to :func:`~predtrade.backtest.metrics.summarize` of the
    run's records."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"report_{run.info.run_id}.html"
    path.write_text(report_html(run, summary, max_points=max_points), encoding="utf-8")
    return path
