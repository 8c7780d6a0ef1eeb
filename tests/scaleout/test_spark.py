"""inputguard.spark on one local Spark: the same answers as Guard.validate, one clock reading.

Few jobs on small data: the session starts once (conftest), and every test reuses one
persisted validation where it can.
"""

from __future__ import annotations

import pickle
import warnings
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
import structlog.testing

import inputguard as ig
import inputguard.arrow as ig_arrow

from ..conftest import NOW
from .conftest import sample

_PANDAS_WARNING = "PySpark does not yet fully support pandas"

if TYPE_CHECKING:
    from collections.abc import Iterator, MutableMapping

FRAME = sample(3000)
PARTITIONS = 3


def _collect(df: Any) -> pl.DataFrame:
    return pl.DataFrame(df.toArrow())


@pytest.fixture(scope="module")
def ig_spark(spark: Any) -> Any:
    import inputguard.spark as module  # noqa: PLC0415 - needs pyspark (the spark fixture checks)

    return module


@pytest.fixture(scope="module")
def spark_input(spark: Any) -> Any:
    return spark.createDataFrame(FRAME.to_arrow()).repartition(PARTITIONS)


@pytest.fixture(scope="module")
def job(ig_spark: Any, spark_input: Any, guard: ig.Guard) -> Iterator[Any]:
    validation = ig_spark.validate(spark_input, guard, now=NOW, key="txn_id")
    validation.tagged.persist()
    yield validation
    validation.tagged.unpersist()


@pytest.fixture(scope="module")
def collected(job: Any) -> tuple[pl.DataFrame, pl.DataFrame, list[MutableMapping[str, Any]]]:
    with structlog.testing.capture_logs() as logs:
        accepted, quarantined = (_collect(frame) for frame in job)
    return accepted, quarantined, logs


def test_spark_gives_what_validate_gives(
    guard: ig.Guard, collected: tuple[pl.DataFrame, pl.DataFrame, list[MutableMapping[str, Any]]]
) -> None:
    accepted, quarantined, logs = collected
    assert logs == []  # executors emit nothing; the job's event comes from the driver
    result = guard.validate(FRAME, now=NOW)
    codes = pl.List(pl.String)
    want_accepted = result.accepted.drop("row_id").with_columns(pl.col("warnings").cast(codes))
    want_quarantined = result.quarantined.drop("row_id").with_columns(
        pl.col("reasons").cast(codes), pl.col("warnings").cast(codes)
    )
    assert accepted.columns == want_accepted.columns
    assert quarantined.columns == want_quarantined.columns
    # Normalized values, reasons (with their columns), owners and warnings, row by row.
    assert accepted.sort("txn_id").equals(want_accepted.sort("txn_id"))
    assert quarantined.sort("txn_id").equals(want_quarantined.sort("txn_id"))
    assert quarantined.height > 500  # every family rejects rows of the sample


def test_job_summary_is_counted_on_the_driver_and_emitted_once(
    guard: ig.Guard, job: Any, collected: Any
) -> None:
    result = guard.validate(FRAME, now=NOW)
    with structlog.testing.capture_logs() as logs:
        summary = job.summary()
        again = job.summary()
    assert summary == again
    assert summary.checked_at == NOW
    assert (summary.accepted, summary.quarantined) == (
        result.accepted.height,
        result.quarantined.height,
    )
    assert summary.counts() == result.counts()
    assert summary.tally.reasons_by_column == result.counts_by_column()
    assert summary.tally.warnings == result.warning_counts()
    assert summary.tally == ig_arrow.Tally.of(result)  # sources and owners too
    (event,) = logs  # two summaries, one event per job
    assert event["mode"] == "spark"
    assert event["rows_in"] == FRAME.height
    assert event["reasons"] == result.counts()
    watch = ig.DriftWatch(baseline_rows=50)
    summary.feed(watch)
    assert watch.baselines()["legacy-crm"]["source.retired"] == 1.0


def test_row_ids_are_unique_across_partitions(
    ig_spark: Any, spark_input: Any, guard: ig.Guard
) -> None:
    accepted, quarantined = ig_spark.validate(spark_input, guard, now=NOW)
    ids = _collect(accepted.select("row_id").unionAll(quarantined.select("row_id")))["row_id"]
    assert ids.dtype == pl.Int64
    assert ids.len() == ids.n_unique() == FRAME.height
    assert (ids // 2**33).n_unique() >= PARTITIONS  # ids carry their task's partition


def test_bad_input_is_refused_on_the_driver(
    ig_spark: Any, spark_input: Any, guard: ig.Guard
) -> None:
    with pytest.raises(ig.InputRejected) as error:
        ig_spark.validate(spark_input.drop("country"), guard, now=NOW)
    assert error.value.reasons == ("schema.missing_column",)
    with pytest.raises(ig.ConfigurationError, match="'df' must be a pyspark DataFrame"):
        ig_spark.validate(FRAME, guard)
    with pytest.raises(ig.ConfigurationError, match="'key' column 'source' is read"):
        ig_spark.validate(spark_input, guard, key="source")


def test_a_worker_unpickles_each_guard_once_and_keeps_a_few(ig_spark: Any, guard: ig.Guard) -> None:
    # The equality test above runs 3 partitions on 2 workers: a reused worker tags with the
    # guard (and warm caches) an earlier task left, and the answers equal Guard.validate.
    layout = ig_arrow._layout(guard, FRAME.to_arrow().schema, None)
    shipped = ig_spark._TagPartitions.of(guard, layout, NOW)
    kept = ig_spark._worker_guard(shipped.digest, shipped.guard)
    assert kept is not guard
    assert kept.fingerprint == guard.fingerprint
    assert ig_spark._worker_guard(shipped.digest, shipped.guard) is kept
    others = [
        ig_spark._TagPartitions.of(ig.Guard(guard.validators, name=f"g{i}"), layout, NOW)
        for i in range(ig_spark._WORKER_GUARDS_KEPT)
    ]
    for other in others:
        ig_spark._worker_guard(other.digest, other.guard)
    assert shipped.digest not in ig_spark._WORKER_GUARDS  # least recently used, evicted
    assert len(ig_spark._WORKER_GUARDS) == ig_spark._WORKER_GUARDS_KEPT
    with pytest.raises(ig.ConfigurationError, match="not a Guard"):
        ig_spark._worker_guard("x", pickle.dumps(["not", "a", "guard"]))


def test_workers_take_their_polars_pool_size_from_the_executor_environment(spark: Any) -> None:
    # The setting docs/scale-out.md recommends: spark.executorEnv.POLARS_MAX_THREADS.
    def pool_sizes(batches: Iterator[Any]) -> Iterator[Any]:  # local: pickled by value
        import polars  # noqa: PLC0415 - imported in the worker, under its environment
        import pyarrow  # noqa: PLC0415

        for batch in batches:
            yield pyarrow.record_batch({"threads": [polars.thread_pool_size()] * batch.num_rows})

    with warnings.catch_warnings():  # pyspark's pandas-3 warning; mapInArrow uses no pandas
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        sizes = spark.range(4, numPartitions=2).mapInArrow(pool_sizes, "threads long").collect()
    assert {row.threads for row in sizes} == {1}


def test_result_columns_take_the_guard_names(spark: Any, ig_spark: Any, guard: ig.Guard) -> None:
    renamed = ig.Guard(
        guard.validators, name="renamed", result_columns=ig.ResultColumns.prefixed("ig_")
    )
    frame = FRAME.head(400).with_columns(owner=pl.lit("shop"))  # a business `owner` column
    job = ig_spark.validate(spark.createDataFrame(frame.to_arrow()), renamed, now=NOW)
    accepted, quarantined = (_collect(part) for part in job)
    result = renamed.validate(frame, now=NOW)
    assert accepted.columns == result.accepted.columns
    assert quarantined.columns == result.quarantined.columns
    assert quarantined.get_column("owner").unique().to_list() == ["shop"]
    assert (
        quarantined.sort("ig_row_id")
        .get_column("ig_owner")
        .equals(result.quarantined.get_column("ig_owner"))
    )
    assert job.summary().tally == ig_arrow.Tally.of(result)
