"""Identifiers. Venue ids are opaque strings (Polymarket token ids are 77-78 digit decimals:
never parse them into fixed-width numbers)."""

from __future__ import annotations

import itertools
from typing import NewType

ClientOrderId = NewType("ClientOrderId", str)
VenueOrderId = NewType("VenueOrderId", str)
TradeId = NewType("TradeId", str)
TokenId = NewType("TokenId", str)
ConditionId = NewType("ConditionId", str)


class ClientOrderIdGenerator:
    """Deterministic client order ids: ``<prefix>-<n>``. Deterministic ids keep backtests and
    replays reproducible; live sessions use a prefix unique to the session."""

    __slots__ = ("_counter", "_prefix")

    def __init__(self, prefix: str = "pt") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)

    def next(self) -> ClientOrderId:
        return ClientOrderId(f"{self._prefix}-{next(self._counter)}")
