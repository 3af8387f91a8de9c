"""``open_recording``: find out what a recorded file or folder is and return its reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from ..errors import DataError
from ._base import Recording
from ._io import LineFile, split_csv
from .bookpoly import BookpolyRecording
from .compiled import CompiledRecording, has_magic
from .felix import FelixOutcomes
from .ligengxin import ChainlinkPrices, LigengxinDay, LigengxinMarkets
from .vinayak import VinayakOrderbook, VinayakSnapshots, VinayakTicks
from .wsraw import WsFixtures, WsFrames, WsJsonl

#: single-file formats, tried in this order on the first line
FILE_FORMATS: tuple[Any, ...] = (
    WsJsonl,
    BookpolyRecording,
    LigengxinMarkets,
    WsFrames,
    VinayakOrderbook,
    VinayakTicks,
    VinayakSnapshots,
    ChainlinkPrices,
    FelixOutcomes,
)
#: every format, for listings
ALL_FORMATS: tuple[type[Recording], ...] = (*FILE_FORMATS, WsFixtures, LigengxinDay, CompiledRecording)

_ANY = msgspec.json.Decoder(float_hook=str)


def _strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def detect(path: Path) -> type[Recording]:
    """The reader class for ``path`` (a file or a folder), judged from its name and first line."""
    if not path.exists():
        raise DataError(str(path), "no such file or directory")
    if path.is_dir():
        if LigengxinDay.sniff_dir(path):
            return LigengxinDay
        if WsFixtures.sniff_dir(path):
            return WsFixtures
        raise DataError(str(path), "unknown format: folder holds no recording this version can read")
    if has_magic(path):
        return CompiledRecording
    lf = LineFile(path)
    name = _strip_gz(path.name)
    first = lf.first_line()
    obj: Any = None
    header: list[str] | None = None
    if first.startswith(("{", "[")):
        try:
            obj = _ANY.decode(first)
        except msgspec.DecodeError:
            obj = None  # not JSON Lines; maybe a pretty-printed fixture (checked below)
    elif "," in first:
        header = [h.strip() for h in split_csv(first.encode())]
    for cls in FILE_FORMATS:
        if cls.sniff(name, obj, header):
            return cls
    if WsFixtures.sniff_file(path):
        return WsFixtures
    if not first:
        raise DataError(str(path), "unknown format: empty file")
    head = first[:200]
    if not head.isprintable():
        raise DataError(str(path), "unknown format: binary data", line=1)
    shown = first if len(first) <= 80 else first[:77] + "..."
    raise DataError(str(path), f"unknown format: first line {shown!r}", line=1)


def open_recording(path: str | Path, *, skip_bad: bool = False) -> Recording:
    """Open a recording, detecting its format. Raises :class:`DataError` for a missing file or an
    unknown format; corrupt lines raise it later, while reading ``events()`` (or are counted in
    ``bad_lines`` and skipped with ``skip_bad=True``)."""
    p = Path(path)
    return detect(p)(p, skip_bad=skip_bad)
