"""RunStore / SqliteSink: migrations, round trip of every record type, batching, readers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predtrade.backtest.metrics import replay
from predtrade.backtest.records import MemorySink, RunSink
from predtrade.persistence import MIGRATIONS, SCHEMA_VERSION, RunStore, SqliteSink, StoreError
from predtrade.persistence.schema import MIGRATIONS as SCHEMA_MIGRATIONS

from . import factory as f

TABLES = ("markets", "orders", "fills", "transitions", "decisions", "pnl", "blocked", "latencies")


def _tables(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(
        conn.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index')").fetchall()
    )


def test_migrating_an_empty_db_reaches_the_latest_version(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        assert store.version == SCHEMA_VERSION == len(MIGRATIONS)
        assert {"runs", *TABLES} <= set(_tables(store.conn))
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_and_migrating_again_are_no_ops(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        before = _tables(store.conn)
        assert store.migrate() == 0
    with RunStore(path) as store:
        assert store.version == SCHEMA_VERSION
        assert _tables(store.conn) == before


def test_migrations_apply_one_by_one_from_any_earlier_version(tmp_path: Path) -> None:
    # Arrange: a file that only saw migration 1 (as an older predtrade left it)
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.close()
    # Act
    with RunStore(path) as store:
        # Assert: the rest ran, and nothing ran twice
        assert store.version == SCHEMA_VERSION
        assert "fills_by_run" in _tables(store.conn)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        RunStore(path)


def test_a_file_that_is_not_sqlite_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        RunStore(path)


def _stored(store: RunStore, src: MemorySink, batch: int = 3) -> SqliteSink:
    sink = SqliteSink(store, batch=batch)
    replay(src, sink)
    return sink


def test_every_record_type_round_trips_exactly(tmp_path: Path) -> None:
    src = f.full_run()
    with RunStore(tmp_path / "runs.sqlite") as store:
        _stored(store, src)
        run = store.load_run("run-1")
        assert run.info == src.info
        assert run.summary == src.summary
        assert run.finished_at is not None
        # the resolution record updated m1 in place; m2 kept its place and its None end_ts
        assert run.markets() == [
            f.market("m1", winning_outcome="Up", settled_pnl=-5 * f.USDC),
            src.markets[1],
        ]
        assert list(run.orders()) == src.orders
        assert list(run.fills()) == src.fills
        assert list(run.transitions()) == src.transitions
        assert list(run.decisions()) == src.decisions
        assert list(run.pnl()) == src.pnl_points
        assert list(run.blocked()) == src.blocks
        assert list(run.latencies()) == src.latencies
        assert run.count("fills") == len(src.fills)


def test_ints_stay_ints_and_bools_stay_bools(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        _stored(store, f.full_run())
        run = store.load_run("run-1")
        fill = next(run.fills())
        assert all(type(getattr(fill, k)) is int for k in ("ts", "price", "size", "fee"))
        assert type(next(run.orders()).post_only) is bool
        point = next(run.pnl())
        assert all(type(v) is int for v in point.positions.values())
        # and in the file itself: money columns hold SQLite integers
        kinds = store.conn.execute(
            "SELECT DISTINCT typeof(price), typeof(size), typeof(fee) FROM fills"
        ).fetchall()
        assert kinds == [("integer", "integer", "integer")]


def test_a_float_on_a_money_column_is_refused_not_stored(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        sink = SqliteSink(store, batch=1)
        sink.start(f.info())
        with pytest.raises(StoreError, match="fills"):
            sink.fill(f.fill(price=0.45))  # type: ignore[arg-type]
        assert store.conn.execute("SELECT count(*) FROM fills").fetchone()[0] == 0


@settings(max_examples=40)
@given(
    price=st.integers(1, 9999),
    size=st.integers(0, 2**62),
    fee=st.integers(-(2**62), 2**62),
    equity=st.integers(-(2**62), 2**62),
    pos=st.dictionaries(st.text(min_size=1, max_size=12), st.integers(-(2**62), 2**62), max_size=4),
)
def test_extreme_fixed_point_values_round_trip(
    price: int, size: int, fee: int, equity: int, pos: dict[str, int]
) -> None:
    with RunStore(":memory:") as store:
        sink = SqliteSink(store)
        sink.start(f.info())
        rec = f.fill(price=price, size=size, fee=fee)
        pt = f.pnl(equity=equity, cash=-equity, positions=pos)
        sink.fill(rec)
        sink.pnl(pt)
        sink.finish({})
        run = store.load_run("run-1")
        assert list(run.fills()) == [rec]
        assert list(run.pnl()) == [pt]


def test_the_sink_flushes_every_batch_and_at_finish(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        sink = SqliteSink(store, batch=4)
        sink.start(f.info())
        for i in range(7):
            sink.fill(f.fill(i))
        # one batch of 4 is on disk, 3 wait in memory
        assert store.conn.execute("SELECT count(*) FROM fills").fetchone()[0] == 4
        sink.finish({"events": 7})
        assert store.conn.execute("SELECT count(*) FROM fills").fetchone()[0] == 7
        assert store.load_run("run-1").summary == {"events": 7}


def test_sink_is_a_run_sink_and_can_rename_the_run(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        sink = SqliteSink(store, "chosen-id")
        assert isinstance(sink, RunSink)
        sink.start(f.info(run_id="runner-id"))
        sink.finish({})
        assert [r.run_id for r in store.list_runs()] == ["chosen-id"]


def test_a_stored_run_is_never_overwritten(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        _stored(store, f.full_run())
        with pytest.raises(StoreError, match="run-1"):
            SqliteSink(store).start(f.info())


def test_record_before_start_is_an_error() -> None:
    with RunStore(":memory:") as store, pytest.raises(StoreError, match="before start"):
        SqliteSink(store).fill(f.fill())


def test_list_runs_and_resolve(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        _stored(store, f.full_run("bt-20260320-aaaa"))
        _stored(store, f.full_run("bt-20260320-bbbb"))
        rows = store.list_runs()
        assert [r.run_id for r in rows] == ["bt-20260320-aaaa", "bt-20260320-bbbb"]
        assert rows[0].strategy == "amm" and rows[0].summary == {"events": 1234, "elapsed_s": 0.5}
        assert store.resolve("latest") == "bt-20260320-bbbb"
        assert store.resolve("bt-20260320-a") == "bt-20260320-aaaa"
        with pytest.raises(StoreError, match="ambiguous"):
            store.resolve("bt-2026")
        with pytest.raises(StoreError, match="not stored"):
            store.load_run("nope")
        store.set_summary("bt-20260320-aaaa", {"pnl": "1.5"})
        assert store.load_run("bt-20260320-aaaa").summary == {"pnl": "1.5"}


def test_deleting_a_run_removes_its_records(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        _stored(store, f.full_run("a"))
        _stored(store, f.full_run("b"))
        store.delete_run("a")
        assert [r.run_id for r in store.list_runs()] == ["b"]
        assert store.conn.execute("SELECT count(DISTINCT run) FROM fills").fetchone()[0] == 1
        assert len(list(store.load_run("b").fills())) == 4


def test_readers_stream_while_a_second_run_is_written(tmp_path: Path) -> None:
    # the iterators are lazy: reading one run and writing another on the same store must not clash
    with RunStore(tmp_path / "runs.sqlite") as store:
        _stored(store, f.full_run("a"))
        it = store.load_run("a").decisions()
        first = next(it)
        _stored(store, f.full_run("b"))
        assert [first, *it] == f.full_run("a").decisions


def test_record_structs_match_the_table_columns() -> None:
    # a field added to a record without a migration would be silently dropped; fail here instead
    from predtrade.persistence.sqlite import _COLUMNS, _PLAIN

    with RunStore(":memory:") as store:
        for table, cls in _PLAIN.items():
            cols = [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")][1:]
            assert sorted(cols) == sorted(f.name for f in msgspec.structs.fields(cls)), table
            assert set(_COLUMNS[table]) == set(cols)
