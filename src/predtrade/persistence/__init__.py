"""Stored runs: a SQLite run store with numbered migrations, the sink runs record into, and the
decision-parity comparison of two stored runs."""

from .parity import Divergence, ParityResult, compare_decisions
from .schema import MIGRATIONS, SCHEMA_VERSION
from .sqlite import RunRow, RunStore, SqliteSink, StoredRun, StoreError

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Divergence",
    "ParityResult",
    "RunRow",
    "RunStore",
    "SqliteSink",
    "StoreError",
    "StoredRun",
    "compare_decisions",
]
