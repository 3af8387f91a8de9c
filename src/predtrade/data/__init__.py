"""Recorded market data: readers that turn each recording into predtrade's normalized event stream.

``open_recording(path)`` detects the format and returns a :class:`Recording` whose ``events()`` is a
generator of events sorted by ``ts_local`` (see :mod:`predtrade.data._base`). Bundled samples are
found with :func:`sample_path`. :func:`compile_recording` writes any recording's events to a binary
file that ``open_recording`` replays several times faster (:mod:`predtrade.data.compiled`).
"""

from ._base import Recording
from .compiled import CompiledRecording, compile_recording
from .recording import ALL_FORMATS, detect, open_recording
from .samples import SAMPLES, SampleInfo, list_samples, sample_path
from .wsraw import format_ws_record

__all__ = [
    "ALL_FORMATS",
    "SAMPLES",
    "CompiledRecording",
    "Recording",
    "SampleInfo",
    "compile_recording",
    "detect",
    "format_ws_record",
    "list_samples",
    "open_recording",
    "sample_path",
]
