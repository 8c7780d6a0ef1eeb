"""Freshness-only guard vs a hand-written polars query doing the same checks and split.

The datetime column is compared with the same checks on the column as it is. Text in each
declared shape is compared with a baseline that parses it inside its query with polars'
``str.to_datetime(format, strict=False)`` for the same format(s) (lenient: no grammar check,
no ambiguity test), then runs the same checks and split.
"""

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


def hand_written(
    frame: pl.DataFrame, parse: pl.Expr | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What a careful engineer writes by hand for an aware timestamp column (or text parsed)."""
    ts = pl.col("ts") if parse is None else parse
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


def _compare(
    guard: ig.Guard, title: str, frame: pl.DataFrame, repeat: int, parse: pl.Expr | None = None
) -> None:
    expected_accepted, expected_quarantined = hand_written(frame, parse)
    result = guard.validate(frame)
    assert result.accepted.height == expected_accepted.height, "outputs differ"
    assert result.quarantined.height == expected_quarantined.height, "outputs differ"
    timings = interleaved(
        {
            "inputguard": lambda: guard.validate(frame),
            "baseline": lambda: hand_written(frame, parse),
        },
        repeat=repeat,
    )
    report(title, frame.height, timings["inputguard"], timings["baseline"])


def _lenient(fmt: str, *, utc: bool = True) -> pl.Expr:
    parsed = pl.col("ts").str.to_datetime(
        fmt, strict=False, time_unit="us", time_zone="UTC" if utc else None
    )
    return parsed if utc else parsed.dt.replace_time_zone("UTC")


def _epoch_text(unit: str) -> pl.Expr:
    return pl.col("ts").cast(pl.Int64, strict=False).cast(pl.Datetime(unit, "UTC"))  # type: ignore[arg-type]


# name: (formats, how the text is written, the baseline's parse)
SHAPES: dict[str, tuple[list[str], pl.Expr, pl.Expr]] = {
    "iso8601": (
        ["iso8601"],
        pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z"),
        _lenient("%Y-%m-%dT%H:%M:%S%.f%:z"),
    ),
    "rfc2822": (
        ["rfc2822"],
        pl.col("ts").dt.strftime("%a, %d %b %Y %H:%M:%S %z"),
        _lenient("%a, %d %b %Y %H:%M:%S %z"),
    ),
    "http date": (
        ["rfc2822"],
        pl.col("ts").dt.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        _lenient("%a, %d %b %Y %H:%M:%S GMT", utc=False),
    ),
    "epoch_s text": (["epoch_s"], pl.col("ts").dt.epoch("s").cast(pl.String), _lenient("%s")),
    "epoch_ms text": (
        ["epoch_ms"],
        pl.col("ts").dt.epoch("ms").cast(pl.String),
        _epoch_text("ms"),
    ),
    "%d/%m/%Y %H:%M:%S": (
        ["%d/%m/%Y %H:%M:%S"],
        pl.col("ts").dt.strftime("%d/%m/%Y %H:%M:%S"),
        _lenient("%d/%m/%Y %H:%M:%S", utc=False),
    ),
    "list of three (iso, rfc2822, epoch_s)": (
        ["iso8601", "rfc2822", "epoch_s"],
        pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z"),
        pl.coalesce(
            _lenient("%Y-%m-%dT%H:%M:%S%.f%:z"),
            _lenient("%a, %d %b %Y %H:%M:%S %z"),
            _lenient("%s"),
        ),
    ),
}


def text_shapes(rows: int, repeat: int, names: list[str]) -> None:
    """The freshness validator on text in each shape vs polars' lenient parse of it."""
    base = transactions(rows)
    for name in names:
        formats, write, parse = SHAPES[name]
        naive = "assume_utc" if name.startswith("%") else "reject"
        guard = ig.Guard(
            [
                ig.freshness(
                    "ts",
                    error_after=ERROR_AFTER,
                    warn_after=WARN_AFTER,
                    formats=formats,
                    naive=naive,
                )
            ],
            name="bench",
            clock=ig.FixedClock(NOW),
        )
        frame = base.with_columns(write)
        _compare(guard, f"freshness text: {name}", frame, repeat, parse)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--shapes", nargs="*", default=list(SHAPES), help="text shapes (none: datetime only)"
    )
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    guard = ig.Guard(
        [ig.freshness("ts", error_after=ERROR_AFTER, warn_after=WARN_AFTER)],
        name="bench",
        clock=ig.FixedClock(NOW),
    )
    for rows in args.rows:
        _compare(guard, "freshness (datetime column)", transactions(rows), args.repeat)
        text_shapes(rows, args.repeat, args.shapes)


if __name__ == "__main__":
    main()
