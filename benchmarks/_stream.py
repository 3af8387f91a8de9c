"""A seeded, realistic L2 stream of consecutive BTC 15-minute up/down rounds, written in
predtrade's own recording formats and cached on disk, for the replay and NautilusTrader benches.

Why generated: the shared data has no raw market-channel stream long enough (see the data
README, "Still missing"). The model follows the real recordings' statistics instead:

* both tokens of each round, tick 0.01, ~45-50 levels a side (bookpoly_btc1h_l2 books span the
  whole 0.01..0.99 grid); the NO book is the exact mirror of the YES book, so every
  ``price_change`` frame carries one entry per token (the YES level and the mirrored NO level),
  as the venue sends it;
* ~40 ``price_change`` frames a second, mostly deep-book size changes (bookpoly: ~10 levels of
  a side change per second); about one frame in eight touches the top of book (vinayak ticks:
  ~9 BBO changes a second over both tokens), the YES mid tracking the model fair value;
* two ``last_trade_price`` prints a second at the touch (vinayak ticks: ~4 trades a second over
  both tokens), each followed by the ``price_change`` that takes the traded size off the level;
* a Chainlink BTC/USD report every second (ligengxin format, received 0.3-0.9 s late) from a
  seeded random walk; the strike of each round is the first report of the round;
* ``new_market`` + one ``book`` per token at each round's start, ``market_resolved`` at its end.

Files, per size (``<cache>/stream-<n>-s<seed>/``): ``ws.jsonl`` (the raw WebSocket recording
format of :mod:`predtrade.data.wsraw`), ``BTCUSD-prices.csv`` (the Chainlink format read by
:class:`predtrade.data.ligengxin.ChainlinkPrices`) and ``meta.json`` (the rounds' metadata:
token ids, start, end, strike). :class:`BenchRecording` replays them through predtrade's own
readers, merged on receipt time. ``events`` counts what ``run_backtest`` counts: one per
normalized event (a two-token ``price_change`` frame is two ``BookDeltas``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from predtrade.data.compiled import VERSION as COMPILED_VERSION
from predtrade.data.compiled import CompiledRecording, compile_recording
from predtrade.data.ligengxin import ChainlinkPrices
from predtrade.data.wsraw import WsJsonl, format_ws_record
from predtrade.model.events import Event
from predtrade.model.market import Market

#: bump when the generator changes: cached streams of another version are rebuilt
VERSION = 4
ROUND_S = 900
#: 2026-03-23 04:45:00 UTC, the start of a real round in the vinayak recording
T0_S = 1_774_241_100
#: rounds hold ~75,000 events (so ~40 price_change frames a second); the frame count follows
#: from the event budget of each round
EVENTS_PER_ROUND = 75_000
TRADES_PER_S = 2
SIGMA_PER_S = 8e-5
NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000


def cache_dir() -> Path:
    """``$PREDTRADE_BENCH_CACHE`` or ``benchmarks/.cache`` (git-ignored)."""
    env = os.environ.get("PREDTRADE_BENCH_CACHE")
    return Path(env) if env else Path(__file__).resolve().parent / ".cache"


@dataclass(frozen=True)
class Stream:
    dir: Path
    events: int
    rounds: int
    seed: int

    @property
    def ws(self) -> Path:
        return self.dir / "ws.jsonl"

    @property
    def prices(self) -> Path:
        return self.dir / "BTCUSD-prices.csv"

    @property
    def meta(self) -> Path:
        return self.dir / "meta.json"

    @property
    def compiled(self) -> Path:
        """The stream compiled by ``predtrade data compile`` (:func:`ensure_compiled`)."""
        return self.dir / f"events-v{COMPILED_VERSION}.ptev"

    def markets(self) -> dict[str, Market]:
        meta = json.loads(self.meta.read_text())
        return {
            m["condition_id"]: Market(
                condition_id=m["condition_id"],
                token_ids=(m["yes"], m["no"]),
                outcomes=("Up", "Down"),
                tick=100,
                start_ts=m["start_s"] * NS_PER_S,
                end_ts=m["end_s"] * NS_PER_S,
                strike=m["strike"],
                slug=m["slug"],
            )
            for m in meta["rounds"]
        }


def ensure(n_events: int, seed: int = 7) -> Stream:
    """The cached stream of exactly ``n_events`` events (generated on first use: ~5 s per
    million events)."""
    rounds = max(1, round(n_events / EVENTS_PER_ROUND))
    d = cache_dir() / f"stream-v{VERSION}-{n_events}-s{seed}"
    st = Stream(d, n_events, rounds, seed)
    done = d / "done"
    if not done.exists():
        d.mkdir(parents=True, exist_ok=True)
        _generate(st)
        done.write_text("ok\n")
    return st


def ensure_compiled(n_events: int, seed: int = 7) -> Stream:
    """:func:`ensure`, plus the stream compiled to predtrade's replay format beside it (built
    from :class:`BenchRecording` on first use, ~5 s per million events; a file of another
    format version is a different name, so it is rebuilt)."""
    st = ensure(n_events, seed)
    if not st.compiled.exists():
        compile_recording(BenchRecording(st), st.compiled)
    return st


class CompiledBenchRecording:
    """The compiled stream, as ``run_backtest`` replays it: :class:`CompiledRecording` with the
    rounds' metadata from its own header (written from ``meta.json``). ``count`` as in
    :class:`BenchRecording`."""

    format = CompiledRecording.format

    def __init__(self, stream: Stream, count: list[int] | None = None) -> None:
        self.rec = CompiledRecording(stream.compiled)
        self.path = stream.compiled
        self.count = count

    def markets(self) -> dict[str, Market]:
        return self.rec.markets()

    def events(self) -> Iterator[Event]:
        evs = self.rec.events()
        return evs if self.count is None else _counted(evs, self.count)


class BenchRecording:
    """A recording as ``run_backtest`` takes it: the raw WebSocket file read by predtrade's
    :class:`WsJsonl` reader, merged on receipt time with the Chainlink file read by its
    :class:`ChainlinkPrices` reader, and the rounds' metadata (strike, start, end) from
    ``meta.json``. ``count`` (when given, a one-element list) counts the events handed out."""

    format = "bench-polymarket-ws+chainlink"

    def __init__(self, stream: Stream, count: list[int] | None = None) -> None:
        self.stream = stream
        self.path = stream.dir
        self.count = count

    def markets(self) -> dict[str, Market]:
        return self.stream.markets()

    def events(self) -> Iterator[Event]:
        ws = WsJsonl(self.stream.ws).events()
        refs = ChainlinkPrices(self.stream.prices).events()
        merged = _merge(ws, refs)
        return merged if self.count is None else _counted(merged, self.count)


def _counted(events: Iterator[Event], count: list[int]) -> Iterator[Event]:
    for ev in events:
        count[0] += 1
        yield ev


def _merge(dense: Iterator[Event], sparse: Iterator[Event]) -> Iterator[Event]:
    """Two time-sorted streams, one much sparser: one comparison per event of the dense one
    (ties: the dense stream first, as a file-order merge would)."""
    nxt = next(sparse, None)
    t_next = nxt.ts_local if nxt is not None else None  # type: ignore[attr-defined]
    for ev in dense:
        t = ev.ts_local  # type: ignore[attr-defined]
        while t_next is not None and t_next < t:
            yield nxt  # type: ignore[misc]
            nxt = next(sparse, None)
            t_next = nxt.ts_local if nxt is not None else None  # type: ignore[attr-defined]
        yield ev
    if nxt is not None:
        yield nxt
        yield from sparse


# ---- generation --------------------------------------------------------------------------------


def _token(seed: int, r: int, k: str) -> str:
    """A 77-digit decimal token id like the venue's (deterministic)."""
    h = hashlib.sha256(f"{seed}:{r}:{k}".encode()).hexdigest()
    return str(int(h, 16))[:77]


def _cid(seed: int, r: int) -> str:
    return "0x" + hashlib.sha256(f"{seed}:{r}:cid".encode()).hexdigest()


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


_P = [f"0.{c:02d}" if c % 10 else f"0.{c // 10}" for c in range(100)]  # cents -> venue text


def _ptxt(c: int) -> str:
    return _P[c]


def _stxt(s: int) -> str:
    """Size in hundredths of a share -> venue text ("123.45", "120", "0")."""
    w, f = divmod(s, 100)
    return str(w) if f == 0 else f"{w}.{f:02d}" if f % 10 else f"{w}.{f // 10}"


class _Round:
    """One round's YES book (cents -> size in hundredths); the NO book is its mirror."""

    def __init__(self, rnd: random.Random, mid: int) -> None:
        self.rnd = rnd
        self.bids = {c: self.size() for c in range(1, mid)}
        self.asks = {c: self.size() for c in range(mid + 1, 100)}
        self.bb = mid - 1
        self.ba = mid + 1

    def size(self) -> int:
        return int(self.rnd.lognormvariate(5.0, 1.2) * 100) + 500  # median ~150 shares

    def fix_top(self) -> None:
        self.bb = max(self.bids) if self.bids else 0
        self.ba = min(self.asks) if self.asks else 100

    def set(self, is_bid: bool, c: int, s: int) -> None:
        levels = self.bids if is_bid else self.asks
        if s:
            levels[c] = s
        else:
            levels.pop(c, None)
        if is_bid:
            if s and c > self.bb:
                self.bb = c
            elif not s and c == self.bb:
                self.fix_top()
        else:
            if s and c < self.ba:
                self.ba = c
            elif not s and c == self.ba:
                self.fix_top()

    def step(self, target: int) -> tuple[bool, int, int]:
        """One level change (is_bid, cents, new size) of a realistic mix."""
        rnd = self.rnd
        r = rnd.random()
        bb, ba = self.bb, self.ba
        if r < 0.05:  # move the touch towards the fair mid (or widen/narrow the spread)
            mid2 = bb + ba
            if 2 * target > mid2 + 1 and ba - bb > 1:
                return True, bb + 1, self.size()  # a better bid
            if 2 * target > mid2 + 1 and len(self.asks) > 5:
                return False, ba, 0  # the best ask is taken away
            if 2 * target < mid2 - 1 and ba - bb > 1:
                return False, ba - 1, self.size()
            if 2 * target < mid2 - 1 and len(self.bids) > 5:
                return True, bb, 0
            if ba - bb > 2:
                return (True, bb + 1, self.size()) if rnd.random() < 0.5 else (False, ba - 1, self.size())
            r = 0.1
        if r < 0.125:  # the size at the touch changes
            return (True, bb, self.size()) if rnd.random() < 0.5 else (False, ba, self.size())
        # a deeper level: size change (most), removal or a new level
        is_bid = rnd.random() < 0.5
        d = 1 + min(int(rnd.expovariate(0.12)), 60)
        c = bb - d if is_bid else ba + d
        if not 1 <= c <= 99:
            c = bb - 1 if is_bid else ba + 1
            if not 1 <= c <= 99:
                return (True, bb, self.size()) if is_bid else (False, ba, self.size())
        levels = self.bids if is_bid else self.asks
        if c in levels and rnd.random() < 0.08 and len(levels) > 8:
            return is_bid, c, 0
        return is_bid, c, self.size()


def _generate(st: Stream) -> None:
    rnd = random.Random(st.seed)
    n, rounds = st.events, st.rounds
    per_round = [n // rounds + (1 if i < n % rounds else 0) for i in range(rounds)]
    btc = 68_000.0
    meta = []
    with open(st.ws, "wb") as ws, open(st.prices, "w") as px:
        px.write("feed_ts_ms,value,full_accuracy_value,server_ts_ms,recv_ms\n")
        last_local = 0
        last_recv = 0
        for r in range(rounds):
            start = T0_S + r * ROUND_S
            end = start + ROUND_S
            cid, yes, no = _cid(st.seed, r), _token(st.seed, r, "yes"), _token(st.seed, r, "no")
            # references: one per second, the strike is the report of the round's first second
            path = []
            for _ in range(ROUND_S):
                path.append(btc)
                btc *= math.exp(rnd.gauss(0.0, SIGMA_PER_S))
            strike = _ref_units(path[0])
            # market-data events besides the refs (in the CSV), new_market, two books and the
            # resolution: trade prints (1 event, each followed by its frame) and frames (2 events)
            w = per_round[r] - ROUND_S - 4
            n_trades = TRADES_PER_S * ROUND_S
            n_trades -= (w - n_trades) % 2
            n_frames = (w - n_trades) // 2
            if n_frames < n_trades:
                raise ValueError(f"{n} events are too few for {rounds} rounds")
            times = sorted(rnd.randrange(1_000, ROUND_S * 1000 - 1_500) for _ in range(n_frames))
            trade_at = set(rnd.sample(range(n_frames), n_trades))
            slug = f"btc-updown-15m-{start}"
            meta.append({"condition_id": cid, "yes": yes, "no": no, "start_s": start, "end_s": end,
                         "strike": strike, "slug": slug})
            k = _Round(rnd, _fair_cents(path[0], strike, ROUND_S))
            lines: list[bytes] = []

            def emit(ms: int, frame: str, lines: list[bytes] = lines, start: int = start) -> None:
                nonlocal last_local
                t = (start * 1000 + ms + rnd.randrange(60, 150)) * NS_PER_MS
                t = last_local = max(last_local + 1_000, t)
                lines.append(format_ws_record(t, frame))

            ts0 = start * 1000 + 200
            emit(200, _new_market(cid, yes, no, slug, ts0))
            emit(210, _book(cid, yes, k, False, ts0 + 10))
            emit(211, _book(cid, no, k, True, ts0 + 11))
            for i, ms in enumerate(times):
                ts = start * 1000 + ms
                if i in trade_at:
                    is_yes = rnd.random() < 0.5
                    buy = rnd.random() < 0.5
                    # a buy of YES lifts the YES ask; a buy of NO lifts the NO ask = the YES bid
                    at_bid = buy != is_yes
                    levels = k.bids if at_bid else k.asks
                    c = k.bb if at_bid else k.ba
                    lvl = levels[c]
                    q = min(lvl, int(rnd.expovariate(1 / 2_000)) + 100)
                    left = lvl - q
                    if left == 0 and len(levels) <= 5:
                        left = k.size()  # the level is taken and refilled: keep 5 levels a side
                    emit(ms, _trade(cid, yes if is_yes else no, c if is_yes else 100 - c, q,
                                    "BUY" if buy else "SELL", ts))
                    k.set(at_bid, c, left)
                    emit(ms, _price_change(cid, yes, no, k, at_bid, c, left, ts))
                    continue
                sec = ms // 1000
                is_bid, c, s = k.step(_fair_cents(path[sec], strike, ROUND_S - sec))
                k.set(is_bid, c, s)
                emit(ms, _price_change(cid, yes, no, k, is_bid, c, s, ts))
            up = path[-1] * math.exp(rnd.gauss(0.0, SIGMA_PER_S)) >= path[0]
            win, label = (yes, "Up") if up else (no, "Down")
            emit(ROUND_S * 1000 + 100, _resolved(cid, win, label, end * 1000 + 100))
            ws.writelines(lines)
            for sec, v in enumerate(path):
                feed = (start + sec) * 1000
                recv = max(last_recv + 1, feed + rnd.randrange(300, 900))
                last_recv = recv
                units18 = _ref_units(v) * 10**10
                px.write(f"{feed},{v:.8f},{units18},{feed + 250},{recv}\n")
    st.meta.write_text(json.dumps({"version": VERSION, "events": n, "seed": st.seed, "rounds": meta}))


def _ref_units(v: float) -> int:
    """Model BTC price (a float from the random walk) -> reference units 1e-8, once, at
    generation: the stream then carries exact decimal text."""
    return round(v * 100) * 1_000_000


def _fair_cents(s: float, strike: int, secs_left: int) -> int:
    k = strike / 1e8
    z = math.log(s / k) / (SIGMA_PER_S * math.sqrt(max(secs_left, 1)))
    return min(96, max(4, round(100 * _phi(z))))


def _entry(aid: str, side: str, c: int, s: int, bb: int, ba: int) -> str:
    return (
        f'{{"asset_id":"{aid}","price":"{_ptxt(c)}","size":"{_stxt(s)}","side":"{side}",'
        f'"hash":"{(c * 7919 + s) & 0xFFFFFFFF:08x}","best_bid":"{_ptxt(bb) if bb else "0"}",'
        f'"best_ask":"{_ptxt(ba) if ba < 100 else "1"}"}}'
    )


def _price_change(cid: str, yes: str, no: str, k: _Round, is_bid: bool, c: int, s: int, ts: int) -> str:
    """The YES level and its NO mirror (a YES bid at c is a NO ask at 100 - c)."""
    ye = _entry(yes, "BUY" if is_bid else "SELL", c, s, k.bb, k.ba)
    ne = _entry(no, "SELL" if is_bid else "BUY", 100 - c, s, 100 - k.ba, 100 - k.bb)
    return f'{{"market":"{cid}","price_changes":[{ye},{ne}],"timestamp":"{ts}","event_type":"price_change"}}'


def _book(cid: str, aid: str, k: _Round, mirror: bool, ts: int) -> str:
    if mirror:
        bids = {100 - c: s for c, s in k.asks.items()}
        asks = {100 - c: s for c, s in k.bids.items()}
    else:
        bids, asks = k.bids, k.asks
    b = ",".join(f'{{"price":"{_ptxt(c)}","size":"{_stxt(s)}"}}' for c, s in sorted(bids.items()))
    rev = sorted(asks.items(), reverse=True)
    a = ",".join(f'{{"price":"{_ptxt(c)}","size":"{_stxt(s)}"}}' for c, s in rev)
    return (
        f'{{"market":"{cid}","asset_id":"{aid}","timestamp":"{ts}","hash":"{ts:x}",'
        f'"bids":[{b}],"asks":[{a}],"tick_size":"0.01","event_type":"book"}}'
    )


def _trade(cid: str, aid: str, c: int, q: int, side: str, ts: int) -> str:
    return (
        f'{{"asset_id":"{aid}","event_type":"last_trade_price","fee_rate_bps":"0","market":"{cid}",'
        f'"price":"{_ptxt(c)}","side":"{side}","size":"{_stxt(q)}","timestamp":"{ts}"}}'
    )


def _new_market(cid: str, yes: str, no: str, slug: str, ts: int) -> str:
    return (
        f'{{"id":"{ts}","question":"Bitcoin Up or Down","market":"{cid}","slug":"{slug}",'
        f'"assets_ids":["{yes}","{no}"],"outcomes":["Up","Down"],"order_price_min_tick_size":"0.01",'
        f'"timestamp":"{ts}","event_type":"new_market"}}'
    )


def _resolved(cid: str, win: str, label: str, ts: int) -> str:
    return (
        f'{{"market":"{cid}","winning_asset_id":"{win}","winning_outcome":"{label}",'
        f'"timestamp":"{ts}","event_type":"market_resolved"}}'
    )
