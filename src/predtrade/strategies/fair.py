"""Fair value and the combined YES-space book, read off a snapshot.

Shared by the strategies so that "fair value" means the same thing in all of them (and in the
``Decision.fair_value`` they record for calibration).
"""

from __future__ import annotations

import math
from typing import Literal

from predtrade.model.enums import Outcome
from predtrade.model.units import ONE
from predtrade.pricing.fair_value import _INV_SQRT2, prob_up, prob_up_ref

from .api import Snapshot

FairValueSource = Literal["model", "mid"]
_INF = math.inf

_log, _sqrt, _erfc = math.log, math.sqrt, math.erfc


def combined_bbo(snapshot: Snapshot, *, net: bool = True) -> tuple[int, int]:
    """Best YES-space bid and ask over both tokens: a NO ask at q is a YES bid at ``ONE - q`` and a
    NO bid a YES ask. ``0`` means no bid, ``ONE`` no ask (an empty NO side maps onto exactly those
    sentinels). ``net`` (default) uses the books without our own orders, so our quotes are never
    taken for liquidity or for the market's price."""
    yes, no = snapshot.net_books if net else snapshot.books
    # TopOfBook.best_bid / best_ask, read off the level tuples (this runs on every evaluation)
    lv = yes.bids
    yb = lv[0][0] if lv else 0
    lv = yes.asks
    ya = lv[0][0] if lv else ONE
    lv = no.bids
    nb = lv[0][0] if lv else 0
    lv = no.asks
    na = ONE - lv[0][0] if lv else 0  # ONE - no.best_ask
    bid = yb if yb > na else na  # max(yes.best_bid, ONE - no.best_ask)
    nb = ONE - nb
    ask = ya if ya < nb else nb  # min(yes.best_ask, ONE - no.best_bid)
    return bid, ask


def book_mid(snapshot: Snapshot) -> float | None:
    """Mid of the combined net YES book as a probability; ``None`` when a side is empty or the
    combined book is crossed (a crossed mid is not a price anyone can trade)."""
    bid, ask = combined_bbo(snapshot)
    if bid <= 0 or ask >= ONE or bid >= ask:
        return None
    return (bid + ask) / (2 * ONE)


def effective_sigma(snapshot: Snapshot, default_sigma: float) -> float:
    """The snapshot's sigma (already scaled by the engine's time-of-day profile) when it is a
    usable number, else ``default_sigma`` times the snapshot's ``sigma_multiplier``."""
    s = snapshot.sigma
    if s is not None and 0.0 < s < math.inf:
        return s
    m = snapshot.sigma_multiplier
    return default_sigma * (m if 0.0 < m < math.inf else 1.0)


def model_fair_value(snapshot: Snapshot, default_sigma: float, *, ito: bool = False) -> float | None:
    """P(YES) from the reference price, the round's open (``round_open``, else the market's
    ``strike``) and the time left; ``None`` when any input is missing."""
    ref = snapshot.ref_price
    market = snapshot.market
    strike = snapshot.round_open
    if strike is None:
        strike = market.strike
    end = market.end_ts
    if ref is None or strike is None or end is None or ref <= 0 or strike <= 0:
        return None
    left_ns = end - snapshot.ts
    t = left_ns / 1e9 if left_ns > 0 else 0.0
    s = snapshot.sigma  # effective_sigma, inlined
    if s is None or not 0.0 < s < _INF:
        m = snapshot.sigma_multiplier
        s = default_sigma * (m if 0.0 < m < _INF else 1.0)
    if type(ref) is not int or type(strike) is not int:
        return prob_up_ref(ref, strike, s, t, ito=ito)  # refuses them
    # prob_up(ref, strike, s, t, ito=ito), inlined: the same operations in the same order (so
    # the same float), without its argument checks, which these inputs pass by construction
    # (positive ints, 0 < s < inf, finite t >= 0). Runs on every evaluation.
    try:
        ratio = ref / strike
    except OverflowError:
        return prob_up(ref, strike, s, t, ito=ito)
    x = _log(ratio) if 0.0 < ratio < _INF else _log(ref) - _log(strike)
    v = s * _sqrt(t)
    if v == 0.0:
        return 1.0 if x >= 0.0 else 0.0
    d = x / v
    if ito:
        d -= 0.5 * v
    return 0.5 * _erfc(-d * _INV_SQRT2)


def fair_value(
    snapshot: Snapshot,
    *,
    source: FairValueSource = "model",
    fallback_to_mid: bool = True,
    default_sigma: float,
    ito: bool = False,
) -> tuple[float | None, str]:
    """``(P(YES), where it came from)``: ``"model"``, ``"mid"``, or ``None`` with the reason."""
    if source == "model":
        fv = model_fair_value(snapshot, default_sigma, ito=ito)
        if fv is not None:
            return fv, "model"
        if not fallback_to_mid:
            return None, "no reference/round"
    fv = book_mid(snapshot)
    if fv is None:
        return None, "no mid"
    return fv, "mid"


def books_need_resync(snapshot: Snapshot) -> bool:
    """Either token's book (venue or net) is known to be wrong."""
    b, n = snapshot.books, snapshot.net_books
    return b[0].needs_resync or b[1].needs_resync or n[0].needs_resync or n[1].needs_resync


def token_prob(yes_prob: float, outcome: Outcome) -> float:
    return yes_prob if outcome is Outcome.YES else 1.0 - yes_prob
