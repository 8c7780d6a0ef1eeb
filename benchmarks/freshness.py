"""Freshness-only guard vs a hand-written polars query doing the same checks and split."""

from __future__ import annotations

import argparse
import logging
from datetime import timedelta

import polars as pl
import structlog

import inputguard as ig
from benchmarks._data import NOW, transactions
from benchmarks._harness import interleaved, report

ERROR_AFTER = timedelta(hours=1)
WARN_AFTER = timedelta(minutes=30)
SKEW = timedelta(seconds=60)


def hand_written(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What a careful engineer writes by hand for an aware timestamp column."""
    ts = pl.col("ts")
    stale_cut, aging_cut, future_cut = NOW - ERROR_AFTER, NOW - WARN_AFTER, NOW + SKEW
    flagged = (
        frame.lazy()
        .with_row_index("row_id")
        .with_columns(
            missing=ts.is_null(),
            future=(ts > future_cut).fill_null(value=False),
            stale=(ts < stale_cut).fill_null(value=False),
            aging=((ts < aging_cut) & (ts >= stale_cut)).fill_null(value=False),
        )
        .with_columns(bad=pl.col("missing") | pl.col("future") | pl.col("stale"))
        .collect()
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    accepted = flagged.filter(~pl.col("bad")).select(
        "row_id",
        *frame.columns,
        warnings=pl.when(pl.col("aging")).then(pl.lit(["freshness.aging"])).otherwise(empty),
    )
    quarantined = flagged.filter(pl.col("bad")).select(
        "row_id",
        *frame.columns,
        reasons=pl.concat_list(
            [
                pl.when(pl.col(c)).then(pl.lit(f"freshness.{c}"))
                for c in ("missing", "future", "stale")
            ]
        ).list.drop_nulls(),
    )
    return accepted, quarantined


def _compare(guard: ig.Guard, title: str, frame: pl.DataFrame, repeat: int) -> None:
    expected_accepted, expected_quarantined = hand_written(frame)
    result = guard.validate(frame)
    assert result.accepted.height == expected_accepted.height, "outputs differ"
    assert result.quarantined.height == expected_quarantined.height, "outputs differ"
    timings = interleaved(
        {"inputguard": lambda: guard.validate(frame), "baseline": lambda: hand_written(frame)},
        repeat=repeat,
    )
    report(title, frame.height, timings["inputguard"], timings["baseline"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    guard = ig.Guard(
        [ig.freshness("ts", error_after=ERROR_AFTER, warn_after=WARN_AFTER)],
        name="bench",
        clock=ig.FixedClock(NOW),
    )
    for rows in args.rows:
        _compare(guard, "freshness (datetime column)", transactions(rows), args.repeat)


if __name__ == "__main__":
    main()
