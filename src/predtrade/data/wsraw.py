"""Raw Polymarket market-channel WebSocket traffic, replayed through the venue parser.

**Recording format** (written by the recorder, read here), JSON Lines, optionally gzip-compressed,
one received frame per line in receipt order::

    {"ts_local": 1728799418260123456, "channel": "market", "raw": "<exact frame text>"}

``ts_local`` is the receipt time in Unix ns; ``raw`` is the frame exactly as received (a JSON
object, a JSON array of events, or a text frame such as ``PONG``). Lines of another channel are
counted (``counters["other_channel"]``) and skipped. Use :func:`format_ws_record` to write one.

Also read: JSONL files of bare frames (one frame per line) and ``.json`` fixture files or folders of
them. These carry no receipt time, so ``ts_local`` is the frame's own ``timestamp`` (ms), never
earlier than the previous frame's (a receiver's clock does not run backwards); a folder is
replayed in order of those timestamps. Frames of user-channel event types are counted and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from ..errors import DataError
from ..model.events import Event, NewMarket
from ..model.market import Market
from ._base import ROW_ERRORS, Recording, describe
from ._convert import NS_PER_MS
from ._io import GZIP_ERRORS, LineFile, TruncatedStream

MARKET_EVENT_TYPES = frozenset(
    {
        "book",
        "price_change",
        "tick_size_change",
        "last_trade_price",
        "best_bid_ask",
        "new_market",
        "market_resolved",
    }
)
#: fixture files larger than this are not read whole
MAX_FIXTURE_BYTES = 50 << 20


class WsRecord(msgspec.Struct, frozen=True):
    ts_local: int
    channel: str
    raw: str


_RECORD = msgspec.json.Decoder(WsRecord)
_ENCODER = msgspec.json.Encoder()
_ANY = msgspec.json.Decoder()


def format_ws_record(ts_local: int, raw: str | bytes, channel: str = "market") -> bytes:
    """One line of the raw WebSocket recording format (with its trailing newline)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    return _ENCODER.encode(WsRecord(ts_local, channel, text)) + b"\n"


def _parser() -> Any:
    from ..venues.polymarket.parse import MarketMessageParser

    return MarketMessageParser()


def _parse_error() -> type[Exception]:
    from ..venues.polymarket.parse import ParseError

    return ParseError


def _frame_info(raw: bytes | str) -> tuple[int, str]:
    """(largest ``timestamp`` in ms, kind) of a bare frame. Kind is ``"market"`` (market-channel
    events, or a plain-text frame such as ``PONG``), ``"other"`` (events of another channel) or
    ``"none"`` (JSON that is no WebSocket event at all, e.g. a REST response)."""
    try:
        obj = _ANY.decode(raw)
    except msgspec.DecodeError:
        return 0, "market"
    items = obj if isinstance(obj, list) else [obj]
    ts = 0
    kinds = set()
    for it in items:
        et = it.get("event_type") if isinstance(it, dict) else None
        kinds.add("none" if et is None else "market" if et in MARKET_EVENT_TYPES else "other")
        t = it.get("timestamp") if isinstance(it, dict) else None
        if isinstance(t, str) and t.isdigit():
            ts = max(ts, int(t))
        elif isinstance(t, int):
            ts = max(ts, t)
    kind = "market" if "market" in kinds else "other" if "other" in kinds else "none"
    return ts, kind


_NEVER = -(1 << 62)


def _late(ts: int, released: int) -> str:
    return (
        f"out of time order: receipt time {ts // 1_000_000} ms is before "
        f"{released // 1_000_000} ms already replayed"
    )


def _markets_from(events: Iterator[Event]) -> dict[str, Market]:
    out: dict[str, Market] = {}
    for ev in events:
        if type(ev) is NewMarket and len(ev.asset_ids) == 2 and ev.market not in out:
            outcomes = tuple(ev.outcomes) if len(ev.outcomes) == 2 else ("Yes", "No")
            kw = {"tick": ev.tick} if ev.tick else {}
            out[ev.market] = Market(
                condition_id=ev.market,
                token_ids=(ev.asset_ids[0], ev.asset_ids[1]),
                outcomes=outcomes,  # type: ignore[arg-type]
                slug=ev.slug,
                question=ev.question,
                **kw,  # type: ignore[arg-type]
            )
    return out


class _WsBase(Recording):
    def _frames(self) -> Iterator[tuple[int, int, bytes | str, Path | None]]:
        """(line, ts_local ns, frame text, file for errors) of market-channel frames, in replay order."""
        raise NotImplementedError

    def _events(self) -> Iterator[Event]:
        """Frames -> events. Every event of a frame carries the frame's receipt time, and frames
        come in receipt order (the envelope's, or a clock that never runs backwards), so no
        re-sorting buffer is needed: a frame received before one already replayed is a bad line,
        as :meth:`Recording.ordered` would report it."""
        parse = _parser().parse_strict
        errors = (_parse_error(), *ROW_ERRORS)
        released = _NEVER
        try:
            for lineno, ts, raw, path in self._frames():
                try:
                    evs = parse(raw, ts)
                except errors as exc:
                    where = lineno if path is None else None
                    self.bad(where, f"cannot parse frame: {describe(exc)}", path=path)
                    continue
                if not evs:
                    continue
                if ts < released:
                    self.bad(lineno, _late(ts, released))
                    continue
                released = ts
                yield from evs
        except TruncatedStream as exc:
            self.bad(exc.line, exc.reason)

    def _load_markets(self) -> dict[str, Market]:
        saved = self._bad, self.counters
        self.counters = {}
        was, self.skip_bad = self.skip_bad, True
        try:
            return _markets_from(self._events())
        except (DataError, TruncatedStream):
            return {}
        finally:
            self.skip_bad = was
            self._bad, self.counters = saved


class WsJsonl(_WsBase):
    format = "polymarket-ws"
    description = "raw Polymarket market-channel frames with receipt times (predtrade JSONL)"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        self.file = LineFile(path)

    @staticmethod
    def sniff(name: str, first: Any, header: list[str] | None) -> bool:
        return isinstance(first, dict) and {"ts_local", "raw"} <= first.keys()

    def _frames(self) -> Iterator[tuple[int, int, bytes | str, Path | None]]:
        for lineno, _off, raw in self.file.lines():
            try:
                rec = _RECORD.decode(raw)
            except ROW_ERRORS as exc:
                self.bad(lineno, f"bad recording line: {describe(exc)}")
                continue
            if rec.channel != "market":
                self.tally("other_channel")
                continue
            yield lineno, rec.ts_local, rec.raw, None

    def _events(self) -> Iterator[Event]:
        """:meth:`_WsBase._events` with :meth:`_frames` and the line reader inlined: this is the
        replay hot path (one envelope decode and one frame parse per line, nothing else per
        event). Lines are decoded with their line ending (JSON whitespace); a line that does not
        decode is looked at again only then (blank lines are skipped, as :meth:`LineFile.lines`
        skips them, and still counted)."""
        parse = _parser().parse_strict
        errors = (_parse_error(), *ROW_ERRORS)
        decode = _RECORD.decode
        released = _NEVER
        lineno = 0
        try:
            with self.file.open() as fh:
                try:
                    for line in fh:
                        lineno += 1
                        try:
                            rec = decode(line)
                        except ROW_ERRORS as exc:
                            if not line.isspace():
                                self.bad(lineno, f"bad recording line: {describe(exc)}")
                            continue
                        if rec.channel != "market":
                            self.tally("other_channel")
                            continue
                        ts = rec.ts_local
                        try:
                            evs = parse(rec.raw, ts)
                        except errors as exc:
                            self.bad(lineno, f"cannot parse frame: {describe(exc)}")
                            continue
                        if not evs:
                            continue
                        if ts < released:
                            self.bad(lineno, _late(ts, released))
                            continue
                        released = ts
                        yield from evs
                except GZIP_ERRORS as exc:
                    raise TruncatedStream(
                        lineno + 1, f"truncated or corrupt gzip stream ({exc})"
                    ) from None
        except TruncatedStream as exc:
            self.bad(exc.line, exc.reason)


class WsFrames(_WsBase):
    format = "polymarket-ws-frames"
    description = "bare Polymarket market-channel frames, one per line (JSONL, no receipt times)"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        self.file = LineFile(path)

    @staticmethod
    def sniff(name: str, first: Any, header: list[str] | None) -> bool:
        items = first if isinstance(first, list) else [first]
        return bool(items) and all(isinstance(i, dict) and "event_type" in i for i in items)

    def _frames(self) -> Iterator[tuple[int, int, bytes | str, Path | None]]:
        clock = 0
        for lineno, _off, raw in self.file.lines():
            ms, kind = _frame_info(raw)
            if kind == "other":
                self.tally("other_channel")
                continue
            clock = max(clock, ms * NS_PER_MS)
            yield lineno, clock, raw, None


class WsFixtures(_WsBase):
    """One pretty-printed ``.json`` frame, or a folder of them (e.g. captured test fixtures)."""

    format = "polymarket-ws-fixtures"
    description = "Polymarket market-channel frames as .json fixture files"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        if not path.exists():
            raise DataError(str(path), "no such file or directory")
        self.files = sorted(path.glob("*.json")) if path.is_dir() else [path]

    @staticmethod
    def sniff_file(path: Path) -> bool:
        """A ``.json`` file holding one market-channel frame (object or array)."""
        return (
            path.suffix == ".json"
            and path.stat().st_size <= MAX_FIXTURE_BYTES
            and _frame_info(path.read_bytes())[1] == "market"
        )

    @classmethod
    def sniff_dir(cls, path: Path) -> bool:
        """A folder with at least one market-channel frame among its (first 500) ``.json`` files."""
        return any(cls.sniff_file(f) for f in sorted(path.glob("*.json"))[:500])

    def _frames(self) -> Iterator[tuple[int, int, bytes | str, Path | None]]:
        frames: list[tuple[int, str, Path]] = []
        for f in self.files:
            if f.stat().st_size > MAX_FIXTURE_BYTES:
                self.bad(None, "fixture file too large to read whole", path=f)
                continue
            ms, kind = _frame_info(f.read_bytes())
            if kind != "market":
                self.tally("other_channel" if kind == "other" else "not_ws_frames")
                continue
            frames.append((ms, f.name, f))
        frames.sort()
        clock = 0
        for ms, _name, f in frames:
            clock = max(clock, ms * NS_PER_MS)
            yield 0, clock, f.read_bytes(), f
