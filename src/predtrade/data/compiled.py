"""Compiled recordings: a recording's normalized event stream written once in a binary form that
replays several times faster than reading the raw data again.

Why: replaying raw Polymarket WebSocket JSONL costs ~2 us per event, three quarters of it in the
venue parser (an envelope decode, a frame decode and decimal-string conversions per frame), and a
backtest replays the same data many times. A compiled file holds the exact normalized events
(ints, strings and enums, never a float) as MessagePack; replaying it decodes each run of
same-typed events in one C call (~0.5 us per event), straight into the model's event classes.
Same events, same order, same markets: a backtest over the compiled file is the backtest over its
source, decision for decision.

Layout (all integers little-endian)::

    b"PTEVENTS"  u16 version  u32 n  header (n bytes, MessagePack map: version, source,
                                       source_format, markets)
    records:     u8 kind  u32 n  payload (n bytes)
                 kind < 0xFF: a MessagePack array of up to CHUNK events of type KINDS[kind]
                 kind = 0xFF: the trailer, a map (events, bad_lines, counters), last record

A file without its trailer is truncated (the writer renames a complete file into place, so that
only happens to a damaged copy): the events before the damage are replayed, then it is a bad line
(a :class:`DataError`, or counted with ``skip_bad``). Memory is one chunk at a time.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import msgspec

from ..errors import DataError
from ..model.events import (
    BestBidAsk,
    BookDeltas,
    BookSnapshot,
    Event,
    MarketResolved,
    NewMarket,
    ReferencePrice,
    TickSizeChange,
    TradePrint,
)
from ..model.market import Market
from ._base import Recording

MAGIC = b"PTEVENTS"
VERSION = 1
SUFFIX = ".ptev"
#: event types a compiled file can hold, by record kind (append only: the kind is stored)
KINDS: tuple[type[Event], ...] = (
    BookDeltas,
    BookSnapshot,
    BestBidAsk,
    TickSizeChange,
    TradePrint,
    ReferencePrice,
    MarketResolved,
    NewMarket,
)
TRAILER = 0xFF
#: events per record at most (bounds the reader's memory and the writer's buffer)
CHUNK = 1024

_KIND_OF = {t: k for k, t in enumerate(KINDS)}
_PREFIX = struct.Struct("<BI")
_VERSION = struct.Struct("<HI")


class _Header(msgspec.Struct):
    version: int
    source: str
    source_format: str
    markets: list[Market]


class _Trailer(msgspec.Struct):
    events: int
    bad_lines: int
    counters: dict[str, int]


_ENC = msgspec.msgpack.Encoder()
_HEADER = msgspec.msgpack.Decoder(_Header)
_TRAILER = msgspec.msgpack.Decoder(_Trailer)
_DECODERS = tuple(msgspec.msgpack.Decoder(list[t]) for t in KINDS)  # type: ignore[valid-type]


def has_magic(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts like a compiled recording."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def compile_recording(source: Recording | str | Path, dest: str | Path, *, skip_bad: bool = False) -> dict:
    """Write ``source``'s events (a reader, or a path for :func:`open_recording`) to ``dest``.

    The file is written beside ``dest`` and renamed into place once complete. Returns
    ``{"events", "bytes", "bad_lines", "by_type"}``. Corrupt source lines raise
    :class:`DataError` unless ``skip_bad`` (then they are counted, and the count is kept in the
    compiled file as its own ``bad_lines``)."""
    if isinstance(source, str | Path):
        from .recording import open_recording

        source = open_recording(source, skip_bad=skip_bad)
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".part")
    by_type: dict[str, int] = {}
    n = 0
    try:
        with tmp.open("wb") as fh:
            header = _ENC.encode(
                _Header(
                    VERSION,
                    str(getattr(source, "path", "")),
                    str(getattr(source, "format", "")),
                    list(source.markets().values()),
                )
            )
            fh.write(MAGIC + _VERSION.pack(VERSION, len(header)) + header)
            n = _write_events(fh, source.events(), by_type, str(dest))
            bad = int(getattr(source, "bad_lines", 0))  # any reader with events() and markets() will do
            trailer = _ENC.encode(_Trailer(n, bad, dict(getattr(source, "counters", {}))))
            fh.write(_PREFIX.pack(TRAILER, len(trailer)) + trailer)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {"events": n, "bytes": dest.stat().st_size, "bad_lines": bad, "by_type": by_type}


def _write_events(fh: BinaryIO, events: Iterator[Event], by_type: dict[str, int], where: str) -> int:
    run: list[Event] = []
    kind = -1
    n = 0
    for ev in events:
        k = _KIND_OF.get(type(ev))
        if k is None:
            raise DataError(where, f"cannot compile a {type(ev).__name__} event")
        if k != kind or len(run) >= CHUNK:
            if run:
                _write_run(fh, kind, run)
            run = []
            kind = k
        run.append(ev)
        n += 1
        name = KINDS[k].__name__
        by_type[name] = by_type.get(name, 0) + 1
    if run:
        _write_run(fh, kind, run)
    return n


def _write_run(fh: BinaryIO, kind: int, run: list[Event]) -> None:
    payload = _ENC.encode(run)
    fh.write(_PREFIX.pack(kind, len(payload)))
    fh.write(payload)


class CompiledRecording(Recording):
    """A file written by :func:`compile_recording`. ``bad_lines`` and ``counters`` are the
    source's (as they were when it was compiled) once a pass has reached the end."""

    format = "predtrade-events"
    description = "a recording's normalized events, compiled for fast replay (predtrade binary)"

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        if not path.is_file():
            raise DataError(str(path), "no such file or directory")
        with path.open("rb") as fh:
            self._header, self._start = _read_header(fh, path)

    @property
    def source(self) -> str:
        """The recording this file was compiled from."""
        return self._header.source

    @property
    def source_format(self) -> str:
        return self._header.source_format

    def _load_markets(self) -> dict[str, Market]:
        return {m.condition_id: m for m in self._header.markets}

    def _events(self) -> Iterator[Event]:
        decoders = _DECODERS
        unpack = _PREFIX.unpack
        size = _PREFIX.size
        with self.path.open("rb") as fh:
            fh.seek(self._start)
            read = fh.read
            while True:
                prefix = read(size)
                if len(prefix) < size:
                    self.bad(None, "truncated compiled recording: no trailer (the file is incomplete)")
                    return
                kind, n = unpack(prefix)
                payload = read(n)
                if len(payload) < n:
                    self.bad(None, "truncated compiled recording: the last record is cut short")
                    return
                if kind < len(decoders):
                    try:
                        events = decoders[kind].decode(payload)
                    except msgspec.DecodeError as exc:
                        self.bad(None, f"corrupt record at byte {fh.tell() - n - size}: {exc}")
                        continue
                    yield from events
                elif kind == TRAILER:
                    self._end(payload)
                    return
                else:
                    self.bad(None, f"unknown record kind {kind} at byte {fh.tell() - n - size}")

    def _end(self, payload: bytes) -> None:
        try:
            t = _TRAILER.decode(payload)
        except msgspec.DecodeError as exc:
            self.bad(None, f"corrupt trailer: {exc}")
            return
        self._bad += t.bad_lines
        for name, k in t.counters.items():
            self.tally(name, k)


def _read_header(fh: BinaryIO, path: Path) -> tuple[_Header, int]:
    head = fh.read(len(MAGIC) + _VERSION.size)
    if head[: len(MAGIC)] != MAGIC or len(head) < len(MAGIC) + _VERSION.size:
        raise DataError(str(path), "not a compiled recording (bad magic)")
    version, n = _VERSION.unpack(head[len(MAGIC) :])
    if version != VERSION:
        raise DataError(str(path), f"compiled recording version {version}; this version reads {VERSION} only")
    raw = fh.read(n)
    try:
        header = _HEADER.decode(raw)
    except msgspec.DecodeError as exc:
        raise DataError(str(path), f"corrupt compiled recording header: {exc}") from None
    return header, len(head) + n
