"""Fair value and the combined YES-space book, read off a snapshot.

Shared by the strategies so that "fair value" means the same thing in all of them (and in the
``Decision.fair_value`` they record for calibration).
"""

from __future__ import annotations

import math
from typing import Literal

from predtrade.model.enums import Outcome
from predtrade.model.units import ONE
from predtrade.pricing.fair_value import prob_up_ref, prob_up_unchecked

from .api import Snapshot

FairValueSource = Literal["model", "mid"]



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
    s = effective_sigma(snapshot, default_sigma)
    if type(ref) is not int or type(strike) is not int:
        return prob_up_ref(ref, strike, s, t, ito=ito)  # refuses them
    # positive ints, 0 < s < inf, finite t >= 0: prob_up's checks hold by construction (this
    # runs on every evaluation)
    return prob_up_unchecked(ref, strike, s, t, ito)


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
