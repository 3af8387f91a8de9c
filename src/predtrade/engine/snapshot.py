"""Building the frozen :class:`~predtrade.strategies.api.Snapshot` a strategy sees.

Cheap by construction: top-of-book views are immutable and cached per book update count, the
views of our orders and positions are cached until an order or fill touches the market, and the
reference history tuple is cached until a new point is stored. Nothing is deep-copied.

**Net books.** A binary venue shows one market through two mirrored books: our NO bid at ``q``
rests as a NO bid at ``q`` *and* as a YES ask at ``ONE - q``. The net books remove our resting
remainders from both: each own order is subtracted at its price and side on its token, and
mirrored (``ONE - p``, opposite side) on the complementary token. Only acknowledged orders
(``OPEN``, ``PARTIALLY_FILLED``, ``PENDING_CANCEL``) are subtracted: an order still pending submit
is not known to rest yet. In a replay the recorded books never contain our orders, so there the
engine is built with ``own_orders_in_books=False`` and the net books are the books.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import msgspec

from predtrade.book import BookStore
from predtrade.book.types import TopOfBook
from predtrade.model.enums import OrderState
from predtrade.model.units import ONE
from predtrade.oms import Inventory, Order
from predtrade.strategies.api import Decision, OwnOrder, PositionView, Snapshot

from .state import MarketState

RESTING = frozenset({OrderState.OPEN, OrderState.PARTIALLY_FILLED, OrderState.PENDING_CANCEL})
_OPEN = OrderState.OPEN
_PF = OrderState.PARTIALLY_FILLED
_PC = OrderState.PENDING_CANCEL
_EMPTY: tuple = ()


def top_of(books: BookStore, asset: str, depth: int) -> TopOfBook | None:
    """The top-of-book view of ``asset``: its depth book, else its top-of-book-only record."""
    book = books.get(asset)
    if book is not None:
        return book.top(depth)
    bbo = books.bbo(asset)
    if bbo is None:
        return None
    bids = ((bbo.best_bid, bbo.bid_size or 0),) if bbo.best_bid > 0 else _EMPTY
    asks = ((bbo.best_ask, bbo.ask_size or 0),) if bbo.best_ask < ONE else _EMPTY
    return TopOfBook(asset, bids, asks, bbo.ts_venue, bbo.ts_local, bbo.needs_resync)


def top_key(books: BookStore, asset: str) -> tuple[int, int, int, int] | None:
    """(best bid, best ask, bid size, ask size) of ``asset``: what trigger (a) compares."""
    book = books.get(asset)
    if book is not None:
        return (book.best_bid, book.best_ask, book.best_bid_size, book.best_ask_size)
    bbo = books.bbo(asset)
    if bbo is None:
        return None
    return (bbo.best_bid, bbo.best_ask, bbo.bid_size or 0, bbo.ask_size or 0)


def cached_tops(
    ms: MarketState, books: BookStore, depth: int, *, cache: bool = True
) -> tuple[TopOfBook, TopOfBook] | None:
    """Both tokens' views (YES, NO). A token without any book of its own is read as the
    complement of the other's (a binary venue's two books are mirrors). ``None`` when neither
    token has a book yet. ``cache=False`` for a one-off view at another depth."""
    yes_t, no_t = ms.tokens
    out: list[TopOfBook | None] = [None, None]
    for i, asset in enumerate(ms.tokens):
        book = books.get(asset)
        if book is None or not cache:
            out[i] = top_of(books, asset, depth)
            continue
        key = book.updates
        resync = book.needs_resync
        cached = ms.tops[i]
        if cached is not None and cached[0] == key and cached[1] == resync:
            out[i] = cached[2]
        else:
            top = book.top(depth)
            ms.tops[i] = (key, resync, top)
            out[i] = top
    yes, no = out
    if yes is None and no is None:
        return None
    if yes is None:
        src = books.get(no_t)
        yes = src.complement(yes_t).top(depth) if src is not None else _mirror(no, yes_t)  # type: ignore[arg-type]
    if no is None:
        src = books.get(yes_t)
        no = src.complement(no_t).top(depth) if src is not None else _mirror(yes, no_t)
    return yes, no


def _mirror(top: TopOfBook, asset: str) -> TopOfBook:
    bids = tuple((ONE - p, s) for p, s in top.asks)
    asks = tuple((ONE - p, s) for p, s in top.bids)
    return TopOfBook(asset, bids, asks, top.ts_venue, top.ts_local, top.needs_resync)


def net_books(
    yes: TopOfBook, no: TopOfBook, orders: Iterable[Order], yes_token: str
) -> tuple[TopOfBook, TopOfBook]:
    """``(yes, no)`` with our resting remainders removed, each also mirrored onto the other
    token at ``ONE - p`` on the opposite side. Returns the same objects when nothing of ours
    rests in them."""
    sub = own_sizes(orders, yes_token)
    if not sub:
        return yes, no
    return _subtract(yes, 0, sub), _subtract(no, 2, sub)


def cached_net_books(ms: MarketState, yes: TopOfBook, no: TopOfBook) -> tuple[TopOfBook, TopOfBook]:
    """:func:`net_books` for the engine, cached per token: recomputed only when that token's view
    or our orders (the identity of the cached own-orders view) changed."""
    view = own_orders_view(ms)
    c = ms.net_cache
    if c is None or c[0] is not view:
        c = ms.net_cache = [view, own_sizes(ms.orders.values(), ms.tokens[0]), None, None, None, None]
    sub = c[1]
    if not sub:
        return yes, no
    if c[2] is not yes:
        c[2] = yes
        c[3] = _subtract(yes, 0, sub)
    if c[4] is not no:
        c[4] = no
        c[5] = _subtract(no, 2, sub)
    return c[3], c[5]


def own_sizes(orders: Iterable[Order], yes_token: str) -> dict[int, int]:
    """Our resting size by book level, each order counted on its own token and mirrored on the
    other. Key: ``(token * 2 + book side) << 14 | price`` (ints hash faster than tuples)."""
    sub: dict[int, int] = {}
    for o in orders:
        st = o.state
        if st is not _OPEN and st is not _PF and st is not _PC:
            continue
        rem = o.size - o.filled
        if rem <= 0:
            continue
        b = (0 if o.asset_id == yes_token else 2) + (1 if o.side else 0)  # token * 2 + side
        k = (b << 14) | o.price
        sub[k] = sub.get(k, 0) + rem
        k = ((3 - b) << 14) | (ONE - o.price)  # the other token, the other side
        sub[k] = sub.get(k, 0) + rem
    return sub


def _subtract(top: TopOfBook, base: int, sub: dict[int, int]) -> TopOfBook:
    get = sub.get
    sides: list[tuple[tuple[int, int], ...]] = []
    changed = False
    for s, levels in ((0, top.bids), (1, top.asks)):
        hi = (base + s) << 14
        out = None
        for j, (p, size) in enumerate(levels):
            d = get(hi | p)
            if d:
                if out is None:
                    out = list(levels[:j])
                size -= d
                if size > 0:
                    out.append((p, size))
            elif out is not None:
                out.append((p, size))
        if out is None:
            sides.append(levels)
        else:
            changed = True
            sides.append(tuple(out))
    if not changed:
        return top
    return TopOfBook(top.asset_id, sides[0], sides[1], top.ts_venue, top.ts_local, top.needs_resync)


def own_orders_view(ms: MarketState) -> tuple[OwnOrder, ...]:
    v = ms.own_view
    if v is None:
        v = ms.own_view = tuple(
            OwnOrder(o.client_order_id, o.asset_id, o.side, o.price, o.size - o.filled, o.state)
            for o in ms.orders.values()
        )
    return v


def positions_view(ms: MarketState, inventory: Inventory) -> tuple[PositionView, PositionView]:
    v = ms.pos_view
    if v is None:
        got = inventory.positions.get
        views = []
        for token in ms.tokens:
            p = got(token)
            if p is None:
                views.append(PositionView(token))
            else:
                views.append(PositionView(token, p.shares, p.cost, p.realized - p.fees))
        v = ms.pos_view = (views[0], views[1])
    return v


# ---- hashes for the decision log ----------------------------------------------------------------

_MP = msgspec.msgpack.Encoder()
_JSON = msgspec.json.Encoder()


def snapshot_hash(s: Snapshot) -> str:
    """blake2b-8 of the snapshot's content. The market is represented by its condition id and
    tick (the rest of its metadata is fixed), the reference history by its length and end points
    (it is a deterministic function of the reference stream, which ``ref_price`` and ``ts``
    already pin down): this keeps the hash a few microseconds."""
    h = s.ref_history
    hist = (len(h), h[0], h[-1]) if h else None
    payload = (
        s.ts,
        s.market.condition_id,
        s.market.tick,
        s.books,
        s.net_books,
        s.positions,
        s.orders,
        s.available_cash,
        s.ref_price,
        hist,
        s.sigma,
        s.sigma_multiplier,
        s.round_open,
    )
    return hashlib.blake2b(_MP.encode(payload), digest_size=8).hexdigest()


def decision_bytes(d: Decision) -> bytes:
    return _JSON.encode(d)


def bytes_hash(b: bytes) -> str:
    return hashlib.blake2b(b, digest_size=8).hexdigest()
