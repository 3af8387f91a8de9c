"""Stored runs in SQLite: :class:`RunStore` (schema, readers) and :class:`SqliteSink` (the writer a
run records into).

Why SQLite: one file per deployment, no server, safe for one writer and many readers in WAL mode
(a report can read while a paper run writes). The sink buffers rows per table and writes them in
one transaction every ``batch`` records and at ``finish``, so a long run costs flat memory and few
fsyncs. Every money/price/size column is a STRICT ``INTEGER``: the fixed-point ints of
:mod:`predtrade.model.units` go in and come back out unchanged (see :mod:`.schema`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson

from ..backtest.records import (
    BlockedRecord,
    DecisionRecord,
    FillRecord,
    LatencyRecord,
    MarketRecord,
    OrderRecord,
    PnlPoint,
    RunInfo,
    TransitionRecord,
)
from ..errors import PredtradeError
from .schema import MIGRATIONS

__all__ = ["RunRow", "RunStore", "SqliteSink", "StoreError", "StoredRun"]


class StoreError(PredtradeError):
    """The run store cannot do what was asked: unknown run, newer schema, a row it refuses."""

    exit_code = 2


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _names(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    return tuple(f.name for f in msgspec.structs.fields(cls))


# Tables whose columns are exactly the record's fields, in declaration order: rows are
# ``(run, *astuple(record))``.
_PLAIN: dict[str, type[msgspec.Struct]] = {
    "orders": OrderRecord,
    "fills": FillRecord,
    "transitions": TransitionRecord,
    "decisions": DecisionRecord,
    "blocked": BlockedRecord,
    "latencies": LatencyRecord,
}
_COLUMNS: dict[str, tuple[str, ...]] = {t: _names(c) for t, c in _PLAIN.items()}
_COLUMNS["pnl"] = _names(PnlPoint)
_COLUMNS["markets"] = (
    "condition_id",
    "slug",
    "token_yes",
    "token_no",
    "outcome_yes",
    "outcome_no",
    "end_ts",
    "winning_outcome",
    "settled_pnl",
)


def _insert_sql(table: str) -> str:
    cols = _COLUMNS[table]
    sql = f"INSERT INTO {table} (run, {', '.join(cols)}) VALUES ({', '.join('?' * (len(cols) + 1))})"
    if table == "orders":
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        sql += f" ON CONFLICT (run, client_order_id) DO UPDATE SET {sets}"
    elif table == "markets":
        keep = {"end_ts", "winning_outcome", "settled_pnl"}  # a later record without them keeps the known
        sets = ", ".join(
            f"{c} = coalesce(excluded.{c}, {c})" if c in keep else f"{c} = excluded.{c}" for c in cols[1:]
        )
        sql += f" ON CONFLICT (run, condition_id) DO UPDATE SET {sets}"
    return sql


_INSERT = {t: _insert_sql(t) for t in _COLUMNS}
#: flush order: parents of nothing, but markets first keeps a reader's view sensible mid-run
_TABLES = ("markets", "orders", "fills", "transitions", "decisions", "pnl", "blocked", "latencies")


class RunRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of :meth:`RunStore.list_runs`."""

    run_id: str
    mode: str
    strategy: str
    version: int
    data: str
    data_format: str
    config_hash: str
    started_at: int
    finished_at: int | None
    initial_cash: int
    summary: dict | None


class RunStore:
    """A SQLite file of stored runs. Opening it applies any pending migration.

    ``path`` may be ``":memory:"`` (tests). Use as a context manager or call :meth:`close`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a predtrade run store ({exc})") from None
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 5000")
        self.migrate()

    # ---- schema --------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply the migrations this file has not seen, each in its own transaction; returns how
        many ran. A file from a newer predtrade is refused rather than guessed at."""
        have = self.version
        if have > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schema version {have} is newer than this predtrade knows ({len(MIGRATIONS)})"
            )
        for v in range(have, len(MIGRATIONS)):
            try:
                # executescript commits any open transaction first, so BEGIN/COMMIT are explicit
                self.conn.executescript(f"BEGIN;\n{MIGRATIONS[v]}\nPRAGMA user_version = {v + 1};\nCOMMIT;")
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: migration {v + 1} failed: {exc}") from None
        return len(MIGRATIONS) - have

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing -------------------------------------------------------------------------------

    def add_run(self, info: RunInfo) -> int:
        """Insert a run's identity; returns its integer key. A run id already stored is an error
        (a stored run is never silently overwritten)."""
        try:
            cur = self.conn.execute(
                "INSERT INTO runs (run_id, mode, strategy, version, config, config_hash, data, format,"
                " started_at, initial_cash, sim) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.run_id,
                    info.mode,
                    info.strategy,
                    info.strategy_version,
                    _dumps(info.config),
                    info.config_hash,
                    info.data,
                    info.data_format,
                    info.started_at,
                    info.initial_cash,
                    _dumps(info.sim),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"{self.path}: cannot store run {info.run_id!r}: {exc}") from None
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: str, summary: dict, finished_at: int | None = None) -> None:
        """Mark a run finished and store its summary."""
        self.conn.execute(
            "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?",
            (time.time_ns() if finished_at is None else finished_at, _dumps(summary), run_id),
        )

    def set_summary(self, run_id: str, summary: dict) -> None:
        """Replace a run's stored summary (e.g. with the metrics computed alongside the run)."""
        cur = self.conn.execute("UPDATE runs SET summary = ? WHERE run_id = ?", (_dumps(summary), run_id))
        if cur.rowcount == 0:
            raise StoreError(f"{self.path}: no run {run_id!r}")

    def delete_run(self, run_id: str) -> None:
        self.conn.execute("DELETE FROM runs WHERE run_id = ?", (self.resolve(run_id),))

    def write_rows(self, buffers: dict[str, list[tuple]]) -> None:
        """Write buffered rows (``table -> [(run, ...), ...]``) in one transaction."""
        conn = self.conn
        conn.execute("BEGIN")
        table = ""
        try:
            for table in _TABLES:
                rows = buffers.get(table)
                if rows:
                    conn.executemany(_INSERT[table], rows)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot store {table} rows: {exc}") from None

    # ---- reading -------------------------------------------------------------------------------

    def resolve(self, run_id: str) -> str:
        """The stored run id meant by ``run_id``: itself, ``"latest"``, or a unique prefix."""
        if run_id == "latest":
            row = self.conn.execute("SELECT run_id FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                raise StoreError(f"{self.path}: no stored runs")
            return str(row[0])
        if self.conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone():
            return run_id
        like = run_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute(
            "SELECT run_id FROM runs WHERE run_id LIKE ? ESCAPE '\\' LIMIT 2", (like,)
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        what = "is ambiguous" if rows else "is not stored"
        raise StoreError(f"{self.path}: run {run_id!r} {what} (see `predtrade runs`)")

    def list_runs(self) -> list[RunRow]:
        """Every stored run, oldest first."""
        rows = self.conn.execute(
            "SELECT run_id, mode, strategy, version, data, format, config_hash, started_at, finished_at,"
            " initial_cash, summary FROM runs ORDER BY id"
        ).fetchall()
        return [
            RunRow(
                run_id=r[0],
                mode=r[1],
                strategy=r[2],
                version=r[3],
                data=r[4],
                data_format=r[5],
                config_hash=r[6],
                started_at=r[7],
                finished_at=r[8],
                initial_cash=r[9],
                summary=orjson.loads(r[10]) if r[10] else None,
            )
            for r in rows
        ]

    def load_run(self, run_id: str) -> StoredRun:
        """A stored run: its :class:`RunInfo` and summary now, its records as iterators."""
        rid = self.resolve(run_id)
        r = self.conn.execute(
            "SELECT id, run_id, mode, strategy, version, config, config_hash, data, format, started_at,"
            " finished_at, initial_cash, summary, sim FROM runs WHERE run_id = ?",
            (rid,),
        ).fetchone()
        info = RunInfo(
            run_id=r[1],
            mode=r[2],
            strategy=r[3],
            strategy_version=r[4],
            config=orjson.loads(r[5]),
            config_hash=r[6],
            data=r[7],
            data_format=r[8],
            started_at=r[9],
            initial_cash=r[11],
            sim=orjson.loads(r[13]),
        )
        return StoredRun(self, int(r[0]), info, orjson.loads(r[12]) if r[12] else None, r[10])


class StoredRun:
    """One stored run. ``info``, ``summary`` (``None`` until finished) and ``finished_at`` are
    loaded; every record table is read lazily, in the order it was written, by the iterator
    methods — a day of decisions never has to fit in memory."""

    def __init__(
        self, store: RunStore, key: int, info: RunInfo, summary: dict | None, finished_at: int | None
    ) -> None:
        self.store = store
        self.key = key
        self.info = info
        self.summary = summary
        self.finished_at = finished_at

    @property
    def run_id(self) -> str:
        return self.info.run_id

    def count(self, table: str) -> int:
        """Rows of one record table (``"fills"``, ``"decisions"``, ...) for this run."""
        if table not in _COLUMNS:
            raise ValueError(f"unknown table {table!r}")
        return int(
            self.store.conn.execute(f"SELECT count(*) FROM {table} WHERE run = ?", (self.key,)).fetchone()[0]
        )

    def _rows(self, table: str) -> Iterator[tuple]:
        cols = ", ".join(_COLUMNS[table])
        cur = self.store.conn.execute(f"SELECT {cols} FROM {table} WHERE run = ? ORDER BY rowid", (self.key,))
        while True:
            rows = cur.fetchmany(2048)
            if not rows:
                return
            yield from rows

    def _plain(self, table: str) -> Iterator[Any]:
        cls = _PLAIN[table]
        names = _COLUMNS[table]
        for row in self._rows(table):
            yield cls(**dict(zip(names, row, strict=True)))

    def markets(self) -> list[MarketRecord]:
        return [
            MarketRecord(
                condition_id=r[0],
                slug=r[1],
                token_ids=(r[2], r[3]),
                outcomes=(r[4], r[5]),
                end_ts=r[6],
                winning_outcome=r[7],
                settled_pnl=r[8],
            )
            for r in self._rows("markets")
        ]

    def orders(self) -> Iterator[OrderRecord]:
        for o in self._plain("orders"):
            yield msgspec.structs.replace(o, post_only=bool(o.post_only))

    def fills(self) -> Iterator[FillRecord]:
        return self._plain("fills")

    def transitions(self) -> Iterator[TransitionRecord]:
        return self._plain("transitions")

    def decisions(self) -> Iterator[DecisionRecord]:
        return self._plain("decisions")

    def pnl(self) -> Iterator[PnlPoint]:
        for r in self._rows("pnl"):
            yield PnlPoint(
                ts=r[0],
                cash=r[1],
                equity=r[2],
                realized=r[3],
                unrealized=r[4],
                fees=r[5],
                reserved=r[6],
                positions=orjson.loads(r[7]),
            )

    def blocked(self) -> Iterator[BlockedRecord]:
        return self._plain("blocked")

    def latencies(self) -> Iterator[LatencyRecord]:
        return self._plain("latencies")


class SqliteSink:
    """A :class:`~predtrade.backtest.records.RunSink` that stores a run in a :class:`RunStore`.

    Rows are buffered per table and written in one transaction every ``batch`` records and at
    :meth:`finish`, so memory is bounded by ``batch`` however long the run. ``run_id`` (optional)
    overrides the id in the :class:`RunInfo` the runner starts with, so a caller can name the run
    before it starts. A run id already in the store is refused at :meth:`start`.
    """

    def __init__(self, store: RunStore, run_id: str | None = None, *, batch: int = 5000) -> None:
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        self.store = store
        self.run_id = run_id
        self.batch = batch
        self._key: int | None = None
        self._n = 0
        self._buf: dict[str, list[tuple]] = {t: [] for t in _TABLES}
        self._astuple = msgspec.structs.astuple

    def start(self, info: RunInfo) -> None:
        if self.run_id is not None and info.run_id != self.run_id:
            info = msgspec.structs.replace(info, run_id=self.run_id)
        self.run_id = info.run_id
        self._key = self.store.add_run(info)

    def _add(self, table: str, row: tuple) -> None:
        if self._key is None:
            raise StoreError("SqliteSink: record before start()")
        self._buf[table].append(row)
        self._n += 1
        if self._n >= self.batch:
            self.flush()

    def market(self, rec: MarketRecord) -> None:
        self._add(
            "markets",
            (
                self._key,
                rec.condition_id,
                rec.slug,
                rec.token_ids[0],
                rec.token_ids[1],
                rec.outcomes[0],
                rec.outcomes[1],
                rec.end_ts,
                rec.winning_outcome,
                rec.settled_pnl,
            ),
        )

    def order(self, rec: OrderRecord) -> None:
        self._add("orders", (self._key, *self._astuple(rec)))

    def fill(self, rec: FillRecord) -> None:
        self._add("fills", (self._key, *self._astuple(rec)))

    def transition(self, rec: TransitionRecord) -> None:
        self._add("transitions", (self._key, *self._astuple(rec)))

    def decision(self, rec: DecisionRecord) -> None:
        self._add("decisions", (self._key, *self._astuple(rec)))

    def pnl(self, rec: PnlPoint) -> None:
        self._add(
            "pnl",
            (
                self._key,
                rec.ts,
                rec.cash,
                rec.equity,
                rec.realized,
                rec.unrealized,
                rec.fees,
                rec.reserved,
                orjson.dumps(rec.positions).decode(),
            ),
        )

    def blocked(self, rec: BlockedRecord) -> None:
        self._add("blocked", (self._key, *self._astuple(rec)))

    def latency(self, rec: LatencyRecord) -> None:
        self._add("latencies", (self._key, *self._astuple(rec)))

    def flush(self) -> None:
        """Write what is buffered (one transaction)."""
        if self._n:
            try:
                self.store.write_rows(self._buf)
            finally:
                for rows in self._buf.values():
                    rows.clear()
                self._n = 0

    def finish(self, summary: dict) -> None:
        self.flush()
        if self.run_id is not None and self._key is not None:
            self.store.finish_run(self.run_id, summary)
