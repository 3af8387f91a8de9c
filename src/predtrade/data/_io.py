"""Low-level line access to recordings: plain or gzip files, numbered lines, byte offsets, and clear
errors for missing files and truncated gzip streams.

Lines are read in binary so that byte offsets are exact (the run merger seeks back to them); text is
decoded per line. Nothing here holds more than one line per open handle.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import DataError

GZIP_MAGIC = b"\x1f\x8b"

#: what a truncated or damaged gzip stream raises while being read
GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(str(path), "no such file or directory")
    if not path.is_file():
        raise DataError(str(path), "not a regular file")


class TruncatedStream(Exception):
    """Raised inside a line iterator when the compressed stream ends early or is damaged; the
    reader turns it into a :class:`DataError` (or a counted bad line with ``skip_bad``)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class LineFile:
    """A recording file as numbered lines. ``lines()`` may be called many times (each call opens the
    file again), and can start at a byte offset found by an earlier pass."""

    __slots__ = ("gz", "path")

    def __init__(self, path: Path) -> None:
        check_file(path)
        self.path = path
        self.gz = is_gzip(path)

    def open(self) -> BinaryIO:
        if self.gz:
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        return self.path.open("rb")

    def first_line(self, limit: int = 1 << 20) -> str:
        """The first line (at most ``limit`` bytes), decoded; "" for an empty file."""
        with self.open() as fh:
            try:
                raw = fh.readline(limit)
            except GZIP_ERRORS as exc:
                raise DataError(str(self.path), f"truncated or corrupt gzip stream ({exc})", line=1) from None
        return raw.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")

    def lines(
        self, *, offset: int = 0, lineno: int = 1, count: int | None = None, fh: BinaryIO | None = None
    ) -> Iterator[tuple[int, int, bytes]]:
        """Yield ``(line_number, byte_offset, raw_line)`` with the line ending stripped. Blank lines are
        skipped (still counted). A damaged gzip tail raises :class:`TruncatedStream`."""
        own = fh is None
        handle = self.open() if fh is None else fh
        n = lineno
        try:
            if offset:
                handle.seek(offset)
            pos = offset
            left = -1 if count is None else count
            if not left:
                return
            try:
                for raw in handle:  # C-level line iteration; a damaged gzip tail raises here
                    start = pos
                    pos += len(raw)
                    body = raw.rstrip(b"\r\n")
                    if body and not body.isspace():  # blank lines are skipped (still counted)
                        yield n, start, body
                        left -= 1
                        if not left:
                            return
                    n += 1
            except GZIP_ERRORS as exc:
                raise TruncatedStream(n, f"truncated or corrupt gzip stream ({exc})") from None
        finally:
            if own:
                handle.close()


def split_csv(raw: bytes) -> list[str]:
    """Split one CSV line. The recordings we read never quote fields; a quoted line goes through
    the csv module so that a stray quote is still read correctly."""
    text = raw.decode("utf-8")
    if '"' not in text:
        return text.split(",")
    import csv

    return next(csv.reader([text]))
