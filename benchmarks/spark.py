"""inputguard.spark vs a bare polars query inside the same ``mapInArrow``, on local Spark.

Both sides read the same parquet file and run one ``mapInArrow`` over it, written to Spark's
``noop`` sink (every row computed, nothing stored):

- **guard**: ``inputguard.spark.validate(df, guard).tagged`` with the shared headline guard;
- **baseline**: the shared headline's hand-written polars query (``impl_polars.run_a``) on each
  Arrow batch, its accepted and quarantined rows returned as one batch with a status column,
  cast to the Arrow types Spark reads.

Both sides also run under the same settings: ``--polars-threads`` (default 1, put in the
environment the Python workers inherit as ``POLARS_MAX_THREADS``: Spark already runs one task
per core, and a polars pool as wide as the machine in every worker makes the workers and the
JVM fight for the cores) and ``--batch-rows`` (``spark.sql.execution.arrow.maxRecordsPerBatch``,
default Spark's 10,000). ``--polars-threads 0`` leaves polars' default (one thread per core).

The SparkSession start is excluded; one warm-up job per side, then ``--reps`` jobs per side,
interleaved. Reported: the median ratio guard / baseline, its range, rows/s of each side, and
the times of the first (cold) jobs and of every pair (the guard's first job also starts the
Python workers, which the baseline's first job then finds running).

    .venv/bin/python -m benchmarks.spark --rows 5000000 --reps 5
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"


def _baseline_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    impl_polars = importlib.import_module("impl_polars")
    frame = pl.DataFrame(pl.from_arrow(batch))
    accepted, quarantined = impl_polars.run_a(frame.lazy())
    out = pl.concat(
        [
            accepted.select(
                pl.lit("accepted").alias("status"),
                pl.all(),
                pl.lit(None, pl.String).alias("reason"),
            ),
            quarantined.select(
                pl.lit("quarantined").alias("status"),
                pl.exclude("reason"),
                pl.col("reason").cast(pl.String),
            ),
        ],
        how="diagonal_relaxed",
    )
    table = out.to_arrow().select(schema.names).cast(schema)
    combined = table.combine_chunks() if table.num_rows else schema.empty_table()
    return pa.RecordBatch.from_arrays(
        [combined.column(i).combine_chunks() for i in range(combined.num_columns)],
        schema=schema,
    )


class _Baseline:
    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield _baseline_batch(batch, self.schema)


def _baseline_schema(sample: pl.DataFrame) -> pa.Schema:
    from inputguard._scale.types import portable_schema  # noqa: PLC0415

    impl_polars = importlib.import_module("impl_polars")
    accepted, quarantined = impl_polars.run_a(sample.lazy())
    del quarantined  # same columns as accepted, plus the reason
    fields = [pa.field("status", pa.string())]
    fields += [pa.field(f.name, f.type) for f in accepted.to_arrow().schema]
    fields.append(pa.field("reason", pa.string()))
    return portable_schema(pa.schema(fields))


def _environment(polars_threads: int) -> None:
    """What the local workers inherit: this interpreter, the harness, loopback, polars threads."""
    sys.path.insert(0, str(SHARED))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SHARED), os.environ.get("PYTHONPATH", "")])
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if polars_threads:  # read by polars in each worker when it is first imported there
        os.environ["POLARS_MAX_THREADS"] = str(polars_threads)


def _session(batch_rows: int) -> Any:
    """One local[2] session, every address on 127.0.0.1, Arrow batches of ``batch_rows``."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - optional dependency

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("inputguard-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _timed(
    sides: dict[str, Callable[[], None]], reps: int
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """The first (cold) job of each side, then ``reps`` jobs per side, interleaved."""
    first: dict[str, float] = {}
    for name, fn in sides.items():  # warm-up: first job, worker start, decision caches
        started = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - started
    runs: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(reps):
        for name, fn in sides.items():
            started = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - started)
    return first, runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=lambda s: int(float(s.replace("_", ""))), default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--polars-threads", type=int, default=1)
    parser.add_argument("--batch-rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    if args.reps < 5:
        parser.error("--reps must be at least 5 (a median of fewer runs is not a figure)")
    if args.polars_threads < 0 or args.batch_rows < 1:
        parser.error("--polars-threads must be >= 0 and --batch-rows >= 1")
    if not SHARED.is_dir():
        print(f"# spark: the shared headline harness is not at {SHARED}: skipped")
        return
    if importlib.util.find_spec("pyspark") is None:
        print("# spark: pyspark is not installed (pip install 'inputguard[spark]'): skipped")
        return
    _environment(args.polars_threads)
    headline = importlib.import_module("headline")
    gen_data = importlib.import_module("gen_data")
    headline.quiet_events()
    guard, _ = headline.make_guard()
    frame = gen_data.load(args.rows)
    folder = Path(tempfile.mkdtemp(prefix="ig-spark-bench-"))
    path = folder / "input.parquet"
    frame.write_parquet(path, row_group_size=131_072)
    schema = _baseline_schema(frame.head(10_000))

    from pyspark.sql.pandas.types import from_arrow_schema  # noqa: PLC0415

    import inputguard.spark as ig_spark  # noqa: PLC0415

    spark = _session(args.batch_rows)
    df = spark.read.parquet(str(path))

    def run_guard() -> None:
        tagged = ig_spark.validate(df, guard).tagged
        tagged.write.format("noop").mode("overwrite").save()

    def run_baseline() -> None:
        with warnings.catch_warnings():  # see inputguard/spark.py: mapInArrow uses no pandas
            warnings.filterwarnings(
                "ignore", message="PySpark does not yet", category=FutureWarning
            )
            out = df.mapInArrow(_Baseline(schema), from_arrow_schema(schema))
        out.write.format("noop").mode("overwrite").save()

    sides: dict[str, Callable[[], None]] = {"guard": run_guard, "baseline": run_baseline}
    try:
        first, runs = _timed(sides, args.reps)
    finally:
        spark.stop()
        shutil.rmtree(folder, ignore_errors=True)  # the input file: 66 MB at 5M rows
    ratios = [g / b for g, b in zip(runs["guard"], runs["baseline"], strict=True)]
    guard_s = statistics.median(runs["guard"])
    base_s = statistics.median(runs["baseline"])
    print(
        f"spark local[2] mapInArrow, {args.rows:,} rows, {args.reps} interleaved pairs, "
        f"batches of {args.batch_rows:,} rows, polars threads per worker "
        f"{args.polars_threads or 'default'}: "
        f"guard/baseline median {statistics.median(ratios):.2f}x "
        f"(range {min(ratios):.2f}-{max(ratios):.2f}); "
        f"guard {args.rows / guard_s:,.0f} rows/s, baseline {args.rows / base_s:,.0f} rows/s"
    )
    print(
        f"first (cold) jobs: guard {first['guard']:.1f} s, baseline {first['baseline']:.1f} s; "
        "guard pairs "
        + ", ".join(
            f"{g:.1f}/{b:.1f}" for g, b in zip(runs["guard"], runs["baseline"], strict=True)
        )
        + " s"
    )


if __name__ == "__main__":
    main()
