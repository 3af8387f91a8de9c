"""Access to the recorded Polymarket fixtures under ``resources/`` (see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).parent / "resources"


def raw(name: str) -> bytes:
    """Bytes of ``resources/<name>``, e.g. ``raw("ws_messages/book.json")``."""
    return (RESOURCES / name).read_bytes()


def obj(name: str) -> Any:
    return json.loads(raw(name))


def compact(value: Any) -> bytes:
    """Re-serialize compactly, as the venue sends frames."""
    return json.dumps(value, separators=(",", ":")).encode()


def with_event_type(name: str, event_type: str) -> bytes:
    """A NautilusTrader struct fixture that lacks the wire discriminator, with it added."""
    return compact({**obj(name), "event_type": event_type})


MS = 1_000_000  # ns per ms
S = 1_000_000_000  # ns per s
