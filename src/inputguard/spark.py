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
DataFrame (`SparkValidation.tagged`), and Spark runs the guard once per action that reads it.

=============================================  ====================================
actions                                        guard passes over the input
=============================================  ====================================
``accepted.write`` and ``quarantined.write``   2 (3 with ``summary()``)
``tagged.persist()``, both writes, summary     1 (the writes and summary read the cache)
``tagged.write.partitionBy("status")``         1 (``summary()`` adds 1 unless persisted)
=============================================  ====================================

The job summary (`SparkValidation.summary`) is built on the driver from one small aggregation
over the tagged frame (the executors send back a few hundred count rows, not the data), and is
emitted as ONE audit event per job, from the driver. Workers emit nothing and run no
observers; feed a `DriftWatch` from the summary (`JobSummary.feed`).

Row ids are ``partition << 33 | position`` where the partition is Spark's task partition id
(as in ``monotonically_increasing_id``): unique across the rows of one action, but a frame
that is not persisted may number its rows differently in another action (another plan). Pass
``key=`` (a column that identifies rows), or persist ``tagged``, when ids must match across
actions.

Executors: the guard travels pickled once per job; a Python worker that Spark reuses
(``spark.python.worker.reuse``, the default) keeps the unpickled guard, with its warm decision
caches, for the later tasks and jobs of the same guard. Spark already runs one task per core:
give each worker a one-thread polars pool (``POLARS_MAX_THREADS=1`` in the workers'
environment, e.g. ``spark.executorEnv.POLARS_MAX_THREADS``), or the workers' polars pools and
the JVM compete for the same cores (see docs/scale-out.md, "Speed").

Needs the ``spark`` extra (``pip install 'inputguard-inference[spark]'``).
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyspark import TaskContext
from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812 - the name every Spark user writes
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from inputguard._core.clock import read_clock
from inputguard._guard.guard import Guard
from inputguard._ops.drift import NO_SOURCE
from inputguard._scale.events import emit_tally
from inputguard._scale.quiet import source_column, without_observers
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
    from collections.abc import Callable, Iterator, Mapping
    from datetime import datetime

    import pyarrow as pa

    from inputguard._ops.drift import DriftAlert, DriftWatch

__all__ = ["JobSummary", "SparkValidation", "validate"]

# pyspark 4.x warns on every pandas-based UDF when pandas >= 3 is installed. `mapInArrow`
# goes through the same UDF machinery but never converts a batch to pandas, so the warning
# does not concern it: it is filtered for that one call, by its exact message.
_PANDAS_WARNING = "PySpark does not yet fully support pandas"


@dataclass(frozen=True, slots=True)
class _TagPartitions:
    """The function ``mapInArrow`` runs on each partition (pickled to the executors).

    The guard travels as its own pickle, so that a Python worker that Spark reuses for
    later tasks (``spark.python.worker.reuse``, on by default) unpickles it once and keeps
    it, warm decision caches included, for every task and job that ships the same bytes
    (`_worker_guard`). Decisions are a function of the value and the guard's
    configuration, so a warm guard gives the answers a cold one gives.
    """

    guard: bytes  # pickle of the guard without observers
    digest: str  # sha256 of ``guard``
    layout: _Layout
    now: datetime

    @classmethod
    def of(cls, guard: Guard, layout: _Layout, now: datetime) -> _TagPartitions:
        blob = pickle.dumps(without_observers(guard), protocol=pickle.HIGHEST_PROTOCOL)
        return cls(blob, hashlib.sha256(blob).hexdigest(), layout, now)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # Spark's task partition id: unique among the tasks of one action (the layout of
        # monotonically_increasing_id), but it depends on the plan that reads the frame.
        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        guard = _worker_guard(self.digest, self.guard)
        tagger = Tagger._prepared(
            guard, self.layout, now=self.now, partition=partition, counting=False
        )
        yield from tagger.stream(batches)


_WORKER_GUARDS: OrderedDict[str, Guard] = OrderedDict()
_WORKER_GUARDS_LOCK = threading.Lock()
_WORKER_GUARDS_KEPT = 4  # guards a worker keeps (most recently used), each with its caches


def _worker_guard(digest: str, blob: bytes) -> Guard:
    """The guard of ``blob``, unpickled once per worker process (see `_TagPartitions`)."""
    with _WORKER_GUARDS_LOCK:
        guard = _WORKER_GUARDS.get(digest)
        if guard is not None:
            _WORKER_GUARDS.move_to_end(digest)
            return guard
    guard = pickle.loads(blob)  # noqa: S301 - bytes this module pickled on the driver
    if not isinstance(guard, Guard):
        raise ConfigurationError(f"a Spark task received {type(guard).__name__}, not a Guard")
    with _WORKER_GUARDS_LOCK:
        _WORKER_GUARDS[digest] = guard
        while len(_WORKER_GUARDS) > _WORKER_GUARDS_KEPT:
            _WORKER_GUARDS.popitem(last=False)
    return guard


@dataclass(frozen=True, slots=True)
class JobSummary:
    """What a Spark job tagged, counted by one aggregation over the tagged frame.

    Attributes:
        guard: The guard's name.
        fingerprint: The guard's fingerprint.
        checked_at: The one clock reading of the job.
        tally: The counts (by reason, column, source and owner), see `inputguard.arrow.Tally`.
    """

    guard: str
    fingerprint: str
    checked_at: datetime
    tally: Tally

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


# One row per (count, key) a Tally needs, so that ONE aggregation gives every count: rows by
# (source, status); for quarantined rows, each distinct reason by source, each distinct
# (column, reason) and the owner; for accepted rows, each distinct warning.
_ENTRIES = """explode(concat(
  array(named_struct('k', 'rows', 'a', __ig_source, 'b', status)),
  CASE WHEN status = 'quarantined' THEN concat(
    transform(array_distinct(reasons), r -> named_struct('k', 'reason', 'a', __ig_source, 'b', r)),
    array_distinct(zip_with(reason_columns, reasons,
      (c, r) -> named_struct('k', 'column', 'a', c, 'b', r))),
    array(named_struct('k', 'owner', 'a', owner, 'b', CAST(NULL AS STRING))))
  ELSE transform(array_distinct(warnings),
    w -> named_struct('k', 'warning', 'a', w, 'b', CAST(NULL AS STRING))) END)) AS e"""


_ENTRY_COLUMNS = ("reasons", "reason_columns", "owner", "warnings")


def _tally(tagged: DataFrame, source: str | None, layout: _Layout) -> Tally:
    """The Tally of a tagged frame, from one small aggregation (a few hundred rows back)."""
    names = layout.names
    if source is not None and source in {f.name for f in layout.original}:
        value = F.when(F.col(STATUS) == ACCEPTED, F.col(NORMALIZED).getField(source)).otherwise(
            F.col(ORIGINAL).getField(source)
        )
        src = F.coalesce(value.cast("string"), F.lit(NO_SOURCE))
    else:
        src = F.lit(NO_SOURCE)
    rows = (
        tagged.select(  # the guard's result names, as the fixed names _ENTRIES reads
            src.alias("__ig_source"),
            F.col(STATUS).alias("status"),
            *(
                F.col(c).alias(a)
                for c, a in zip(
                    (names.reasons, names.reason_columns, names.owner, names.warnings),
                    _ENTRY_COLUMNS,
                    strict=True,
                )
            ),
        )
        .select(F.expr(_ENTRIES))
        .groupBy("e.k", "e.a", "e.b")
        .count()
        .collect()
    )
    counts: dict[str, dict[Any, int]] = {}
    for kind, a, b, n in rows:
        counts.setdefault(kind, {})[(a, b)] = n
    by_status = counts.get("rows", {})
    ranked = _ranked
    return Tally(
        accepted=sum(n for (_, status), n in by_status.items() if status == ACCEPTED),
        quarantined=sum(n for (_, status), n in by_status.items() if status == QUARANTINED),
        reasons=ranked(_sum_by(counts.get("reason", {}), lambda k: k[1])),
        reasons_by_column=ranked(dict(counts.get("column", {}))),
        warnings=ranked({w: n for (w, _), n in counts.get("warning", {}).items()}),
        rows_by_source=ranked(_sum_by(by_status, lambda k: k[0])),
        quarantined_by_source=ranked(
            {s: n for (s, status), n in by_status.items() if status == QUARANTINED}
        ),
        reasons_by_source=ranked(dict(counts.get("reason", {}))),
        owners=ranked({o: n for (o, _), n in counts.get("owner", {}).items()}),
    )


def _sum_by(counts: Mapping[Any, int], key: Callable[[Any], Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for k, n in counts.items():
        out[key(k)] = out.get(key(k), 0) + n
    return out


def _ranked(counts: Mapping[Any, int]) -> dict[Any, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


class SparkValidation(tuple[DataFrame, DataFrame]):
    """``(accepted, quarantined)`` Spark DataFrames, with the tagged frame and the job summary.

    Unpacks as a pair: ``accepted, quarantined = ig_spark.validate(df, guard)``.
    """

    accepted: DataFrame
    quarantined: DataFrame
    tagged: DataFrame
    checked_at: datetime
    _guard: Guard
    _layout: _Layout
    _started: float
    _emitted: bool

    def __new__(  # noqa: D102 - documented on the class
        cls,
        accepted: DataFrame,
        quarantined: DataFrame,
        *,
        tagged: DataFrame,
        guard: Guard,
        layout: _Layout,
        checked_at: datetime,
    ) -> SparkValidation:
        pair = super().__new__(cls, (accepted, quarantined))
        pair.accepted, pair.quarantined, pair.tagged = accepted, quarantined, tagged
        pair.checked_at = checked_at
        pair._guard, pair._layout = guard, layout
        pair._started = time.perf_counter()
        pair._emitted = False
        return pair

    def summary(self) -> JobSummary:
        """The job's counts by reason, column, source and owner, computed on the driver.

        Runs one aggregation job over `tagged` that returns a few hundred rows: it reads the
        cache when ``tagged`` is persisted, and runs the guard again otherwise. The first
        call emits the job's one ``inputguard.validate`` audit event (``mode="spark"``);
        later calls do not emit again.
        """
        tally = _tally(self.tagged, source_column(self._guard), self._layout)
        summary = JobSummary(
            guard=self._guard.name,
            fingerprint=self._guard.fingerprint,
            checked_at=self.checked_at,
            tally=tally,
        )
        if not self._emitted:
            self._emitted = True
            emit_tally(
                self._guard,
                tally,
                checked_at=self.checked_at,
                duration_s=time.perf_counter() - self._started,
                mode="spark",
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
            one, ``row_id`` is a ``long`` unique across the rows of an action, like
            ``monotonically_increasing_id`` (see the module docs).

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
    function = _TagPartitions.of(guard, layout, at)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        tagged = df.mapInArrow(function, from_arrow_schema(layout.schema))
    names = layout.names
    ids = [F.col(names.row_id)] if key is None else []
    status = F.col(STATUS)
    accepted = tagged.where(status == ACCEPTED).select(
        *ids,
        *_fields(NORMALIZED, dict.fromkeys(f.name for f in layout.normalized)),
        names.warnings,
    )
    quarantined = tagged.where(status == QUARANTINED).select(
        *ids,
        *_fields(ORIGINAL, dict.fromkeys(f.name for f in layout.original)),
        names.reasons,
        names.reason_columns,
        names.owner,
        names.warnings,
    )
    return SparkValidation(
        accepted,
        quarantined,
        tagged=tagged,
        guard=guard,
        layout=layout,
        checked_at=at,
    )
