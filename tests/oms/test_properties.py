"""Property tests: random venue histories for several orders, delivered in random order.

A *script* says what the venue did with one order (ack or reject; fills whose total never exceeds
the size, each with a settlement-status path such as MATCHED→MINED→CONFIRMED or MATCHED→FAILED;
then maybe a cancel or an expiry, a rejected cancel). Every message of every script, plus our own
cancel requests and duplicated messages, is shuffled into one stream: fills arrive before acks, a
FAILED before the MATCHED it voids, fills after the cancel ack, CONFIRMED before MINED.

The cancel or expiry notice carries the venue's ``size_matched`` (in most scenarios): the
generator knows the ground truth, every trade of the script, since in venue time they all matched
before the order died. It counts the trades that later FAIL too, as the venue's matching engine
does (its count is not decremented when settlement fails).

After every message the manager and inventory must satisfy, against independent oracles:
(a) positions = sum of surviving fills with *our* side, (b) reservations = sum over working
orders of their remainders plus the late-fill reservations of dead orders, each of which is
``size_matched`` minus the trades delivered so far, (c) no fill counted twice, (d) the audit trail
replays to the same states, filled and late quantities, (e) cash reconciles exactly, (f) positions,
cash, PnL and fees agree with a ``decimal.Decimal`` replay, (g) where the venue reported
``size_matched``: cash never goes negative (until a FAILED trade takes back SELL proceeds that were
already spent), ``available_cash`` never goes negative (until any fill is voided: a void takes back
proceeds, or re-opens a remainder at its limit), and nothing is flagged unreserved or overdrawn;
where it did not, every fill after the order died is counted and flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from predtrade.model import (
    CancelRejected,
    FeeSchedule,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderState,
    Side,
    TradeStatus,
)
from predtrade.oms import InsufficientFunds, Inventory, Order, OrderManager
from predtrade.oms.order import Cause
from predtrade.testkit import Stubs

from .helpers import (
    assert_audit_replays,
    assert_reservations,
    cash_int,
    ceil_cash,
    fee_exact,
    floor_cash,
    price_d,
    size_d,
)

SH = Stubs.shares(1)
USD = Stubs.usd(1)
YES, NO = Stubs.YES, Stubs.NO
BUY, SELL = Side.BUY, Side.SELL
M, MI, R, C, F = (
    TradeStatus.MATCHED,
    TradeStatus.MINED,
    TradeStatus.RETRYING,
    TradeStatus.CONFIRMED,
    TradeStatus.FAILED,
)
#: status paths a trade can take (docs lifecycle); the last element is always the furthest one
PATHS = [(M,), (M, MI), (M, MI, C), (M, R, MI, C), (M, R), (C,), (M, F), (M, R, F), (M, MI, R, F), (F,)]
FEES = [None, FeeSchedule(rate_ppm=70_000), FeeSchedule(rate_ppm=250_000, exponent=2)]
PRICES = st.one_of(st.integers(1, 99).map(lambda k: k * 100), st.integers(1, 9_999))
SIZES = st.one_of(st.integers(1, 40).map(lambda k: k * SH), st.integers(1, 40 * SH))


@dataclass(frozen=True)
class PlannedFill:
    trade_id: str
    qty: int
    price: int
    path: tuple[TradeStatus, ...]
    fee: int
    cross: bool  # the message names the complementary token (YES/NO cross match)

    @property
    def survives(self) -> bool:
        return F not in self.path


@dataclass(frozen=True)
class Script:
    idx: int
    token: str
    side: Side
    price: int
    size: int
    post_only: bool
    known_id: bool
    rejected: bool
    fills: tuple[PlannedFill, ...]
    terminal: str  # "", "cancelled", "expired"
    cancel_request: bool
    cancel_rejected: bool

    @property
    def venue_id(self) -> str:
        return f"0x{self.idx + 1:064x}"


@dataclass(frozen=True)
class Scenario:
    cash: int
    sets: int
    fees: FeeSchedule | None
    scripts: tuple[Script, ...]
    events: tuple[tuple, ...]
    order: tuple[int, ...]
    interleave: bool
    winner: str
    reports_matched: bool  # the cancel / expiry notices carry the venue's size_matched

    def size_matched(self, s: Script) -> int | None:
        """The venue's count when the order died: every trade of the script (FAILED ones too)."""
        return sum(f.qty for f in s.fills) if self.reports_matched else None


def telescoped_fees(fees: FeeSchedule | None, post_only: bool, fills: list[tuple[int, int]]) -> list[int]:
    """What a venue charging the exact fee, rounded up on the running total, bills per fill."""
    if fees is None or post_only:
        return [0] * len(fills)
    out, total, paid = [], Fraction(0), 0
    for price, qty in fills:
        # cash units: qty (1e-6 shares) * rate (ppm) * (p (1 - p)) ** e, with p(1-p) in 1e-8 units
        total += Fraction(
            qty * fees.rate_ppm * (price * (10_000 - price)) ** fees.exponent,
            10**6 * 10 ** (8 * fees.exponent),
        )
        due = -((-total.numerator) // total.denominator)
        out.append(due - paid)
        paid = due
    return out


@st.composite
def scripts(draw: st.DrawFn, idx: int, fees: FeeSchedule | None) -> Script:
    side = draw(st.sampled_from([BUY, SELL]))
    price = draw(PRICES)
    size = draw(SIZES)
    post_only = draw(st.booleans())
    rejected = draw(st.integers(0, 9)) == 0
    planned: list[tuple[int, int, tuple[TradeStatus, ...], bool]] = []
    left = size
    if not rejected:
        n = draw(st.integers(0, 4))
        for j in range(n):
            if not left:
                break
            qty = left if (j == n - 1 and draw(st.booleans())) else draw(st.integers(1, left))
            left -= qty
            better = draw(st.sampled_from([0, 0, 0, 1, 100, 1_234]))
            fprice = max(1, price - better) if side is BUY else min(9_999, price + better)
            planned.append((qty, fprice, draw(st.sampled_from(PATHS)), draw(st.booleans())))
    fee_list = telescoped_fees(fees, post_only, [(p, q) for q, p, _, _ in planned])
    fills = tuple(
        PlannedFill(f"tr-{idx}-{j}", q, p, path, fee, cross)
        for j, ((q, p, path, cross), fee) in enumerate(zip(planned, fee_list, strict=True))
    )
    terminal = "" if rejected or left == 0 else draw(st.sampled_from(["", "cancelled", "expired"]))
    cancel_request = draw(st.booleans())
    return Script(
        idx=idx,
        token=draw(st.sampled_from([YES, NO])),
        side=side,
        price=price,
        size=size,
        post_only=post_only,
        known_id=draw(st.integers(0, 3)) == 0,
        rejected=rejected,
        fills=fills,
        terminal=terminal,
        cancel_request=cancel_request,
        cancel_rejected=cancel_request and not rejected and terminal != "cancelled" and draw(st.booleans()),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    fees = draw(st.sampled_from(FEES))
    n = draw(st.integers(1, 6))
    all_scripts = tuple(draw(scripts(i, fees)) for i in range(n))
    sets = draw(st.integers(0, 30)) * SH
    if draw(st.booleans()):
        cash = draw(st.integers(0, 300)) * USD + draw(st.integers(0, USD - 1))
    else:
        # tight: only part of what the BUYs need (cost at the limit plus 25 % for fees), so orders
        # compete for cash, e.g. for what a cancel frees while its late fills are still in flight
        need = sum(-(-s.price * s.size * 5 // 4 // 10_000) for s in all_scripts if s.side is BUY)
        cash = sets + need * draw(st.integers(10, 100)) // 100 + draw(st.integers(0, 3))
    sets = min(sets, cash)
    events: list[tuple] = []
    for s in all_scripts:
        mine: list[tuple] = []
        if s.rejected:
            mine.append(("rejected", s.idx))
        else:
            mine.append(("ack", s.idx))
            for j, f in enumerate(s.fills):
                mine.extend(("fill", s.idx, j, status) for status in f.path)
            if s.terminal:
                mine.append((s.terminal, s.idx))
            if s.cancel_rejected:
                mine.append(("cancel_rejected", s.idx))
        if s.cancel_request:
            mine.append(("cancel_request", s.idx))
        dups = draw(st.lists(st.booleans(), min_size=len(mine), max_size=len(mine)))
        events.extend(mine + [e for e, d in zip(mine, dups, strict=True) if d])
    return Scenario(
        cash=cash,
        sets=sets,
        fees=fees,
        scripts=all_scripts,
        events=tuple(events),
        order=tuple(draw(st.permutations(range(len(events))))),
        interleave=draw(st.booleans()),
        winner=draw(st.sampled_from([YES, NO])),
        reports_matched=draw(st.integers(0, 3)) > 0,
    )


# ---------------------------------------------------------------- the Decimal oracle


class RefPosition:
    """Average-cost position in exact decimals, rounding only where the spec says so."""

    def __init__(self) -> None:
        self.shares = Decimal(0)
        self.cost = Decimal(0)
        self.realized = Decimal(0)
        self.fees = Decimal(0)

    def add(self, qty: Decimal, cost: Decimal) -> None:
        if self.shares < 0:
            cover = min(qty, -self.shares)
            cover_cost = floor_cash(cost * cover / qty)
            self.realized -= cover_cost
            cost -= cover_cost
        self.shares += qty
        self.cost += cost

    def remove(self, qty: Decimal, proceeds: Decimal) -> Decimal:
        removed = self.cost if qty >= self.shares else floor_cash(self.cost * qty / self.shares)
        self.cost -= removed
        self.shares -= qty
        self.realized += proceeds - removed
        return removed

    def as_ints(self) -> tuple[int, int, int, int]:
        return (int(self.shares.scaleb(6)), cash_int(self.cost), cash_int(self.realized), cash_int(self.fees))


class Oracle:
    """Cash and positions rebuilt from the surviving fills, in booking order, with Decimal."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.cash = Decimal(sc.cash).scaleb(-6)
        self.pos = {YES: RefPosition(), NO: RefPosition()}
        if sc.sets:
            total = size_d(sc.sets)
            yes_cost = min(total, ceil_cash(Decimal("0.5") * total))
            self.cash -= total
            self.pos[YES].add(total, yes_cost)
            self.pos[NO].add(total, total - yes_cost)

    def replay_fills(self, om: OrderManager, scripts_by_cid: dict[str, Script]) -> None:
        notional: dict[str, Decimal] = {}
        voided = {(o.client_order_id, t) for o in om.orders for t, f in o.fills.items() if f.voided}
        for t in om.audit:
            if t.cause is not Cause.FILL or (t.order_id, t.trade_id) in voided:
                continue
            s = scripts_by_cid[t.order_id]
            fill = next(f for f in s.fills if f.trade_id == t.trade_id)
            assert (t.fill_qty, t.fill_price) == (fill.qty, fill.price)
            old = notional.get(t.order_id, Decimal(0))
            new = notional[t.order_id] = old + price_d(fill.price) * size_d(fill.qty)
            pos = self.pos[s.token]  # our token and our side, whatever the message said
            if s.side is BUY:
                amount = ceil_cash(new) - ceil_cash(old)
                self.cash -= amount
                pos.add(size_d(fill.qty), amount)
            else:
                amount = floor_cash(new) - floor_cash(old)
                self.cash += amount
                pos.remove(size_d(fill.qty), amount)
            fee = Decimal(fill.fee).scaleb(-6)
            self.cash -= fee
            pos.fees += fee

    def merge(self, qty: int) -> None:
        q = size_d(qty)
        y, n = self.pos[YES], self.pos[NO]
        ry = y.cost if q >= y.shares else floor_cash(y.cost * q / y.shares)
        rn = n.cost if q >= n.shares else floor_cash(n.cost * q / n.shares)
        yes_pay = floor_cash(q * ry / (ry + rn)) if ry + rn > 0 else floor_cash(q / 2)
        self.cash += q
        y.remove(q, yes_pay)
        n.remove(q, q - yes_pay)

    def settle(self, winner: str) -> None:
        for token, pos in self.pos.items():
            payout = pos.shares if token == winner else Decimal(0)
            self.cash += payout
            pos.remove(pos.shares, payout)


def check_ledgers(om: OrderManager, sc: Scenario, scripts_by_cid: dict[str, Script], oracle: Oracle) -> None:
    inv = om.inventory
    # (e, f) cash and positions agree with the Decimal replay
    assert inv.cash == cash_int(oracle.cash)
    for token, ref in oracle.pos.items():
        p = inv.position(token)
        assert (p.shares, p.cost, p.realized, p.fees) == ref.as_ints(), token
    # (a) shares = splits + surviving fills, signed by *our* side (not the message's)
    for token in (YES, NO):
        want = sc.sets
        for o in om.orders:
            s = scripts_by_cid[o.client_order_id]
            if s.token == token:
                sign = 1 if s.side is BUY else -1
                want += sign * sum(f.qty for f in o.fills.values() if not f.voided)
        assert inv.position(token).shares == want


STAYS = (OrderState.PENDING_CANCEL, OrderState.CANCELLED, OrderState.EXPIRED)


def check_transition_rules(o: Order) -> None:
    """The spec's rules for where each cause leads, replayed over the order's trail."""
    filled = late = 0
    for t in o.transitions:
        filled += t.fill_qty
        frm, to = t.from_state, t.to_state
        if t.cause is Cause.FILL:
            # a partial fill keeps PENDING_CANCEL (cancel in flight), CANCELLED, EXPIRED
            want = (
                OrderState.FILLED
                if filled == o.size
                else frm
                if frm in STAYS
                else OrderState.PARTIALLY_FILLED
            )
        elif t.cause is Cause.FILL_FAILED:
            want = frm if frm in STAYS else OrderState.PARTIALLY_FILLED if filled else OrderState.OPEN
        elif t.cause is Cause.CANCEL_REJECTED:
            want = OrderState.PARTIALLY_FILLED if filled else OrderState.OPEN
        elif t.cause is Cause.ACCEPTED:
            want = OrderState.PENDING_CANCEL if frm is OrderState.PENDING_CANCEL else OrderState.OPEN
        elif t.cause is Cause.LATE:
            # only the late-fill quantity of a dead order changes: a FAILED trade never seen (it
            # has a trade id) shrinks it, a notice reporting size_matched raises it
            assert frm in (OrderState.CANCELLED, OrderState.EXPIRED) and t.fill_qty == 0, t
            assert t.late_qty < late if t.trade_id is not None else t.late_qty != late, t
            want = frm
        else:
            want = {
                Cause.CANCEL_REQUESTED: OrderState.PENDING_CANCEL,
                Cause.CANCELLED: OrderState.CANCELLED,
                Cause.EXPIRED: OrderState.EXPIRED,
                Cause.REJECTED: OrderState.REJECTED,
            }[t.cause]
        assert to is want, t
        late = t.late_qty


def check_orders(om: OrderManager) -> None:
    # (c) each fill booked at most once, voided at most once, and filled = surviving fills
    for o in om.orders:
        check_transition_rules(o)
        assert o.filled == sum(f.qty for f in o.fills.values() if not f.voided)
        assert 0 <= o.filled <= o.size
        seen: dict[tuple[str | None, int], int] = {}
        for t in o.transitions:
            if t.fill_qty:
                key = (t.trade_id, 1 if t.fill_qty > 0 else -1)
                seen[key] = seen.get(key, 0) + 1
        assert all(n == 1 for n in seen.values()), seen
        for trade_id, f in o.fills.items():
            booked = (trade_id, 1) in seen
            assert booked == (f.entry is not None)
            assert ((trade_id, -1) in seen) == (booked and f.voided)


def run(sc: Scenario) -> None:
    inv = Inventory(sc.cash)
    market = Stubs.market()
    if sc.sets:
        inv.split(market, sc.sets)
    om = OrderManager(inv, id_prefix="p")
    oracle = Oracle(sc)
    orders: dict[int, Order | None] = {}
    by_cid: dict[str, Script] = {}

    def submit(s: Script) -> None:
        try:
            o = om.submit(
                market=market.condition_id,
                asset_id=s.token,
                side=s.side,
                price=s.price,
                size=s.size,
                post_only=s.post_only,
                fees=sc.fees,
                venue_order_id=s.venue_id if s.known_id else None,
            )
        except InsufficientFunds as exc:
            o = None
            late_cash = sum(inv.reservation(x.client_order_id)[0] for x in om.late_orders())
            if exc.asset == "cash" and exc.needed <= exc.available + late_cash:
                event("a late-fill reservation refused a submit")
        orders[s.idx] = o
        if o is not None:
            by_cid[o.client_order_id] = s

    if not sc.interleave:
        for s in sc.scripts:
            submit(s)
    late_fill = voided = sell_voided = False
    first_seen: dict[str, int] = {}  # trade id -> step of its first message
    for step, k in enumerate(sc.order):
        ev = sc.events[k]
        s = sc.scripts[ev[1]]
        if s.idx not in orders:
            submit(s)
        o = orders[s.idx]
        if o is None:
            continue
        kind, ts = ev[0], step + 1
        if kind == "fill":
            first_seen.setdefault(s.fills[ev[2]].trade_id, step)
        if kind == "cancel_request":
            om.request_cancel(o.client_order_id, ts)
        elif kind == "ack":
            om.apply(OrderAccepted(o.client_order_id, s.venue_id, ts, ts))
        elif kind == "rejected":
            om.apply(OrderRejected(o.client_order_id, "no", ts, ts))
        elif kind == "cancelled":
            om.apply(OrderCancelled(s.venue_id, ts, ts, size_matched=sc.size_matched(s)))
        elif kind == "expired":
            om.apply(OrderExpired(s.venue_id, ts, ts, size_matched=sc.size_matched(s)))
        elif kind == "cancel_rejected":
            om.apply(CancelRejected(s.venue_id, "matched", ts, ts))
        else:
            f = s.fills[ev[2]]
            asset = (NO if s.token == YES else YES) if f.cross else s.token
            om.apply(OrderFilled(s.venue_id, f.trade_id, asset, f.price, f.qty, ev[3], ts, ts, fee=f.fee))

        # after every message
        assert_reservations(om)  # (b)
        assert_audit_replays(om)  # (d)
        check_orders(om)  # (c)
        step_oracle = Oracle(sc)
        step_oracle.replay_fills(om, by_cid)
        check_ledgers(om, sc, by_cid, step_oracle)  # (a) (e) (f)
        check_late_quantities(om, sc, by_cid, first_seen)  # (b)
        late_fill = late_fill or any(t.cause is Cause.FILL and t.from_state in DEAD for t in om.audit)
        voided = voided or any(t.cause is Cause.FILL_FAILED for t in om.audit)
        sell_voided = sell_voided or any(
            t.cause is Cause.FILL_FAILED and by_cid[t.order_id].side is SELL for t in om.audit
        )
        st_ = om.stats
        if sc.reports_matched:  # (g)
            assert st_.late_unreserved == 0
            if not sell_voided:
                assert inv.cash >= 0
            if not voided:
                assert inv.available_cash >= 0
                assert st_.overdrawn == 0
        else:
            # every fill booked after its order died was unreserved, and counted
            assert st_.late_unreserved == sum(
                1 for t in om.audit if t.cause is Cause.FILL and t.from_state in DEAD
            )
            # with every submit up front, the cash a late fill spends was never reserved again
            if not sc.interleave and not sell_voided:
                assert inv.cash >= 0

    # every message was consistent: nothing illegal, nothing left held, nothing unknown
    st_ = om.stats
    for name in ("held", "voided", "tombstoned", "duplicates", "stale"):
        if getattr(st_, name):
            event(f"has {name}")
    if late_fill:
        event("fill after cancel/expiry ack" + (" (reserved)" if sc.reports_matched else " (unreserved)"))
    if sell_voided:
        event("SELL fill voided")
    if any(t.cause is Cause.LATE for t in om.audit):
        event("late reservation released by a FAILED trade never seen")
    if any(t.from_state is OrderState.PENDING_CANCEL and t.fill_qty for t in om.audit):
        event("fill while cancel in flight")
    event(f"{len(sc.events) // 20 * 20}+ messages")
    assert (st_.illegal, st_.overfills, st_.invalid, st_.conflicts, st_.unknown) == (0, 0, 0, 0, 0)
    assert om.errors == [] and om.held_count == 0

    # the final state of each order follows from its script alone
    for s in sc.scripts:
        o = orders.get(s.idx)
        if o is None:
            continue
        surviving = sum(f.qty for f in s.fills if f.survives)
        assert o.filled == surviving
        if s.rejected:
            assert o.state is OrderState.REJECTED
        elif surviving == s.size:
            assert o.state is OrderState.FILLED
        elif s.terminal:
            assert o.state is (OrderState.CANCELLED if s.terminal == "cancelled" else OrderState.EXPIRED)
        else:
            assert o.state in (OrderState.OPEN, OrderState.PARTIALLY_FILLED, OrderState.PENDING_CANCEL)
            assert o.state is not OrderState.PENDING_CANCEL or s.cancel_request
            if o.state is not OrderState.PENDING_CANCEL:
                assert (o.state is OrderState.PARTIALLY_FILLED) == (o.filled > 0)
        for f in s.fills:
            got = o.fills[f.trade_id]
            assert got.voided == (not f.survives)
            assert got.status is (F if not f.survives else C if C in f.path else f.path[-1])
        unreserved = not sc.reports_matched and any(
            t.cause is Cause.FILL and t.from_state in DEAD for t in o.transitions
        )
        assert o.needs_reconcile == (
            any(f.voided and f.entry is not None for f in o.fills.values()) or unreserved
        )
        if sc.reports_matched and s.terminal:
            assert o.size_matched == sc.size_matched(s)
        # every trade was delivered: every late-fill reservation is used up
        assert o.late_qty == 0
        # held messages are replayed in arrival order: fills are booked in order of first sighting
        booked = [t.trade_id for t in o.transitions if t.cause is Cause.FILL]
        assert booked == sorted(booked, key=lambda tid: first_seen[tid or ""])

    assert om.late_orders() == []
    assert inv.reserved_cash == sum(inv.reservation(o.client_order_id)[0] for o in om.open_orders())

    # complete sets and resolution, against the same oracle
    oracle.replay_fills(om, by_cid)
    sets = min(inv.available_shares(YES), inv.available_shares(NO)) // 2
    if sets > 0:
        assert inv.merge(market, sets) == sets
        oracle.merge(sets)
    for token in (YES, NO):
        p = inv.position(token)
        assert (p.shares, p.cost, p.realized, p.fees) == oracle.pos[token].as_ints()
    inv.settle(market, sc.winner)
    oracle.settle(sc.winner)
    assert inv.cash == cash_int(oracle.cash)
    for token in (YES, NO):
        p = inv.position(token)
        assert (p.shares, p.cost, p.realized, p.fees) == oracle.pos[token].as_ints()
        assert (p.shares, p.cost) == (0, 0)
    if (sc.reports_matched or not sc.interleave) and not sell_voided:
        assert inv.cash >= 0


DEAD = (OrderState.CANCELLED, OrderState.EXPIRED)


def check_late_quantities(
    om: OrderManager, sc: Scenario, scripts_by_cid: dict[str, Script], first_seen: dict[str, int]
) -> None:
    """A dead order reserves for ``size_matched`` minus the trades delivered so far (every one of
    its messages that arrived has been applied: a dead order has been acknowledged). The
    reservations themselves are checked against that quantity by ``assert_reservations``."""
    for o in om.orders:
        s = scripts_by_cid[o.client_order_id]
        want = 0
        sm = sc.size_matched(s)
        if o.state in DEAD and sm is not None:
            want = max(0, sm - sum(f.qty for f in s.fills if f.trade_id in first_seen))
        assert o.late_qty == want, o


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(scenarios())
def test_random_histories_keep_every_ledger_exact(sc: Scenario) -> None:
    with localcontext() as ctx:
        ctx.prec = 60
        run(sc)


# ---------------------------------------------------------------- fixed point vs Decimal


@settings(max_examples=300, deadline=None)
@given(
    fills=st.lists(st.tuples(st.integers(1, 9_999), st.integers(1, 10**9)), min_size=1, max_size=12),
    side=st.sampled_from([BUY, SELL]),
)
def test_telescoped_cash_is_the_rounded_exact_total(fills: list[tuple[int, int]], side: Side) -> None:
    inv = Inventory(10**18)
    total = Decimal(0)
    for price, qty in fills:
        inv.book_fill("o", YES, side, price, qty)
        total += price_d(price) * size_d(qty)
        moved = inv.cash - 10**18
        # a buy never pays less than the exact total, a sell never receives more; both within 1e-6
        assert moved == (-cash_int(ceil_cash(total)) if side is BUY else cash_int(floor_cash(total)))


@settings(max_examples=300, deadline=None)
@given(
    fees=st.builds(
        FeeSchedule, rate_ppm=st.integers(0, 1_000_000), exponent=st.integers(1, 3), taker_only=st.booleans()
    ),
    side=st.sampled_from([BUY, SELL]),
    limit=st.integers(1, 9_999),
    fill=st.integers(1, 9_999),
    qty=st.integers(1, 10**10),
)
def test_fee_matches_decimal_and_bound_covers_every_fill_price(
    fees: FeeSchedule, side: Side, limit: int, fill: int, qty: int
) -> None:
    from predtrade.oms import fee_bound

    with localcontext() as ctx:
        ctx.prec = 80
        assert fees.taker_fee(fill, qty) == cash_int(ceil_cash(fee_exact(fees, fill, qty)))
    # a fill at or better than the limit never costs more fee than the reserved bound
    inside = fill <= limit if side is BUY else fill >= limit
    if inside:
        assert fees.taker_fee(fill, qty) <= fee_bound(side, limit, qty, fees, False)


@settings(max_examples=300, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from([BUY, SELL]), st.integers(1, 9_999), st.integers(1, 50 * SH)),
        min_size=1,
        max_size=25,
    ),
    mark=st.integers(1, 9_999),
)
def test_average_cost_pnl_matches_decimal(ops: list[tuple[Side, int, int]], mark: int) -> None:
    """Independent orders (one fill each): realized PnL, basis and unrealized PnL in Decimal."""
    inv = Inventory(10**15)
    ref = RefPosition()
    with localcontext() as ctx:
        ctx.prec = 60
        for i, (side, price, qty) in enumerate(ops):
            if side is SELL:
                qty = min(qty, int(ref.shares.scaleb(6)))
                if qty == 0:
                    continue
            inv.book_fill(f"o{i}", YES, side, price, qty)
            notional = price_d(price) * size_d(qty)
            if side is BUY:
                ref.add(size_d(qty), ceil_cash(notional))
            else:
                ref.remove(size_d(qty), floor_cash(notional))
            p = inv.position(YES)
            assert (p.shares, p.cost, p.realized, p.fees) == ref.as_ints()
            assert p.cost >= 0 and p.shares >= 0
        value = floor_cash(price_d(mark) * ref.shares)
        assert inv.position(YES).unrealized(mark) == cash_int(value - ref.cost)


# ---------------------------------------------------------------- garbage in, no corruption

ACTIONS = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from([YES, NO]), st.sampled_from([BUY, SELL]), PRICES, SIZES),
    st.tuples(st.just("ack"), st.integers(0, 5), st.integers(0, 9)),  # 7..9: its own venue id
    st.tuples(st.sampled_from(["rejected", "cancel_request"]), st.integers(0, 5)),
    st.tuples(
        st.sampled_from(["cancelled", "expired", "cancel_rejected"]),
        st.integers(0, 6),
        st.one_of(st.none(), st.integers(-1, 12 * SH)),  # size_matched, including nonsense
    ),
    st.tuples(
        st.just("fill"),
        st.integers(0, 6),  # venue id (6 is never anyone's)
        st.integers(0, 3),  # trade id: a small range, so repeats and clashes are common
        st.integers(0, 10_000),  # price, including nonsense
        st.one_of(st.integers(-1, 3 * SH), st.integers(0, 60 * SH)),  # size, including overfills
        st.sampled_from(list(TradeStatus)),
        st.integers(-1_000, 50_000),  # fee
    ),
)


def snapshot(om: OrderManager) -> tuple:
    inv = om.inventory
    orders = tuple((o.state, o.filled, len(o.transitions), len(o.fills), o.venue_order_id) for o in om.orders)
    positions = tuple((t, p.shares, p.cost, p.realized, p.fees) for t, p in sorted(inv.positions.items()))
    return orders, positions, inv.cash, inv.reserved_cash, len(om.audit), om.held_count


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cash=st.one_of(st.sampled_from([5 * USD, 50 * USD, 500 * USD]), st.integers(0, 200 * USD)),
    first=st.lists(
        st.tuples(st.sampled_from([YES, NO]), st.sampled_from([BUY, SELL]), PRICES, SIZES),
        min_size=1,
        max_size=5,
    ),
    actions=st.lists(ACTIONS, min_size=5, max_size=80),
)
def test_garbage_never_corrupts_state(cash: int, first: list[tuple], actions: list[tuple]) -> None:
    """Contradictory, unknown and nonsense messages either apply cleanly or raise a typed
    :class:`OmsError` that changes nothing (beyond counters and ``needs_reconcile``); the
    ledgers stay consistent throughout."""
    from predtrade.oms import OmsError

    inv = Inventory(cash)
    if cash // 4:
        inv.split(Stubs.market(), min(cash // 4, 20 * SH))
    om = OrderManager(inv)
    vid = [f"0x{k + 1:064x}" for k in range(7)]
    with localcontext() as ctx:
        ctx.prec = 60
        for step, a in enumerate([("submit", *f) for f in first] + actions):
            orders = om.orders
            before = snapshot(om)
            try:
                kind = a[0]
                if kind == "submit":
                    om.submit(market=Stubs.CONDITION_ID, asset_id=a[1], side=a[2], price=a[3], size=a[4])
                elif kind == "fill":
                    _, v, t, price, size, status, fee = a
                    om.apply(OrderFilled(vid[v], f"t{t}", YES, price, size, status, step, step, fee=fee))
                elif kind == "cancelled":
                    om.apply(OrderCancelled(vid[a[1]], step, step, size_matched=a[2]))
                elif kind == "expired":
                    om.apply(OrderExpired(vid[a[1]], step, step, size_matched=a[2]))
                elif kind == "cancel_rejected":
                    om.apply(CancelRejected(vid[a[1]], "x", step, step))
                elif orders:
                    o = orders[a[1] % len(orders)]
                    if kind == "ack":
                        v = a[1] % len(orders) if a[2] > 6 else a[2]
                        om.apply(OrderAccepted(o.client_order_id, vid[v], step, step))
                    elif kind == "rejected":
                        om.apply(OrderRejected(o.client_order_id, "x", step, step))
                    else:
                        om.request_cancel(o.client_order_id, step)
            except OmsError:
                assert snapshot(om) == before  # refused before touching anything
            assert_reservations(om)
            assert_audit_replays(om)
            check_orders(om)
            # cash and positions: the Decimal replay of the surviving fills as audited
            ref_cash = Decimal(cash).scaleb(-6)
            pos = {YES: RefPosition(), NO: RefPosition()}
            total = size_d(min(cash // 4, 20 * SH))
            ref_cash -= total
            pos[YES].add(total, min(total, ceil_cash(total / 2)))
            pos[NO].add(total, total - min(total, ceil_cash(total / 2)))
            notional: dict[str, Decimal] = {}
            by_id = {o.client_order_id: o for o in om.orders}
            for t in om.audit:
                if t.cause is not Cause.FILL:
                    continue
                o = by_id[t.order_id]
                f = o.fills[t.trade_id or ""]
                if f.voided:
                    continue
                old = notional.get(o.client_order_id, Decimal(0))
                new = notional[o.client_order_id] = old + price_d(t.fill_price) * size_d(t.fill_qty)
                p = pos.setdefault(o.asset_id, RefPosition())
                if o.side is BUY:
                    amount = ceil_cash(new) - ceil_cash(old)
                    ref_cash -= amount
                    p.add(size_d(t.fill_qty), amount)
                else:
                    amount = floor_cash(new) - floor_cash(old)
                    ref_cash += amount
                    p.remove(size_d(t.fill_qty), amount)
                ref_cash -= Decimal(f.fee).scaleb(-6)
                p.fees += Decimal(f.fee).scaleb(-6)
            assert inv.cash == cash_int(ref_cash)
            for token, ref in pos.items():
                p_ = inv.position(token)
                assert (p_.shares, p_.cost, p_.realized, p_.fees) == ref.as_ints()
    for name, n in om.stats.as_dict().items():
        if n:
            event(f"has {name}")
    event(f"{len(om.orders)} orders")
