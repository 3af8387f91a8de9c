"""Shared plumbing for the CSV recordings: header lookup, row splitting with a column-count check,
and sorted-run merging for files that are grouped rather than time-sorted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from ..errors import DataError
from ._base import Recording
from ._io import LineFile, split_csv
from ._order import merged_lines, scan_runs


def first_field_int(raw: bytes) -> int | None:
    """Sort key of a row whose first column is an integer timestamp (cheap: no full split)."""
    head = raw.split(b",", 1)[0]
    return int(head) if head.isdigit() else None


class CsvRecording(Recording):
    #: columns a file must have to be read by this class
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        super().__init__(path, skip_bad=skip_bad)
        self.file = LineFile(path)
        header = split_csv(self.file.first_line().encode())
        self.header = [h.strip() for h in header]
        self.ncols = len(self.header)
        missing = [c for c in self.REQUIRED if c not in self.header]
        if missing:
            raise DataError(str(path), f"missing columns {', '.join(missing)}", line=1)
        self.idx = {name: i for i, name in enumerate(self.header)}

    @classmethod
    def sniff(cls, name: str, first: Any, header: list[str] | None) -> bool:
        return header is not None and set(cls.REQUIRED) <= set(header)

    def split(self, lineno: int, raw: bytes) -> list[str] | None:
        """The fields of a data row, or ``None`` (after reporting) if the row is malformed."""
        try:
            fields = split_csv(raw)
        except (UnicodeDecodeError, StopIteration) as exc:
            self.bad(lineno, f"unreadable row: {exc}")
            return None
        if len(fields) != self.ncols:
            self.bad(lineno, f"expected {self.ncols} columns, found {len(fields)}")
            return None
        return fields

    def data_lines(self) -> Iterator[tuple[int, bytes]]:
        """Data rows in file order."""
        it = self.file.lines()
        next(it, None)  # header
        for lineno, _off, raw in it:
            yield lineno, raw

    def sorted_lines(self) -> Iterator[tuple[int, bytes]]:
        """Data rows sorted by the first column (an integer ms timestamp), streamed: the file is read
        once to find its sorted runs, then overlapping runs are merged (see ``_order``)."""
        runs, truncated = scan_runs(self.file, first_field_int)
        self.tally("sorted_runs", len(runs))
        yield from merged_lines(self.file, runs, first_field_int)
        if truncated is not None:
            raise truncated
