"""The :class:`Recording` base: one recorded file (or folder) read as a stream of normalized events.

Every reader yields events **sorted by ``ts_local``** (the replay clock: when the recorder saw the
event), ties in file order. Files that record no receipt time use the one time they have for both
``ts_venue`` and ``ts_local``. Readers are generators over the file: memory does not grow with the
file's length.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import msgspec

from ..errors import DataError
from ..model.events import Event
from ..model.market import Market
from ._io import TruncatedStream
from ._order import LocalClock

#: what a malformed row raises inside a row parser (UnitError is a ValueError, so is msgspec's)
ROW_ERRORS: tuple[type[Exception], ...] = (ValueError, KeyError, IndexError, TypeError, msgspec.DecodeError)


def describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"missing field {text}"
    return text.splitlines()[0][:200]


#: one parsed row: (line number, venue-time watermark in ns, events of that row)
Row = tuple[int, int, Sequence[Event]]


class Recording(ABC):
    """A recorded data set. Use :func:`predtrade.data.open_recording` to get one.

    ``events()`` starts a new pass over the file each time it is called; ``bad_lines`` counts the
    lines the current (or last) pass skipped with ``skip_bad=True``; ``counters`` holds
    format-specific tallies (rows with an ``err`` field, superseded price corrections, ...).
    """

    format: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        self.path = path
        self.skip_bad = skip_bad
        self._bad = 0
        self.counters: dict[str, int] = {}
        self._markets: dict[str, Market] | None = None

    @property
    def bad_lines(self) -> int:
        return self._bad

    def markets(self) -> dict[str, Market]:
        """Market metadata by condition id (the window slug where the recording has no condition
        id), as far as the recording tells it; ``{}`` when it tells nothing."""
        if self._markets is None:
            self._markets = self._load_markets()
        return self._markets

    def events(self) -> Iterator[Event]:
        """The recording's events, sorted by ``ts_local`` (a generator)."""
        self._bad = 0
        self.counters = {}
        return self._events()

    @abstractmethod
    def _events(self) -> Iterator[Event]: ...

    def _load_markets(self) -> dict[str, Market]:
        return {}

    # ---- helpers for readers -------------------------------------------------------------------

    def bad(self, line: int | None, message: str, *, path: Path | None = None, count: bool = True) -> None:
        """A corrupt line: raise a :class:`DataError` naming file and line, or count it and go on."""
        if not self.skip_bad:
            raise DataError(str(path or self.path), message, line=line)
        if count:
            self._bad += 1

    def tally(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n

    def ordered(self, rows: Iterable[Row], *, slack_ns: int = 0) -> Iterator[Event]:
        """Turn parsed rows (sorted by venue time, or at least never more than ``slack_ns`` of
        receipt-time disorder) into events sorted by ``ts_local``. A row whose events can no longer
        be placed in order is a bad line. A truncated gzip stream ends the pass as a bad line."""
        clock = LocalClock(slack_ns)
        late = clock.late
        pending = clock._heap
        try:
            for lineno, mark, evs in rows:
                if not evs:
                    continue
                if not pending:  # fast path: nothing buffered and the row is already in order
                    prev = clock.released
                    limit = mark - slack_ns
                    for e in evs:
                        t = e.ts_local  # type: ignore[attr-defined]
                        if t < prev or t > limit:
                            break
                        prev = t
                    else:
                        clock.released = prev
                        yield from evs
                        continue
                bad = next((e for e in evs if late(e.ts_local)), None)  # type: ignore[attr-defined]
                if bad is not None:
                    self.bad(
                        lineno,
                        f"out of time order: receipt time {bad.ts_local // 1_000_000} ms is before "  # type: ignore[attr-defined]
                        f"{clock.released // 1_000_000} ms already replayed",
                    )
                    continue
                for e in evs:
                    clock.push(e)
                yield from clock.release(mark)
        except TruncatedStream as exc:
            self.bad(exc.line, exc.reason)
        yield from clock.flush()
