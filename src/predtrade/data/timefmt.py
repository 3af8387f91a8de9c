"""Exact ISO-8601 rendering of Unix-nanosecond timestamps (no float rounding)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_ns(ns: int) -> str:
    """``1771891200155000000 -> "2026-02-24T00:00:00.155Z"`` (millisecond precision, truncated)."""
    dt = _EPOCH + timedelta(microseconds=ns // 1_000)
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")
