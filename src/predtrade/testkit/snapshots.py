"""Snapshot builders with every argument defaulted, so a strategy test states only what matters::

    snap = make_snapshot(
        yes_book=book(bids=[("0.65", "100")], asks=[("0.69", "100")]),
        no_position=position(NO, shares="300", avg="0.45"),
        ref_price=ref("101000"),
    )

Prices, sizes and cash are written as decimal strings (``"0.48"``, ``"100"``) and parsed straight
to the fixed-point ints of :mod:`predtrade.model.units`. The default market is a 5-minute BTC
up/down round with tick 0.01, min size 5, a crypto taker fee, opening at 100,000 and evaluated
150 s into the round with the reference at the strike (fair value 0.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from predtrade.book.types import TopOfBook
from predtrade.model import (
    REF_DECIMALS,
    FeeSchedule,
    Market,
    OrderState,
    Outcome,
    Side,
    parse_cash,
    parse_fixed,
    parse_price,
    parse_size,
)
from predtrade.model.units import ONE, SIZE_SCALE, cost_up
from predtrade.strategies.api import OwnOrder, PositionView, Snapshot

from .stubs import CONDITION_ID, NO_TOKEN, YES_TOKEN

__all__ = [
    "CONDITION_ID",
    "END_TS",
    "NO",
    "NO_TOKEN",
    "NS",
    "ROUND_SECONDS",
    "START_TS",
    "STRIKE",
    "T0",
    "YES",
    "YES_TOKEN",
    "book",
    "cash",
    "make_snapshot",
    "mirror",
    "own_order",
    "position",
    "px",
    "ref",
    "sz",
    "updown_market",
]

YES = Outcome.YES
NO = Outcome.NO
NS = 1_000_000_000
T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z, Unix ns
ROUND_SECONDS = 300
START_TS = T0
END_TS = T0 + ROUND_SECONDS * NS
STRIKE = 100_000 * 10**REF_DECIMALS  # BTC round open at 100,000.00 (1e-8 units)

LevelText = tuple[str, str]


def px(text: str) -> int:
    """``"0.48"`` -> 4800."""
    return parse_price(text)


def sz(text: str | int) -> int:
    """``"10"`` -> 10 shares in 1e-6 units."""
    return parse_size(str(text))


def cash(text: str | int) -> int:
    """``"100"`` -> 100 dollars in 1e-6 units."""
    return parse_cash(str(text))


def ref(text: str | int) -> int:
    """A reference price, ``"100250.5"`` -> 1e-8 units."""
    return parse_fixed(str(text), REF_DECIMALS, what="reference price")


def updown_market(**overrides: Any) -> Market:
    """A 5-minute BTC up/down round: Up = YES, Down = NO, tick 0.01, min size 5, taker fee rate
    0.07 (exponent 1, taker only), start ``START_TS``, end ``END_TS``, strike ``STRIKE``."""
    kw: dict[str, Any] = {
        "condition_id": CONDITION_ID,
        "token_ids": (YES_TOKEN, NO_TOKEN),
        "outcomes": ("Up", "Down"),
        "tick": 100,
        "min_order_size": 5 * SIZE_SCALE,
        "start_ts": START_TS,
        "end_ts": END_TS,
        "fees": FeeSchedule(rate_ppm=70_000, exponent=1, taker_only=True),
        "slug": "btc-updown-5m-1767225600",
        "question": "Bitcoin Up or Down - 5 minutes",
        "strike": STRIKE,
    }
    kw.update(overrides)
    return Market(**kw)


def _levels(
    levels: Iterable[LevelText | tuple[int, int]], *, descending: bool
) -> tuple[tuple[int, int], ...]:
    out = []
    for p, s in levels:
        out.append((p if isinstance(p, int) else px(p), s if isinstance(s, int) else sz(s)))
    out.sort(key=lambda lv: -lv[0] if descending else lv[0])
    return tuple(out)


def book(
    bids: Iterable[LevelText | tuple[int, int]] = (("0.48", "100"), ("0.47", "200")),
    asks: Iterable[LevelText | tuple[int, int]] = (("0.52", "100"), ("0.53", "200")),
    *,
    asset_id: str = YES_TOKEN,
    ts: int = 0,
    needs_resync: bool = False,
) -> TopOfBook:
    """A top-of-book view from ``(price, size)`` pairs (decimal strings or ints); levels are
    sorted best first. Defaults: 0.48/0.47 bids, 0.52/0.53 asks."""
    return TopOfBook(
        asset_id,
        _levels(bids, descending=True),
        _levels(asks, descending=False),
        ts,
        ts,
        needs_resync,
    )


def mirror(yes_book: TopOfBook, asset_id: str = NO_TOKEN) -> TopOfBook:
    """The complementary token's book as a binary venue shows it: a YES ask at p is a NO bid at
    ``1 - p`` and vice versa."""
    bids = tuple((ONE - p, s) for p, s in yes_book.asks)
    asks = tuple((ONE - p, s) for p, s in yes_book.bids)
    return TopOfBook(asset_id, bids, asks, yes_book.ts_venue, yes_book.ts_local, yes_book.needs_resync)


def position(
    outcome: Outcome = YES,
    shares: str | int = "0",
    avg: str | None = None,
    *,
    cost: str | None = None,
    realized_pnl: str = "0",
    market: Market | None = None,
) -> PositionView:
    """A position in one token of the default (or given) market. Give ``avg`` (the average price,
    cost = avg x shares rounded up) or ``cost`` (dollars); neither means cost 0."""
    tokens = (market or updown_market()).token_ids
    n = sz(shares)
    if avg is not None and cost is not None:
        raise ValueError("give avg or cost, not both")
    c = cost_up(px(avg), n) if avg is not None else cash(cost) if cost is not None else 0
    return PositionView(tokens[outcome], n, c, cash(realized_pnl))


def own_order(
    side: Side | str = Side.BUY,
    price: str = "0.48",
    size: str | int = "10",
    outcome: Outcome = YES,
    *,
    state: OrderState = OrderState.OPEN,
    client_order_id: str = "pt-1",
    market: Market | None = None,
) -> OwnOrder:
    """One of our working orders (``size`` is the remaining size)."""
    tokens = (market or updown_market()).token_ids
    s = Side.parse(side) if isinstance(side, str) else side
    return OwnOrder(client_order_id, tokens[outcome], s, px(price), sz(size), state)


def make_snapshot(
    *,
    market: Market | None = None,
    yes_book: TopOfBook | None = None,
    no_book: TopOfBook | None = None,
    net_books: tuple[TopOfBook, TopOfBook] | None = None,
    yes_position: PositionView | None = None,
    no_position: PositionView | None = None,
    seconds_left: float | None = None,
    **overrides: Any,
) -> Snapshot:
    """A strategy snapshot. Defaults: :func:`updown_market`, the default :func:`book` for YES and
    its :func:`mirror` for NO, net books equal to the venue books (no own orders), flat positions,
    1000 dollars available, reference at the strike, sigma 8e-5, ts 150 s into the round.

    ``seconds_left`` sets ``ts`` relative to the market's end; any :class:`Snapshot` field can be
    overridden by name (``ts``, ``orders``, ``available_cash``, ``ref_price``, ``sigma``, ...).
    Book asset ids are set to the market's tokens whatever the given books carry."""
    m = market or updown_market()
    yes_t, no_t = m.token_ids
    yb = yes_book or book()
    nb = no_book or mirror(yb)
    books = (_as(yb, yes_t), _as(nb, no_t))
    nets = books if net_books is None else (_as(net_books[0], yes_t), _as(net_books[1], no_t))
    positions = (
        yes_position or PositionView(yes_t),
        no_position or PositionView(no_t),
    )
    if seconds_left is not None:
        if m.end_ts is None:
            raise ValueError("seconds_left needs a market with end_ts")
        overrides.setdefault("ts", m.end_ts - round(seconds_left * NS))
    kw: dict[str, Any] = {
        "ts": (m.start_ts if m.start_ts is not None else T0) + 150 * NS,
        "market": m,
        "books": books,
        "net_books": nets,
        "positions": positions,
        "orders": (),
        "available_cash": cash("1000"),
        "ref_price": m.strike if m.strike is not None else STRIKE,
        "ref_history": (),
        "sigma": 8e-5,
        "sigma_multiplier": 1.0,
        "round_open": m.strike,
    }
    kw.update(overrides)
    return Snapshot(**kw)


def _as(b: TopOfBook, asset_id: str) -> TopOfBook:
    return b if b.asset_id == asset_id else msgspec.structs.replace(b, asset_id=asset_id)
