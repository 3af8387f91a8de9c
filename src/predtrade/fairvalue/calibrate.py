"""Out-of-sample check of the fair-value model on resolved rounds.

For each round and each horizon ``h`` (seconds before the end) the model is evaluated at the
instant ``T = end - h`` using only what had been *received* by ``T``:

* ``S`` = the last reference price received at or before ``T`` (its feed time at most
  ``max_age_ns`` before ``T``, else the checkpoint is skipped and counted),
* ``sigma`` = the EWMA volatility of the same feed, fed only with ticks received by ``T``, then
  seasonalised over ``[T, end]`` (``EwmaVol.sigma_over``),
* ``P(up) = Phi(ln(S/K) / (sigma sqrt(h)))`` (:func:`predtrade.pricing.prob_up_ref`).

:class:`PathEvaluator` does this in one streaming pass over a recording (memory: one small record
per checkpoint), so look-ahead is impossible by construction: a checkpoint is frozen *before*
the first event received after it is applied. Outcomes are joined afterwards.

Probabilities here are floats (pure model math and scoring); prices stay ints until the model's
ratio ``S/K`` is formed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from predtrade.model.units import ONE
from predtrade.pricing import EwmaVol, VolProfile, calibration_report, prob_up_ref

__all__ = [
    "DEFAULT_HORIZONS",
    "MAX_PRICE_AGE_NS",
    "NS_PER_S",
    "DEFAULT_HALFLIFE_S",
    "Forecast",
    "HorizonStats",
    "ModelConfig",
    "PathEvaluator",
    "Round",
    "SourceResult",
    "VolModel",
    "book_mid_prob",
    "mid_prob",
    "score_horizon",
    "score_source",
]

NS_PER_S = 1_000_000_000
DEFAULT_HORIZONS: tuple[int, ...] = (240, 120, 60, 30, 10)
#: a checkpoint needs a reference price no older than this (by feed time)
MAX_PRICE_AGE_NS = 5 * NS_PER_S
#: EWMA half-life: ~1 h was the best in both directions of the profile's hold-out (vol_profile.py)
DEFAULT_HALFLIFE_S = 3_600.0


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """How the model is run over every source."""

    profile: VolProfile
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    halflife_s: float = DEFAULT_HALFLIFE_S
    max_age_ns: int = MAX_PRICE_AGE_NS
    n_bins: int = 10
    vol_sample_s: float = 0.0  # feed the EWMA at most one tick per this many seconds (0: every tick)

    def new_vol(self) -> EwmaVol:
        """A fresh seasonalised EWMA for one feed, primed with the profile's base sigma (weighted
        like ``halflife / ln 2`` seconds of data, so it fades with the same half-life): a feed's
        first minutes price with the profile's level instead of the noise of a few returns."""
        return EwmaVol(self.halflife_s, initial=self.profile.base_sigma, seasonal=self.profile)

    def evaluator(self, rounds: Iterable[Round]) -> PathEvaluator:
        """A :class:`PathEvaluator` for one feed with this configuration and a fresh EWMA."""
        return PathEvaluator(
            rounds,
            self.horizons,
            self.new_vol(),
            max_age_ns=self.max_age_ns,
            vol_sample_ns=round(self.vol_sample_s * NS_PER_S),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": "P(up) = Phi(ln(S/K) / (sigma * sqrt(t)))",
            "horizons_s": list(self.horizons),
            "ewma_halflife_s": self.halflife_s,
            "ewma_prior_sigma": self.profile.base_sigma,
            "profile_mode": self.profile.mode,
            "ewma_sample_s": self.vol_sample_s,
            "max_price_age_s": self.max_age_ns / NS_PER_S,
            "reliability_bins": self.n_bins,
        }


class VolModel(Protocol):
    """What :class:`PathEvaluator` needs from a volatility estimate (``EwmaVol`` fits)."""

    def update(self, ts_ns: int, price: float) -> bool: ...

    def sigma_over(self, start_ns: int, end_ns: int) -> float: ...


@dataclass(frozen=True, slots=True)
class Round:
    """One up/down round. ``strike`` in reference units (1e-8 ints); ``None`` with
    ``strike_from_path`` means "the first path price at or after ``start_ns``, if it is at most
    ``max_age_ns`` late" (a proxy when the venue's own strike is not recorded); ``None`` without it
    means the round cannot be evaluated (counted as ``no_strike``)."""

    round_id: str
    start_ns: int
    end_ns: int
    strike: int | None = None
    strike_from_path: bool = False


@dataclass(frozen=True, slots=True)
class Forecast:
    """The model (and, where recorded, the market) at ``horizon_s`` before the end of a round."""

    round_id: str
    horizon_s: int
    t_s: float  # seconds to expiry actually used (== horizon_s on a path; the probe's own t otherwise)
    spot: float
    strike: float
    sigma: float
    p_model: float
    p_market: float | None = None


def mid_prob(bid: float | None, ask: float | None) -> float | None:
    """Mid of one outcome token as a probability. A missing side is the price bound (no bid = 0,
    no ask = 1, as in predtrade's books), so a one-sided book near resolution still reads as
    nearly certain; ``None`` when both sides are missing."""
    if bid is None and ask is None:
        return None
    b = 0.0 if bid is None else bid
    a = 1.0 if ask is None else ask
    return (b + a) / 2.0


def book_mid_prob(bids: Sequence[tuple[int, int]], asks: Sequence[tuple[int, int]]) -> float | None:
    """:func:`mid_prob` of a book whose levels are ``(price, size)`` ints in 1e-4 units."""
    if not bids and not asks:
        return None
    b = bids[0][0] if bids else 0
    a = asks[0][0] if asks else ONE
    return (b + a) / (2 * ONE)


class _Checkpoint:
    __slots__ = ("end_ns", "horizon_s", "idx", "start_ns", "t_ns")

    def __init__(self, t_ns: int, idx: int, horizon_s: int, start_ns: int, end_ns: int) -> None:
        self.t_ns = t_ns
        self.idx = idx
        self.horizon_s = horizon_s
        self.start_ns = start_ns
        self.end_ns = end_ns


class PathEvaluator:
    """Streaming evaluation of many rounds against one reference-price path.

    Feed events in receipt order: :meth:`price` for reference ticks, :meth:`market` for the market's
    P(up) of a round. Each call first freezes every checkpoint ``T`` strictly before the event's
    receipt time (so an event received exactly at ``T`` counts, one received after does not).
    Call :meth:`finish` at the end. ``skipped[h][reason]`` counts checkpoints not evaluated:
    ``no_price`` (nothing fresh by ``T``), ``no_strike``, ``before_start`` (``h`` longer than the
    round).

    ``vol_sample_ns``: feed ``vol`` only ticks at least this far apart (by feed time). A smoothed
    feed (Chainlink's 1 s reports are positively autocorrelated) understates the variance of
    minute-scale moves when every tick is used; sampling coarser measures it at the scale priced.
    """

    def __init__(
        self,
        rounds: Iterable[Round],
        horizons: Sequence[int],
        vol: VolModel,
        *,
        max_age_ns: int = MAX_PRICE_AGE_NS,
        vol_sample_ns: int = 0,
    ) -> None:
        self.rounds = list(rounds)
        self.vol_sample_ns = vol_sample_ns
        self._vol_ts = -(1 << 62)
        self.horizons = tuple(horizons)
        self.vol = vol
        self.max_age_ns = max_age_ns
        self.strikes: list[int | None] = [r.strike for r in self.rounds]
        self.skipped: dict[int, Counter[str]] = {h: Counter() for h in self.horizons}
        self.forecasts: list[Forecast] = []
        self._market: dict[str, tuple[int, float | None]] = {}
        cps = []
        for i, r in enumerate(self.rounds):
            for h in self.horizons:
                t = r.end_ns - h * NS_PER_S
                if t < r.start_ns:
                    self.skipped[h]["before_start"] += 1
                    continue
                cps.append(_Checkpoint(t, i, h, r.start_ns, r.end_ns))
        cps.sort(key=lambda c: c.t_ns)
        self._cps = cps
        self._next = 0
        self._next_t = cps[0].t_ns if cps else None
        # rounds whose strike comes from the path, by start time
        self._need_strike = sorted(
            (i for i, r in enumerate(self.rounds) if r.strike is None and r.strike_from_path),
            key=lambda i: self.rounds[i].start_ns,
        )
        self._strike_next = 0
        self._last_price: int | None = None
        self._last_price_ts = 0

    # ---- input ----------------------------------------------------------------------------

    def price(self, ts_local: int, ts_price: int, price: int) -> None:
        """A reference tick received at ``ts_local`` for feed time ``ts_price`` (1e-8 units)."""
        if self._next_t is not None and self._next_t < ts_local:
            self.advance(ts_local)
        if price <= 0:
            return
        if ts_price - self._vol_ts >= self.vol_sample_ns and self.vol.update(ts_price, price):
            self._vol_ts = ts_price
        self._last_price = price
        self._last_price_ts = ts_price
        need = self._need_strike
        j = self._strike_next
        while j < len(need) and self.rounds[need[j]].start_ns <= ts_price:
            r = self.rounds[need[j]]
            if ts_price - r.start_ns <= self.max_age_ns:
                self.strikes[need[j]] = price
            j += 1
        self._strike_next = j

    def market(self, round_id: str, ts_local: int, p_up: float | None) -> None:
        """The market's P(up) for ``round_id`` as seen at ``ts_local`` (``None``: no quote)."""
        if self._next_t is not None and self._next_t < ts_local:
            self.advance(ts_local)
        self._market[round_id] = (ts_local, p_up)

    def advance(self, now_ns: int) -> None:
        """Freeze every checkpoint strictly before ``now_ns``."""
        cps = self._cps
        i = self._next
        while i < len(cps) and cps[i].t_ns < now_ns:
            self._evaluate(cps[i])
            i += 1
        self._next = i
        self._next_t = cps[i].t_ns if i < len(cps) else None

    def finish(self) -> list[Forecast]:
        self.advance(1 << 62)
        return self.forecasts

    # ---- evaluation -------------------------------------------------------------------------

    def _evaluate(self, cp: _Checkpoint) -> None:
        h = cp.horizon_s
        spot = self._last_price
        if spot is None or cp.t_ns - self._last_price_ts > self.max_age_ns:
            self.skipped[h]["no_price"] += 1
            return
        strike = self.strikes[cp.idx]
        if strike is None:
            self.skipped[h]["no_strike"] += 1
            return
        sigma = self.vol.sigma_over(cp.t_ns, cp.end_ns)
        t_s = (cp.end_ns - cp.t_ns) / NS_PER_S
        p = prob_up_ref(spot, strike, sigma, t_s)
        rid = self.rounds[cp.idx].round_id
        p_mkt = None
        q = self._market.get(rid)
        if q is not None and cp.t_ns - q[0] <= self.max_age_ns:
            p_mkt = q[1]
        self.forecasts.append(Forecast(rid, h, t_s, spot, strike, sigma, p, p_mkt))


# ---- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HorizonStats:
    """Scores of one horizon. Market figures use only the forecasts that had a market quote
    (``market_n`` of ``n``); ``brier_paired`` is the model's Brier on that same subset, and
    ``bss_vs_market = 1 - brier_paired / market_brier`` (positive: the model beats the market)."""

    n: int
    brier: float
    log_loss: float
    ece: float
    base_rate: float
    mean_p: float
    bins: tuple[dict[str, Any], ...]
    market_n: int = 0
    market_brier: float | None = None
    market_log_loss: float | None = None
    market_ece: float | None = None
    brier_paired: float | None = None
    bss_vs_market: float | None = None
    market_bins: tuple[dict[str, Any], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "brier": self.brier,
            "log_loss": self.log_loss,
            "ece": self.ece,
            "base_rate": self.base_rate,
            "mean_p": self.mean_p,
            "market_n": self.market_n,
            "market_brier": self.market_brier,
            "market_log_loss": self.market_log_loss,
            "market_ece": self.market_ece,
            "brier_paired": self.brier_paired,
            "bss_vs_market": self.bss_vs_market,
            "bins": list(self.bins),
            "market_bins": list(self.market_bins) if self.market_bins is not None else None,
        }


def score_horizon(
    forecasts: Sequence[Forecast], outcomes: Mapping[str, bool], *, n_bins: int = 10
) -> HorizonStats | None:
    """Scores of forecasts (one horizon) whose round has an outcome; ``None`` when there are none."""
    fs = [f for f in forecasts if f.round_id in outcomes]
    if not fs:
        return None
    ys = [outcomes[f.round_id] for f in fs]
    probs = [f.p_model for f in fs]
    rep = calibration_report(probs, ys, n_bins=n_bins)
    paired = [(f.p_model, f.p_market, y) for f, y in zip(fs, ys, strict=True) if f.p_market is not None]
    mkt: dict[str, Any] = {}
    if paired:
        pm = [a for a, _b, _y in paired]
        mk = [b for _a, b, _y in paired]
        py = [y for _a, _b, y in paired]
        mrep = calibration_report(mk, py, n_bins=n_bins)
        paired_rep = calibration_report(pm, py, baseline=mk, n_bins=n_bins)
        mkt = {
            "market_n": len(paired),
            "market_brier": mrep.brier,
            "market_log_loss": mrep.log_loss,
            "market_ece": mrep.ece,
            "brier_paired": paired_rep.brier,
            "bss_vs_market": paired_rep.brier_skill,
            "market_bins": tuple(b.to_dict() for b in mrep.bins),
        }
    return HorizonStats(
        n=rep.n,
        brier=rep.brier,
        log_loss=rep.log_loss,
        ece=rep.ece,
        base_rate=rep.base_rate,
        mean_p=sum(probs) / len(probs),
        bins=tuple(b.to_dict() for b in rep.bins),
        **mkt,
    )


@dataclass(slots=True)
class SourceResult:
    """Everything one source produced: forecasts, outcomes, skip counts and notes for the report.

    ``rounds`` counts resolved rounds with at least one scored forecast; ``rounds_total`` every
    resolved round the source holds (after de-duplication)."""

    name: str
    paths: list[str]
    description: str
    forecasts: list[Forecast] = field(default_factory=list)
    outcomes: dict[str, bool] = field(default_factory=dict)
    skipped: dict[int, Counter[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    has_path: bool = True  # False: no intra-round prices (not pooled into the combined figures)

    @property
    def scored(self) -> list[Forecast]:
        return [f for f in self.forecasts if f.round_id in self.outcomes]

    @property
    def rounds(self) -> int:
        return len({f.round_id for f in self.scored})


def score_source(
    forecasts: Sequence[Forecast],
    outcomes: Mapping[str, bool],
    horizons: Sequence[int],
    *,
    n_bins: int = 10,
) -> dict[int, HorizonStats | None]:
    by_h: dict[int, list[Forecast]] = {h: [] for h in horizons}
    for f in forecasts:
        if f.horizon_s in by_h:
            by_h[f.horizon_s].append(f)
    return {h: score_horizon(fs, outcomes, n_bins=n_bins) for h, fs in by_h.items()}
