"""Per-market engine state. Mutable, owned by the engine (the one writer), never handed out:
strategies and the service only ever see frozen views built from it."""

from __future__ import annotations

from predtrade.book.types import TopOfBook
from predtrade.model.market import Market
from predtrade.oms import Order
from predtrade.strategies.api import OwnOrder, PositionView


class TokenBucket:
    """Action rate limit on event time: ``burst`` tokens, refilled at ``per_s``. Integer
    arithmetic on nanoseconds (tokens are kept in units of 1e-9 token)."""

    __slots__ = ("_cap", "_level", "_rate", "_ts")

    _UNIT = 1_000_000_000

    def __init__(self, per_s: float, burst: int) -> None:
        self._rate = max(1, round(per_s * self._UNIT))  # nano-tokens per second
        self._cap = burst * self._UNIT
        self._level = self._cap
        self._ts: int | None = None

    def available(self, now: int) -> int:
        """Whole tokens available at ``now`` (refills first)."""
        last = self._ts
        if last is None:
            self._ts = now
        elif now > last:
            lvl = self._level + (now - last) * self._rate // 1_000_000_000
            self._level = lvl if lvl < self._cap else self._cap
            self._ts = now
        return self._level // self._UNIT

    def spend(self, n: int = 1) -> None:
        self._level -= n * self._UNIT


class MarketState:
    """One market as the engine tracks it.

    ``orders`` holds our working orders in this market (client id -> the OMS's order), in
    submission order; ``tops`` caches each token's top-of-book view keyed by the book's update
    count, ``own_view``/``pos_view`` the strategy views of our orders and positions (``None`` =
    rebuild). ``top_keys`` is the last seen (bid, ask, bid size, ask size, needs resync) per
    token: what trigger (a) compares against.
    """

    __slots__ = (
        "bucket",
        "cid",
        "closed",
        "end_ts",
        "halt_epoch",
        "last_eval",
        "late",
        "live",
        "market",
        "net_cache",
        "next_timer",
        "orders",
        "own_view",
        "pos_view",
        "resolution",
        "resolved",
        "resync_blocked",
        "round_open",
        "start_ts",
        "tokens",
        "top_keys",
        "tops",
        "traded",
    )

    def __init__(self, market: Market, bucket: TokenBucket) -> None:
        self.market = market
        self.cid = market.condition_id
        self.tokens = market.token_ids
        self.start_ts = market.start_ts
        self.end_ts = market.end_ts
        self.round_open: int | None = market.strike
        self.bucket = bucket
        self.orders: dict[str, Order] = {}
        #: dead orders still owed late fills (OMS ``late_qty``): recorded once those arrive
        self.late: dict[str, Order] = {}
        self.own_view: tuple[OwnOrder, ...] | None = ()
        self.pos_view: tuple[PositionView, PositionView] | None = None
        self.net_cache: list | None = None  # [own view, own sizes, yes top, yes net, no top, no net]
        self.tops: list[tuple[int, bool, TopOfBook] | None] = [None, None]
        self.top_keys: list[tuple[int, int, int, int, bool] | None] = [None, None]
        self.live = False  # at least one token has a book
        self.closed = False  # end time passed: no more evaluations
        self.resolved = False  # settled
        self.resolution: tuple[str, int] | None = None  # (winning token, resolution ts) until settled
        self.resync_blocked = False  # inside a resync episode (one BlockedRecord per episode)
        self.traded = False
        self.halt_epoch = 0  # the risk manager's halt count when this market last recorded a halt
        self.last_eval: int | None = None
        self.next_timer = 0

    def set_market(self, market: Market) -> None:
        """Replace the metadata (e.g. a tick size change); views are rebuilt."""
        self.market = market
        self.own_view = None

    def __repr__(self) -> str:
        return f"MarketState({self.market.slug or self.cid}, orders={len(self.orders)}, live={self.live})"
