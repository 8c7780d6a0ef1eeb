"""The guard on Spark: one ``mapInArrow`` pass, the clock read once on the driver.

Two calls::

    import inputguard.spark as ig_spark

    accepted, quarantined = ig_spark.validate(df, guard)  # Spark DataFrames, lazily
    accepted.write.parquet("clean"); quarantined.write.parquet("quarantine")

The executors run the `inputguard.arrow` layer on each Arrow batch Spark hands them: every
batch of the job is checked against the one instant read on the driver, row ids are unique
across batches and partitions (``partition << 33 | position``) unless a ``key`` column
identifies rows, and the output types are the ones Spark's Arrow reader accepts.

What each action costs: ``accepted`` and ``quarantined`` are two filters of one tagged
DataFrame (`SparkValidation.tagged`). Spark runs the guard once per action that reads it, so
writing both outputs without caching reads the input and runs the guard twice. To run it once,
either ``persist()`` the tagged frame before the two writes, or write the tagged frame once,
partitioned by ``status`` (see ``docs/scale-out.md``).

The job summary (`SparkValidation.summary`) is built on the driver from what the executors
send back with their tasks (an accumulator holding one `~inputguard.arrow.Tally` per
partition: a partition computed twice counts once), and is emitted as ONE audit event per job,
from the driver. Workers emit nothing and run no observers; feed a `DriftWatch` from the
summary (`JobSummary.feed`).

Needs the ``spark`` extra (``pip install 'inputguard[spark]'``) and classic Spark (a
``SparkContext``: accumulators are not available over Spark Connect).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyspark import AccumulatorParam, TaskContext
from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812 - the name every Spark user writes
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from inputguard._core.clock import read_clock
from inputguard._core.result import OWNER, REASON_COLUMNS, REASONS, ROW_ID, WARNINGS
from inputguard._guard.guard import Guard
from inputguard._scale.events import emit_tally
from inputguard._scale.quiet import without_observers
from inputguard.arrow import (
    ACCEPTED,
    NORMALIZED,
    ORIGINAL,
    QUARANTINED,
    STATUS,
    Tagger,
    Tally,
    _Layout,
    _layout,
)
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from datetime import datetime

    import pyarrow as pa
    from pyspark import Accumulator

    from inputguard._ops.drift import DriftAlert, DriftWatch

__all__ = ["JobSummary", "SparkValidation", "validate"]

# pyspark 4.x warns on every pandas-based UDF when pandas >= 3 is installed. `mapInArrow`
# goes through the same UDF machinery but never converts a batch to pandas, so the warning
# does not concern it: it is filtered for that one call, by its exact message.
_PANDAS_WARNING = "PySpark does not yet fully support pandas"

# One entry per partition: its Tally once the partition was fully tagged, None while only
# started (a task that stopped early, e.g. under `limit`). Entries of one partition replace
# each other instead of adding up, so recomputing a partition (a second action, a retried
# task) never counts its rows twice.
_Partitions = dict[int, Tally | None]


class _ByPartition(AccumulatorParam[_Partitions]):
    def zero(self, value: _Partitions) -> _Partitions:
        return {}

    def addInPlace(self, value1: _Partitions, value2: _Partitions) -> _Partitions:  # noqa: N802 - pyspark's name
        for partition, tally in value2.items():
            if tally is not None or partition not in value1:
                value1[partition] = tally
        return value1


@dataclass(frozen=True, slots=True)
class _TagPartitions:
    """The function ``mapInArrow`` runs on each partition (pickled to the executors)."""

    guard: Guard
    layout: _Layout
    now: datetime
    partitions: Accumulator[_Partitions]

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        self.partitions.add({partition: None})
        tagger = Tagger._prepared(self.guard, self.layout, now=self.now, partition=partition)
        yield from tagger.stream(batches)
        self.partitions.add({partition: tagger.tally})


@dataclass(frozen=True, slots=True)
class JobSummary:
    """What a Spark job tagged, summed on the driver from the executors' tallies.

    Attributes:
        guard: The guard's name.
        fingerprint: The guard's fingerprint.
        checked_at: The one clock reading of the job.
        tally: The counts (by reason, column, source and owner), see `inputguard.arrow.Tally`.
        partitions: Partitions fully tagged.
        expected_partitions: Partitions of the tagged DataFrame.
        started_partitions: Partitions started but not tagged to the end (an action such as
            ``limit`` or ``show`` stops early); their rows are not counted.
    """

    guard: str
    fingerprint: str
    checked_at: datetime
    tally: Tally
    partitions: int
    expected_partitions: int
    started_partitions: int = 0

    @property
    def complete(self) -> bool:
        """True when every partition was tagged to the end: the counts cover every row."""
        return self.partitions == self.expected_partitions and not self.started_partitions

    @property
    def accepted(self) -> int:
        """Rows accepted."""
        return self.tally.accepted

    @property
    def quarantined(self) -> int:
        """Rows quarantined."""
        return self.tally.quarantined

    @property
    def rows(self) -> int:
        """Rows tagged."""
        return self.tally.rows

    def counts(self) -> dict[str, int]:
        """Quarantined rows by reason code, as `Result.counts`."""
        return self.tally.counts()

    def feed(self, watch: DriftWatch) -> tuple[DriftAlert, ...]:
        """Give the job's rows and reasons per source to a `DriftWatch`."""
        return self.tally.feed(watch, guard=self.guard, guard_fingerprint=self.fingerprint)


class SparkValidation(tuple[DataFrame, DataFrame]):
    """``(accepted, quarantined)`` Spark DataFrames, with the tagged frame and the job summary.

    Unpacks as a pair: ``accepted, quarantined = ig_spark.validate(df, guard)``.
    """

    accepted: DataFrame
    quarantined: DataFrame
    tagged: DataFrame
    checked_at: datetime
    _guard: Guard
    _partitions: Accumulator[_Partitions]
    _started: float
    _emitted: bool

    def __new__(  # noqa: D102 - documented on the class
        cls,
        accepted: DataFrame,
        quarantined: DataFrame,
        *,
        tagged: DataFrame,
        guard: Guard,
        checked_at: datetime,
        partitions: Accumulator[_Partitions],
    ) -> SparkValidation:
        pair = super().__new__(cls, (accepted, quarantined))
        pair.accepted, pair.quarantined, pair.tagged = accepted, quarantined, tagged
        pair.checked_at = checked_at
        pair._guard, pair._partitions = guard, partitions
        pair._started = time.perf_counter()
        pair._emitted = False
        return pair

    def summary(self, *, require_complete: bool = True) -> JobSummary:
        """The job's counts, from the partitions the executors tagged so far.

        The first complete summary emits the job's one ``inputguard.validate`` audit event
        (``mode="spark"``, with ``partitions``); later calls do not emit again.

        Args:
            require_complete: Raise unless every partition was tagged to the end (run an
                action that reads every row first, e.g. a write or ``count()``).

        Raises:
            ConfigurationError: ``require_complete`` and some partition was not tagged yet.
        """
        seen = self._partitions.value
        done = [t for t in seen.values() if t is not None]
        total = Tally()
        for tally in done:
            total = total.merge(tally)
        summary = JobSummary(
            guard=self._guard.name,
            fingerprint=self._guard.fingerprint,
            checked_at=self.checked_at,
            tally=total,
            partitions=len(done),
            expected_partitions=self.tagged.rdd.getNumPartitions(),
            started_partitions=len(seen) - len(done),
        )
        if require_complete and not summary.complete:
            raise ConfigurationError(
                f"the job summary is incomplete: {summary.partitions} of "
                f"{summary.expected_partitions} partitions were tagged to the end; run an action "
                "that reads every row (a write, count()) before summary(), or pass "
                "require_complete=False"
            )
        if summary.complete and not self._emitted:
            self._emitted = True
            emit_tally(
                self._guard,
                total,
                checked_at=self.checked_at,
                duration_s=time.perf_counter() - self._started,
                mode="spark",
                partitions=summary.partitions,
            )
        return summary


def _fields(struct: str, names: Mapping[str, object]) -> list[Any]:
    return [F.col(struct).getField(name).alias(name) for name in names]


def validate(
    df: DataFrame, guard: Guard, *, now: datetime | None = None, key: str | None = None
) -> SparkValidation:
    """Validate a Spark DataFrame in one ``mapInArrow`` pass.

    Args:
        df: The input DataFrame.
        guard: The guard; it is pickled to the executors without its observers.
        now: The instant to check every row against; None reads the guard's clock once, here
            on the driver.
        key: A column that identifies rows (kept as is; no ``row_id`` is generated). Without
            one, ``row_id`` is a ``long`` unique across the job, like
            ``monotonically_increasing_id``: stable only while the input's partitioning is.

    Returns:
        `SparkValidation`: ``(accepted, quarantined)`` with `Result`'s layouts (``reasons``,
        ``reason_columns`` and ``warnings`` as ``array<string>``), plus ``tagged`` and
        ``summary()``.

    Raises:
        ConfigurationError: Not a DataFrame or Guard, a bad ``key``, a naive ``now``.
        InputRejected: The guard rejects any input of this schema (a missing column ...).
    """
    if not isinstance(df, DataFrame):
        raise ConfigurationError(f"'df' must be a pyspark DataFrame (got {type(df).__name__})")
    if not isinstance(guard, Guard):
        raise ConfigurationError(f"'guard' must be an inputguard.Guard (got {guard!r})")
    at = read_clock(guard.clock if now is None else (lambda: now))
    spark = df.sparkSession
    timezone = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    schema = to_arrow_schema(df.schema, timezone=timezone)
    layout = _layout(guard, schema, key)
    partitions = spark.sparkContext.accumulator({}, _ByPartition())
    function = _TagPartitions(without_observers(guard), layout, at, partitions)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        tagged = df.mapInArrow(function, from_arrow_schema(layout.schema))
    ids = [F.col(ROW_ID)] if key is None else []
    status = F.col(STATUS)
    accepted = tagged.where(status == ACCEPTED).select(
        *ids, *_fields(NORMALIZED, dict.fromkeys(f.name for f in layout.normalized)), WARNINGS
    )
    quarantined = tagged.where(status == QUARANTINED).select(
        *ids,
        *_fields(ORIGINAL, dict.fromkeys(f.name for f in layout.original)),
        REASONS,
        REASON_COLUMNS,
        OWNER,
        WARNINGS,
    )
    return SparkValidation(
        accepted,
        quarantined,
        tagged=tagged,
        guard=guard,
        checked_at=at,
        partitions=partitions,
    )
