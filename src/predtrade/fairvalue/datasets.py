"""The sources ``predtrade fairvalue calibrate`` knows, how to find them under a path, and how each
one is turned into forecasts (see :mod:`predtrade.fairvalue.calibrate`).

* ``ligengxin`` (primary): Polymarket BTC 5m day folders with the Chainlink BTC/USD feed the rounds
  settle on; strike = the market's ``priceToBeat``; streamed through the data readers.
* ``vinayak``: BTC 15m orderbook CSV, Binance BTCUSDT each second and the Up/Down top of book;
  K = the first Binance price at or after the window start (a proxy: settlement is Chainlink).
* ``houssem98``: ``ladder.jsonl`` probe, Binance spot and both books sampled 120..10 s before the
  close; K = the Binance open (a proxy). Too sparse for an EWMA: sigma is the profile's.
* ``felix``: outcomes with the Binance open/close only. No intra-round path, so the only honest
  model forecast is at the full-round horizon (t = 300 s, S = K, P = 0.5).
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import msgspec

from predtrade.data import open_recording
from predtrade.data.felix import FelixOutcomes
from predtrade.data.ligengxin import ChainlinkPrices, LigengxinDay, LigengxinMarkets
from predtrade.data.recording import detect
from predtrade.data.vinayak import VinayakOrderbook
from predtrade.errors import DataError
from predtrade.model.events import BookSnapshot, MarketResolved, ReferencePrice
from predtrade.pricing import prob_up, prob_up_ref

from .calibrate import NS_PER_S, Forecast, ModelConfig, Round, SourceResult, book_mid_prob, mid_prob

__all__ = [
    "SOURCE_ORDER",
    "LadderSample",
    "LadderWindow",
    "evaluate_felix",
    "evaluate_houssem",
    "evaluate_ligengxin",
    "evaluate_source",
    "evaluate_vinayak",
    "find_sources",
    "load_ladder",
]

#: report order; the first one found is the primary source
SOURCE_ORDER: tuple[str, ...] = ("ligengxin", "houssem98", "vinayak", "felix")
FELIX_HORIZON_S = 300
_MARKET_NOTE = "market = Up mid (1 - Down mid when the Up book is empty); a missing side counts as 0 / 1"
_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")
_MAX_DEPTH = 3


# ---- discovery -------------------------------------------------------------------------------


def find_sources(path: str | Path) -> dict[str, list[Path]]:
    """Sources under ``path`` (a file, a dataset folder, or a root holding several), in
    :data:`SOURCE_ORDER`. ``DataError`` when the path is missing or holds nothing evaluable."""
    p = Path(path)
    if not p.exists():
        raise DataError(str(p), "no such file or directory")
    found: dict[str, list[Path]] = {}
    if p.is_file():
        kind, where = _classify_file(p)
        if kind is None:
            raise DataError(str(p), f"not a source fairvalue can evaluate ({_EXPECTED})")
        found[kind] = [where]
    else:
        for kind, where in _walk(p, 0):
            found.setdefault(kind, [])
            if where not in found[kind]:
                found[kind].append(where)
        if not found:
            raise DataError(str(p), f"no recognisable source under this folder ({_EXPECTED})")
    return {k: found[k] for k in SOURCE_ORDER if k in found}


_EXPECTED = (
    "expected a ligengxin day folder, a houssem98 ladder.jsonl, a vinayak orderbook CSV "
    "or a felix outcomes CSV"
)


def _walk(d: Path, depth: int) -> Iterator[tuple[str, Path]]:
    if LigengxinDay.sniff_dir(d):
        yield "ligengxin", d
        return
    try:
        entries = sorted(d.iterdir())
    except OSError:
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        if e.is_dir():
            if depth < _MAX_DEPTH:
                yield from _walk(e, depth + 1)
        elif e.name.endswith(_SUFFIXES):
            kind, where = _classify_file(e)
            if kind is not None:
                yield kind, where


def _classify_file(p: Path) -> tuple[str | None, Path]:
    if _is_ladder(p):
        return "houssem98", p
    try:
        cls = detect(p)
    except DataError:
        return None, p
    if cls is VinayakOrderbook:
        return "vinayak", p
    if cls is FelixOutcomes:
        return "felix", p
    if cls in (LigengxinMarkets, ChainlinkPrices) and LigengxinDay.sniff_dir(p.parent):
        return "ligengxin", p.parent
    return None, p


def _first_line(p: Path) -> bytes:
    opener = gzip.open if p.name.endswith(".gz") else open
    try:
        with opener(p, "rb") as fh:
            return fh.readline(1 << 20)
    except (OSError, EOFError):
        return b""


_PROBE = msgspec.json.Decoder(dict)


def _is_ladder(p: Path) -> bool:
    if not p.name.endswith((".jsonl", ".jsonl.gz")):
        return False
    try:
        first = _PROBE.decode(_first_line(p))
    except msgspec.DecodeError:
        return False
    return {"window_ts", "open_px", "samples"} <= first.keys()


def evaluate_source(kind: str, paths: Sequence[Path], cfg: ModelConfig) -> SourceResult:
    fn = {
        "ligengxin": evaluate_ligengxin,
        "houssem98": evaluate_houssem,
        "vinayak": evaluate_vinayak,
        "felix": evaluate_felix,
    }[kind]
    return fn(paths, cfg)


def _new_result(name: str, paths: Sequence[Path], description: str, cfg: ModelConfig) -> SourceResult:
    return SourceResult(
        name, [str(p) for p in paths], description, skipped={h: Counter() for h in cfg.horizons}
    )


def _merge_skips(res: SourceResult, skipped: dict[int, Counter[str]]) -> None:
    for h, c in skipped.items():
        res.skipped.setdefault(h, Counter()).update(c)


def _finish_counts(res: SourceResult, **counts: int) -> SourceResult:
    resolved = len(res.outcomes)
    res.counts = {"rounds_resolved": resolved, **counts, "rounds_without_data": resolved - res.rounds}
    return res


# ---- ligengxin: Chainlink path, market strike ----------------------------------------------


def evaluate_ligengxin(paths: Sequence[Path], cfg: ModelConfig) -> SourceResult:
    """Each day folder is streamed once with a fresh EWMA (the days are not contiguous). Rounds are
    de-duplicated by condition id across folders (the markets files overlap at midnight)."""
    res = _new_result(
        "ligengxin",
        paths,
        "Polymarket BTC 5m, Chainlink BTC/USD (settlement feed), strike = priceToBeat",
        cfg,
    )
    seen: set[str] = set()
    markets_total = no_strike = duplicates = 0
    for day in paths:
        rec = open_recording(day)
        markets = rec.markets()
        rounds = []
        for cid, m in markets.items():
            if cid in seen:
                duplicates += 1
                continue
            seen.add(cid)
            markets_total += 1
            if m.start_ts is None or m.end_ts is None:
                continue
            no_strike += m.strike is None
            rounds.append(Round(cid, m.start_ts, m.end_ts, m.strike))
        own = {r.round_id for r in rounds}
        ev = cfg.evaluator(rounds)
        for e in rec.events():
            if type(e) is ReferencePrice:
                ev.price(e.ts_local, e.ts_venue, e.price)
            elif type(e) is MarketResolved and e.market in own:
                res.outcomes[e.market] = e.winning_asset_id == markets[e.market].token_ids[0]
        res.forecasts.extend(ev.finish())
        _merge_skips(res, ev.skipped)
    res.notes.append("S = last Chainlink tick received at or before T; sigma = seasonalised EWMA of the feed")
    return _finish_counts(
        res,
        markets=markets_total,
        unresolved=markets_total - len(res.outcomes),
        no_strike=no_strike,
        duplicate_markets=duplicates,
    )


# ---- vinayak: Binance path, market mids, K = first price after the start -------------------


def evaluate_vinayak(paths: Sequence[Path], cfg: ModelConfig) -> SourceResult:
    res = _new_result(
        "vinayak",
        paths,
        "Polymarket BTC 15m, Binance BTCUSDT 1 Hz (proxy), K = first price at/after start",
        cfg,
    )
    windows = 0
    for path in paths:
        rec = open_recording(path)
        markets = rec.markets()
        rounds = [
            Round(slug, m.start_ts, m.end_ts, None, strike_from_path=True)
            for slug, m in markets.items()
            if m.start_ts is not None and m.end_ts is not None
        ]
        windows += len(rounds)
        side = {}
        for slug, m in markets.items():
            side[m.token_ids[0]] = (slug, 0)
            side[m.token_ids[1]] = (slug, 1)
        mids: dict[str, list[float | None]] = {slug: [None, None] for slug in markets}
        ev = cfg.evaluator(rounds)
        for e in rec.events():
            t = type(e)
            if t is ReferencePrice:
                ev.price(e.ts_local, e.ts_venue, e.price)
            elif t is BookSnapshot:
                where = side.get(e.asset_id)
                if where is None:
                    continue
                slug, k = where
                m2 = mids[slug]
                m2[k] = book_mid_prob(e.bids, e.asks)
                up, down = m2
                if up is None and down is not None:
                    up = 1.0 - down
                ev.market(slug, e.ts_local, up)
            elif t is MarketResolved and e.market in markets:
                res.outcomes[e.market] = e.winning_asset_id == markets[e.market].token_ids[0]
        res.forecasts.extend(ev.finish())
        _merge_skips(res, ev.skipped)
    res.notes.append("K and S are Binance BTCUSDT (settlement is Chainlink): basis risk is in the scores")
    res.notes.append(_MARKET_NOTE)
    return _finish_counts(res, windows=windows, unresolved=windows - len(res.outcomes))


# ---- houssem98: sampled probe ----------------------------------------------------------------


class LadderSide(msgspec.Struct, frozen=True):
    bid: float | None = None
    ask: float | None = None


class LadderSample(msgspec.Struct, frozen=True):
    offset: int
    t: float  # seconds relative to the close (negative: before it)
    spot: float | None = None
    up: LadderSide | None = None
    down: LadderSide | None = None


class LadderWindow(msgspec.Struct, frozen=True):
    window_ts: int
    slug: str = ""
    open_px: float | None = None
    winner: str | None = None
    samples: tuple[LadderSample, ...] = ()


_LADDER = msgspec.json.Decoder(LadderWindow)
LADDER_ROUND_S = 300


def load_ladder(path: str | Path) -> list[LadderWindow]:
    """Read ``ladder.jsonl``. A line that is not a window object raises ``DataError`` naming it."""
    p = Path(path)
    opener = gzip.open if p.name.endswith(".gz") else open
    out = []
    try:
        with opener(p, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    out.append(_LADDER.decode(raw))
                except msgspec.DecodeError as exc:
                    raise DataError(str(p), f"bad ladder window: {exc}", line=lineno) from None
    except (OSError, EOFError) as exc:
        raise DataError(str(p), f"cannot read: {exc}") from None
    return out


def _up_prob(s: LadderSample) -> float | None:
    p = mid_prob(s.up.bid, s.up.ask) if s.up is not None else None
    if p is None and s.down is not None:
        q = mid_prob(s.down.bid, s.down.ask)
        p = 1.0 - q if q is not None else None
    return p


def evaluate_ladder(windows: Sequence[LadderWindow], cfg: ModelConfig, res: SourceResult) -> None:
    """Samples whose ``offset`` equals a requested horizon are scored (others are not moved to a
    nearby horizon); t = the sample's own time to close; sigma = the profile's over [T, close]."""
    wanted = set(cfg.horizons)
    seen: set[str] = set()
    for w in windows:
        rid = w.slug or str(w.window_ts)
        if rid in seen:
            res.counts["duplicate_windows"] = res.counts.get("duplicate_windows", 0) + 1
            continue
        seen.add(rid)
        win = (w.winner or "").strip().upper()
        if win in ("UP", "DOWN"):
            res.outcomes[rid] = win == "UP"
        close_ns = (w.window_ts + LADDER_ROUND_S) * NS_PER_S
        have = set()
        for s in w.samples:
            if s.offset not in wanted:
                continue
            have.add(s.offset)
            skip = res.skipped[s.offset]
            if s.t >= 0.0:
                skip["bad_time"] += 1
                continue
            if s.spot is None or not s.spot > 0.0:
                skip["no_price"] += 1
                continue
            if w.open_px is None or not w.open_px > 0.0:
                skip["no_strike"] += 1
                continue
            t_ns = close_ns - round(-s.t * 1000) * 1_000_000
            t_s = (close_ns - t_ns) / NS_PER_S
            sigma = cfg.profile.sigma_over(t_ns, close_ns)
            p = prob_up(s.spot, w.open_px, sigma, t_s)
            res.forecasts.append(Forecast(rid, s.offset, t_s, s.spot, w.open_px, sigma, p, _up_prob(s)))
        for h in wanted - have:
            res.skipped[h]["not_sampled"] += 1


def evaluate_houssem(paths: Sequence[Path], cfg: ModelConfig) -> SourceResult:
    res = _new_result(
        "houssem98", paths, "Polymarket BTC 5m probe, Binance spot (proxy) vs Binance open, book mids", cfg
    )
    n = 0
    for path in paths:
        windows = load_ladder(path)
        n += len(windows)
        evaluate_ladder(windows, cfg, res)
    res.notes.append("sampled at 120, 90, 60, 45, 30, 20, 10 s before close: only exact horizon matches")
    res.notes.append("sigma = profile base sigma x hour multiplier (no tick history); K, S = Binance (proxy)")
    res.notes.append(_MARKET_NOTE)
    return _finish_counts(res, windows=n, unresolved=n - len(res.outcomes), **res.counts)


# ---- felix: outcomes only --------------------------------------------------------------------


def evaluate_felix(paths: Sequence[Path], cfg: ModelConfig) -> SourceResult:
    """No intra-round path: the model is evaluated at t = 300 s only, where S = K and P = 0.5.
    Also reported: the up-rate, and how often the Binance close >= open (the model's t -> 0 limit
    on Binance prices) agrees with the Chainlink-settled outcome, a measure of the basis that the
    Binance-proxy sources carry."""
    res = _new_result("felix", paths, "Polymarket BTC 5m outcomes with Binance open/close only", cfg)
    res.skipped = {}
    res.has_path = False
    paired = agree = unpaired = 0
    for path in paths:
        rec = open_recording(path)
        buf: list[ReferencePrice] = []
        for e in rec.events():
            if type(e) is ReferencePrice:
                buf.append(e)
                continue
            if type(e) is not MarketResolved:
                continue
            # the reader emits open, close, resolved for each round, in that order
            if e.market in res.outcomes:
                buf.clear()
                continue
            up = e.winning_outcome.lower() == "up"
            res.outcomes[e.market] = up
            end = e.ts_venue
            start = end - FELIX_HORIZON_S * NS_PER_S
            if len(buf) == 2 and buf[0].ts_venue == start and buf[1].ts_venue == end:
                k = buf[0].price
                sigma = cfg.profile.sigma_over(start, end)
                p = prob_up_ref(k, k, sigma, float(FELIX_HORIZON_S))
                res.forecasts.append(
                    Forecast(e.market, FELIX_HORIZON_S, float(FELIX_HORIZON_S), k, k, sigma, p)
                )
                paired += 1
                agree += (buf[1].price >= k) == up
            else:
                unpaired += 1
            buf.clear()
    n = len(res.outcomes)
    ups = sum(res.outcomes.values())
    rate = ups / n if n else None
    res.extra = {
        "up_rate": rate,
        "climatology_brier": rate * (1.0 - rate) if rate is not None else None,
        "binance_close_vs_open_agreement": agree / paired if paired else None,
        "binance_t0_brier": 1.0 - agree / paired if paired else None,
    }
    res.notes.append("no intra-round prices: only t = 300 s (S = K, so P = 0.5) can be evaluated")
    res.notes.append(
        "climatology_brier uses the in-sample up-rate; binance_t0_brier = P in {0,1} from close >= open"
    )
    return _finish_counts(res, rounds_unpaired=unpaired)
