"""Parsing raw Polymarket price_change frames (bytes) into normalized ``BookDeltas`` with ints.

Three decoders feed the same conversion rules (cached string->int lookups, one BookDeltas per
asset): stdlib ``json`` and ``orjson`` produce dicts that a hand-written converter walks;
msgspec decodes into typed Structs and is what ``MarketMessageParser.parse`` (the production
path) uses. Decode-only numbers show where the time goes. The main frame is the docs example
(two entries for the two tokens of one market, ``event_type`` last, compact as the venue sends
it); "fresh sizes" runs a stream whose size strings were never seen (no cache hits on sizes).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import msgspec
import orjson

from benchmarks._harness import Result, ns_per_op
from predtrade.model import BookDeltas
from predtrade.venues.polymarket import _common as cm
from predtrade.venues.polymarket import schemas as sc
from predtrade.venues.polymarket.parse import MarketMessageParser

YES = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
NO = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
MARKET = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"


def _frame(price: str, size: str, bid: str, ask: str, ts: int) -> bytes:
    """A current-format price_change as the venue writes it (compact, event_type last)."""
    no_price = f"{1 - float(price):.2f}"  # display-only test data, not a price path
    return orjson.dumps(
        {
            "market": MARKET,
            "price_changes": [
                {"asset_id": YES, "price": price, "size": size, "side": "BUY",
                 "hash": "56621a121a47ed9333273e21c83b660cff37ae50", "best_bid": bid, "best_ask": ask},
                {"asset_id": NO, "price": no_price, "size": size, "side": "SELL",
                 "hash": "1895759e4df7a796bf4f1c5a5950b748306923e2", "best_bid": "0", "best_ask": no_price},
            ],
            "timestamp": str(ts),
            "event_type": "price_change",
        }
    )  # fmt: skip


DOCS_FRAME = _frame("0.5", "200", "0.5", "1", 1757908892351)
ONE_ENTRY_FRAME = (
    b'{"market":"' + MARKET.encode() + b'","price_changes":[{"asset_id":"' + YES.encode()
    + b'","price":"0.51","size":"150.5","side":"BUY","hash":"0xhash001","best_bid":"0.51",'
    b'"best_ask":"0.52"}],"timestamp":"1703875201000","event_type":"price_change"}'
)  # fmt: skip


def _fresh_stream(n: int) -> list[bytes]:
    rnd = random.Random(7)
    out = []
    for i in range(n):
        cents = rnd.randint(2, 97)
        size = f"{rnd.randint(1, 99_999)}.{rnd.randint(0, 99):02d}"
        out.append(_frame(f"0.{cents:02d}", size, f"0.{cents:02d}", f"0.{cents + 1:02d}", 1757908892351 + i))
    return out


# ---- the dict-walking converter used with json / orjson --------------------------------------


def dict_to_deltas(msg: dict, ts_local: int) -> list[BookDeltas]:
    """The same rules as the production path, over a decoded dict (for comparison only)."""
    groups: dict[str, list] = {}
    for e in msg["price_changes"]:
        ch = (cm.side(e["side"]), cm.price(e["price"]), cm.size(e["size"]))
        g = groups.get(e["asset_id"])
        if g is None:
            groups[e["asset_id"]] = [[ch], e]
        else:
            g[0].append(ch)
            g[1] = e
    ts = int(msg["timestamp"]) * cm.NS_PER_MS
    market = msg["market"]
    out = []
    for aid, (chs, last) in groups.items():
        bb, ba = last.get("best_bid"), last.get("best_ask")
        bb = cm.best_bid(bb) if bb is not None else None
        ba = cm.best_ask(ba) if ba is not None else None
        out.append(BookDeltas(aid, market, tuple(chs), ts, ts_local, bb, ba, last.get("hash")))
    return out


def _loop(fn: Callable[[bytes], object], frames: list[bytes]) -> Callable[[int], None]:
    k = len(frames)

    def run(n: int) -> None:
        if k == 1:
            f = frames[0]
            for _ in range(n):
                fn(f)
        else:
            for i in range(n):
                fn(frames[i % k])

    return run


def benchmarks() -> list[Result]:
    parser = MarketMessageParser()
    union = msgspec.json.Decoder(sc.MarketMessage | list[sc.MarketMessage], strict=False)
    pc_only = msgspec.json.Decoder(sc.PriceChange, strict=False)
    loads, oloads = json.loads, orjson.loads
    parse = parser.parse

    # all three paths must agree before their speed means anything
    for frame in (DOCS_FRAME, ONE_ENTRY_FRAME):
        expected = parse(frame, 1)
        assert dict_to_deltas(loads(frame), 1) == expected == dict_to_deltas(oloads(frame), 1)
        assert parser.parse_strict(frame, 1) == expected
    assert not parser.stats

    n = 20_000
    rows: list[tuple[str, Callable[[bytes], object], list[bytes], str]] = [
        ("parse price_change: json.loads + convert", lambda b: dict_to_deltas(loads(b), 1), [DOCS_FRAME],
         "2 entries, 2 assets"),
        ("parse price_change: orjson + convert", lambda b: dict_to_deltas(oloads(b), 1), [DOCS_FRAME],
         "2 entries, 2 assets"),
        ("parse price_change: msgspec (production)", lambda b: parse(b, 1), [DOCS_FRAME],
         "MarketMessageParser.parse, 2 entries"),
        ("parse price_change 1 entry: msgspec (production)", lambda b: parse(b, 1), [ONE_ENTRY_FRAME],
         "1 entry, 1 asset"),
        ("parse price_change 1 entry: orjson + convert", lambda b: dict_to_deltas(oloads(b), 1),
         [ONE_ENTRY_FRAME], "1 entry, 1 asset"),
        ("decode only: json.loads", loads, [DOCS_FRAME], "to dicts"),
        ("decode only: orjson.loads", oloads, [DOCS_FRAME], "to dicts"),
        ("decode only: msgspec union Struct", union.decode, [DOCS_FRAME], "tag last: scans twice"),
        ("decode only: msgspec PriceChange Struct", pc_only.decode, [DOCS_FRAME], "what parse() uses"),
    ]  # fmt: skip
    results = [Result(name, ns_per_op(_loop(fn, fr), n), "ns/msg", note) for name, fn, fr, note in rows]

    fresh = _fresh_stream(n)

    def fresh_run(m: int) -> None:
        cm._SIZES.clear()  # every size string is new to the cache, as in a live stream
        for i in range(m):
            parse(fresh[i % n], 1)

    fresh_ns = ns_per_op(fresh_run, n)
    results.append(Result("parse price_change, fresh sizes: msgspec", fresh_ns, "ns/msg", "new sizes"))
    book = (
        b'{"event_type":"book","asset_id":"' + YES.encode() + b'","market":"' + MARKET.encode()
        + b'","timestamp":"1728799418260","hash":"655a38d4","bids":['
        + b",".join(b'{"price":"0.%02d","size":"%d.5"}' % (p, 100 + p) for p in range(1, 50))
        + b'],"asks":['
        + b",".join(b'{"price":"0.%02d","size":"%d.25"}' % (p, 200 + p) for p in range(99, 50, -1))
        + b"]}"
    )  # fmt: skip
    book_ns = ns_per_op(_loop(lambda b: parse(b, 1), [book]), 2_000)
    results.append(Result("parse book 49+49 levels: msgspec", book_ns, "ns/msg", "sorted best first"))
    return results


if __name__ == "__main__":
    for r in benchmarks():
        print(f"{r.name:52s} {r.value:9,.0f} {r.unit}  {r.note}")
