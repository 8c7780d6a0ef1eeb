"""Shared fixtures of the scale-out tests: the example guard, its messy sample, one Spark."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import inputguard as ig

if TYPE_CHECKING:
    from collections.abc import Iterator

    import polars as pl

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def guard() -> ig.Guard:
    """The example guard: provenance (with owners), per-source freshness, two terminologies."""
    return ig.Guard.from_config(EXAMPLES / "guard.toml")


def sample(rows: int) -> pl.DataFrame:
    """The example's deterministic messy transactions (``txn_id`` is unique)."""
    spec = importlib.util.spec_from_file_location("_ig_sample_data", EXAMPLES / "sample_data.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frame: pl.DataFrame = module.transactions(rows)
    return frame


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """ONE local Spark for the whole run: local[2], UI off, every address on 127.0.0.1.

    Skipped only when pyspark is absent outside CI; in CI (``CI`` set) a missing pyspark is
    a failure, so that the Spark tests cannot silently stop running there.
    """
    if importlib.util.find_spec("pyspark") is None:
        if os.environ.get("CI"):
            pytest.fail("pyspark is not installed but CI is set: install the 'spark' extra")
        pytest.skip("pyspark is not installed (pip install 'inputguard-inference[spark]')")
    # Executors must run this interpreter (it has inputguard); Spark binds loopback only.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession  # noqa: PLC0415 - optional dependency

    session = (
        SparkSession.builder.master("local[2]")
        .appName("inputguard-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        # One task per core already: one polars thread per worker (docs/scale-out.md, Speed).
        .config("spark.executorEnv.POLARS_MAX_THREADS", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
