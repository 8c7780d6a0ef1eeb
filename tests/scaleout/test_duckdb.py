"""The DuckDB recipe of docs/scale-out.md: a query's batches streamed through inputguard.arrow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pyarrow.parquet as pq
import pytest
import structlog.testing

import inputguard as ig
import inputguard.arrow as ig_arrow

from ..conftest import NOW
from .conftest import sample

if TYPE_CHECKING:
    from pathlib import Path

duckdb = pytest.importorskip("duckdb")  # a dev dependency: always present in CI

FRAME = sample(3000)
BATCH_ROWS = 512


def guard_query(guard: ig.Guard, sql: str, out: Path) -> ig_arrow.Tally:
    """The recipe: stream a query, write both outputs batch by batch, log one event."""
    connection = duckdb.connect()
    connection.register("events", FRAME.to_arrow())
    reader = connection.sql(sql).to_arrow_reader(BATCH_ROWS)  # fetch_record_batch before 2.0
    tagger = ig_arrow.Tagger(guard, reader.schema, now=NOW)
    empty_accepted, empty_quarantined = ig_arrow.split(tagger.schema.empty_table())
    with (
        pq.ParquetWriter(out / "accepted.parquet", empty_accepted.schema) as accepted,
        pq.ParquetWriter(out / "quarantined.parquet", empty_quarantined.schema) as quarantined,
    ):
        for tagged in tagger.stream(reader):
            assert tagged.num_rows <= BATCH_ROWS  # one batch at a time, never the whole result
            good, bad = ig_arrow.split(tagged)
            accepted.write_table(good)
            quarantined.write_table(bad)
    tagger.emit(query="events")
    return tagger.tally


def test_duckdb_stream_gives_what_validate_gives(guard: ig.Guard, tmp_path: Path) -> None:
    with structlog.testing.capture_logs() as logs:
        tally = guard_query(guard, "SELECT * FROM events", tmp_path)
    (event,) = logs
    assert event["mode"] == "arrow"
    assert event["rows_in"] == FRAME.height
    result = guard.validate(FRAME, now=NOW)
    assert tally == ig_arrow.Tally.of(result)
    codes = pl.List(pl.String)
    accepted = pl.read_parquet(tmp_path / "accepted.parquet")
    quarantined = pl.read_parquet(tmp_path / "quarantined.parquet")
    want_accepted = result.accepted.with_columns(
        pl.col("row_id").cast(pl.Int64), pl.col("warnings").cast(codes)
    )
    want_quarantined = result.quarantined.with_columns(
        pl.col("row_id").cast(pl.Int64),
        pl.col("reasons").cast(codes),
        pl.col("warnings").cast(codes),
    )
    assert accepted.sort("row_id").equals(want_accepted)
    assert quarantined.sort("row_id").equals(want_quarantined)


def test_duckdb_types_pass_through(guard: ig.Guard, tmp_path: Path) -> None:
    sql = (
        "SELECT *, amount::DECIMAL(12, 2) AS cents, txn_id::BLOB AS raw, "
        "[country, currency] AS pair, {'a': amount} AS nested, "
        "'2026-11-22'::DATE AS day FROM events"
    )
    tally = guard_query(guard, sql, tmp_path)
    assert tally.rows == FRAME.height
    quarantined = pl.read_parquet(tmp_path / "quarantined.parquet")
    assert quarantined.schema["cents"] == pl.Decimal(12, 2)
    assert quarantined.schema["pair"] == pl.List(pl.String)
    first = quarantined.row(0, named=True)
    assert first["raw"] == first["txn_id"].encode()
    assert first["nested"] == {"a": first["amount"]}
