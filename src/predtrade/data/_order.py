"""Streaming re-ordering for recordings that are not written in time order.

Two tools, both with bounded memory:

* :func:`scan_runs` + :func:`merged_lines`: a file made of time-sorted blocks (the vinayak ticks
  file is grouped by window then outcome; the felix file by day) is read once to find where each
  sorted run starts, then the runs that overlap in time are merged with ``heapq.merge``, one open
  handle and one buffered line per run. Runs that do not overlap are read one after the other.
* :class:`LocalClock`: rows arrive sorted by venue time but events must come out sorted by
  ``ts_local`` (receipt time, which is later and jittery). Since every later row has
  ``ts_local >= ts_venue - slack``, an event can be released once a row with venue time beyond
  its ``ts_local + slack`` has been read; only that window of events is ever buffered.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..model.events import Event
from ._io import LineFile, TruncatedStream

KeyFn = Callable[[bytes], "int | None"]


@dataclass(slots=True)
class Run:
    """A maximal block of data lines whose sort key never decreases."""

    offset: int
    lineno: int
    count: int
    first: int
    last: int


def scan_runs(
    lf: LineFile, key: KeyFn, *, skip_header: bool = True
) -> tuple[list[Run], TruncatedStream | None]:
    """One pass over the file recording each sorted run. Lines whose key cannot be read stay in the
    current run (the row parser reports them later, with their line number). A damaged gzip tail
    ends the scan; it is returned so the caller can report it after the lines before it."""
    runs: list[Run] = []
    try:
        _scan(lf, key, skip_header, runs)
    except TruncatedStream as exc:
        return runs, exc
    return runs, None


def _scan(lf: LineFile, key: KeyFn, skip_header: bool, runs: list[Run]) -> None:
    cur: Run | None = None
    it = lf.lines()
    if skip_header:
        next(it, None)
    for lineno, offset, raw in it:
        k = key(raw)
        if cur is None:
            cur = Run(offset, lineno, 1, k if k is not None else 0, k if k is not None else 0)
            runs.append(cur)
            continue
        if k is not None and k < cur.last:
            cur = Run(offset, lineno, 1, k, k)
            runs.append(cur)
            continue
        cur.count += 1
        if k is not None:
            cur.last = k


class _HandlePool:
    """Reuses open handles positioned at the end of a previous run, so that reading runs of a
    gzip file (where seeking means decompressing) mostly moves forward."""

    MAX_IDLE = 4

    def __init__(self, lf: LineFile) -> None:
        self.lf = lf
        self.idle: list[tuple[int, BinaryIO]] = []

    def take(self, offset: int) -> BinaryIO:
        best = -1
        for j, (pos, _fh) in enumerate(self.idle):
            if (pos <= offset or not self.lf.gz) and (best < 0 or pos > self.idle[best][0]):
                best = j
        if best < 0:
            return self.lf.open()
        return self.idle.pop(best)[1]

    def give(self, fh: BinaryIO) -> None:
        self.idle.append((fh.tell(), fh))
        if len(self.idle) > self.MAX_IDLE:
            self.idle.sort(key=lambda t: t[0])
            self.idle.pop(0)[1].close()

    def close(self) -> None:
        for _pos, fh in self.idle:
            fh.close()
        self.idle.clear()


def _run_lines(pool: _HandlePool, run: Run, key: KeyFn) -> Iterator[tuple[int, int, bytes]]:
    fh = pool.take(run.offset)
    prev = run.first
    try:
        for lineno, _off, raw in pool.lf.lines(offset=run.offset, lineno=run.lineno, count=run.count, fh=fh):
            k = key(raw)
            if k is None:
                k = prev
            prev = k
            yield k, lineno, raw
    except BaseException:
        fh.close()
        raise
    pool.give(fh)


def merged_lines(lf: LineFile, runs: list[Run], key: KeyFn) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, raw_line)`` of every run, in key order (ties in file order)."""
    order = sorted(runs, key=lambda r: (r.first, r.offset))
    pool = _HandlePool(lf)
    try:
        i = 0
        while i < len(order):
            cluster = [order[i]]
            hi = order[i].last
            i += 1
            while i < len(order) and order[i].first <= hi:
                cluster.append(order[i])
                hi = max(hi, order[i].last)
                i += 1
            if len(cluster) == 1:
                for _k, lineno, raw in _run_lines(pool, cluster[0], key):
                    yield lineno, raw
                continue
            cluster.sort(key=lambda r: r.offset)
            iters = [_run_lines(pool, r, key) for r in cluster]
            for _k, lineno, raw in heapq.merge(*iters, key=lambda t: t[0]):
                yield lineno, raw
    finally:
        pool.close()


class LocalClock:
    """Re-sorts events by ``ts_local`` behind a watermark (see the module docstring).

    ``late(ts)`` tells whether an event can no longer be placed in order (its receipt time is before
    events already released); the reader reports such a row as bad.
    """

    __slots__ = ("_heap", "_seq", "released", "slack")

    def __init__(self, slack_ns: int = 0) -> None:
        self._heap: list[tuple[int, int, Event]] = []
        self._seq = 0
        self.released = -(1 << 62)
        self.slack = slack_ns

    def late(self, ts_local: int) -> bool:
        return ts_local < self.released

    def push(self, ev: Event) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (ev.ts_local, self._seq, ev))  # type: ignore[attr-defined]

    def release(self, venue_ts: int) -> Iterator[Event]:
        """Events that no later row (venue time >= ``venue_ts``) can precede."""
        mark = venue_ts - self.slack
        heap = self._heap
        while heap and heap[0][0] <= mark:
            ts, _s, ev = heapq.heappop(heap)
            self.released = ts
            yield ev

    def flush(self) -> Iterator[Event]:
        heap = self._heap
        while heap:
            ts, _s, ev = heapq.heappop(heap)
            self.released = ts
            yield ev
