"""The run store's schema as numbered migrations.

``MIGRATIONS[i]`` takes a database from ``PRAGMA user_version = i`` to ``i + 1``. Migrations are only
ever appended: a released one is never edited, so any database can be brought forward by running
the ones it has not seen, each in its own transaction.

Every table is ``STRICT``: a money, price or size column is ``INTEGER`` (fixed point, as in
:mod:`predtrade.model.units`) and SQLite itself refuses a float there, so a bug that lets a float
onto a money path fails loudly at the store instead of being saved. ``REAL`` appears only for a
model probability (``decisions.fair_value``) and a latency in ms. Records of a run point at its
integer ``runs.id`` (``run``), which keeps the big tables narrow.
"""

from __future__ import annotations

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL,
    strategy TEXT NOT NULL,
    version INTEGER NOT NULL,
    config TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    format TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    initial_cash INTEGER NOT NULL,
    summary TEXT,
    sim TEXT NOT NULL DEFAULT '{}'
) STRICT;

CREATE TABLE markets (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    condition_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    token_yes TEXT NOT NULL,
    token_no TEXT NOT NULL,
    outcome_yes TEXT NOT NULL,
    outcome_no TEXT NOT NULL,
    end_ts INTEGER,
    winning_outcome TEXT,
    settled_pnl INTEGER,
    PRIMARY KEY (run, condition_id)
) STRICT;

CREATE TABLE orders (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    client_order_id TEXT NOT NULL,
    market TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    side TEXT NOT NULL,
    price INTEGER NOT NULL,
    size INTEGER NOT NULL,
    tif TEXT NOT NULL,
    post_only INTEGER NOT NULL,
    ts_submit INTEGER NOT NULL,
    state TEXT NOT NULL,
    filled INTEGER NOT NULL,
    ts_done INTEGER,
    reason TEXT NOT NULL,
    UNIQUE (run, client_order_id)
) STRICT;

CREATE TABLE fills (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    client_order_id TEXT NOT NULL,
    trade_id TEXT NOT NULL,
    market TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    side TEXT NOT NULL,
    price INTEGER NOT NULL,
    size INTEGER NOT NULL,
    fee INTEGER NOT NULL,
    liquidity TEXT NOT NULL,
    source TEXT NOT NULL
) STRICT;

CREATE TABLE transitions (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    client_order_id TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    cause TEXT NOT NULL,
    ts_venue INTEGER NOT NULL,
    ts_local INTEGER NOT NULL,
    fill_qty INTEGER NOT NULL,
    fill_price INTEGER NOT NULL,
    trade_id TEXT NOT NULL
) STRICT;

CREATE TABLE decisions (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    market TEXT NOT NULL,
    snapshot_hash TEXT NOT NULL,
    decision_hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    fair_value REAL,
    mid INTEGER,
    n_quotes INTEGER NOT NULL,
    n_immediate INTEGER NOT NULL,
    actions INTEGER NOT NULL,
    decision BLOB NOT NULL
) STRICT;

CREATE TABLE pnl (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    cash INTEGER NOT NULL,
    equity INTEGER NOT NULL,
    realized INTEGER NOT NULL,
    unrealized INTEGER NOT NULL,
    fees INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    positions TEXT NOT NULL
) STRICT;

CREATE TABLE blocked (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    market TEXT NOT NULL,
    action TEXT NOT NULL,
    gate TEXT NOT NULL,
    reason TEXT NOT NULL
) STRICT;

CREATE TABLE latencies (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ms REAL NOT NULL
) STRICT;
"""

# Readers fetch one run's rows in insertion order: an index on ``run`` stores rowids in order, so
# ``WHERE run = ? ORDER BY rowid`` is an index range scan with no sort.
_V2 = """
CREATE INDEX fills_by_run ON fills(run);
CREATE INDEX transitions_by_run ON transitions(run);
CREATE INDEX decisions_by_run ON decisions(run);
CREATE INDEX pnl_by_run ON pnl(run);
CREATE INDEX blocked_by_run ON blocked(run);
CREATE INDEX latencies_by_run ON latencies(run);
"""

#: ``MIGRATIONS[i]`` upgrades ``user_version`` i to i + 1; append only
MIGRATIONS: list[str] = [_V1, _V2]

SCHEMA_VERSION = len(MIGRATIONS)
