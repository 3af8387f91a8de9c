"""``predtrade book`` and ``predtrade data ...``: look at recorded data from the command line."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from ..errors import DataError
from ..model.events import BestBidAsk, BookDeltas, BookSnapshot, TickSizeChange
from ..model.units import ONE, format_price, format_size
from ._base import Recording
from .recording import open_recording
from .samples import list_samples, sample_path
from .timefmt import iso_ns

_BOOK_EVENTS = (BookSnapshot, BookDeltas, BestBidAsk, TickSizeChange)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "book",
        help="replay a recording and print the order book of one asset",
        description="Replay a recording up to a time and print the reconstructed L2 book of one asset.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", metavar="PATH", help="recording file or folder")
    src.add_argument("--sample", metavar="NAME", help="bundled sample (see `predtrade data samples`)")
    p.add_argument(
        "--asset", metavar="TOKEN_ID", help="asset (token) id; default: first outcome of the latest market"
    )
    p.add_argument(
        "--at",
        type=int,
        metavar="UNIX_MS",
        help="replay events received up to and including this Unix time in ms (default: the whole recording)",
    )
    p.add_argument("--depth", type=_positive, metavar="N", help="levels per side (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--skip-bad", action="store_true", help="count and skip corrupt lines")
    p.set_defaults(func=cmd_book)

    d = subparsers.add_parser("data", help="inspect recordings and bundled samples")
    dsub = d.add_subparsers(dest="data_command", metavar="COMMAND")
    info = dsub.add_parser("info", help="summarize a recording: events by type, time span, markets")
    info.add_argument("path", metavar="PATH")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.add_argument("--skip-bad", action="store_true", help="count and skip corrupt lines")
    info.set_defaults(func=cmd_info)
    comp = dsub.add_parser(
        "compile",
        help="write a recording's events to a binary file that replays several times faster",
        description="Read a recording once and write its normalized events (exact, in replay order) "
        "with its markets to DEST; `predtrade backtest --data DEST` then skips the raw parsing.",
    )
    comp.add_argument("path", metavar="PATH", help="recording file or folder")
    comp.add_argument("dest", metavar="DEST", help="output file (conventionally *.ptev)")
    comp.add_argument("--json", action="store_true", help="print one JSON object")
    comp.add_argument("--skip-bad", action="store_true", help="count and skip corrupt lines")
    comp.set_defaults(func=cmd_compile)
    samples = dsub.add_parser("samples", help="list the bundled sample recordings")
    samples.add_argument("--json", action="store_true", help="print a JSON array")
    samples.set_defaults(func=cmd_samples)
    d.set_defaults(func=lambda _args: (d.print_help(), 2)[1])


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _emit_json(obj: object) -> None:
    sys.stdout.write(orjson.dumps(obj).decode() + "\n")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


# ---- book -------------------------------------------------------------------------------------


def cmd_book(args: argparse.Namespace) -> int:
    path = Path(args.data) if args.data else sample_path(args.sample)
    rec = open_recording(path, skip_bad=args.skip_bad)
    res = replay_book(rec, asset=args.asset, at_ms=args.at)
    if args.json:
        _emit_json(res.to_json(args.depth))
    else:
        _print_book(res, args.depth)
    return 0


class BookResult:
    """The reconstructed book of one asset after a replay (see :func:`replay_book`)."""

    def __init__(self, rec: Recording, asset: str, chosen: bool, book: Any, bbo: Any, ts_local: int) -> None:
        self.rec = rec
        self.asset = asset
        self.chosen = chosen  # True when the user named the asset
        self.book = book
        self.bbo = bbo
        self.ts_local = ts_local
        self.assets_seen = 0
        self.market_id = ""
        self.label: str | None = None
        for m in rec.markets().values():
            if asset in m.token_ids:
                self.market_id, self.label = m.condition_id, m.label_of(asset)
                break

    @property
    def top_of_book_only(self) -> bool:
        return self.book is None

    @property
    def needs_resync(self) -> bool:
        return bool(self.book.needs_resync) if self.book is not None else False

    def sides(self, depth: int | None) -> tuple[list[tuple[int, int | None]], list[tuple[int, int | None]]]:
        if self.book is not None:
            return self.book.levels(0, depth), self.book.levels(1, depth)
        b = self.bbo
        bids = [(b.best_bid, b.bid_size)] if b.best_bid > 0 else []
        asks = [(b.best_ask, b.ask_size)] if b.best_ask < ONE else []
        return bids, asks

    def to_json(self, depth: int | None) -> dict[str, Any]:
        bids, asks = self.sides(depth)

        def enc(levels: list[tuple[int, int | None]]) -> list[list[str | None]]:
            return [[format_price(p), format_size(s) if s is not None else None] for p, s in levels]

        out: dict[str, Any] = {
            "asset_id": self.asset,
            "market": self.market_id or None,
            "outcome": self.label,
            "ts": self.ts_local // 1_000_000,
            "needs_resync": self.needs_resync,
            "bad_lines": self.rec.bad_lines,
            "bids": enc(bids),
            "asks": enc(asks),
        }
        if self.top_of_book_only:
            out["top_of_book_only"] = True
        return out


def replay_book(rec: Recording, *, asset: str | None = None, at_ms: int | None = None) -> BookResult:
    """Replay ``rec`` through a :class:`~predtrade.book.BookStore` up to and including ``at_ms``
    (by ``ts_local``; default: the whole recording) and return the book of ``asset``.

    Without ``asset`` the default is the book the user most likely means at that moment: the first
    outcome (YES/Up) of the market of the most recent book event, or that event's own asset when
    the recording has no market metadata. Only the chosen asset's book is built when ``asset`` is
    given; otherwise every asset is replayed (books are cheap)."""
    from ..book import BookStore

    store = BookStore()
    limit = (at_ms + 1) * 1_000_000 if at_ms is not None else None
    last_ts: dict[str, int] = {}
    last_asset: str | None = None
    for ev in rec.events():
        if limit is not None and ev.ts_local >= limit:  # type: ignore[attr-defined]
            break
        if not isinstance(ev, _BOOK_EVENTS):
            continue
        a = ev.asset_id
        if asset is not None and a != asset:
            last_ts.setdefault(a, 0)
            continue
        store.apply(ev)
        last_ts[a] = ev.ts_local
        last_asset = a
    when = f" at or before {at_ms} ms" if at_ms is not None else ""
    target = asset if asset is not None else _default_asset(rec, last_asset)
    if target is None:
        raise DataError(str(rec.path), f"no order book events{when}")
    book = store.get(target)
    bbo = store.bbo(target) if book is None else None
    if book is None and bbo is None:
        raise DataError(str(rec.path), f"no order book events for asset {target}{when}")
    res = BookResult(rec, target, asset is not None, book, bbo, last_ts.get(target, 0))
    res.assets_seen = len(last_ts)
    return res


def _default_asset(rec: Recording, last_asset: str | None) -> str | None:
    """The first outcome token of the market of ``last_asset`` (else ``last_asset`` itself)."""
    if last_asset is None:
        return None
    for m in rec.markets().values():
        if last_asset in m.token_ids:
            return m.token_ids[0]
    return last_asset


def _print_book(res: BookResult, depth: int | None) -> None:
    from rich.table import Table

    con = _console()
    bids, asks = res.sides(depth)
    label = f" ({res.label})" if res.label else ""
    how = ""
    if not res.chosen:
        how = f"  [dim](latest market's first outcome; {res.assets_seen} assets; --asset)[/dim]"
    con.print(f"[bold]asset[/bold] {res.asset}{label}{how}", soft_wrap=True)
    if res.market_id:
        con.print(f"[bold]market[/bold] {res.market_id}", soft_wrap=True)
    resync = "no"
    if res.needs_resync:
        resync = f"[red]YES[/red] ({res.book.resync_reason})"
    kind = "top of book only" if res.top_of_book_only else f"{len(bids)} bid / {len(asks)} ask levels shown"
    table = Table(title=f"{res.label or 'book'} at {iso_ns(res.ts_local)}")
    table.add_column("bid size", justify="right")
    table.add_column("bid", justify="right", style="green")
    table.add_column("ask", justify="left", style="red")
    table.add_column("ask size", justify="left")

    def s(v: int | None) -> str:
        return format_size(v) if v is not None else "?"

    for i in range(max(len(bids), len(asks))):
        b = bids[i] if i < len(bids) else None
        a = asks[i] if i < len(asks) else None
        table.add_row(
            s(b[1]) if b else "",
            format_price(b[0]) if b else "",
            format_price(a[0]) if a else "",
            s(a[1]) if a else "",
        )
    con.print(table)
    con.print(
        f"{kind} · resync needed: {resync} · {res.rec.format} · bad lines {res.rec.bad_lines}", soft_wrap=True
    )


# ---- data info / samples ---------------------------------------------------------------------


def summarize(rec: Recording) -> dict[str, Any]:
    """Counts by event type, time span, markets and assets of a recording (one pass)."""
    by_type: Counter[str] = Counter()
    assets: set[str] = set()
    markets: set[str] = set()
    first = last = None
    for ev in rec.events():
        by_type[type(ev).__name__] += 1
        ts = ev.ts_local  # type: ignore[attr-defined]
        if first is None:
            first = ts
        last = ts
        a = getattr(ev, "asset_id", None)
        if a is not None:
            assets.add(a)
        m = getattr(ev, "market", None)
        if m:
            markets.add(m)
    markets.update(rec.markets())
    return {
        "path": str(rec.path),
        "format": rec.format,
        "events": sum(by_type.values()),
        "by_type": dict(sorted(by_type.items())),
        "start": iso_ns(first) if first is not None else None,
        "end": iso_ns(last) if last is not None else None,
        "start_ms": first // 1_000_000 if first is not None else None,
        "end_ms": last // 1_000_000 if last is not None else None,
        "markets": len(markets),
        "assets": len(assets),
        "bad_lines": rec.bad_lines,
        "counters": dict(rec.counters),
    }


def cmd_info(args: argparse.Namespace) -> int:
    rec = open_recording(args.path, skip_bad=args.skip_bad)
    info = summarize(rec)
    if args.json:
        _emit_json(info)
        return 0
    from rich.table import Table

    table = Table(title=f"{info['path']}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("format", f"{info['format']} ({rec.description})")
    table.add_row("events", str(info["events"]))
    for name, n in info["by_type"].items():
        table.add_row(f"  {name}", str(n))
    table.add_row("from", str(info["start"]))
    table.add_row("to", str(info["end"]))
    table.add_row("markets", str(info["markets"]))
    table.add_row("assets", str(info["assets"]))
    table.add_row("bad lines", str(info["bad_lines"]))
    for name, n in info["counters"].items():
        table.add_row(name.replace("_", " "), str(n))
    _console().print(table)
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    from .compiled import compile_recording

    out = compile_recording(args.path, args.dest, skip_bad=args.skip_bad)
    info = {"path": str(args.path), "dest": str(args.dest), **out}
    if args.json:
        _emit_json(info)
    else:
        sys.stdout.write(
            f"{info['dest']}: {out['events']} events, {out['bytes'] // 1024} KiB, "
            f"{out['bad_lines']} bad lines skipped\n"
        )
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    items = [
        {
            "name": s.name,
            "format": s.format,
            "path": str(s.path),
            "bytes": _size_of(s.path),
            "description": s.description,
            "licence": s.licence,
        }
        for s in list_samples()
    ]
    if args.json:
        _emit_json(items)
        return 0
    from rich.table import Table

    table = Table(title="bundled samples (predtrade book --sample NAME)")
    for col in ("name", "size", "description", "licence"):
        table.add_column(col, no_wrap=col == "name")
    for it in items:
        table.add_row(it["name"], f"{it['bytes'] // 1024} KiB", it["description"], it["licence"])
    _console().print(table)
    return 0


def _size_of(p: Path) -> int:
    if p.is_dir():
        return sum(f.stat().st_size for f in p.iterdir() if f.is_file())
    return p.stat().st_size if p.exists() else 0
