"""inputguard.arrow: the tagged layout, one batch in / one tagged batch out, the stream form."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import pytest
import structlog.testing
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard as ig
import inputguard.arrow as ig_arrow
from inputguard._scale.types import portable

from ..conftest import NOW
from .conftest import sample

if TYPE_CHECKING:
    from inputguard.arrow import Tally

FRAME = sample(1200)
TABLE = FRAME.to_arrow()

SPARK_REFUSES = (
    pa.types.is_large_string,
    pa.types.is_large_list,
    pa.types.is_large_binary,
    pa.types.is_string_view,
    pa.types.is_dictionary,
    pa.types.is_unsigned_integer,
)


def _walk(dtype: pa.DataType) -> list[pa.DataType]:
    inner: list[pa.DataType] = []
    if pa.types.is_struct(dtype):
        for i in range(dtype.num_fields):
            inner += _walk(dtype.field(i).type)
    elif hasattr(dtype, "value_type"):
        inner += _walk(dtype.value_type)
    return [dtype, *inner]


def _portable(schema: pa.Schema) -> bool:
    return not any(test(t) for f in schema for t in _walk(f.type) for test in SPARK_REFUSES)


def as_result_frames(tagged: pa.Table) -> tuple[pl.DataFrame, pl.DataFrame]:
    """split() as polars frames, with codes as strings and ids as Int64, sorted by row id."""
    accepted, quarantined = ig_arrow.split(tagged)
    return (
        pl.DataFrame(accepted).sort("row_id"),
        pl.DataFrame(quarantined).sort("row_id"),
    )


def expected_frames(guard: ig.Guard, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = guard.validate(frame, now=NOW)
    codes = pl.List(pl.String)
    return (
        result.accepted.with_columns(
            pl.col("row_id").cast(pl.Int64), pl.col("warnings").cast(codes)
        ),
        result.quarantined.with_columns(
            pl.col("row_id").cast(pl.Int64),
            pl.col("reasons").cast(codes),
            pl.col("warnings").cast(codes),
        ),
    )


def test_tagged_schema_is_derived_without_data_and_portable(guard: ig.Guard) -> None:
    schema = ig_arrow.tagged_schema(guard, TABLE.schema)
    assert schema.names == [
        "row_id",
        "status",
        "normalized",
        "original",
        "reasons",
        "reason_columns",
        "owner",
        "warnings",
    ]
    assert schema.field("row_id").type == pa.int64()
    assert schema.field("normalized").type.field("event_ts").type == pa.timestamp("us", tz="UTC")
    assert schema.field("original").type.field("event_ts").type == pa.string()
    assert _portable(schema)
    assert not _portable(TABLE.schema)  # polars' own Arrow output is what Spark refuses


def test_one_batch_gives_what_validate_gives(guard: ig.Guard) -> None:
    tagger = ig_arrow.Tagger(guard, TABLE.schema, now=NOW)
    (batch,) = TABLE.combine_chunks().to_batches()
    tagged = tagger.tag(batch)
    assert tagged.schema == tagger.schema
    assert tagged.num_rows == batch.num_rows
    accepted, quarantined = as_result_frames(pa.Table.from_batches([tagged]))
    want_accepted, want_quarantined = expected_frames(guard, FRAME)
    assert want_quarantined.height > 100  # the sample is messy: every family rejects rows
    assert_frame_equal(accepted, want_accepted)
    assert_frame_equal(quarantined, want_quarantined)
    result = guard.validate(FRAME, now=NOW)
    assert tagger.tally.counts() == result.counts()
    assert tagger.tally.reasons_by_column == result.counts_by_column()
    assert tagger.tally.warnings == result.warning_counts()
    owners = result.quarantined.get_column("owner").value_counts()
    assert tagger.tally.owners == dict(owners.iter_rows())


def test_stream_keeps_one_clock_reading_and_ids_unique_across_batches_and_partitions(
    guard: ig.Guard,
) -> None:
    readings = iter([NOW, NOW + timedelta(hours=5)])
    ticking = ig.Guard(guard.validators, name="ticking", clock=lambda: next(readings))
    batches = TABLE.to_batches(max_chunksize=250)
    parts = [ig_arrow.Tagger(ticking, TABLE.schema, partition=p) for p in (0, 1)]
    tagged = [t for p, tagger in enumerate(parts) for t in tagger.stream(batches[p::2])]
    assert [t.checked_at for t in parts] == [NOW, NOW + timedelta(hours=5)]
    ids = pa.concat_arrays([t.column("row_id") for t in tagged]).to_pylist()
    assert len(ids) == len(set(ids)) == TABLE.num_rows
    assert min(ids) == 0
    assert min(i for i in ids if i >= 2**33) == 2**33  # partition 1 starts its own range
    # Every batch of partition 0 was checked against its one reading: same verdicts as a
    # single validate of those rows at that instant.
    rows = pa.Table.from_batches(batches[0::2])
    want = ticking.validate(rows, now=NOW)
    assert parts[0].tally.counts() == want.counts()


@given(
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6),
    partition=st.integers(min_value=0, max_value=2**30 - 1),
)
def test_any_batching_conserves_rows_and_counts(
    guard: ig.Guard, cuts: list[int], partition: int
) -> None:
    frame = FRAME.head(300)
    bounds = sorted({0, 300, *cuts})
    batches = [frame.slice(a, b - a).to_arrow().to_batches() for a, b in itertools.pairwise(bounds)]
    flat = [b for group in batches for b in group]
    tagger = ig_arrow.Tagger(guard, frame.to_arrow().schema, now=NOW, partition=partition)
    tagged = pa.Table.from_batches(list(tagger.stream(flat)), schema=tagger.schema)
    ids = tagged.column("row_id").to_pylist()
    assert sorted(ids) == [(partition << 33) + i for i in range(300)]
    whole: Tally = ig_arrow.Tally.of(guard.validate(frame, now=NOW))
    assert tagger.tally == whole


def test_key_column_identifies_rows_and_must_pass_unchanged(guard: ig.Guard) -> None:
    tagger = ig_arrow.Tagger(guard, TABLE.schema, now=NOW, key="txn_id")
    assert "row_id" not in tagger.schema.names
    tagged = pa.Table.from_batches(list(tagger.stream(TABLE)))
    accepted, quarantined = ig_arrow.split(tagged)
    keys = accepted.column("txn_id").to_pylist() + quarantined.column("txn_id").to_pylist()
    assert sorted(keys) == FRAME.get_column("txn_id").to_list()
    with pytest.raises(ig.ConfigurationError, match="'key' column 'country' is read"):
        ig_arrow.Tagger(guard, TABLE.schema, now=NOW, key="country")
    with pytest.raises(ig.ConfigurationError, match="'key' must name a column"):
        ig_arrow.Tagger(guard, TABLE.schema, now=NOW, key="nope")


def test_batches_of_another_layout_are_cast_or_rejected(guard: ig.Guard) -> None:
    small = FRAME.head(20).to_arrow()
    narrow = pa.schema([pa.field(f.name, portable(f.type)) for f in small.schema])
    tagger = ig_arrow.Tagger(guard, narrow, now=NOW)
    (wide,) = small.to_batches()  # large_string where the tagger expects string: cast
    assert tagger.tag(wide).num_rows == 20
    with pytest.raises(ig.InputRejected, match="differ") as error:
        tagger.tag(wide.drop_columns(["amount"]))
    assert error.value.reasons == ("schema.dtype",)
    bad = wide.set_column(5, "amount", pa.array(["x"] * 20))
    with pytest.raises(
        ig.InputRejected, match="'amount' is string, the tagger's schema says double"
    ) as error:
        tagger.tag(bad)
    assert error.value.field == "amount"
    with pytest.raises(ig.InputRejected) as error:
        tagger.tag(small)
    assert error.value.reasons == ("schema.unsupported_type",)


def test_schema_errors_come_from_the_guard(guard: ig.Guard) -> None:
    with pytest.raises(ig.InputRejected) as error:
        ig_arrow.tagged_schema(guard, TABLE.schema.remove(TABLE.schema.get_field_index("country")))
    assert error.value.reasons == ("schema.missing_column",)
    with pytest.raises(ig.ConfigurationError, match=r"pyarrow\.Schema"):
        ig_arrow.tagged_schema(guard, FRAME.schema)
    with pytest.raises(ig.ConfigurationError, match="'partition'"):
        ig_arrow.Tagger(guard, TABLE.schema, partition=2**30)


def test_unsigned_and_dictionary_columns_keep_their_values(guard: ig.Guard) -> None:
    table = TABLE.slice(0, 50).append_column(
        "count", pa.array(range(4_294_967_245, 4_294_967_295), pa.uint32())
    )
    table = table.set_column(
        table.schema.get_field_index("currency"),
        "currency",
        table.column("currency").dictionary_encode(),
    )
    tagger = ig_arrow.Tagger(guard, table.schema, now=NOW)
    tagged = pa.Table.from_batches(list(tagger.stream(table)))
    assert _portable(tagged.schema)
    accepted, quarantined = ig_arrow.split(tagged)
    counts = accepted.column("count").to_pylist() + quarantined.column("count").to_pylist()
    assert sorted(counts) == list(range(4_294_967_245, 4_294_967_295))
    originals = dict(
        zip(
            quarantined.column("row_id").to_pylist(),
            quarantined.column("currency").to_pylist(),
            strict=True,
        )
    )
    given_values = table.column("currency").to_pylist()
    assert all(given_values[i] == v for i, v in originals.items())


def test_emit_logs_one_event_for_the_stream(guard: ig.Guard) -> None:
    tagger = ig_arrow.Tagger(guard, TABLE.schema, now=NOW)
    with structlog.testing.capture_logs() as logs:
        for _ in tagger.stream(TABLE.to_batches(max_chunksize=400)):
            pass
        tagger.emit(query="orders")
    (event,) = logs
    with structlog.testing.capture_logs() as logs:
        result = guard.validate(FRAME, now=NOW)
    (whole,) = logs
    assert event["event"] == whole["event"] == "inputguard.validate"
    assert event["mode"] == "arrow"
    assert event["query"] == "orders"
    assert event["rows_in"] == FRAME.height
    assert event["checked_at"] == NOW.isoformat()
    assert event["reasons"] == result.counts()
    for part in ("reasons", "reasons_by_column", "sources", "accepted", "quarantined"):
        assert event[part] == whole[part], part


def test_tally_feeds_a_drift_watch(guard: ig.Guard) -> None:
    tagger = ig_arrow.Tagger(guard, TABLE.schema, now=NOW)
    for _ in tagger.stream(TABLE):
        pass
    via_tally = ig.DriftWatch(baseline_rows=20)
    via_result = ig.DriftWatch(baseline_rows=20)
    tagger.tally.feed(via_tally)
    via_result.observe(guard.validate(FRAME, now=NOW))
    assert via_tally.baselines() == via_result.baselines()
    assert via_tally.baselines()["scraper-7"]["source.unknown"] == 1.0


def test_tag_batches_takes_the_schema_from_the_first_batch(guard: ig.Guard) -> None:
    batches = TABLE.to_batches(max_chunksize=500)
    tagged = list(ig_arrow.tag_batches(guard, iter(batches), now=NOW))
    assert [t.num_rows for t in tagged] == [b.num_rows for b in batches]
    assert list(ig_arrow.tag_batches(guard, iter([]), now=NOW)) == []
    with pytest.raises(ig.InputRejected):
        list(ig_arrow.tag_batches(guard, iter([FRAME]), now=NOW))
    with pytest.raises(ig.ConfigurationError, match="split"):
        ig_arrow.split(TABLE)


def test_result_columns_take_the_guard_names(guard: ig.Guard) -> None:
    # An input with its own `owner` and `warnings` columns, under a guard whose results are
    # named `ig_*`: the tagged layout, split() and the tally use the guard's names.
    names = ig.ResultColumns.prefixed("ig_")
    renamed = ig.Guard(guard.validators, name="renamed", result_columns=names)
    frame = FRAME.with_columns(owner=pl.lit("shop"), warnings=pl.lit(0))
    tagger = ig_arrow.Tagger(renamed, frame.to_arrow().schema, now=NOW)
    tagged = pa.Table.from_batches(list(tagger.stream(frame.to_arrow())))
    assert tagged.column_names == [
        "ig_row_id",
        "status",
        "normalized",
        "original",
        "ig_reasons",
        "ig_reason_columns",
        "ig_owner",
        "ig_warnings",
    ]
    result = renamed.validate(frame, now=NOW)
    codes = pl.List(pl.String)
    accepted, quarantined = (pl.DataFrame(t).sort("ig_row_id") for t in ig_arrow.split(tagged))
    assert_frame_equal(
        accepted,
        result.accepted.with_columns(
            pl.col("ig_row_id").cast(pl.Int64), pl.col("ig_warnings").cast(codes)
        ),
    )
    assert_frame_equal(
        quarantined,
        result.quarantined.with_columns(
            pl.col("ig_row_id").cast(pl.Int64),
            pl.col("ig_reasons").cast(codes),
            pl.col("ig_warnings").cast(codes),
        ),
    )
    assert quarantined.get_column("owner").unique().to_list() == ["shop"]  # the input's own
    assert tagger.tally == ig_arrow.Tally.of(result)
    assert tagger.tally.counts() == result.counts()
