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
_NO_SIDES: list = [{}, {}, {}, {}]  # OwnCache.sides until set_sizes (never written to)


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
    token has a book yet. Views are cached per token by (book update count, resync flag,
    depth); ``cache=False`` for a one-off view at another depth."""
    yes_t, no_t = ms.tokens
    if cache:  # the common case written out: both tokens have a depth book
        yb = books.get(yes_t)
        nb = books.get(no_t)
        if yb is not None and nb is not None:
            tops = ms.tops
            c = tops[0]
            if c is not None and c[0] == yb.updates and c[3] == depth and c[1] is yb.needs_resync:
                yes = c[2]
            else:
                yes = yb.top(depth)
                tops[0] = (yb.updates, yb.needs_resync, yes, depth)  # type: ignore[call-overload]
            c = tops[1]
            if c is not None and c[0] == nb.updates and c[3] == depth and c[1] is nb.needs_resync:
                return yes, c[2]
            no = nb.top(depth)
            tops[1] = (nb.updates, nb.needs_resync, no, depth)  # type: ignore[call-overload]
            return yes, no
    out: list[TopOfBook | None] = [None, None]
    for i, asset in enumerate(ms.tokens):
        book = books.get(asset)
        if book is None or not cache:
            out[i] = top_of(books, asset, depth)
            continue
        key = book.updates
        resync = book.needs_resync
        cached = ms.tops[i]
        if cached is not None and cached[0] == key and cached[1] == resync and cached[3] == depth:
            out[i] = cached[2]
        else:
            top = book.top(depth)
            ms.tops[i] = (key, resync, top, depth)  # type: ignore[call-overload]
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


def eval_views(
    ms: MarketState, books: BookStore, want: int, full: int, netted: bool
) -> tuple[TopOfBook, TopOfBook, TopOfBook, TopOfBook] | None:
    """``(yes, no, net yes, net no)`` for an evaluation, ``None`` while neither token has a book.

    ``want`` levels per side the strategy reads (``full``: the engine's depth), one more per own
    level on a side when our orders are netted out (``netted``: the venue's books hold them) so
    that ``want`` levels remain after netting. Books flagged for resync come back un-netted
    (nothing is evaluated on them). Views and net views come from the per-token caches
    (:func:`cached_tops`, :func:`cached_net_books`)."""
    netted = netted and bool(ms.orders)
    depth = want
    if netted:
        depth = full if want >= full else min(want + own_levels(ms), full)
    pair = cached_tops(ms, books, depth)
    if pair is None:
        return None
    yes, no = pair
    if not netted or yes.needs_resync or no.needs_resync:
        return yes, no, yes, no
    return (yes, no, *cached_net_books(ms, yes, no))


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
    c = own_cache(ms)
    sub = c.sizes
    if sub is None:
        sub = c.set_sizes(own_sizes(ms.orders.values(), ms.tokens[0]))
    if not sub:
        return yes, no
    if c.yes is not yes:
        c.yes = yes
        c.yes_net = _net(yes, 0, c)
    if c.no is not no:
        c.no = no
        c.no_net = _net(no, 2, c)
    return c.yes_net, c.no_net  # type: ignore[return-value]


def own_levels(ms: MarketState) -> int:
    """The most price levels our resting orders occupy on any one side of either token's book
    (each order counted on its token and mirrored on the other): netting removes at most this
    many levels from a side, so a view that many levels deeper still nets to the depth asked."""
    c = own_cache(ms)
    n = c.levels
    if n is None:
        sub = c.sizes
        if sub is None:
            sub = c.set_sizes(own_sizes(ms.orders.values(), ms.tokens[0]))
        n = c.levels = _most_levels(sub)
    return n


def _most_levels(sub: dict[int, int]) -> int:
    per_side = [0, 0, 0, 0]
    for k in sub:
        per_side[k >> 14] += 1
    return max(per_side)


class OwnCache:
    """What the engine derives from our orders in one market, valid while the own-orders view
    (rebuilt whenever one of our orders there changes) is the same object: our resting sizes by
    level, the net books built from them, the deepest own level count, and the last diff of a
    decision against those orders (``plan_for``: the decision's quotes tuple)."""

    __slots__ = (
        "levels",
        "nets",
        "no",
        "no_net",
        "plan",
        "plan_for",
        "sides",
        "sizes",
        "view",
        "yes",
        "yes_net",
    )

    def __init__(self, view: tuple[OwnOrder, ...]) -> None:
        self.view = view
        self.sizes: dict[int, int] | None = None
        self.levels: int | None = None
        self.yes: TopOfBook | None = None
        self.yes_net: TopOfBook | None = None
        self.no: TopOfBook | None = None
        self.no_net: TopOfBook | None = None
        self.plan_for: tuple | None = None
        self.plan: object = None
        self.sides: list[dict[int, int]] = _NO_SIDES
        #: per book side (as ``sides``): (the venue levels last netted, their net levels)
        self.nets: list[tuple[tuple, tuple] | None] = [None, None, None, None]

    def set_sizes(self, sizes: dict[int, int]) -> dict[int, int]:
        """Keep our resting sizes (:func:`own_sizes`) and the same per book side in
        :attr:`sides` (``token * 2 + side`` -> ``{price: size}``); returns ``sizes``."""
        sd: list[dict[int, int]] = [{}, {}, {}, {}]
        for k, v in sizes.items():
            sd[k >> 14][k & 0x3FFF] = v
        self.sides = sd
        self.sizes = sizes
        return sizes


def own_cache(ms: MarketState) -> OwnCache:
    """``ms.net_cache`` for the current own-orders view (a new one once our orders changed)."""
    view = own_orders_view(ms)
    c = ms.net_cache
    if c is None or c.view is not view:  # type: ignore[attr-defined]
        c = ms.net_cache = OwnCache(view)  # type: ignore[assignment]
    return c  # type: ignore[return-value]


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


def _net(top: TopOfBook, base: int, c: OwnCache) -> TopOfBook:
    """:func:`_subtract` for the engine, side by side from our sizes per side
    (:attr:`OwnCache.sides`). A side's result is kept with the levels it came from: a book side
    that did not change since (the book hands out the same tuple, see ``OrderBook.top``) is not
    netted again. A level reduced to nothing is left out; a side with nothing of ours in it is
    the same tuple."""
    sides = c.sides
    nets = c.nets
    out_sides = [top.bids, top.asks]
    for s in (0, 1):
        levels = out_sides[s]
        own = sides[base + s]
        if not levels or not own:
            continue
        e = nets[base + s]
        if e is not None and e[0] is levels:
            out_sides[s] = e[1]
            continue
        get = own.get
        out = None
        for j, (p, size) in enumerate(levels):
            d = get(p)
            if d:
                if out is None:
                    out = list(levels[:j])
                size -= d
                if size > 0:
                    out.append((p, size))
            elif out is not None:
                out.append((p, size))
        net = levels if out is None else tuple(out)
        nets[base + s] = (levels, net)
        out_sides[s] = net
    nb, na = out_sides
    if nb is top.bids and na is top.asks:
        return top
    return TopOfBook(top.asset_id, nb, na, top.ts_venue, top.ts_local, top.needs_resync)


def own_orders_view(ms: MarketState) -> tuple[OwnOrder, ...]:
    v = ms.own_view
    if v is None:
        v = ms.own_view = tuple(
            [
                OwnOrder(o.client_order_id, o.asset_id, o.side, o.price, o.size - o.filled, o.state)
                for o in ms.orders.values()
            ]
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
    """blake2b-8 identifying the snapshot's content, for decision parity.

    Hashed: the msgpack encoding of ``(ts, condition id, tick, yes book, no book, yes net book,
    no net book, D(positions), D(orders), available cash, ref price, (len, first, last) of the
    reference history, sigma, sigma multiplier, round open)``, where a net book equal to its
    venue book is written as ``None`` and ``D(x)`` is the blake2b-16 digest of ``msgpack(x)``.
    The market stands for itself by its condition id and tick (the rest of its metadata is
    fixed), the reference history by its length and end points (a deterministic function of the
    reference stream, which ``ref_price`` and ``ts`` pin down). Every part enters by value, so
    equal snapshots hash equal however they were built.

    Why this shape: the book views change on nearly every evaluation and are small (the engine
    builds only the levels the strategy reads), so they are encoded in place; positions and our
    orders change rarely and are bulky (asset and order ids), so :func:`_digest` keeps their
    digests while they are the same objects. An evaluation hashes a few hundred bytes instead of
    every order again."""
    h = s.ref_history
    m = s.market
    cid = m.condition_id
    books = s.books
    net = s.net_books
    yes, no = books
    ny, nn = net
    payload = (
        s.ts,
        cid,
        m.tick,
        yes,
        no,
        None if ny is yes or ny == yes else ny,
        None if nn is no or nn == no else nn,
        _digest(cid, 0, s.positions),
        _digest(cid, 1, s.orders),
        s.available_cash,
        s.ref_price,
        (len(h), h[0], h[-1]) if h else None,
        s.sigma,
        s.sigma_multiplier,
        s.round_open,
    )
    return hashlib.blake2b(_MP.encode(payload), digest_size=8).hexdigest()


#: (condition id, part) -> (the part's last object, its digest). An evaluation replaces the
#: parts that changed and finds the rest; an object is freed as soon as its successor replaces it.
_DIGESTS: dict[tuple[str, int], tuple[object, bytes]] = {}
_DIGESTS_MAX = 8192  # two parts per market: cleared (rarely) once many markets have come and gone


def _digest(cid: str, part: int, obj: object) -> bytes:
    """blake2b-16 of ``msgpack(obj)`` for an immutable object, remembered per market and part
    while it is the same object."""
    key = (cid, part)
    e = _DIGESTS.get(key)
    if e is not None and e[0] is obj:
        return e[1]
    d = hashlib.blake2b(_MP.encode(obj), digest_size=16).digest()
    if e is None and len(_DIGESTS) >= _DIGESTS_MAX:
        _DIGESTS.clear()
    _DIGESTS[key] = (obj, d)
    return d


def decision_bytes(d: Decision) -> bytes:
    return _JSON.encode(d)


def decision_record(cid: str, d: Decision) -> tuple[bytes, str]:
    """``(decision_bytes(d), bytes_hash(decision_bytes(d)))``, cheaper when ``d.quotes`` is the
    same tuple as in the market's last decision (a strategy returning a cached ladder): the
    JSON of a struct is its fields' JSON in order, so the bytes up to and including the quotes
    are kept with a blake2b state that has already consumed them, and only the short tail
    (immediate orders, reason, fair value) is encoded and hashed again. Same bytes, same hash."""
    if not _SPLICE:
        db = _JSON.encode(d)
        return db, bytes_hash(db)
    q = d.quotes
    e = _HEADS.get(cid)
    if e is None or e[0] is not q:  # new quotes: the plain way (what an acting decision costs
        db = _JSON.encode(d)  # stays as before); the head is cut from these bytes when reused
        if len(_HEADS) >= _DIGESTS_MAX:
            _HEADS.clear()
        _HEADS[cid] = (q, db, None)
        return db, bytes_hash(db)
    if e[2] is None:  # the quotes come back: keep their bytes and a hash state past them. The
        # first ``,"immediate":`` ends the quotes (in a JSON string a quote is always escaped).
        db = e[1]
        head = db[: db.find(b',"immediate":')]
        e = _HEADS[cid] = (q, head, hashlib.blake2b(head, digest_size=8))
    enc = _JSON.encode
    tail = b"".join(
        (
            b',"immediate":',
            enc(d.immediate),
            b',"reason":',
            enc(d.reason),
            b',"fair_value":',
            enc(d.fair_value),
            b"}",
        )
    )
    h = e[2].copy()  # type: ignore[attr-defined]
    h.update(tail)
    return e[1] + tail, h.hexdigest()


def _spliceable() -> bool:
    """Whether :func:`decision_record`'s layout is msgspec's JSON of a Decision (fields, order,
    names, no omitted defaults, no tag, not array-like); otherwise it encodes whole."""
    cfg = Decision.__struct_config__
    names = [f.encode_name for f in msgspec.structs.fields(Decision)]
    return (
        names == ["quotes", "immediate", "reason", "fair_value"]
        and not cfg.omit_defaults
        and not cfg.array_like
        and cfg.tag is None
    )


#: condition id -> (last quotes tuple, JSON up to its end, blake2b state after those bytes), or
#: (quotes, the whole JSON of the decision that brought them, None) until they are reused
_HEADS: dict[str, tuple[tuple, bytes, object]] = {}
_SPLICE = _spliceable()


def bytes_hash(b: bytes) -> str:
    return hashlib.blake2b(b, digest_size=8).hexdigest()
