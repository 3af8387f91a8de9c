"""Cash, positions and reservations, in exact integers.

Two ledgers that never mix:

* **reserved**: capital locked by *working* orders, and by dead orders still owed late fills (a
  fill matched before the cancel or expiry but reported after it: the order's ``late_qty``). A BUY
  reserves what that quantity can still cost at its limit, plus (not post-only, with a fee
  schedule) the worst-case taker fee of it (once fills are booked: what the venue can still bill,
  see ``OrderManager._reserve``). A SELL reserves the shares and, likewise, the fee in cash (a tiny
  fill's fee, rounded up, can exceed its proceeds, rounded down).
  ``available_cash = cash - reserved_cash``.
* **positions**: what fills (and splits, merges, settlement) did. Per token: shares, cost basis
  (cash units), realized PnL, fees.

Cash moves by *telescoping rounding*: per order we keep the exact cumulative notional
(``price * size``, 1e-10 units) and a BUY pays ``ceil(new) - ceil(old)`` (a SELL receives
``floor(new) - floor(old)``), so an order's total is exactly ``ceil``/``floor`` of its total notional
however it was split into fills. A BUY with booked notional ``N`` reserves, for ``q`` more at its
limit ``p``, exactly ``ceil(N + p q) - ceil(N)`` (:meth:`Inventory.reserve_remaining`): at submit
that is ``cost_up(p, size)``, it always covers what the rest can cost, and a fill at or inside the
limit frees at least what it spends, so fills never take ``available_cash`` (hence cash) below
zero. (``cost_up(p, remaining)`` would over-reserve by a unit now and then and dip
``available_cash`` below zero for a moment.)

What reservations cannot cover, and the manager flags instead (``OmsStats.overdrawn``): a late
fill the venue did not announce (no ``size_matched`` on the cancel), a fill at a worse price than
the limit, a fee above the bound, a ``FAILED`` trade that takes back proceeds already spent, and
one that puts a remainder back on the book (reserved again at the limit, while the refund was at
the fill's better price).

Every position change is also kept as a :class:`LedgerEntry` per token. When a ``FAILED`` trade voids
a fill, cash is reversed by the same telescoping and the token's position is rebuilt from its
surviving entries, so it is exactly what it would be had the voided fill never been booked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import msgspec

from predtrade.model import FeeSchedule, Market, Side, cost_up, proceeds_down, shares_value
from predtrade.model.units import NOTIONAL_PER_CASH, ONE

from .errors import InsufficientFunds, InventoryError

_NPC: Final = NOTIONAL_PER_CASH
_HALF: Final = ONE // 2  # p * (1 - p) peaks here
_PPM: Final = 1_000_000
_ONE_SQ: Final = ONE * ONE
_BUY: Final = Side.BUY

# ledger entry kinds
FILL: Final = 0
SPLIT: Final = 1
MERGE: Final = 2
SETTLE: Final = 3


class Position:
    """Holdings of one token. ``cost`` is the cost basis in cash units of the shares held;
    ``realized`` excludes fees (``fees`` is kept apart, ``net_realized`` subtracts it)."""

    __slots__ = ("cost", "fees", "realized", "shares", "token")

    def __init__(self, token: str) -> None:
        self.token = token
        self.shares = 0
        self.cost = 0
        self.realized = 0
        self.fees = 0

    @property
    def net_realized(self) -> int:
        return self.realized - self.fees

    def value(self, mark: int) -> int:
        """Mark-to-market value of the shares at ``mark`` (rounded against us)."""
        s = self.shares
        return proceeds_down(mark, s) if s >= 0 else -cost_up(mark, -s)

    def unrealized(self, mark: int) -> int:
        return self.value(mark) - self.cost

    def __repr__(self) -> str:
        return (
            f"Position({self.token[:8]}… shares={self.shares} cost={self.cost} "
            f"realized={self.realized} fees={self.fees})"
        )

    # -- the two primitive moves; used both live and when rebuilding after a void
    def _add(self, qty: int, cost: int) -> None:
        sh = self.shares
        if sh < 0:  # covering a short (only reachable after voids); its proceeds were realized
            cover = min(qty, -sh)
            cover_cost = cost * cover // qty
            self.realized -= cover_cost
            cost -= cover_cost
        self.shares = sh + qty
        self.cost += cost

    def _remove(self, qty: int, proceeds: int) -> int:
        """Take ``qty`` shares out for ``proceeds``; the basis leaves proportionally (floor), and
        the last share takes whatever basis is left, so nothing leaks. Returns the basis removed."""
        sh = self.shares
        if qty >= sh:
            removed = self.cost
        else:
            removed = self.cost * qty // sh
        self.cost -= removed
        self.shares = sh - qty
        self.realized += proceeds - removed
        return removed


class LedgerEntry(msgspec.Struct, gc=False):
    """One position change of one token. ``amount`` is the cash it moved at booking (a fill's
    telescoped cost or proceeds, a merge leg's share of the payout, a split leg's share of the cost,
    a settlement's payout). A msgspec Struct (mutable, untracked by the GC): one is built per fill."""

    kind: int
    key: str
    token: str
    is_buy: bool
    qty: int
    price: int
    fee: int
    amount: int
    voided: bool = False
    winning: bool = False

    def __repr__(self) -> str:
        kind = ("FILL", "SPLIT", "MERGE", "SETTLE")[self.kind]
        side = "BUY" if self.is_buy else "SELL"
        return f"LedgerEntry({kind} {side} {self.qty}@{self.price} amount={self.amount} voided={self.voided})"


def _ceil_cash(notional: int) -> int:
    return -((-notional) // _NPC)


def fee_numerator(fees: FeeSchedule, price: int, qty: int) -> int:
    """The exact taker fee of ``qty`` at ``price``, as a numerator over :func:`fee_denominator`
    (``FeeSchedule.taker_fee`` is its ceiling): exact fees add up without rounding."""
    return qty * fees.rate_ppm * (price * (ONE - price)) ** fees.exponent


def fee_denominator(fees: FeeSchedule) -> int:
    return _PPM * _ONE_SQ**fees.exponent


def fee_bound(side: Side, price: int, qty: int, fees: FeeSchedule | None, post_only: bool) -> int:
    """Worst-case taker fee for ``qty`` filled at ``price`` or better. ``p * (1 - p)`` peaks at 0.5,
    so a BUY's worst price is ``min(limit, 0.5)`` and a SELL's ``max(limit, 0.5)``. Post-only
    orders only ever make, and makers pay no fee under a taker-only schedule."""
    if fees is None or not qty or fees.rate_ppm == 0 or (post_only and fees.taker_only):
        return 0
    worst = min(price, _HALF) if side is _BUY else max(price, _HALF)
    return fees.taker_fee(worst, qty)


class Inventory:
    """Cash, reservations and positions of one account. Mutated only by the order manager (fills,
    reservations) and by explicit calls (``split``, ``merge``, ``settle``)."""

    __slots__ = (
        "_log",
        "_notional",
        "_positions",
        "_res",
        "_reserved_shares",
        "_settled",
        "cash",
        "reserved_cash",
    )

    def __init__(self, cash: int) -> None:
        if cash < 0:
            raise InventoryError(f"initial cash must be >= 0, got {cash}")
        self.cash = cash
        self.reserved_cash = 0
        self._reserved_shares: dict[str, int] = {}
        self._res: dict[str, tuple[str, int, int]] = {}  # order key -> (token, cash, shares)
        self._positions: dict[str, Position] = {}
        self._notional: dict[str, int] = {}  # order key -> exact surviving notional
        self._log: dict[str, list[LedgerEntry]] = {}
        self._settled: set[str] = set()

    # ------------------------------------------------------------------ queries
    @property
    def available_cash(self) -> int:
        return self.cash - self.reserved_cash

    def available_shares(self, token: str) -> int:
        pos = self._positions.get(token)
        return (pos.shares if pos is not None else 0) - self._reserved_shares.get(token, 0)

    def reserved_shares(self, token: str) -> int:
        return self._reserved_shares.get(token, 0)

    def reservation(self, key: str) -> tuple[int, int]:
        """``(cash, shares)`` currently reserved by order ``key``."""
        r = self._res.get(key)
        return (r[1], r[2]) if r is not None else (0, 0)

    def position(self, token: str) -> Position:
        """The position in ``token`` (an empty one, not stored, if we never held it)."""
        pos = self._positions.get(token)
        return pos if pos is not None else Position(token)

    @property
    def positions(self) -> Mapping[str, Position]:
        return self._positions

    def ledger(self, token: str) -> list[LedgerEntry]:
        """Every position change of ``token``, in booking order (voided entries included)."""
        return list(self._log.get(token, ()))

    def complete_sets(self, market: Market) -> int:
        """YES/NO pairs held: each pays exactly 1 at resolution whatever the outcome."""
        yes, no = market.token_ids
        return max(0, min(self.position(yes).shares, self.position(no).shares))

    def net_exposure(self, market: Market) -> int:
        """YES shares minus NO shares: what actually depends on the outcome."""
        yes, no = market.token_ids
        return self.position(yes).shares - self.position(no).shares

    def unrealized_pnl(self, marks: Mapping[str, int]) -> int:
        """Sum over tokens with a mark price of ``value(mark) - cost``."""
        total = 0
        for token, mark in marks.items():
            pos = self._positions.get(token)
            if pos is not None:
                total += pos.unrealized(mark)
        return total

    @property
    def realized_pnl(self) -> int:
        return sum(p.realized for p in self._positions.values())

    @property
    def fees_paid(self) -> int:
        return sum(p.fees for p in self._positions.values())

    # ------------------------------------------------------------------ reservations
    @staticmethod
    def reservation_for(
        side: Side, price: int, remaining: int, post_only: bool = False, fees: FeeSchedule | None = None
    ) -> tuple[int, int]:
        """``(cash, shares)`` an order's remainder locks: a BUY its cost at the limit, a SELL its
        shares; both the worst-case taker fee in cash unless post-only (see :func:`fee_bound`)."""
        if not remaining:
            return 0, 0
        fee = fee_bound(side, price, remaining, fees, post_only) if fees is not None else 0
        if side is _BUY:
            return -((-price * remaining) // _NPC) + fee, 0  # cost_up, inlined: this is per fill
        return fee, remaining

    def check_reserve(self, token: str, cash: int, shares: int) -> None:
        """Raise :class:`InsufficientFunds` if reserving ``cash`` and ``shares`` more would overdraw.
        Reserving no cash is never refused, even when overdrawn: a SELL is how cash comes back."""
        if cash and cash > self.cash - self.reserved_cash:
            raise InsufficientFunds("cash", cash, self.cash - self.reserved_cash)
        if shares and shares > self.available_shares(token):
            raise InsufficientFunds(token, shares, self.available_shares(token))

    def reserve(
        self,
        key: str,
        token: str,
        side: Side,
        price: int,
        remaining: int,
        post_only: bool = False,
        fees: FeeSchedule | None = None,
    ) -> None:
        """Set order ``key``'s reservation for ``remaining`` (replacing what it held; 0 releases).
        Never refuses: an order that is already working must be accounted for whatever it costs."""
        cash, shares = self.reservation_for(side, price, remaining, post_only, fees)
        self.set_reservation(key, token, cash, shares)

    def set_reservation(self, key: str, token: str, cash: int, shares: int) -> None:
        """Make order ``key`` hold exactly ``cash`` and ``shares`` of ``token``."""
        old = self._res.get(key)
        if old is not None:
            self.reserved_cash += cash - old[1]
            d_shares = shares - old[2]
        else:
            self.reserved_cash += cash
            d_shares = shares
        if d_shares:
            rs = self._reserved_shares
            left = rs.get(token, 0) + d_shares
            if left:
                rs[token] = left
            else:
                del rs[token]
        if cash or shares:
            self._res[key] = (token, cash, shares)
        elif old is not None:
            del self._res[key]

    def reserve_remaining(self, key: str, token: str, side: Side, price: int, qty: int, fee: int) -> None:
        """Make order ``key`` hold what ``qty`` more at its limit ``price`` can still cost it, plus
        ``fee`` in cash (a SELL: ``qty`` shares plus ``fee``). A BUY's cost is taken against the
        notional the order has already booked, ``ceil(N + price * qty) - ceil(N)``, so it is exactly
        what telescoping will charge at most, never a unit more."""
        if side is _BUY:
            if qty:
                n = self._notional.get(key, 0)
                fee += (-n) // _NPC - (-(n + price * qty)) // _NPC
            self.set_reservation(key, token, fee, 0)
        else:
            self.set_reservation(key, token, fee, qty)

    def forget(self, key: str) -> None:
        """Drop what is kept per order ``key`` once it can trade no more (the order manager
        forgot it): its reservation, if any, is released, and its booked notional (only needed
        to telescope its next fill) is let go. Positions and the ledger are not touched."""
        self.release(key)
        self._notional.pop(key, None)

    def release(self, key: str) -> None:
        r = self._res.pop(key, None)
        if r is not None:
            self.reserved_cash -= r[1]
            if r[2]:
                rs = self._reserved_shares
                left = rs[r[0]] - r[2]
                if left:
                    rs[r[0]] = left
                else:
                    del rs[r[0]]

    # ------------------------------------------------------------------ fills
    def book_fill(self, key: str, token: str, side: Side, price: int, qty: int, fee: int = 0) -> LedgerEntry:
        """Book a fill of order ``key``: move cash (telescoping), update the position, charge
        ``fee`` (cash units; negative for a rebate). Returns the ledger entry (needed to void it)."""
        n_old = self._notional.get(key, 0)
        n_new = n_old + price * qty
        self._notional[key] = n_new
        pos = self._positions.get(token)
        if pos is None:
            pos = self._positions[token] = Position(token)
            self._log[token] = []
        if side is _BUY:
            amount = (-((-n_new) // _NPC)) - (-((-n_old) // _NPC))
            self.cash -= amount + fee
            pos._add(qty, amount)
        else:
            amount = n_new // _NPC - n_old // _NPC
            self.cash += amount - fee
            pos._remove(qty, amount)
        pos.fees += fee
        entry = LedgerEntry(FILL, key, token, side is _BUY, qty, price, fee, amount)
        self._log[token].append(entry)
        return entry

    def void(self, entry: LedgerEntry) -> int:
        """Reverse a booked fill (its trade ``FAILED``): cash by the same telescoping, the fee
        refunded, the token's position rebuilt without it. Returns the cash change."""
        if entry.voided or entry.kind != FILL:
            raise InventoryError(f"cannot void {entry!r}")
        entry.voided = True
        key = entry.key
        n_old = self._notional[key]
        n_new = n_old - entry.price * entry.qty
        self._notional[key] = n_new
        if entry.is_buy:
            delta = _ceil_cash(n_old) - _ceil_cash(n_new)
        else:
            delta = n_new // _NPC - n_old // _NPC
        delta += entry.fee
        self.cash += delta
        self._rebuild(entry.token)
        return delta

    def _rebuild(self, token: str) -> None:
        """Recompute ``token``'s position from its surviving ledger entries, in booking order."""
        pos = self._positions[token]
        pos.shares = pos.cost = pos.realized = pos.fees = 0
        notional: dict[str, int] = {}
        for e in self._log[token]:
            if e.voided:
                continue
            kind = e.kind
            if kind == FILL:
                n_old = notional.get(e.key, 0)
                n_new = notional[e.key] = n_old + e.price * e.qty
                if e.is_buy:
                    pos._add(e.qty, _ceil_cash(n_new) - _ceil_cash(n_old))
                else:
                    pos._remove(e.qty, n_new // _NPC - n_old // _NPC)
                pos.fees += e.fee
            elif kind == SPLIT:
                pos._add(e.qty, e.amount)
            elif kind == MERGE:
                pos._remove(e.qty, e.amount)
            else:  # SETTLE: the payout follows the shares held now; cash absorbs any difference
                payout = shares_value(pos.shares) if e.winning else 0
                self.cash += payout - e.amount
                e.amount = payout
                e.qty = pos.shares
                pos._remove(pos.shares, payout)

    # ------------------------------------------------------------------ complete sets, resolution
    def _entry(self, kind: int, token: str, qty: int, amount: int, is_buy: bool) -> LedgerEntry:
        pos = self._positions.get(token)
        if pos is None:
            pos = self._positions[token] = Position(token)
            self._log[token] = []
        e = LedgerEntry(kind, "", token, is_buy, qty, 0, 0, amount)
        self._log[token].append(e)
        return e

    def split(self, market: Market, qty: int, *, yes_price: int = _HALF) -> None:
        """Turn ``qty`` of cash into ``qty`` YES + ``qty`` NO shares (a complete set costs exactly 1).
        The cost is split between the legs at ``yes_price`` / ``1 - yes_price``."""
        self._check_open(market, qty)
        total = shares_value(qty)
        if total > self.available_cash:
            raise InsufficientFunds("cash", total, self.available_cash)
        yes_cost = min(total, cost_up(yes_price, qty))
        yes, no = market.token_ids
        self.cash -= total
        for token, cost in ((yes, yes_cost), (no, total - yes_cost)):
            self._entry(SPLIT, token, qty, cost, True)
            self._positions[token]._add(qty, cost)

    def merge(self, market: Market, qty: int) -> int:
        """Turn ``qty`` complete sets into ``qty`` of cash (each pays exactly 1). The payout is
        split between the legs in proportion to the cost basis they give up, so each leg shows the
        same return. Returns the cash received."""
        self._check_open(market, qty)
        yes, no = market.token_ids
        for token in (yes, no):
            if qty > self.available_shares(token):
                raise InsufficientFunds(token, qty, self.available_shares(token))
        total = shares_value(qty)
        py, pn = self._positions[yes], self._positions[no]
        ry = py.cost if qty >= py.shares else py.cost * qty // py.shares
        rn = pn.cost if qty >= pn.shares else pn.cost * qty // pn.shares
        yes_pay = total * ry // (ry + rn) if ry + rn > 0 else total // 2
        self.cash += total
        for pos, pay in ((py, yes_pay), (pn, total - yes_pay)):
            self._entry(MERGE, pos.token, qty, pay, False)
            pos._remove(qty, pay)
        return total

    def settle(self, market: Market, winning_token: str) -> int:
        """Resolution: each winning share pays 1, losing shares 0; both positions close and their
        basis is realized. Returns the cash paid out."""
        if winning_token not in market.token_ids:
            raise InventoryError(f"token {winning_token} is not part of market {market.condition_id}")
        if market.condition_id in self._settled:
            raise InventoryError(f"market {market.condition_id} is already settled")
        self._settled.add(market.condition_id)
        paid = 0
        for token in market.token_ids:
            pos = self._positions.get(token)
            if pos is None:
                continue
            win = token == winning_token
            payout = shares_value(pos.shares) if win else 0
            e = self._entry(SETTLE, token, pos.shares, payout, False)
            e.winning = win
            pos._remove(pos.shares, payout)
            self.cash += payout
            paid += payout
        return paid

    def is_settled(self, market: Market) -> bool:
        return market.condition_id in self._settled

    def _check_open(self, market: Market, qty: int) -> None:
        if qty <= 0:
            raise InventoryError(f"quantity must be positive, got {qty}")
        if market.condition_id in self._settled:
            raise InventoryError(f"market {market.condition_id} is already settled")
